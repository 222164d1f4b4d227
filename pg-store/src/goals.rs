//! Goals shown on stream: [`GoalStore`] on PostgreSQL and the row conversion of `goals`.

use crate::convert::{get, ts};
use crate::lookups::require_streamer;
use crate::overlay::one_deleted;
use crate::store::PgStore;
use async_trait::async_trait;
use datastore::{
    Goal, GoalId, GoalInput, GoalStore, Resource, StoreError, StoreResult, StreamerId, validate,
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
            from_row(&row)
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
            from_row(&row)
        }
        .await;
        tx.finish(updated).await
    }

    async fn delete_goal(&self, streamer: StreamerId, goal: &GoalId) -> StoreResult<()> {
        let tx = self.tenant(streamer).await?;
        let deleted = tx
            .execute(
                "DELETE FROM goals WHERE streamer_id = $1 AND id = $2",
                &[&streamer.0, &goal.as_str()],
            )
            .await;
        tx.finish(one_deleted(deleted, Resource::Goal)).await
    }
}
