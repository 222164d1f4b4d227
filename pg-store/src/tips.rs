//! Rotating tips: [`TipStore`] on PostgreSQL and the row conversion of `tips`.

use crate::convert::{get, ts};
use crate::lookups::require_streamer;
use crate::store::PgStore;
use crate::tx::Tx;
use async_trait::async_trait;
use datastore::visible_change;
use datastore::{
    EventData, NewTip, Resource, StoreError, StoreResult, StreamerId, Tip, TipId, TipPatch,
    TipStore,
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

/// The `TipChanged` of a write that left `after` (`None`: deleted), when the public list shows
/// the tip before or after it.
fn tip_changed(id: TipId, enabled_before: bool, after: Option<Tip>) -> Option<EventData> {
    visible_change(
        enabled_before,
        after,
        |t| t.enabled,
        |tip| EventData::TipChanged { id, tip },
    )
}

/// Whether tip `id` of streamer `s` is shown (enabled), its row locked until the transaction
/// ends so that it stays as read; `false` when there is no such tip.
async fn locked_enabled(tx: &Tx, s: StreamerId, id: TipId) -> StoreResult<bool> {
    let row = tx
        .query_opt(
            "SELECT enabled FROM tips WHERE streamer_id = $1 AND id = $2 FOR UPDATE", // equivalent mutant: tip ids are global, and when this one is another streamer's, the update that follows finds nothing and the write fails
            &[&s.0, &id.0],
        )
        .await?;
    row.map_or(Ok(false), |r| get(&r, "enabled"))
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
            let created = from_row(&row)?;
            self.record(
                &tx,
                streamer,
                now,
                tip_changed(created.id, false, Some(created.clone())),
            )
            .await?;
            Ok(created)
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
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let updated = async {
            // Whether the tip was shown matters only to a patch that hides it: otherwise it is
            // shown after the write when it was before.
            let enabled_before = match patch.enabled {
                Some(false) => locked_enabled(&tx, streamer, tip).await?,
                _ => false,
            };
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
            let updated = from_row(&row)?;
            self.record(
                &tx,
                streamer,
                now,
                tip_changed(tip, enabled_before, Some(updated.clone())),
            )
            .await?;
            Ok(updated)
        }
        .await;
        tx.finish(updated).await
    }

    async fn delete_tip(&self, streamer: StreamerId, tip: TipId) -> StoreResult<()> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let deleted = async {
            let gone = tx
                .query_opt(
                    "DELETE FROM tips WHERE streamer_id = $1 AND id = $2 RETURNING enabled",
                    &[&streamer.0, &tip.0],
                )
                .await?
                .ok_or(StoreError::not_found(Resource::Tip))?;
            let event = tip_changed(tip, get(&gone, "enabled")?, None);
            self.record(&tx, streamer, now, event).await
        }
        .await;
        tx.finish(deleted).await
    }
}
