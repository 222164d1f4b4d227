//! Reports: analytics and the export of one streamer, each read from one snapshot (a
//! `REPEATABLE READ READ ONLY` transaction), and the conversions of the export's rows that
//! belong to no other module (balance rows, inventory rows, purchases, drops).

use crate::convert::{count, get, parse, ts};
use crate::store::PgStore;
use crate::tx::Tx;
use crate::verification;
use crate::{
    cooldowns, goals, overlay, points, powerups, sessions, streamers, tips, tokens, users,
};
use async_trait::async_trait;
use datastore::{
    Analytics, DropId, DropRecord, ExportPart, ExportSink, InventoryRow, PowerupPurchase,
    PurchaseId, PurchaseStats, ReportStore, StoreError, StoreResult, StreamerExport, StreamerId,
    UserId, UserPoints,
};
use std::future::Future;
use tokio::sync::mpsc;
use tokio_postgres::Row;

/// A balance row from `user_points`.
fn user_points(r: &Row) -> StoreResult<UserPoints> {
    Ok(UserPoints {
        user_id: UserId(get(r, "user_id")?),
        channel_points: get(r, "channel_points")?,
        drop_points: get(r, "drop_points")?,
        total_drops: get(r, "total_drops")?,
        last_updated: ts(r, "last_updated")?,
    })
}

/// An inventory row from `powerup_inventory`.
fn inventory(r: &Row) -> StoreResult<InventoryRow> {
    Ok(InventoryRow {
        user_id: UserId(get(r, "user_id")?),
        powerup: parse(r, "powerup_type")?,
        quantity: get(r, "quantity")?,
    })
}

/// A purchase from `powerup_purchases`.
fn purchase(r: &Row) -> StoreResult<PowerupPurchase> {
    Ok(PowerupPurchase {
        id: PurchaseId(get(r, "id")?),
        user_id: UserId(get(r, "user_id")?),
        powerup: parse(r, "powerup_type")?,
        cost: get(r, "cost")?,
        purchased_at: ts(r, "purchased_at")?,
    })
}

/// A drop from `drop_history`.
fn drop_record(r: &Row) -> StoreResult<DropRecord> {
    let powerup: Option<&str> = get(r, "powerup_used")?;
    Ok(DropRecord {
        id: DropId(get(r, "id")?),
        user_id: UserId(get(r, "user_id")?),
        score: get(r, "score")?,
        is_perfect: get(r, "is_perfect")?,
        powerup_used: match powerup {
            None => None,
            Some(_) => Some(parse(r, "powerup_used")?),
        },
        created_at: ts(r, "created_at")?,
    })
}

/// Where the export's parts go as they are read.
trait Parts: Send {
    /// Takes the next part; `false` once the reader wants no more.
    fn put(&mut self, part: ExportPart) -> impl Future<Output = bool> + Send;
}

/// The whole export, gathered in memory ([`ReportStore::export_streamer`]).
impl Parts for Vec<ExportPart> {
    async fn put(&mut self, part: ExportPart) -> bool {
        self.push(part);
        true
    }
}

/// The parts on their way to the blocking thread that feeds the sink
/// ([`ReportStore::stream_export`]); closed once the sink wants no more.
impl Parts for mpsc::Sender<ExportPart> {
    async fn put(&mut self, part: ExportPart) -> bool {
        self.send(part).await.is_ok()
    }
}

/// Rows fetched from a section's cursor at a time: a large section is never held at once.
const BATCH: usize = 500;

/// Sends every row `sql` selects (one streamer's rows of one table, `$1` the streamer) to
/// `out` as `wrap(map(row))`, a batch of rows at a time through a cursor of the snapshot;
/// `false` once `out` wants no more. Each section has a cursor of its own name (`cursor`): a
/// prepared `FETCH` keeps the row shape of the cursor it was prepared for.
async fn section<T>(
    tx: &Tx,
    s: StreamerId,
    cursor: &str,
    sql: &str,
    map: fn(&Row) -> StoreResult<T>,
    wrap: fn(T) -> ExportPart,
    out: &mut impl Parts,
) -> StoreResult<bool> {
    tx.execute(
        &format!("DECLARE {cursor} NO SCROLL CURSOR FOR {sql}"),
        &[&s.0],
    )
    .await?;
    loop {
        let rows = tx
            .query(&format!("FETCH {BATCH} FROM {cursor}"), &[])
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            if !out.put(wrap(map(r)?)).await {
                return Ok(false);
            }
        }
    }
    tx.execute(&format!("CLOSE {cursor}"), &[]).await?;
    Ok(true)
}

