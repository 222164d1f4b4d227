//! Streamers: the tenants. Operator-level operations, not scoped by another streamer.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::ids::StreamerId;
use crate::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A streamer: one Kick channel, the owner of every other row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Streamer {
    /// Assigned by the store.
    pub id: StreamerId,
    /// The channel's username, unique ignoring ASCII case; the first path segment of its URLs.
    pub username: String,
    /// The name shown on overlays and profile pages.
    pub display_name: String,
    /// The channel's numeric Kick user id, unique when present.
    pub kick_user_id: Option<i64>,
    /// The channel's avatar.
    pub avatar_url: Option<String>,
    /// When the streamer was created.
    pub created_at: Timestamp,
    /// When the streamer was last changed.
    pub updated_at: Timestamp,
}

/// What [`StreamerStore::create_streamer`] needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewStreamer {
    /// See [`Streamer::username`]; checked by [`validate::streamer_username`].
    pub username: String,
    /// See [`Streamer::display_name`]; the username when absent.
    #[serde(default)]
    pub display_name: Option<String>,
    /// See [`Streamer::kick_user_id`]; positive.
    #[serde(default)]
    pub kick_user_id: Option<i64>,
    /// See [`Streamer::avatar_url`].
    #[serde(default)]
    pub avatar_url: Option<String>,
}

impl NewStreamer {
    /// A streamer with only a username.
    pub fn named(username: impl Into<String>) -> Self {
        NewStreamer {
            username: username.into(),
            display_name: None,
            kick_user_id: None,
            avatar_url: None,
        }
    }

    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        validate::streamer_username(&self.username)?;
        if let Some(d) = &self.display_name {
            validate::name("display_name", d, validate::MAX_NAME_CHARS)?;
        }
        if let Some(k) = self.kick_user_id {
            validate::in_range("kick_user_id", k, 1, i64::MAX)?;
        }
        validate::optional_url("avatar_url", self.avatar_url.as_deref())
    }
}

/// Changes to a streamer; absent fields are left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamerUpdate {
    /// A new username (a rename); must stay unique.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// A new display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Set (`Some(Some)`) or clear (`Some(None)`) the Kick user id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::patch::nullable"
    )]
    pub kick_user_id: Option<Option<i64>>,
    /// Set or clear the avatar.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::patch::nullable"
    )]
    pub avatar_url: Option<Option<String>>,
}

impl StreamerUpdate {
    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        if let Some(u) = &self.username {
            validate::streamer_username(u)?;
        }
        if let Some(d) = &self.display_name {
            validate::name("display_name", d, validate::MAX_NAME_CHARS)?;
        }
        if let Some(Some(k)) = self.kick_user_id {
            validate::in_range("kick_user_id", k, 1, i64::MAX)?;
        }
        if let Some(a) = &self.avatar_url {
            validate::optional_url("avatar_url", a.as_deref())?;
        }
        Ok(())
    }
}

/// Streamers: the operator's view of every tenant.
///
/// These are the only operations that are not scoped to one streamer. They are for the
/// operator and for resolving the streamer named in a URL; nothing reachable by one streamer's
/// credentials may call them with another streamer's id.
#[async_trait]
pub trait StreamerStore: Send + Sync {
    /// Creates a streamer with the six default powerups ([`crate::default_powerups`]).
    ///
    /// Errors: `InvalidInput`; `Conflict(StreamerUsername)` when the username is taken ignoring
    /// ASCII case; then `Conflict(KickUserId)` when the Kick user id is taken. Nothing is
    /// created on error.
    async fn create_streamer(&self, new: NewStreamer) -> StoreResult<Streamer>;

    /// The streamer with this id, or `None`.
    async fn get_streamer(&self, id: StreamerId) -> StoreResult<Option<Streamer>>;

    /// The streamer with this username ignoring ASCII case, or `None`.
    async fn get_streamer_by_username(&self, username: &str) -> StoreResult<Option<Streamer>>;

    /// The streamer with this Kick user id, or `None`.
    async fn get_streamer_by_kick_user_id(
        &self,
        kick_user_id: i64,
    ) -> StoreResult<Option<Streamer>>;

    /// Applies `update` to the streamer and returns it.
    ///
    /// Errors: `NotFound(Streamer)`; `InvalidInput`; `Conflict` as for create. Other streamers
    /// are never changed.
    async fn update_streamer(
        &self,
        id: StreamerId,
        update: StreamerUpdate,
    ) -> StoreResult<Streamer>;

    /// Every streamer, by id.
    async fn list_streamers(&self) -> StoreResult<Vec<Streamer>>;

    /// The streamers whose stream is live ([`crate::KickStore::get_stream_state`]), by id: what
    /// the watch award visits every minute.
    async fn list_live_streamers(&self) -> StoreResult<Vec<StreamerId>>;

    /// Deletes the streamer and every row it owns, in one step. Other streamers' rows, including
    /// users with the same usernames, are untouched.
    ///
    /// Errors: `NotFound(Streamer)`.
    async fn delete_streamer(&self, id: StreamerId) -> StoreResult<()>;
}
