//! Users: the chat viewers of one streamer.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::ids::{StreamerId, UserId};
use crate::points::Points;
use crate::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A chat viewer of one streamer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct User {
    /// Assigned by the store, unique across the store.
    pub id: UserId,
    /// The streamer the user belongs to.
    pub streamer_id: StreamerId,
    /// Unique within the streamer ignoring ASCII case; kept as first seen.
    pub username: String,
    /// The text-to-speech voice the viewer picked.
    pub voice_id: Option<String>,
    /// The image the viewer drops with in the drop game.
    pub drop_image: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    /// When the user was created.
    pub created_at: Timestamp,
    /// When the profile was last changed.
    pub updated_at: Timestamp,
}

/// Result of [`UserStore::get_or_create_user`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserLookup {
    /// The existing or new user.
    pub user: User,
    /// Whether this call created it.
    pub created: bool,
}

/// Profile changes; absent fields are left alone, `null` clears.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    /// Set or clear the voice id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::patch::nullable"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub voice_id: Option<Option<String>>,
    /// Set or clear the drop image URL.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::patch::nullable"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub drop_image: Option<Option<String>>,
    /// Set or clear the country (two letters, either case).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::patch::nullable"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub country: Option<Option<String>>,
}

impl ProfileUpdate {
    /// Refuses what the contract does not accept, and returns the update with the country
    /// normalised to upper case.
    pub fn validated(&self) -> StoreResult<ProfileUpdate> {
        if let Some(Some(v)) = &self.voice_id {
            validate::key("voice_id", v)?;
        }
        if let Some(d) = &self.drop_image {
            validate::optional_url("drop_image", d.as_deref())?;
        }
        let country = match &self.country {
            Some(c) => Some(validate::country(c.as_deref())?),
            None => None,
        };
        Ok(ProfileUpdate {
            voice_id: self.voice_id.clone(),
            drop_image: self.drop_image.clone(),
            country,
        })
    }
}

/// A user with their balances, for the admin's user list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserWithPoints {
    /// The user.
    pub user: User,
    /// Their balances (zeros when they never had any).
    pub points: Points,
}

/// Which page of a list to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return, 1 to [`validate::MAX_PAGE_LIMIT`].
    pub limit: u32,
}

/// One page of a list and the size of the whole list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// How many rows the whole list has (for this streamer only).
    pub total: u64,
}

/// Users of one streamer.
///
/// Tenant rule for every method: a user id of another streamer behaves exactly like an id that
/// does not exist (`None`, or `NotFound(User)` with the same text), and a username is looked up
/// only among this streamer's users. Usernames compare ignoring ASCII case (as SQLite's
/// `NOCASE`); `Zoë` and `ZOË` are different names, `alice` and `ALICE` the same.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// The user with this username (ignoring ASCII case), created when missing.
    ///
    /// The same username may exist under any number of streamers, each its own user. Errors:
    /// `InvalidInput` ([`validate::username`]); `NotFound(Streamer)` when the streamer does not
    /// exist.
    async fn get_or_create_user(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<UserLookup>;

    /// The user, or `None` (also for another streamer's user).
    async fn get_user(&self, streamer: StreamerId, user: UserId) -> StoreResult<Option<User>>;

    /// The user with this username ignoring ASCII case, or `None`.
    async fn get_user_by_username(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<Option<User>>;

    /// Applies the profile update and returns the user.
    ///
    /// Errors: `NotFound(User)` (also for another streamer's user, which is left unchanged);
    /// `InvalidInput`.
    async fn update_user_profile(
        &self,
        streamer: StreamerId,
        user: UserId,
        update: ProfileUpdate,
    ) -> StoreResult<User>;

    /// Deletes the user and everything of theirs: points, ledger, inventory, purchases, drops,
    /// cooldowns and sessions. Verification codes are keyed by username and stay.
    ///
    /// Events: in the same transaction, every earlier event of the streamer that names the user
    /// ([`EventData::viewer`](crate::events::EventData::viewer) is `Some(user)`) is rewritten
    /// into `ViewerRemoved { user_id }` with its id and time kept; then the deletion records its
    /// own `ViewerRemoved` as the last event. So the user's name leaves the event log too, ids
    /// stay dense, and a reader replaying the log just removes the viewer again.
    ///
    /// Errors: `NotFound(User)` (also for another streamer's user, which is left unchanged).
    async fn delete_user(&self, streamer: StreamerId, user: UserId) -> StoreResult<()>;

    /// A page of this streamer's users, by id, with their balances; `total` counts this
    /// streamer's users only.
    ///
    /// Errors: `InvalidInput` for a limit outside 1 to [`validate::MAX_PAGE_LIMIT`].
    async fn list_users_with_points(
        &self,
        streamer: StreamerId,
        page: PageRequest,
    ) -> StoreResult<Page<UserWithPoints>>;

    /// How many users this streamer has.
    async fn count_users(&self, streamer: StreamerId) -> StoreResult<u64>;
}
