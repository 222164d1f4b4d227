//! Goals shown on stream.

use crate::convert::{Db, DbOptional, ts};
use crate::events::record;
use crate::lookups::require_streamer;
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::visible_change;
use datastore::{
    EventData, Goal, GoalId, GoalInput, GoalStore, Resource, StoreError, StoreResult, StreamerId,
    Timestamp, validate,
};
use rusqlite::{Connection, Row, params};

pub(crate) const COLUMNS: &str = "id, label, current_value, target_value, enabled, updated_at";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Goal> {
    Ok(Goal {
        id: GoalId(r.get("id")?),
        label: r.get("label")?,
        current_value: r.get("current_value")?,
        target_value: r.get("target_value")?,
        enabled: r.get("enabled")?,
        updated_at: ts(r, "updated_at")?,
    })
}

/// Whether this streamer's goal is enabled (`false` when there is none): what a write that may
/// disable it needs to know of before.
fn goal_enabled(c: &Connection, s: StreamerId, goal: &GoalId) -> StoreResult<bool> {
    Ok(
        c.prepare_cached("SELECT enabled FROM goals WHERE streamer_id = ?1 AND id = ?2")
            .db()?
            .query_row(params![s.0, goal.0], |r| r.get::<_, bool>(0))
            .db_optional()?
            .unwrap_or(false),
    )
}

/// The event of a write that left the goal as `after` (`None`: deleted).
fn goal_changed(id: &GoalId, enabled_before: bool, after: Option<&Goal>) -> Option<EventData> {
    visible_change(
        enabled_before,
        after.cloned(),
        |g| g.enabled,
        |goal| EventData::GoalChanged {
            id: id.clone(),
            goal,
        },
    )
}

/// Adds `by` to a goal's current value, capped at [`validate::MAX_BALANCE`], in one statement:
/// the goal after it, `None` when the streamer has no such goal, and its event when the goal
/// shows (the flag is left alone).
pub(crate) fn advance_goal(
    conn: &Connection,
    streamer: StreamerId,
    goal: &GoalId,
    by: i64,
    now: Timestamp,
) -> StoreResult<(Option<Goal>, Option<EventData>)> {
    let after = conn
        .prepare_cached(&format!(
            "UPDATE goals SET current_value = CASE WHEN current_value >= ?4 - ?3 \
             THEN ?4 ELSE current_value + ?3 END, updated_at = ?5 \
             WHERE streamer_id = ?1 AND id = ?2 RETURNING {COLUMNS}"
        ))
        .db()?
        .query_row(
            params![
                streamer.0,
                goal.0,
                by,
                validate::MAX_BALANCE,
                now.as_millis()
            ],
            from_row,
        )
        .db_optional()?;
    let changed = after
        .as_ref()
        .and_then(|g| goal_changed(goal, g.enabled, Some(g)));
    Ok((after, changed))
}

#[async_trait]
impl GoalStore for SqliteStore {
    async fn list_enabled_goals(&self, streamer: StreamerId) -> StoreResult<Vec<Goal>> {
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM goals WHERE streamer_id = ?1 AND enabled = 1 ORDER BY id"
            ))
            .db()?
            .query_map([streamer.0], from_row)
            .db()?
            .collect::<rusqlite::Result<_>>()
            .db()
        })
        .await
    }

    async fn list_goals(&self, streamer: StreamerId) -> StoreResult<Vec<Goal>> {
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM goals WHERE streamer_id = ?1 ORDER BY id"
            ))
            .db()?
            .query_map([streamer.0], from_row)
            .db()?
            .collect::<rusqlite::Result<_>>()
            .db()
        })
        .await
    }

    async fn get_goal(&self, streamer: StreamerId, goal: &GoalId) -> StoreResult<Option<Goal>> {
        let goal = goal.clone();
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM goals WHERE streamer_id = ?1 AND id = ?2"
            ))
            .db()?
            .query_row(params![streamer.0, goal.0], from_row)
            .db_optional()
        })
        .await
    }

    async fn upsert_goal(
        &self,
        streamer: StreamerId,
        goal: &GoalId,
        input: GoalInput,
    ) -> StoreResult<Goal> {
        validate::key("id", goal.as_str())?;
        input.validate()?;
        let goal = goal.clone();
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            // Before matters only to a write that leaves it disabled.
            let enabled_before = !input.enabled && goal_enabled(tx, streamer, &goal)?;
            let after = tx.prepare_cached(&format!(
                "INSERT INTO goals (streamer_id, id, label, current_value, target_value, enabled, \
                 updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (streamer_id, id) DO UPDATE SET label = excluded.label, \
                 current_value = excluded.current_value, target_value = excluded.target_value, \
                 enabled = excluded.enabled, updated_at = excluded.updated_at RETURNING {COLUMNS}"
            ))
            .db()?
            .query_row(
                params![
                    streamer.0,
                    goal.0,
                    input.label,
                    input.current_value,
                    input.target_value,
                    input.enabled,
                    now.as_millis()
                ],
                from_row,
            )
            .db()?;
            let changed = goal_changed(&goal, enabled_before, Some(&after));
            record(tx, streamer, now, changed.as_slice())?;
            Ok(after)
        })
        .await
    }

    async fn set_goal_progress(
        &self,
        streamer: StreamerId,
        goal: &GoalId,
        current_value: i64,
    ) -> StoreResult<Goal> {
        validate::in_range("current_value", current_value, 0, validate::MAX_BALANCE)?;
        let goal = goal.clone();
        self.write(streamer, move |tx, now| {
            let after = tx
                .prepare_cached(&format!(
                    "UPDATE goals SET current_value = ?3, updated_at = ?4 \
                 WHERE streamer_id = ?1 AND id = ?2 RETURNING {COLUMNS}"
                ))
                .db()?
                .query_row(
                    params![streamer.0, goal.0, current_value, now.as_millis()],
                    from_row,
                )
                .db_optional()?
                .ok_or(StoreError::not_found(Resource::Goal))?;
            // The flag is left alone: enabled before exactly when after.
            let changed = goal_changed(&goal, after.enabled, Some(&after));
            record(tx, streamer, now, changed.as_slice())?;
            Ok(after)
        })
        .await
    }

    async fn delete_goal(&self, streamer: StreamerId, goal: &GoalId) -> StoreResult<()> {
        let goal = goal.clone();
        self.write(streamer, move |tx, now| {
            let enabled_before = tx
                .prepare_cached(
                    "DELETE FROM goals WHERE streamer_id = ?1 AND id = ?2 RETURNING enabled",
                )
                .db()?
                .query_row(params![streamer.0, goal.0], |r| r.get::<_, bool>(0))
                .db_optional()?
                .ok_or(StoreError::not_found(Resource::Goal))?;
            let changed = goal_changed(&goal, enabled_before, None);
            record(tx, streamer, now, changed.as_slice())
        })
        .await
    }
}
