//! Rotating tips: [`TipStore`] on PostgreSQL and the row conversion of `tips`.

use crate::convert::{get, ts};
use crate::lookups::require_streamer;
use crate::overlay::one_deleted;
use crate::store::PgStore;
use async_trait::async_trait;
use datastore::{
    NewTip, Resource, StoreError, StoreResult, StreamerId, Tip, TipId, TipPatch, TipStore,
};
use tokio_postgres::Row;

/// The columns [`from_row`] reads.
pub(crate) const COLUMNS: &str = "id, content, enabled, sort_order, created_at";

/// A `tips` row.
pub(crate) fn from_row(r: &Row) -> StoreResult<Tip> {
    Ok(Tip {
        id: TipId(get(r, "id")?),
        content: get(r, "content")?,
        enabled: get(r, "enabled")?,
        sort_order: get(r, "sort_order")?,
        created_at: ts(r, "created_at")?,
    })
}

impl PgStore {
    /// The streamer's tips `filter` (a condition added to the streamer's) selects, in display
    /// order: sort order, then id.
    async fn tips_where(&self, streamer: StreamerId, filter: &str) -> StoreResult<Vec<Tip>> {
        let tx = self.tenant(streamer).await?;
        let rows = tx
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM tips WHERE streamer_id = $1{filter} \
                     ORDER BY sort_order, id"
                ),
                &[&streamer.0],
            )
            .await;
        let rows = tx.finish(rows).await?;
        rows.iter().map(from_row).collect()
    }
}

#[async_trait]
impl TipStore for PgStore {
    async fn list_enabled_tips(&self, streamer: StreamerId) -> StoreResult<Vec<Tip>> {
        self.tips_where(streamer, " AND enabled").await
    }

    async fn list_tips(&self, streamer: StreamerId) -> StoreResult<Vec<Tip>> {
        self.tips_where(streamer, "").await
    }

    async fn get_tip(&self, streamer: StreamerId, tip: TipId) -> StoreResult<Option<Tip>> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                &format!("SELECT {COLUMNS} FROM tips WHERE streamer_id = $1 AND id = $2"),
                &[&streamer.0, &tip.0],
            )
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(from_row).transpose()
    }

    async fn create_tip(&self, streamer: StreamerId, tip: NewTip) -> StoreResult<Tip> {
        tip.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let created = async {
            require_streamer(&tx, streamer).await?;
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO tips (streamer_id, content, enabled, sort_order, created_at) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
                    ),
                    &[
                        &streamer.0,
                        &tip.content,
                        &tip.enabled,
                        &tip.sort_order,
                        &now.as_millis(),
                    ],
                )
                .await?;
            from_row(&row)
        }
        .await;
        tx.finish(created).await
    }

    async fn update_tip(
        &self,
        streamer: StreamerId,
        tip: TipId,
        patch: TipPatch,
    ) -> StoreResult<Tip> {
        patch.validate()?;
        let tx = self.tenant(streamer).await?;
        let updated = async {
            let row = tx
                .query_opt(
                    &format!(
                        "UPDATE tips SET content = coalesce($3, content), \
                         enabled = coalesce($4, enabled), sort_order = coalesce($5, sort_order) \
                         WHERE streamer_id = $1 AND id = $2 RETURNING {COLUMNS}"
                    ),
                    &[
                        &streamer.0,
                        &tip.0,
                        &patch.content,
                        &patch.enabled,
                        &patch.sort_order,
                    ],
                )
                .await?
                .ok_or(StoreError::not_found(Resource::Tip))?;
            from_row(&row)
        }
        .await;
        tx.finish(updated).await
    }

    async fn delete_tip(&self, streamer: StreamerId, tip: TipId) -> StoreResult<()> {
        let tx = self.tenant(streamer).await?;
        let deleted = tx
            .execute(
                "DELETE FROM tips WHERE streamer_id = $1 AND id = $2",
                &[&streamer.0, &tip.0],
            )
            .await;
        tx.finish(one_deleted(deleted, Resource::Tip)).await
    }
}
