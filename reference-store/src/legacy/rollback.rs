//! `rollback`: the pre-migration file comes back from its backup.

use super::backup::{backup_dir, backup_name, check_backup, newest, online_backup, open_read_only};
use super::migrate::{MigrateOptions, migrate_file};
use super::tables::{Kind, detect};
use super::{Event, LegacyError, Step, now_ms};
use rusqlite::{Connection, MAIN_DB};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Tables whose changes since the migration a rollback may drop silently: the audit trail
/// itself, and admin keys (a legacy file has none; the key printed at migration lives here).
const NOT_DATA: &[&str] = &["migration_audit", "admin_keys"];

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
    /// Rows added, changed or removed since the migration (lost, with `force`).
    pub written_since: u64,
}

/// Restores the legacy file `db` was migrated from (see the [module](super) documentation).
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
    let current = open_read_only(db)?;
    match detect(&current, "main").map_err(|e| refused(e.to_string()))? {
        Kind::MultiTenant => {}
        Kind::Legacy { .. } => {
            return Err(refused(
                "is a legacy file already: there is no migration to roll back".into(),
            ));
        }
        Kind::Other(reason) => return Err(refused(reason)),
    }
    let record: Option<(String, String, i64)> = current
        .query_row(
            "SELECT username, display_name, started_at FROM migration_audit \
             WHERE kind = 'migrate-legacy' ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok();
    drop(current);
    if record.is_none() && !options.force {
        return Err(refused(
            "has no migrate-legacy record: it was not migrated from a legacy file (rerun with \
             --force and --backup to restore a backup over it anyway)"
                .into(),
        ));
    }
    let backup = match &options.backup {
        Some(path) => path.clone(),
        None => newest(db, "pre-migration")?.ok_or_else(|| {
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
    check_backup(&backup, None)?;
    emit(Event::Step {
        step: Step::CheckBackup,
        detail: format!("{} opens and passes integrity_check", backup.display()),
        elapsed: t.elapsed(),
    });

    let written_since = match &record {
        Some((username, display_name, started_at)) => {
            let t = Instant::now();
            let (rows, detail) = writes_since(db, &backup, username, display_name, *started_at)?;
            emit(Event::Step {
                step: Step::Verify,
                detail: format!("{rows} rows written since the migration"),
                elapsed: t.elapsed(),
            });
            if rows > 0 && !options.force {
                return Err(LegacyError::WrittenSince { rows, detail });
            }
            rows
        }
        None => 0,
    };

    let t = Instant::now();
    let saved_current = backup_dir(db).join(backup_name(db, now_ms(), "pre-rollback"));
    online_backup(db, &saved_current)?;
    emit(Event::Step {
        step: Step::Backup,
        detail: format!("current file saved to {}", saved_current.display()),
        elapsed: t.elapsed(),
    });
    let t = Instant::now();
    let failed = |e: rusqlite::Error| LegacyError::Io {
        path: db.to_path_buf(),
        message: format!("the restore failed: {e}"),
    };
    let mut conn = Connection::open(db).map_err(failed)?;
    conn.busy_timeout(crate::BUSY_TIMEOUT).map_err(failed)?;
    conn.restore(MAIN_DB, &backup, None::<fn(rusqlite::backup::Progress)>)
        .map_err(failed)?;
    drop(conn);
    check_backup(db, None).map_err(|e| LegacyError::Io {
        path: db.to_path_buf(),
        message: format!(
            "the restored file failed its check ({e}); the migrated file is saved at {}",
            saved_current.display()
        ),
    })?;
    emit(Event::Step {
        step: Step::Commit,
        detail: format!("{} restored from {}", db.display(), backup.display()),
        elapsed: t.elapsed(),
    });
    Ok(RolledBack {
        restored_from: backup,
        saved_current,
        written_since,
    })
}

/// Rows that differ between `db` and a fresh migration of `backup` made the same way (same
/// streamer, same start time): every row added, changed or removed since the migration.
fn writes_since(
    db: &Path,
    backup: &Path,
    username: &str,
    display_name: &str,
    started_at: i64,
) -> Result<(u64, String), LegacyError> {
    let dir = super::backup::parent_dir(db);
    let scratch = tempfile::Builder::new()
        .prefix(".kick-overlay-rollback-")
        .tempdir_in(dir)
        .map_err(|e| super::backup::io(dir, e))?;
    let fresh = scratch.path().join("remigrated.db");
    online_backup(backup, &fresh)?;
    let options = MigrateOptions {
        streamer: username.to_owned(),
        display_name: Some(display_name.to_owned()),
        now_ms: Some(started_at),
        ..MigrateOptions::default()
    };
    migrate_file(&fresh, &options, false, &mut |_| {})?;
    let failed = |e: rusqlite::Error| LegacyError::Sqlite {
        step: Step::Verify,
        message: format!("comparing with the migrated backup: {e}"),
    };
    let conn = open_read_only(db)?;
    conn.execute("ATTACH DATABASE ?1 AS fresh", [fresh.to_string_lossy()])
        .map_err(failed)?;
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM main.sqlite_schema WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(failed)?;
    let mut total = 0u64;
    let mut detail = Vec::new();
    for table in tables.iter().filter(|t| !NOT_DATA.contains(&t.as_str())) {
        let in_fresh: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM fresh.sqlite_schema WHERE type = 'table' \
                 AND name = ?1)",
                [table],
                |r| r.get(0),
            )
            .map_err(failed)?;
        let sql = if in_fresh {
            format!(
                "SELECT (SELECT count(*) FROM (SELECT * FROM main.\"{table}\" EXCEPT \
                 SELECT * FROM fresh.\"{table}\")) + (SELECT count(*) FROM (SELECT * FROM \
                 fresh.\"{table}\" EXCEPT SELECT * FROM main.\"{table}\"))"
            )
        } else {
            format!("SELECT count(*) FROM main.\"{table}\"")
        };
        let n: i64 = conn.query_row(&sql, [], |r| r.get(0)).map_err(failed)?;
        if n > 0 {
            total += n as u64;
            detail.push(format!("{table}: {n}"));
        }
    }
    Ok((total, detail.join(", ")))
}
