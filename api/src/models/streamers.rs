//! Streamers: creation by the operator and the public profile.

use datastore::{Streamer, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;

/// A new streamer and its admin key: the only time the key is shown.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StreamerCreated {
    /// The streamer.
    pub streamer: Streamer,
    /// Its admin key.
    pub admin_key: String,
}

/// A new admin key (after a rotation).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AdminKeyIssued {
    /// The key; the previous one no longer works.
    pub admin_key: String,
}

/// A new overlay key (after a rotation): the key for browser sources' URLs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OverlayKeyIssued {
    /// The key; the previous one no longer works.
    pub overlay_key: String,
}

/// What anyone may read about a streamer (`GET /{streamer}/api/profile`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Profile {
    /// The username.
    pub username: String,
    /// The display name.
    pub display_name: String,
    /// The Kick user id.
    pub kick_user_id: Option<i64>,
    /// The avatar's URL.
    pub avatar_url: Option<String>,
    /// When the streamer joined.
    pub created_at: Timestamp,
}

impl From<Streamer> for Profile {
    fn from(s: Streamer) -> Self {
        Profile {
            username: s.username,
            display_name: s.display_name,
            kick_user_id: s.kick_user_id,
            avatar_url: s.avatar_url,
            created_at: s.created_at,
        }
    }
}
