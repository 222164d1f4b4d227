//! Analytics and the export of one streamer.

use crate::convert::{Count, Db, parse, ts};
use crate::store::SqliteStore;
use crate::{cooldowns, goals, overlay, points, powerups, sessions, streamers};
use crate::{tips, tokens, users, verification};
use async_trait::async_trait;
use datastore::{
    Analytics, DropId, DropRecord, ExportPart, ExportSink, InventoryRow, PowerupPurchase,
    PurchaseId, PurchaseStats, ReportStore, StoreResult, StreamerExport, StreamerId, UserId,
    UserPoints,
};
use rusqlite::{Connection, Row};

fn user_points(r: &Row<'_>) -> rusqlite::Result<UserPoints> {
    Ok(UserPoints {
        user_id: UserId(r.get("user_id")?),
        channel_points: r.get("channel_points")?,
        drop_points: r.get("drop_points")?,
        total_drops: r.get("total_drops")?,
        last_updated: ts(r, "last_updated")?,
    })
}

fn inventory(r: &Row<'_>) -> rusqlite::Result<InventoryRow> {
    Ok(InventoryRow {
        user_id: UserId(r.get("user_id")?),
        powerup: parse(r, "powerup_type")?,
        quantity: r.get("quantity")?,
    })
}

fn purchase(r: &Row<'_>) -> rusqlite::Result<PowerupPurchase> {
    Ok(PowerupPurchase {
        id: PurchaseId(r.get("id")?),
        user_id: UserId(r.get("user_id")?),
        powerup: parse(r, "powerup_type")?,
        cost: r.get("cost")?,
        purchased_at: ts(r, "purchased_at")?,
    })
}

fn drop_record(r: &Row<'_>) -> rusqlite::Result<DropRecord> {
    let powerup: Option<String> = r.get("powerup_used")?;
    Ok(DropRecord {
        id: DropId(r.get("id")?),
        user_id: UserId(r.get("user_id")?),
        score: r.get("score")?,
        is_perfect: r.get("is_perfect")?,
        powerup_used: match powerup {
            None => None,
            Some(_) => Some(parse(r, "powerup_used")?),
        },
        created_at: ts(r, "created_at")?,
    })
}

#[async_trait]
impl ReportStore for SqliteStore {
    async fn analytics(&self, streamer: StreamerId) -> StoreResult<Analytics> {
        self.read_long(move |c, _| {
            let users = c
                .prepare_cached("SELECT count(*) FROM users WHERE streamer_id = ?1")
                .db()?
                .query_row([streamer.0], |r| r.get::<_, Count>(0))
                .db()?
                .0;
            // Balances are summed here, not with sum() (which fails on overflow): the contract
            // saturates. Purchase costs are at most 1e9 each, so their sum() below cannot.
            let (mut channel_points, mut drop_points) = (0i64, 0i64);
            let mut stmt = c
                .prepare_cached(
                    "SELECT channel_points, drop_points FROM user_points WHERE streamer_id = ?1",
                )
                .db()?;
            let mut balances = stmt.query([streamer.0]).db()?;
            while let Some(r) = balances.next().db()? {
                channel_points = channel_points.saturating_add(r.get(0).db()?);
                drop_points = drop_points.saturating_add(r.get(1).db()?);
            }
            let (drops, perfect_drops) = c
                .prepare_cached(
                    "SELECT count(*), count(*) FILTER (WHERE is_perfect = 1) FROM drop_history \
                     WHERE streamer_id = ?1",
                )
                .db()?
                .query_row([streamer.0], |r| {
                    Ok((r.get::<_, Count>(0)?.0, r.get::<_, Count>(1)?.0))
                })
                .db()?;
            let purchases = c
                .prepare_cached(
                    "SELECT powerup_type, count(*), sum(cost) FROM powerup_purchases \
                     WHERE streamer_id = ?1 GROUP BY powerup_type ORDER BY powerup_type",
                )
                .db()?
                .query_map([streamer.0], |r| {
                    Ok(PurchaseStats {
                        powerup: parse(r, "powerup_type")?,
                        purchases: r.get::<_, Count>(1)?.0,
                        points_spent: r.get(2)?,
                    })
                })
                .db()?
                .collect::<rusqlite::Result<_>>()
                .db()?;
            Ok(Analytics {
                users,
                channel_points,
                drop_points,
                drops,
                perfect_drops,
                purchases,
            })
        })
        .await
    }

    async fn export_streamer(&self, streamer: StreamerId) -> StoreResult<Option<StreamerExport>> {
        // One read transaction: every table from the same snapshot.
        self.read_long(move |c, _| {
            let mut parts: Vec<ExportPart> = Vec::new();
            if !stream(c, streamer, &mut parts)? {
                return Ok(None);
            }
            Ok(StreamerExport::from_parts(parts))
        })
        .await
    }

    async fn stream_export(
        &self,
        streamer: StreamerId,
        mut sink: Box<dyn ExportSink>,
    ) -> StoreResult<bool> {
        // One read transaction on the blocking pool, as long as the reader takes: a slow reader
        // holds this thread and one pooled connection, never memory.
        self.read_long(move |c, _| stream(c, streamer, &mut *sink))
            .await
    }
}

