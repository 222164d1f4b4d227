//! Command cooldowns: how often a user may run a chat command.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::ids::{StreamerId, UserId};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A user's cooldown on one command, as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cooldown {
    /// Whose cooldown.
    pub user_id: UserId,
    /// The command ([`crate::validate::command`]), compared exactly.
    pub command: String,
    /// When the command last ran.
    pub last_used_at: Timestamp,
    /// Until when it may not run again.
    pub expires_at: Timestamp,
}

/// Result of [`CooldownStore::check_cooldown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CooldownCheck {
    /// The command may run; the cooldown now starts.
    Ready,
    /// The command is cooling down; nothing changed.
    Active {
        /// Milliseconds until it may run again.
        remaining_ms: u64,
    },
}

/// Command cooldowns of one streamer's users.
///
/// Tenant rule: a user id of another streamer behaves exactly like an id that does not exist
/// (`NotFound(User)`), and that user's cooldowns are untouched.
#[async_trait]
pub trait CooldownStore: Send + Sync {
    /// Atomically checks and sets a cooldown: when the command is not cooling down it records
    /// the use (cooling down for `cooldown` from now) and returns `Ready`; otherwise it changes
    /// nothing and returns how long remains. Two concurrent checks never both get `Ready`.
    ///
    /// Errors: `NotFound(User)`; `InvalidInput` for a bad command or a cooldown over
    /// [`crate::validate::MAX_COOLDOWN`].
    async fn check_cooldown(
        &self,
        streamer: StreamerId,
        user: UserId,
        command: &str,
        cooldown: Duration,
    ) -> StoreResult<CooldownCheck>;

    /// Deletes the streamer's cooldowns that have ended; returns how many.
    async fn purge_expired_cooldowns(&self, streamer: StreamerId) -> StoreResult<u64>;
}
