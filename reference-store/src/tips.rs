//! Rotating tips.

use crate::convert::{Db, DbOptional, delete_one, ts};
use crate::lookups::require_streamer;
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::{
    NewTip, Resource, StoreError, StoreResult, StreamerId, Tip, TipId, TipPatch, TipStore,
};
use rusqlite::{Row, params};

pub(crate) const COLUMNS: &str = "id, content, enabled, sort_order, created_at";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Tip> {
    Ok(Tip {
        id: TipId(r.get("id")?),
        content: r.get("content")?,
        enabled: r.get("enabled")?,
        sort_order: r.get("sort_order")?,
        created_at: ts(r, "created_at")?,
    })
}

#[async_trait]
impl TipStore for SqliteStore {
    async fn list_enabled_tips(&self, streamer: StreamerId) -> StoreResult<Vec<Tip>> {
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM tips WHERE streamer_id = ?1 AND enabled = 1 \
                 ORDER BY sort_order, id"
            ))
            .db()?
            .query_map([streamer.0], from_row)
            .db()?
            .collect::<rusqlite::Result<_>>()
            .db()
        })
        .await
    }

    async fn list_tips(&self, streamer: StreamerId) -> StoreResult<Vec<Tip>> {
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM tips WHERE streamer_id = ?1 ORDER BY sort_order, id"
            ))
            .db()?
            .query_map([streamer.0], from_row)
            .db()?
            .collect::<rusqlite::Result<_>>()
            .db()
        })
        .await
    }

    async fn get_tip(&self, streamer: StreamerId, tip: TipId) -> StoreResult<Option<Tip>> {
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM tips WHERE streamer_id = ?1 AND id = ?2"
            ))
            .db()?
            .query_row([streamer.0, tip.0], from_row)
            .db_optional()
        })
        .await
    }

    async fn create_tip(&self, streamer: StreamerId, tip: NewTip) -> StoreResult<Tip> {
        tip.validate()?;
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            tx.prepare_cached(&format!(
                "INSERT INTO tips (streamer_id, content, enabled, sort_order, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING {COLUMNS}"
            ))
            .db()?
            .query_row(
                params![
                    streamer.0,
                    tip.content,
                    tip.enabled,
                    tip.sort_order,
                    now.as_millis()
                ],
                from_row,
            )
            .db()
        })
        .await
    }

    async fn update_tip(
        &self,
        streamer: StreamerId,
        tip: TipId,
        patch: TipPatch,
    ) -> StoreResult<Tip> {
        patch.validate()?;
        self.write(streamer, move |tx, _| {
            tx.prepare_cached(&format!(
                "UPDATE tips SET content = coalesce(?3, content), enabled = coalesce(?4, enabled), \
                 sort_order = coalesce(?5, sort_order) WHERE streamer_id = ?1 AND id = ?2 \
                 RETURNING {COLUMNS}"
            ))
            .db()?
            .query_row(
                params![
                    streamer.0,
                    tip.0,
                    patch.content,
                    patch.enabled,
                    patch.sort_order
                ],
                from_row,
            )
            .db_optional()?
            .ok_or(StoreError::not_found(Resource::Tip))
        })
        .await
    }

    async fn delete_tip(&self, streamer: StreamerId, tip: TipId) -> StoreResult<()> {
        self.write(streamer, move |tx, _| {
            delete_one(
                tx,
                "DELETE FROM tips WHERE streamer_id = ?1 AND id = ?2",
                [streamer.0, tip.0],
                Resource::Tip,
            )
        })
        .await
    }
}
