//! `rollback`: the pre-migration file comes back from its backup.
//!
//! The run, step by step, holding the file's exclusive lock from the first check to the end:
//! [`migration_record`] reads what the migration recorded, [`choose_backup`] finds the backup
//! to restore, the CheckBackup step checks it holds exactly the rows the migration moved,
//! [`count_writes`] counts what a rollback would lose (refusing unless forced),
//! [`save_current`] saves the migrated file to `backups/`, and [`restore`] copies the backup
//! over it and checks the result.

use crate::backup::{backup_dir, backup_from, backup_name, check_backup, check_legacy, newest};
use crate::clock::now_ms;
use crate::detect::{Kind, detect};
use crate::error::{LegacyError, unreadable};
use crate::files::open_for_reading;
use crate::lock::{checkpoint_on_close, open_exclusive};
use crate::progress::Event;
use crate::sql::ident;
use crate::step::{Counts, Step};
use crate::text::count;
use crate::writes::{ADMIN_KEYS, OVERLAY_KEYS, Record, Writes, sql_failed, writes_since};
use rusqlite::{Connection, MAIN_DB};
use std::path::{Path, PathBuf};
use std::time::Instant;

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
    /// Overlay keys the file held (a legacy file has none: the legacy app has no such key).
    pub discarded_overlay_keys: u64,
}

/// The keys a rollback discards rather than counts as writes: a legacy file has neither kind.
#[derive(Debug, Clone, Copy)]
struct Discarded {
    admin_keys: u64,
    overlay_keys: u64,
}

/// Restores the legacy file `db` was migrated from (the [crate] documentation tells the steps).
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
    // A read-only look first, so a legacy or foreign file is refused without any lock.
    match detect(&open_for_reading(db)?, "main")
        .map_err(|e| LegacyError::refused(db, unreadable(&e)))?
    {
        Kind::MultiTenant => {}
        Kind::Legacy { .. } => {
            return Err(LegacyError::refused(
                db,
                "is a legacy file already: there is no migration to roll back".into(),
            ));
        }
        Kind::Other(reason) => return Err(LegacyError::refused(db, reason)),
    }
    let conn = open_exclusive(db, SERVER)?;
    let record = migration_record(&conn);
    if record.is_none() && !options.force {
        return Err(LegacyError::refused(
            db,
            "has no migrate-legacy record: it was not migrated from a legacy file (rerun with \
             --force and --backup to restore a backup over it anyway)"
                .into(),
        ));
    }
    let backup = choose_backup(db, options, record.as_ref())?;
    // The backup of this migration holds exactly the rows it moved and the expired ones it
    // left behind; another file is refused unless forced.
    let expected: Option<Counts> = match &record {
        Some(r) if !options.force => Some(backup_counts(r).map_err(|e| {
            LegacyError::refused(
                db,
                format!("has migration_audit counts that cannot be read: {e}"),
            )
        })?),
        _ => None,
    };
    let t = Instant::now();
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
    let keys_in = |table: &str| match count_rows_of(&conn, table) {
        Ok(n) => Ok(n),
        Err(_) if options.force => Ok(0),
        Err(e) => Err(sql_failed(e)),
    };
    let discarded = Discarded {
        admin_keys: keys_in(ADMIN_KEYS)?,
        overlay_keys: keys_in(OVERLAY_KEYS)?,
    };
    let written_since = count_writes(
        &conn,
        db,
        &backup,
        record.as_ref(),
        options.force,
        discarded,
        emit,
    )?;
    let saved_current = save_current(&conn, db, emit)?;
    restore(conn, db, &backup, expected.as_ref(), &saved_current, emit)?;
    Ok(RolledBack {
        restored_from: backup,
        saved_current,
        written_since,
        discarded_admin_keys: discarded.admin_keys,
        discarded_overlay_keys: discarded.overlay_keys,
    })
}

/// The newest `migrate-legacy` row of `migration_audit`, if the file has one.
fn migration_record(conn: &Connection) -> Option<Record> {
    // A file the server has not opened since it was migrated by an older version lacks the
    // `expired` column (schema 006).
    let expired: bool = conn
        .query_row(
            "SELECT count(*) > 0 FROM pragma_table_info('migration_audit') \
             WHERE name = 'expired'",
            [],
            |r| r.get(0),
        )
        .ok()?;
    conn.query_row(
        &format!(
            "SELECT username, display_name, started_at, backup_path, counts, {} \
             FROM migration_audit WHERE kind = 'migrate-legacy' ORDER BY id DESC LIMIT 1",
            if expired { "expired" } else { "NULL" }
        ),
        [],
        |r| {
            Ok(Record {
                username: r.get(0)?,
                display_name: r.get(1)?,
                started_at: r.get(2)?,
                backup_path: r.get(3)?,
                counts: r.get(4)?,
                expired: r.get(5)?,
            })
        },
    )
    .ok()
}

