//! `rollback`: the pre-migration file comes back from its backup.

use super::backup::{
    backup_dir, backup_from, backup_name, check_backup, check_legacy, newest, online_backup,
    open_read_only,
};
use super::lock::{checkpoint_on_close, open_exclusive};
use super::migrate::{MigrateOptions, migrate_file};
use super::tables::{Kind, detect, ident};
use super::{Counts, Event, LegacyError, Step, now_ms};
use rusqlite::{Connection, MAIN_DB};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The audit trail: a rollback takes the file back to before it existed.
const AUDIT: &str = "migration_audit";

/// Admin keys: a legacy file has none (its owner logs in to the legacy dashboard), so the ones
/// issued since the migration are discarded, and said so, rather than counted as data.
const ADMIN_KEYS: &str = "admin_keys";

/// Tables whose rows the server deletes once `expires_at` has passed: such a deletion is not a
/// write a rollback would lose (the legacy file keeps the expired row, which means nothing).
const PURGED_WHEN_EXPIRED: &[&str] = &[
    "user_sessions",
    "streamer_sessions",
    "verification_codes",
    "command_cooldowns",
];

/// What probably has a migrated file open.
const SERVER: &str = "the KickOverlay server (kick-overlay serve) or any other program using it";

/// Options of [`rollback`].
#[derive(Debug, Clone, Default)]
pub struct RollbackOptions {
    /// The backup to restore (the newest pre-migration backup beside the file when `None`).
    pub backup: Option<PathBuf>,
    /// Roll back even when the migrated file was written to since the migration.
    pub force: bool,
}

/// What [`rollback`] did.
#[derive(Debug, Clone)]
pub struct RolledBack {
    /// The backup restored.
    pub restored_from: PathBuf,
    /// Where the migrated file was saved before it was replaced.
    pub saved_current: PathBuf,
    /// Rows added, changed or removed since the migration (lost, with `force`); `None` when a
    /// forced rollback could not count them.
    pub written_since: Option<u64>,
    /// Admin keys the file held (a legacy file has none; its owner uses the legacy dashboard).
    pub discarded_admin_keys: u64,
}

/// The newest `migrate-legacy` row of `migration_audit`.
struct Record {
    username: String,
    display_name: String,
    started_at: i64,
    backup_path: Option<String>,
    counts: String,
}

