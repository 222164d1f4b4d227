//! Rotating tips.

use crate::convert::{Db, DbOptional, ts};
use crate::events::record;
use crate::lookups::require_streamer;
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::visible_change;
use datastore::{
    EventData, NewTip, Resource, StoreError, StoreResult, StreamerId, Tip, TipId, TipPatch,
    TipStore,
};
use rusqlite::{Connection, Row, params};

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

/// Whether this streamer's tip is enabled (`false` when there is none): what a write that may
/// disable it needs to know of before.
fn tip_enabled(c: &Connection, s: StreamerId, tip: TipId) -> StoreResult<bool> {
    Ok(c.prepare_cached(
        "SELECT enabled FROM tips WHERE streamer_id = ?1 AND id = ?2", // equivalent mutant: tip ids are global, and the update that follows fails NotFound for another streamer's tip before its flag matters
    )
    .db()?
    .query_row([s.0, tip.0], |r| r.get::<_, bool>(0))
    .db_optional()?
    .unwrap_or(false))
}

/// The event of a write that left the tip as `after` (`None`: deleted).
fn tip_changed(id: TipId, enabled_before: bool, after: Option<&Tip>) -> Option<EventData> {
    visible_change(
        enabled_before,
        after.cloned(),
        |t| t.enabled,
        |tip| EventData::TipChanged { id, tip },
    )
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
            let created = tx
                .prepare_cached(&format!(
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
                .db()?;
            let changed = tip_changed(created.id, false, Some(&created));
            record(tx, streamer, now, changed.as_slice())?;
            Ok(created)
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
        self.write(streamer, move |tx, now| {
            // Before matters only to a write that disables it; one that leaves the flag alone
            // finds it as it was.
            let enabled_before = match patch.enabled {
                Some(false) => Some(tip_enabled(tx, streamer, tip)?),
                _ => None,
            };
            let after = tx.prepare_cached(&format!(
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
            .ok_or(StoreError::not_found(Resource::Tip))?;
            let changed = tip_changed(tip, enabled_before.unwrap_or(after.enabled), Some(&after));
            record(tx, streamer, now, changed.as_slice())?;
            Ok(after)
        })
        .await
    }

    async fn delete_tip(&self, streamer: StreamerId, tip: TipId) -> StoreResult<()> {
        self.write(streamer, move |tx, now| {
            let enabled_before = tx
                .prepare_cached(
                    "DELETE FROM tips WHERE streamer_id = ?1 AND id = ?2 RETURNING enabled",
                )
                .db()?
                .query_row([streamer.0, tip.0], |r| r.get::<_, bool>(0))
                .db_optional()?
                .ok_or(StoreError::not_found(Resource::Tip))?;
            let changed = tip_changed(tip, enabled_before, None);
            record(tx, streamer, now, changed.as_slice())
        })
        .await
    }
}