/// The rows the backup of a migration holds, by legacy table: those it moved and the expired
/// ones it left behind.
fn backup_counts(record: &Record) -> serde_json::Result<Counts> {
    let mut counts: Counts = serde_json::from_str(&record.counts)?;
    let expired: Counts = match &record.expired {
        Some(json) => serde_json::from_str(json)?,
        None => Counts::new(),
    };
    for (table, n) in expired {
        *counts.entry(table).or_default() += n;
    }
    Ok(counts)
}

/// The backup named with `--backup`, else the one the migration recorded, else (forced, no
/// record) the newest pre-migration backup beside the file.
fn choose_backup(
    db: &Path,
    options: &RollbackOptions,
    record: Option<&Record>,
) -> Result<PathBuf, LegacyError> {
    let backup = match (&options.backup, record.and_then(|r| r.backup_path.as_ref())) {
        (Some(path), _) => path.clone(),
        (None, Some(recorded)) if !Path::new(recorded).exists() => {
            return Err(LegacyError::refused(
                db,
                format!(
                    "was migrated with a backup, {recorded}, that is missing: name the backup \
                     to restore with --backup"
                ),
            ));
        }
        (None, Some(recorded)) => PathBuf::from(recorded),
        (None, None) => newest(db, "pre-migration")?.ok_or_else(|| {
            LegacyError::refused(
                db,
                format!(
                    "has no pre-migration backup in {}",
                    backup_dir(db).display()
                ),
            )
        })?,
    };
    if !backup.exists() {
        return Err(LegacyError::Missing(backup));
    }
    Ok(backup)
}

/// The Verify step of a rollback: the rows written since the migration (admin and overlay keys
/// are not among them, only reported as `discarded`, and neither is the event log those writes
/// appended to). Refused when there are some, unless forced; `None` when a forced rollback
/// could not count them (or there is no migration record to count against).
fn count_writes(
    conn: &Connection,
    db: &Path,
    backup: &Path,
    record: Option<&Record>,
    force: bool,
    discarded: Discarded,
    emit: &mut dyn FnMut(Event),
) -> Result<Option<u64>, LegacyError> {
    let Some(record) = record else {
        return Ok(None);
    };
    let t = Instant::now();
    match writes_since(conn, db, backup, record) {
        Ok(Writes {
            rows,
            detail,
            expired,
        }) => {
            emit(Event::Step {
                step: Step::Verify,
                detail: format!(
                    "{} since the migration{}; {} since (the legacy file still has them); {} \
                     and {} to discard (a legacy file has neither)",
                    count(rows, "row written", "rows written"),
                    if detail.is_empty() {
                        String::new()
                    } else {
                        format!(" ({detail})")
                    },
                    count(expired, "expired row purged", "expired rows purged"),
                    count(discarded.admin_keys, "admin key", "admin keys"),
                    count(discarded.overlay_keys, "overlay key", "overlay keys"),
                ),
                elapsed: t.elapsed(),
            });
            if rows > 0 && !force {
                return Err(LegacyError::WrittenSince { rows, detail });
            }
            Ok(Some(rows))
        }
        // Forced: a file the count cannot read (its schema changed since, say) is still
        // restored; the current file is saved first either way.
        Err(e) if force => {
            emit(Event::Step {
                step: Step::Verify,
                detail: format!(
                    "the rows written since the migration cannot be counted ({e}); forced on"
                ),
                elapsed: t.elapsed(),
            });
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The Backup step of a rollback: the migrated file saved to `backups/` before it is replaced.
fn save_current(
    conn: &Connection,
    db: &Path,
    emit: &mut dyn FnMut(Event),
) -> Result<PathBuf, LegacyError> {
    let t = Instant::now();
    let saved = backup_dir(db).join(backup_name(db, now_ms(), "pre-rollback"));
    backup_from(conn, &saved)?;
    emit(Event::Step {
        step: Step::Backup,
        detail: format!("current file saved to {}", saved.display()),
        elapsed: t.elapsed(),
    });
    Ok(saved)
}

/// The Commit step of a rollback: the backup copied over the file, checked, and the WAL folded
/// in so no `-wal` or `-shm` file is left beside it.
fn restore(
    mut conn: Connection,
    db: &Path,
    backup: &Path,
    expected: Option<&Counts>,
    saved_current: &Path,
    emit: &mut dyn FnMut(Event),
) -> Result<(), LegacyError> {
    let t = Instant::now();
    let failed = |e: rusqlite::Error| LegacyError::Io {
        path: db.to_path_buf(),
        message: format!(
            "the restore failed ({e}); the migrated file is saved at {}",
            saved_current.display()
        ),
    };
    conn.restore(MAIN_DB, backup, None::<fn(rusqlite::backup::Progress)>)
        .map_err(failed)?;
    check_legacy(&conn, db, expected).map_err(|e| LegacyError::Io {
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
    Ok(())
}

/// The rows of `table`, or 0 when the file lacks it (`overlay_keys` is schema 008: a file
/// migrated before, which the server has not opened since, has none).
fn count_rows_of(conn: &Connection, table: &str) -> rusqlite::Result<u64> {
    let exists: bool = conn.query_row(
        "SELECT count(*) > 0 FROM main.sqlite_schema WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    conn.query_row(
        &format!("SELECT count(*) FROM main.{}", ident(table)),
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as u64)
}