/// Restores the legacy file `db` was migrated from (see the [module](super) documentation).
/// Holds the file's exclusive lock from the first check to the end, so nothing can write
/// between counting the writes since the migration and restoring; refused while another
/// program (the server) has the file open.
pub fn rollback(
    db: &Path,
    options: &RollbackOptions,
    emit: &mut dyn FnMut(Event),
) -> Result<RolledBack, LegacyError> {
    if !db.exists() {
        return Err(LegacyError::Missing(db.to_path_buf()));
    }
    let refused = |reason: String| LegacyError::Refused {
        path: db.to_path_buf(),
        reason,
    };
    // A read-only look first, so a legacy or foreign file is refused without any lock.
    match detect(&open_read_only(db)?, "main").map_err(|e| refused(e.to_string()))? {
        Kind::MultiTenant => {}
        Kind::Legacy { .. } => {
            return Err(refused(
                "is a legacy file already: there is no migration to roll back".into(),
            ));
        }
        Kind::Other(reason) => return Err(refused(reason)),
    }
    let mut conn = open_exclusive(db, SERVER)?;
    let record: Option<Record> = conn
        .query_row(
            "SELECT username, display_name, started_at, backup_path, counts \
             FROM migration_audit WHERE kind = 'migrate-legacy' ORDER BY id DESC LIMIT 1",
            [],
            |r| {
                Ok(Record {
                    username: r.get(0)?,
                    display_name: r.get(1)?,
                    started_at: r.get(2)?,
                    backup_path: r.get(3)?,
                    counts: r.get(4)?,
                })
            },
        )
        .ok();
    if record.is_none() && !options.force {
        return Err(refused(
            "has no migrate-legacy record: it was not migrated from a legacy file (rerun with \
             --force and --backup to restore a backup over it anyway)"
                .into(),
        ));
    }
    let backup = match (
        &options.backup,
        record.as_ref().and_then(|r| r.backup_path.as_ref()),
    ) {
        (Some(path), _) => path.clone(),
        (None, Some(recorded)) if !Path::new(recorded).exists() => {
            return Err(refused(format!(
                "the backup its migration recorded, {recorded}, is missing: name the backup to \
                 restore with --backup"
            )));
        }
        (None, Some(recorded)) => PathBuf::from(recorded),
        (None, None) => newest(db, "pre-migration")?.ok_or_else(|| {
            refused(format!(
                "no pre-migration backup in {}",
                backup_dir(db).display()
            ))
        })?,
    };
    if !backup.exists() {
        return Err(LegacyError::Missing(backup));
    }
    let t = Instant::now();
    // The backup of this migration holds exactly the rows it moved; another file is refused
    // unless forced.
    let expected: Option<Counts> = match &record {
        Some(r) if !options.force => Some(
            serde_json::from_str(&r.counts)
                .map_err(|e| refused(format!("its migration_audit counts cannot be read: {e}")))?,
        ),
        _ => None,
    };
    check_backup(&backup, expected.as_ref())?;
    emit(Event::Step {
        step: Step::CheckBackup,
        detail: format!(
            "{} opens and passes integrity_check{}",
            backup.display(),
            if expected.is_some() {
                "; its row counts are the ones the migration moved"
            } else {
                ""
            }
        ),
        elapsed: t.elapsed(),
    });

    let t = Instant::now();
    let discarded_admin_keys = match count(&conn, ADMIN_KEYS) {
        Ok(n) => n,
        Err(_) if options.force => 0,
        Err(e) => return Err(sql_failed(e)),
    };
    let written_since = match &record {
        Some(r) => match writes_since(&conn, db, &backup, r) {
            Ok(Writes {
                rows,
                detail,
                expired,
            }) => {
                emit(Event::Step {
                    step: Step::Verify,
                    detail: format!(
                        "{rows} rows written since the migration{}; {expired} expired rows \
                         purged since (the legacy file still has them); {discarded_admin_keys} \
                         admin keys to discard (a legacy file has none)",
                        if detail.is_empty() {
                            String::new()
                        } else {
                            format!(" ({detail})")
                        }
                    ),
                    elapsed: t.elapsed(),
                });
                if rows > 0 && !options.force {
                    return Err(LegacyError::WrittenSince { rows, detail });
                }
                Some(rows)
            }
            // Forced: a file the count cannot read (its schema changed since, say) is still
            // restored; the current file is saved first either way.
            Err(e) if options.force => {
                emit(Event::Step {
                    step: Step::Verify,
                    detail: format!(
                        "the rows written since the migration cannot be counted ({e}); forced on"
                    ),
                    elapsed: t.elapsed(),
                });
                None
            }
            Err(e) => return Err(e),
        },
        // No migration record (forced): nothing to count against.
        None => None,
    };

    let t = Instant::now();
    let saved_current = backup_dir(db).join(backup_name(db, now_ms(), "pre-rollback"));
    backup_from(&conn, &saved_current)?;
    emit(Event::Step {
        step: Step::Backup,
        detail: format!("current file saved to {}", saved_current.display()),
        elapsed: t.elapsed(),
    });
    let t = Instant::now();
    let failed = |e: rusqlite::Error| LegacyError::Io {
        path: db.to_path_buf(),
        message: format!(
            "the restore failed ({e}); the migrated file is saved at {}",
            saved_current.display()
        ),
    };
    conn.restore(MAIN_DB, &backup, None::<fn(rusqlite::backup::Progress)>)
        .map_err(failed)?;
    check_legacy(&conn, db, expected.as_ref()).map_err(|e| LegacyError::Io {
        path: db.to_path_buf(),
        message: format!(
            "the restored file failed its check ({e}); the migrated file is saved at {}",
            saved_current.display()
        ),
    })?;
    checkpoint_on_close(&conn).map_err(failed)?;
    conn.close().map_err(|(_, e)| failed(e))?;
    emit(Event::Step {
        step: Step::Commit,
        detail: format!("{} restored from {}", db.display(), backup.display()),
        elapsed: t.elapsed(),
    });
    Ok(RolledBack {
        restored_from: backup,
        saved_current,
        written_since,
        discarded_admin_keys,
    })
}

fn sql_failed(e: rusqlite::Error) -> LegacyError {
    LegacyError::Sqlite {
        step: Step::Verify,
        message: format!("comparing with the migrated backup: {e}"),
    }
}

fn count(conn: &Connection, table: &str) -> rusqlite::Result<u64> {
    conn.query_row(
        &format!("SELECT count(*) FROM main.{}", ident(table)),
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as u64)
}

/// Rows that differ between the file on `conn` and a fresh migration of `backup` made the same
/// way (same streamer, same start time): every row added, changed or removed since the
/// migration, each counted once. Per table: the rows of the current file found nowhere in the
/// fresh one (added or changed) plus the keys of the fresh file the current one lacks
/// (removed).
/// What [`writes_since`] found.
struct Writes {
    /// Rows added, changed or removed, each counted once.
    rows: u64,
    /// Per table.
    detail: String,
    /// Expired rows removed since (sessions, codes, cooldowns the server purged): not writes,
    /// since the legacy file keeps them and they mean nothing once expired.
    expired: u64,
}

fn writes_since(
    conn: &Connection,
    db: &Path,
    backup: &Path,
    record: &Record,
) -> Result<Writes, LegacyError> {
    let dir = super::backup::parent_dir(db);
    let scratch = tempfile::Builder::new()
        .prefix(".kick-overlay-rollback-")
        .tempdir_in(dir)
        .map_err(|e| super::backup::io(dir, e))?;
    let fresh = scratch.path().join("remigrated.db");
    online_backup(backup, &fresh)?;
    let options = MigrateOptions {
        streamer: record.username.clone(),
        display_name: Some(record.display_name.clone()),
        now_ms: Some(record.started_at),
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
    for table in tables.iter().filter(|t| *t != AUDIT && *t != ADMIN_KEYS) {
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