/// Sends every row `sql` selects (one streamer's rows of one table, `?1` the streamer) to `sink`
/// as `wrap(row)`; `false` once the sink wants no more.
fn each<T>(
    c: &Connection,
    s: StreamerId,
    sql: &str,
    map: fn(&Row<'_>) -> rusqlite::Result<T>,
    wrap: fn(T) -> ExportPart,
    sink: &mut dyn ExportSink,
) -> StoreResult<bool> {
    let mut stmt = c.prepare_cached(sql).db()?;
    let mut rows = stmt.query([s.0]).db()?;
    while let Some(r) = rows.next().db()? {
        if !sink.put(wrap(map(r).db()?)) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The export of `s` into `sink`, section by section in [`datastore::EXPORT_SECTIONS`]'s order,
/// from the connection's snapshot; `false`, having sent nothing, when there is no such streamer.
fn stream(c: &Connection, s: StreamerId, sink: &mut dyn ExportSink) -> StoreResult<bool> {
    let Some(owner) = streamers::get_by(c, "streamers.id = ?1", &s.0)? else {
        return Ok(false);
    };
    if !sink.put(ExportPart::Streamer(owner)) {
        return Ok(true);
    }
    macro_rules! section {
        ($sql:literal, $map:expr, $wrap:path) => {
            if !each(c, s, $sql, $map, $wrap, sink)? {
                return Ok(true);
            }
        };
    }
    section!(
        "SELECT id, streamer_id, username, voice_id, drop_image, country, created_at, updated_at FROM users WHERE streamer_id = ?1 ORDER BY id",
        users::from_row,
        ExportPart::User
    );
    section!(
        "SELECT user_id, channel_points, drop_points, total_drops, last_updated FROM user_points WHERE streamer_id = ?1 ORDER BY user_id",
        user_points,
        ExportPart::Points
    );
    section!(
        "SELECT id, user_id, amount, source, description, created_at FROM point_transactions WHERE streamer_id = ?1 ORDER BY id",
        points::ledger_from_row,
        ExportPart::Transaction
    );
    section!(
        "SELECT user_id, powerup_type, quantity FROM powerup_inventory WHERE streamer_id = ?1 ORDER BY user_id, powerup_type",
        inventory,
        ExportPart::Inventory
    );
    section!(
        "SELECT id, user_id, powerup_type, cost, purchased_at FROM powerup_purchases WHERE streamer_id = ?1 ORDER BY id",
        purchase,
        ExportPart::Purchase
    );
    section!(
        "SELECT id, user_id, score, is_perfect, powerup_used, created_at FROM drop_history WHERE streamer_id = ?1 ORDER BY id",
        drop_record,
        ExportPart::Drop
    );
    section!(
        "SELECT user_id, command, last_used_at, expires_at FROM command_cooldowns WHERE streamer_id = ?1 ORDER BY user_id, command",
        cooldowns::from_row,
        ExportPart::Cooldown
    );
    section!(
        "SELECT token_hash, user_id, created_at, expires_at FROM user_sessions WHERE streamer_id = ?1 ORDER BY token_hash",
        sessions::user_session_from_row,
        ExportPart::UserSession
    );
    section!(
        "SELECT token_hash, created_at, expires_at FROM streamer_sessions WHERE streamer_id = ?1 ORDER BY token_hash",
        sessions::streamer_session_from_row,
        ExportPart::StreamerSession
    );
    section!(
        "SELECT key_hash, created_at FROM admin_keys WHERE streamer_id = ?1",
        sessions::admin_key_from_row,
        ExportPart::AdminKey
    );
    section!(
        "SELECT username, code, verified, created_at, expires_at FROM verification_codes WHERE streamer_id = ?1 ORDER BY id",
        verification::from_row,
        ExportPart::VerificationCode
    );
    section!(
        "SELECT provider, access_token, refresh_token, expires_at, scope, created_at, updated_at FROM api_tokens WHERE streamer_id = ?1 ORDER BY provider",
        tokens::from_row,
        ExportPart::OAuthToken
    );
    section!(
        "SELECT id, name, description, cost, emoji, effect, variables, enabled, created_at, updated_at FROM powerup_config WHERE streamer_id = ?1 ORDER BY id",
        powerups::config_from_row,
        ExportPart::Powerup
    );
    section!(
        "SELECT key, value, description, updated_at FROM overlay_settings WHERE streamer_id = ?1 ORDER BY key",
        overlay::setting_from_row,
        ExportPart::OverlaySetting
    );
    section!(
        "SELECT id, name, is_default, layout, created_at, updated_at FROM overlay_layouts WHERE streamer_id = ?1 ORDER BY id",
        overlay::layout_from_row,
        ExportPart::Layout
    );
    section!(
        "SELECT theme, updated_at FROM theme_settings WHERE streamer_id = ?1",
        overlay::theme_from_row,
        ExportPart::Theme
    );
    section!(
        "SELECT id, content, enabled, sort_order, created_at FROM tips WHERE streamer_id = ?1 ORDER BY id",
        tips::from_row,
        ExportPart::Tip
    );
    section!(
        "SELECT id, label, current_value, target_value, enabled, updated_at FROM goals WHERE streamer_id = ?1 ORDER BY id",
        goals::from_row,
        ExportPart::Goal
    );
    Ok(true)
}
