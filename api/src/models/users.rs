//! Users (a streamer's viewers).

use datastore::ProfileUpdate;
use serde::Deserialize;

/// `POST /{streamer}/api/users`: get or create by username.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// The Kick username (matched ignoring case).
    pub username: String,
}

/// `PATCH /{streamer}/api/users/{id}` and `PATCH /{streamer}/api/me`: absent fields stay,
/// `null` clears.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// The text-to-speech voice.
    #[serde(default, with = "datastore::patch::nullable")]
    pub voice_id: Option<Option<String>>,
    /// The drop game image URL.
    #[serde(default, with = "datastore::patch::nullable")]
    pub drop_image: Option<Option<String>>,
    /// The country (ISO 3166-1 alpha-2).
    #[serde(default, with = "datastore::patch::nullable")]
    pub country: Option<Option<String>>,
}

impl From<ProfilePatch> for ProfileUpdate {
    fn from(p: ProfilePatch) -> Self {
        ProfileUpdate {
            voice_id: p.voice_id,
            drop_image: p.drop_image,
            country: p.country,
        }
    }
}
