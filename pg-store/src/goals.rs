//! Goals shown on stream: [`GoalStore`] on PostgreSQL and the row conversion of `goals`.

use crate::convert::{get, ts};
use crate::events::take_turns;
use crate::lookups::require_streamer;
use crate::store::PgStore;
use crate::tx::Tx;
use async_trait::async_trait;
use datastore::visible_change;
use datastore::{
    EventData, Goal, GoalId, GoalInput, GoalStore, Resource, StoreError, StoreResult, StreamerId,
    Timestamp, validate,
};
use tokio_postgres::Row;

/// The columns [`from_row`] reads.
pub(crate) const COLUMNS: &str = "id, label, current_value, target_value, enabled, updated_at";

/// A `goals` row.
pub(crate) fn from_row(r: &Row) -> StoreResult<Goal> {
    Ok(Goal {
        id: GoalId(get(r, "id")?),
        label: get(r, "label")?,
        current_value: get(r, "current_value")?,
        target_value: get(r, "target_value")?,
        enabled: get(r, "enabled")?,
        updated_at: ts(r, "updated_at")?,
    })
}

/// The `GoalChanged` of a write that left `after` (`None`: deleted), when the public list shows
/// the goal before or after it.
fn goal_changed(id: &GoalId, enabled_before: bool, after: Option<Goal>) -> Option<EventData> {
    visible_change(
        enabled_before,
        after,
        |g| g.enabled,
        |goal| EventData::GoalChanged {
            id: id.clone(),
            goal,
        },
    )
}

/// Whether goal `id` of streamer `s` is shown (enabled), its row locked until the transaction
/// ends so that it stays as read; `false` when there is no such goal.
async fn locked_enabled(tx: &Tx, s: StreamerId, id: &GoalId) -> StoreResult<bool> {
    let row = tx
        .query_opt(
            "SELECT enabled FROM goals WHERE streamer_id = $1 AND id = $2 FOR UPDATE",
            &[&s.0, &id.as_str()],
        )
        .await?;
    row.map_or(Ok(false), |r| get(&r, "enabled"))
}

/// Adds `by` to goal `id`'s current value, capped at [`validate::MAX_BALANCE`], in one
/// statement inside the caller's transaction (a delivery's `AdvanceGoal`): the goal after it and
/// its `GoalChanged` when the goal is shown, for the caller to record; `None` and no event when
/// the streamer has no such goal.
pub(crate) async fn advance(
    tx: &Tx,
    s: StreamerId,
    id: &GoalId,
    by: i64,
    now: Timestamp,
) -> StoreResult<(Option<Goal>, Option<EventData>)> {
    let row = tx
        .query_opt(
            &format!(
                "UPDATE goals SET current_value = least(current_value + $3, $4), updated_at = $5 \
                 WHERE streamer_id = $1 AND id = $2 RETURNING {COLUMNS}"
            ),
            &[
                &s.0,
                &id.as_str(),
                &by,
                &validate::MAX_BALANCE,
                &now.as_millis(),
            ],
        )
        .await?;
    let Some(row) = row else {
        return Ok((None, None));
    };
    let goal = from_row(&row)?;
    // Progress never shows or hides a goal: it was shown before when it is now.
    let event = goal_changed(id, goal.enabled, Some(goal.clone()));
    Ok((Some(goal), event))
}

impl PgStore {
    /// The streamer's goals `filter` (a condition added to the streamer's) selects, by id.
    async fn goals_where(&self, streamer: StreamerId, filter: &str) -> StoreResult<Vec<Goal>> {
        let tx = self.tenant(streamer).await?;
        let rows = tx
            .query(
                &format!("SELECT {COLUMNS} FROM goals WHERE streamer_id = $1{filter} ORDER BY id"),
                &[&streamer.0],
            )
            .await;
        let rows = tx.finish(rows).await?;
        rows.iter().map(from_row).collect()
    }
}

#[async_trait]
impl GoalStore for PgStore {
    async fn list_enabled_goals(&self, streamer: StreamerId) -> StoreResult<Vec<Goal>> {
        self.goals_where(streamer, " AND enabled").await
    }

    async fn list_goals(&self, streamer: StreamerId) -> StoreResult<Vec<Goal>> {
        self.goals_where(streamer, "").await
    }

    async fn get_goal(&self, streamer: StreamerId, goal: &GoalId) -> StoreResult<Option<Goal>> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                &format!("SELECT {COLUMNS} FROM goals WHERE streamer_id = $1 AND id = $2"),
                &[&streamer.0, &goal.as_str()],
            )
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(from_row).transpose()
    }

    async fn upsert_goal(
        &self,
        streamer: StreamerId,
        goal: &GoalId,
        input: GoalInput,
    ) -> StoreResult<Goal> {
        validate::key("id", goal.as_str())?;
        input.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let written = async {
            require_streamer(&tx, streamer).await?;
            // Upserts of one goal take turns, so each finds the one before it: whether the goal
            // was shown before decides the event.
            take_turns(&tx, &format!("goal {} {}", streamer.0, goal.as_str())).await?;
            let enabled_before = locked_enabled(&tx, streamer, goal).await?;
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO goals (streamer_id, id, label, current_value, target_value, \
                         enabled, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (streamer_id, id) DO UPDATE SET label = excluded.label, \
                         current_value = excluded.current_value, \
                         target_value = excluded.target_value, enabled = excluded.enabled, \
                         updated_at = excluded.updated_at RETURNING {COLUMNS}"
                    ),
                    &[
                        &streamer.0,
                        &goal.as_str(),
                        &input.label,
                        &input.current_value,
                        &input.target_value,
                        &input.enabled,
                        &now.as_millis(),
                    ],
                )
                .await?;
            let written = from_row(&row)?;
            let event = goal_changed(goal, enabled_before, Some(written.clone()));
            self.record(&tx, streamer, now, event).await?;
            Ok(written)
        }
        .await;
        tx.finish(written).await
    }

    async fn set_goal_progress(
        &self,
        streamer: StreamerId,
        goal: &GoalId,
        current_value: i64,
    ) -> StoreResult<Goal> {
        validate::in_range("current_value", current_value, 0, validate::MAX_BALANCE)?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let updated = async {
            let row = tx
                .query_opt(
                    &format!(
                        "UPDATE goals SET current_value = $3, updated_at = $4 \
                         WHERE streamer_id = $1 AND id = $2 RETURNING {COLUMNS}"
                    ),
                    &[
                        &streamer.0,
                        &goal.as_str(),
                        &current_value,
                        &now.as_millis(),
                    ],
                )
                .await?
                .ok_or(StoreError::not_found(Resource::Goal))?;
            let updated = from_row(&row)?;
            // Progress never shows or hides a goal: it was shown before when it is now.
            let event = goal_changed(goal, updated.enabled, Some(updated.clone()));
            self.record(&tx, streamer, now, event).await?;
            Ok(updated)
        }
        .await;
        tx.finish(updated).await
    }

    async fn delete_goal(&self, streamer: StreamerId, goal: &GoalId) -> StoreResult<()> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let deleted = async {
            let gone = tx
                .query_opt(
                    "DELETE FROM goals WHERE streamer_id = $1 AND id = $2 RETURNING enabled",
                    &[&streamer.0, &goal.as_str()],
                )
                .await?
                .ok_or(StoreError::not_found(Resource::Goal))?;
            let event = goal_changed(goal, get(&gone, "enabled")?, None);
            self.record(&tx, streamer, now, event).await
        }
        .await;
        tx.finish(deleted).await
    }
}