/// The export of `s` after its streamer part (`owner`), into `out`, section by section in
/// [`datastore::EXPORT_SECTIONS`]'s order, from the snapshot of `tx`.
async fn stream(
    tx: &Tx,
    s: StreamerId,
    owner: datastore::Streamer,
    out: &mut impl Parts,
) -> StoreResult<()> {
    if !out.put(ExportPart::Streamer(owner)).await {
        return Ok(());
    }
    macro_rules! section {
        ($cursor:literal, $sql:literal, $map:expr, $wrap:path) => {
            if !section(tx, s, $cursor, $sql, $map, $wrap, out).await? {
                return Ok(());
            }
        };
    }
    section!(
        "export_users",
        "SELECT id, streamer_id, username, voice_id, drop_image, country, created_at, updated_at FROM users WHERE streamer_id = $1 ORDER BY id",
        users::from_row,
        ExportPart::User
    );
    section!(
        "export_user_points",
        "SELECT user_id, channel_points, drop_points, total_drops, last_updated FROM user_points WHERE streamer_id = $1 ORDER BY user_id",
        user_points,
        ExportPart::Points
    );
    section!(
        "export_point_transactions",
        "SELECT id, user_id, amount, source, description, created_at FROM point_transactions WHERE streamer_id = $1 ORDER BY id",
        points::ledger_from_row,
        ExportPart::Transaction
    );
    section!(
        "export_powerup_inventory",
        "SELECT user_id, powerup_type, quantity FROM powerup_inventory WHERE streamer_id = $1 ORDER BY user_id, powerup_type",
        inventory,
        ExportPart::Inventory
    );
    section!(
        "export_powerup_purchases",
        "SELECT id, user_id, powerup_type, cost, purchased_at FROM powerup_purchases WHERE streamer_id = $1 ORDER BY id",
        purchase,
        ExportPart::Purchase
    );
    section!(
        "export_drop_history",
        "SELECT id, user_id, score, is_perfect, powerup_used, created_at FROM drop_history WHERE streamer_id = $1 ORDER BY id",
        drop_record,
        ExportPart::Drop
    );
    section!(
        "export_command_cooldowns",
        "SELECT user_id, command, last_used_at, expires_at FROM command_cooldowns WHERE streamer_id = $1 ORDER BY user_id, command",
        cooldowns::from_row,
        ExportPart::Cooldown
    );
    section!(
        "export_user_sessions",
        "SELECT token_hash, user_id, created_at, expires_at FROM user_sessions WHERE streamer_id = $1 ORDER BY token_hash",
        sessions::user_session_from_row,
        ExportPart::UserSession
    );
    section!(
        "export_streamer_sessions",
        "SELECT token_hash, created_at, expires_at FROM streamer_sessions WHERE streamer_id = $1 ORDER BY token_hash",
        sessions::streamer_session_from_row,
        ExportPart::StreamerSession
    );
    section!(
        "export_admin_keys",
        "SELECT key_hash, created_at FROM admin_keys WHERE streamer_id = $1",
        sessions::admin_key_from_row,
        ExportPart::AdminKey
    );
    section!(
        "export_verification_codes",
        "SELECT username, code, verified, created_at, expires_at FROM verification_codes WHERE streamer_id = $1 ORDER BY id",
        verification::from_row,
        ExportPart::VerificationCode
    );
    section!(
        "export_api_tokens",
        "SELECT provider, access_token, refresh_token, expires_at, scope, created_at, updated_at FROM api_tokens WHERE streamer_id = $1 ORDER BY provider",
        tokens::from_row,
        ExportPart::OAuthToken
    );
    section!(
        "export_powerup_config",
        "SELECT id, name, description, cost, emoji, effect, variables, enabled, created_at, updated_at FROM powerup_config WHERE streamer_id = $1 ORDER BY id",
        powerups::config_from_row,
        ExportPart::Powerup
    );
    section!(
        "export_overlay_settings",
        "SELECT key, value, description, updated_at FROM overlay_settings WHERE streamer_id = $1 ORDER BY key",
        overlay::setting_from_row,
        ExportPart::OverlaySetting
    );
    section!(
        "export_overlay_layouts",
        "SELECT id, name, is_default, layout, created_at, updated_at FROM overlay_layouts WHERE streamer_id = $1 ORDER BY id",
        overlay::layout_from_row,
        ExportPart::Layout
    );
    section!(
        "export_theme_settings",
        "SELECT theme, updated_at FROM theme_settings WHERE streamer_id = $1",
        overlay::theme_from_row,
        ExportPart::Theme
    );
    section!(
        "export_tips",
        "SELECT id, content, enabled, sort_order, created_at FROM tips WHERE streamer_id = $1 ORDER BY id",
        tips::from_row,
        ExportPart::Tip
    );
    section!(
        "export_goals",
        "SELECT id, label, current_value, target_value, enabled, updated_at FROM goals WHERE streamer_id = $1 ORDER BY id",
        goals::from_row,
        ExportPart::Goal
    );
    Ok(())
}

