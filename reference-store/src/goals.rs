//! Goals shown on stream.

use crate::convert::{Db, DbOptional, delete_one, ts};
use crate::lookups::require_streamer;
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::{
    Goal, GoalId, GoalInput, GoalStore, Resource, StoreError, StoreResult, StreamerId, validate,
};
use rusqlite::{Row, params};

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
            tx.prepare_cached(&format!(
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
            .db()
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
            tx.prepare_cached(&format!(
                "UPDATE goals SET current_value = ?3, updated_at = ?4 \
                 WHERE streamer_id = ?1 AND id = ?2 RETURNING {COLUMNS}"
            ))
            .db()?
            .query_row(
                params![streamer.0, goal.0, current_value, now.as_millis()],
                from_row,
            )
            .db_optional()?
            .ok_or(StoreError::not_found(Resource::Goal))
        })
        .await
    }

    async fn delete_goal(&self, streamer: StreamerId, goal: &GoalId) -> StoreResult<()> {
        let goal = goal.clone();
        self.write(streamer, move |tx, _| {
            delete_one(
                tx,
                "DELETE FROM goals WHERE streamer_id = ?1 AND id = ?2",
                params![streamer.0, goal.0],
                Resource::Goal,
            )
        })
        .await
    }
}
