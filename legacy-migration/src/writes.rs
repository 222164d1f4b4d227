//! What a rollback would lose: every row written since the migration, counted by comparing the
//! file with a fresh migration of its backup made the same way.

use crate::backup::{io, online_backup, parent_dir};
use crate::clock::now_ms;
use crate::error::LegacyError;
use crate::migrate::{MigrateOptions, migrate_file};
use crate::sql::ident;
use crate::step::Step;
use rusqlite::Connection;
use std::path::Path;

/// The audit trail: a rollback takes the file back to before it existed.
const AUDIT: &str = "migration_audit";

/// Admin keys: a legacy file has none (its owner logs in to the legacy dashboard), so the ones
/// issued since the migration are discarded, and said so, rather than counted as data.
pub(crate) const ADMIN_KEYS: &str = "admin_keys";

/// Overlay keys, likewise: a legacy file has none (the legacy app has no such key), so one set up
/// since the migration for a browser source is discarded and said so, never a write that
/// refuses the rollback.
pub(crate) const OVERLAY_KEYS: &str = "overlay_keys";

/// The event log and its counter: every overlay-visible write appends its events in its own
/// transaction, so they record writes already counted in their own tables. Counting them would
/// count each write again; the legacy file has no place for them, and nothing reads them once
/// the overlays follow the legacy app again.
const EVENT_LOG: &[&str] = &["events", "event_sequences"];

/// Tables whose rows are not data a rollback loses: the audit trail, the keys, the event log.
fn not_data(table: &str) -> bool {
    [AUDIT, ADMIN_KEYS, OVERLAY_KEYS]
        .iter()
        .chain(EVENT_LOG)
        .any(|t| t.eq_ignore_ascii_case(table))
}

/// Tables whose rows the server deletes once `expires_at` has passed: such a deletion is not a
/// write a rollback would lose (the legacy file keeps the expired row, which means nothing).
const PURGED_WHEN_EXPIRED: &[&str] = &[
    "user_sessions",
    "streamer_sessions",
    "verification_codes",
    "command_cooldowns",
];

/// The newest `migrate-legacy` row of `migration_audit`.
pub(crate) struct Record {
    pub username: String,
    pub display_name: String,
    pub started_at: i64,
    pub backup_path: Option<String>,
    pub counts: String,
    /// The expired rows the migration left behind, by legacy table (JSON); `None` for a run
    /// recorded before expired rows were left behind, which copied them all.
    pub expired: Option<String>,
}

pub(crate) fn sql_failed(e: rusqlite::Error) -> LegacyError {
    LegacyError::Sqlite {
        step: Step::Verify,
        message: format!("comparing with the migrated backup: {e}"),
    }
}

/// What [`writes_since`] found.
pub(crate) struct Writes {
    /// Rows added, changed or removed, each counted once.
    pub rows: u64,
    /// Per table.
    pub detail: String,
    /// Expired rows removed since (sessions, codes, cooldowns purged through the store): not writes,
    /// since the legacy file keeps them and they mean nothing once expired.
    pub expired: u64,
}

/// Rows that differ between the file on `conn` and a fresh migration of `backup` made the same
/// way (same streamer, same start time): every row added, changed or removed since the
/// migration, each counted once. Per table: the rows of the current file found nowhere in the
/// fresh one (added or changed) plus the keys of the fresh file the current one lacks
/// (removed). The audit trail, admin and overlay keys and the event log are left out (see
/// `not_data`).
pub(crate) fn writes_since(
    conn: &Connection,
    db: &Path,
    backup: &Path,
    record: &Record,
) -> Result<Writes, LegacyError> {
    let dir = parent_dir(db);
    let scratch = tempfile::Builder::new()
        .prefix(".kick-overlay-rollback-")
        .tempdir_in(dir)
        .map_err(|e| io(dir, e))?;
    let fresh = scratch.path().join("remigrated.db");
    online_backup(backup, &fresh)?;
    let options = MigrateOptions {
        streamer: record.username.clone(),
        display_name: Some(record.display_name.clone()),
        now_ms: Some(record.started_at),
        earlier_copy: record.expired.is_none(),
        ..MigrateOptions::default()
    };
    migrate_file(&fresh, &options, false, &mut |_| {})?;
    conn.execute("ATTACH DATABASE ?1 AS fresh", [fresh.to_string_lossy()])
        .map_err(sql_failed)?;
    let counted = count_differences(conn);
    conn.execute_batch("DETACH DATABASE fresh")
        .map_err(sql_failed)?;
    counted.map_err(sql_failed)
}

fn count_differences(conn: &Connection) -> rusqlite::Result<Writes> {
    // The tables of either side: one dropped since the migration lost all its rows.
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM main.sqlite_schema WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' UNION SELECT name FROM \
             fresh.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let now = now_ms();
    let mut writes = Writes {
        rows: 0,
        detail: String::new(),
        expired: 0,
    };
    let mut detail = Vec::new();
    for table in tables.iter().filter(|t| !not_data(t)) {
        let column_list = |schema: &str| -> rusqlite::Result<Vec<(String, i64)>> {
            conn.prepare("SELECT name, pk FROM pragma_table_info(?1, ?2) ORDER BY cid")?
                .query_map([table.as_str(), schema], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        };
        let (fresh, main) = (column_list("fresh")?, column_list("main")?);
        if fresh.is_empty() || main.is_empty() {
            // A table created since the migration (all of it is new), or dropped since (all of
            // it is gone).
            let schema = if fresh.is_empty() { "main" } else { "fresh" };
            let n: i64 = conn.query_row(
                &format!("SELECT count(*) FROM {schema}.{}", ident(table)),
                [],
                |r| r.get(0),
            )?;
            if n > 0 {
                writes.rows += n as u64;
                detail.push(format!("{table}: {n}"));
            }
            continue;
        }
        // Compared on the columns both sides have (a column added since is not a difference
        // by itself).
        let quoted = |c: &str| ident(c);
        let shared: Vec<String> = fresh
            .iter()
            .filter(|(c, _)| main.iter().any(|(m, _)| m == c))
            .map(|(c, _)| quoted(c))
            .collect();
        let mut key: Vec<&(String, i64)> = fresh.iter().filter(|(_, pk)| *pk > 0).collect();
        key.sort_by_key(|(_, pk)| *pk);
        let key = if key.is_empty() {
            "rowid".to_owned()
        } else {
            key.iter()
                .map(|(c, _)| quoted(c))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let has_expiry = PURGED_WHEN_EXPIRED.contains(&table.as_str());
        let removed = |expired: bool| -> String {
            let filter = match (has_expiry, expired) {
                (false, false) => String::new(),
                (false, true) => " WHERE 0".to_owned(),
                (true, false) => format!(" WHERE expires_at >= {now}"),
                (true, true) => format!(" WHERE expires_at < {now}"),
            };
            format!(
                "(SELECT count(*) FROM (SELECT {key} FROM fresh.{t}{filter} \
                 EXCEPT SELECT {key} FROM main.{t}))",
                t = ident(table)
            )
        };
        let cols = shared.join(", ");
        let sql = format!(
            "SELECT (SELECT count(*) FROM (SELECT {cols} FROM main.{t} EXCEPT \
             SELECT {cols} FROM fresh.{t})) + {}, {}",
            removed(false),
            removed(true),
            t = ident(table)
        );
        let (n, expired): (i64, i64) = conn.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        writes.expired += expired as u64;
        if n > 0 {
            writes.rows += n as u64;
            detail.push(format!("{table}: {n}"));
        }
    }
    writes.detail = detail.join(", ");
    Ok(writes)
}