impl PgStore {
    /// The export of `s` into `out`, every section from one snapshot; `false`, having sent
    /// nothing, when there is no such streamer.
    async fn export_into(&self, s: StreamerId, out: &mut impl Parts) -> StoreResult<bool> {
        let tx = self.snapshot(s).await?;
        let sent = async {
            let Some(owner) = streamers::read(&tx, s).await? else {
                return Ok(false);
            };
            stream(&tx, s, owner, out).await?;
            Ok(true)
        }
        .await;
        tx.finish(sent).await
    }
}

#[async_trait]
impl ReportStore for PgStore {
    async fn analytics(&self, streamer: StreamerId) -> StoreResult<Analytics> {
        let tx = self.snapshot(streamer).await?;
        let out = async {
            let users = tx
                .query_one(
                    "SELECT count(*)::bigint AS n FROM users WHERE streamer_id = $1",
                    &[&streamer.0],
                )
                .await?;
            // Balances are summed as numeric (which cannot overflow) and saturate at the
            // largest bigint, as the contract says.
            let balances = tx
                .query_one(
                    "SELECT least(coalesce(sum(channel_points), 0), 9223372036854775807)::bigint \
                     AS channel_points, \
                     least(coalesce(sum(drop_points), 0), 9223372036854775807)::bigint \
                     AS drop_points FROM user_points WHERE streamer_id = $1",
                    &[&streamer.0],
                )
                .await?;
            let drops = tx
                .query_one(
                    "SELECT count(*)::bigint AS drops, \
                     (count(*) FILTER (WHERE is_perfect))::bigint AS perfect_drops \
                     FROM drop_history WHERE streamer_id = $1",
                    &[&streamer.0],
                )
                .await?;
            // Purchase costs are at most 1e9 each: their sum fits a bigint.
            let purchases = tx
                .query(
                    "SELECT powerup_type, count(*)::bigint AS purchases, \
                     sum(cost)::bigint AS points_spent FROM powerup_purchases \
                     WHERE streamer_id = $1 GROUP BY powerup_type ORDER BY powerup_type",
                    &[&streamer.0],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(PurchaseStats {
                        powerup: parse(r, "powerup_type")?,
                        purchases: count(r, "purchases")?,
                        points_spent: get(r, "points_spent")?,
                    })
                })
                .collect::<StoreResult<_>>()?;
            Ok(Analytics {
                users: count(&users, "n")?,
                channel_points: get(&balances, "channel_points")?,
                drop_points: get(&balances, "drop_points")?,
                drops: count(&drops, "drops")?,
                perfect_drops: count(&drops, "perfect_drops")?,
                purchases,
            })
        }
        .await;
        tx.finish(out).await
    }

    async fn export_streamer(&self, streamer: StreamerId) -> StoreResult<Option<StreamerExport>> {
        let mut parts: Vec<ExportPart> = Vec::new();
        if !self.export_into(streamer, &mut parts).await? {
            return Ok(None);
        }
        Ok(StreamerExport::from_parts(parts))
    }

    async fn stream_export(
        &self,
        streamer: StreamerId,
        mut sink: Box<dyn ExportSink>,
    ) -> StoreResult<bool> {
        // The sink may block (a slow reader): it is fed on a blocking thread, through a small
        // channel, so a slow reader holds this operation and its connection back, never
        // memory. At its first `false` the thread drops the receiver and the reading stops.
        let (mut tx, mut rx) = mpsc::channel::<ExportPart>(64);
        let feeder = tokio::task::spawn_blocking(move || {
            while let Some(part) = rx.blocking_recv() {
                if !sink.put(part) {
                    break;
                }
            }
        });
        let found = self.export_into(streamer, &mut tx).await;
        drop(tx);
        feeder
            .await
            .map_err(|e| StoreError::backend(format!("the export stream did not complete: {e}")))?;
        found
    }
}
