//! Goals: progress bars (followers, subscribers, …) shown on stream.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::ids::{GoalId, StreamerId};
use crate::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Goal {
    /// Unique within the streamer ([`validate::key`]).
    pub id: GoalId,
    /// Shown on the progress bar.
    pub label: String,
    /// Progress so far, 0 to [`validate::MAX_BALANCE`]; may pass the target.
    pub current_value: i64,
    /// The target, 1 to [`validate::MAX_BALANCE`].
    pub target_value: i64,
    /// Whether it is shown.
    pub enabled: bool,
    /// When it was last written.
    pub updated_at: Timestamp,
}

/// A goal to create or replace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    /// See [`Goal::label`].
    pub label: String,
    /// See [`Goal::current_value`].
    #[serde(default)]
    pub current_value: i64,
    /// See [`Goal::target_value`].
    pub target_value: i64,
    /// See [`Goal::enabled`].
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl GoalInput {
    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        validate::name("label", &self.label, validate::MAX_NAME_CHARS)?;
        validate::in_range(
            "current_value",
            self.current_value,
            0,
            validate::MAX_BALANCE,
        )?;
        validate::in_range("target_value", self.target_value, 1, validate::MAX_BALANCE)
    }
}

/// Goals of one streamer.
///
/// Tenant rule for every method: goal ids are unique per streamer, never globally (two
/// streamers can both have `followers`); a method only ever reads or writes the given
/// streamer's goals, and another streamer's goal is indistinguishable from a missing one.
#[async_trait]
pub trait GoalStore: Send + Sync {
    /// The enabled goals, by id.
    async fn list_enabled_goals(&self, streamer: StreamerId) -> StoreResult<Vec<Goal>>;

    /// All goals, by id.
    async fn list_goals(&self, streamer: StreamerId) -> StoreResult<Vec<Goal>>;

    /// The goal, or `None`.
    async fn get_goal(&self, streamer: StreamerId, goal: &GoalId) -> StoreResult<Option<Goal>>;

    /// Creates or replaces a goal.
    ///
    /// Errors: `InvalidInput`; `NotFound(Streamer)` when the streamer does not exist.
    async fn upsert_goal(
        &self,
        streamer: StreamerId,
        goal: &GoalId,
        input: GoalInput,
    ) -> StoreResult<Goal>;

    /// Sets a goal's progress (0 to [`validate::MAX_BALANCE`]).
    ///
    /// Errors: `NotFound(Goal)`; `InvalidInput`.
    async fn set_goal_progress(
        &self,
        streamer: StreamerId,
        goal: &GoalId,
        current_value: i64,
    ) -> StoreResult<Goal>;

    /// Deletes a goal.
    ///
    /// Errors: `NotFound(Goal)`.
    async fn delete_goal(&self, streamer: StreamerId, goal: &GoalId) -> StoreResult<()>;
}
