//! Backups: SQLite's online backup into `backups/` beside the database, named with the time,
//! and the check a backup passes before anything relies on it.

use crate::detect::{Kind, count_rows, detect};
use crate::error::LegacyError;
use crate::files::open_for_reading;
use crate::step::Counts;
use rusqlite::Connection;
use rusqlite::backup::StepResult;
use std::path::{Path, PathBuf};

/// The directory backups of `db` go to: `backups/` beside it.
pub fn backup_dir(db: &Path) -> PathBuf {
    parent_dir(db).join("backups")
}

/// The directory holding `path` (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The file name of a backup of `db` taken at `at_ms` (Unix milliseconds) for `purpose`
/// (`pre-migration`, `pre-rollback`): `kick-overlay.2026-11-23T10-15-00.123Z.pre-migration.db`.
/// Names sort in time order.
pub fn backup_name(db: &Path, at_ms: i64, purpose: &str) -> String {
    let stem = db
        .file_stem()
        .map_or_else(|| "database".into(), |s| s.to_string_lossy());
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{stem}.{:04}-{:02}-{:02}T{:02}-{:02}-{:02}.{:03}Z.{purpose}.db",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// A Unix-millisecond time as RFC 3339 (`2025-12-07T18:04:05.123Z`), for messages.
pub(crate) fn display_time(at_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{at_ms} ms"))
}

/// Copies `src` into the new file `dest` with SQLite's online backup API, in one step: one
/// read transaction, so a consistent snapshot even while another program writes (in WAL mode)
/// or a WAL holds committed pages, and never restarted by a writer.
pub(crate) fn online_backup(src: &Path, dest: &Path) -> Result<(), LegacyError> {
    backup_from(&open_for_reading(src)?, dest)
}

/// Copies the main database of `source` (as that connection sees it, inside its transaction if
/// it has one) into the new file `dest`, in one step. The copy is a rollback-journal file, so
/// opening it later leaves no `-wal` or `-shm` beside it.
pub(crate) fn backup_from(source: &Connection, dest: &Path) -> Result<(), LegacyError> {
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    if dest.exists() {
        return Err(LegacyError::Io {
            path: dest.to_path_buf(),
            message: "a backup of that name already exists".into(),
        });
    }
    copy_into(source, dest).inspect_err(|_| {
        // A backup that did not finish is no backup: leave nothing a rollback could pick.
        for leftover in ["", "-journal", "-wal", "-shm"] {
            let leftover = PathBuf::from(format!("{}{leftover}", dest.display()));
            let _ = std::fs::remove_file(leftover);
        }
    })
}

fn copy_into(source: &Connection, dest: &Path) -> Result<(), LegacyError> {
    let failed = |e: rusqlite::Error| LegacyError::Io {
        path: dest.to_path_buf(),
        message: format!("the online backup failed: {e}"),
    };
    let mut target = Connection::open(dest).map_err(failed)?;
    let backup = rusqlite::backup::Backup::new(source, &mut target).map_err(failed)?;
    match backup.step(-1).map_err(failed)? {
        StepResult::Done => {}
        other => {
            return Err(LegacyError::Io {
                path: dest.to_path_buf(),
                message: format!("the online backup stopped before the end ({other:?})"),
            });
        }
    }
    drop(backup);
    target
        .pragma_update(None, "journal_mode", "DELETE")
        .map_err(failed)?;
    target.close().map_err(|(_, e)| failed(e))?;
    Ok(())
}

/// Checks that `backup` opens, passes `integrity_check`, is a legacy file and, when `expected`
/// is given, holds exactly those row counts. Returns whether it has the ledger table.
pub(crate) fn check_backup(backup: &Path, expected: Option<&Counts>) -> Result<bool, LegacyError> {
    check_legacy(&open_for_reading(backup)?, backup, expected)
}

/// [`check_backup`] of the file open on `conn` (`path` names it in errors).
pub(crate) fn check_legacy(
    conn: &Connection,
    path: &Path,
    expected: Option<&Counts>,
) -> Result<bool, LegacyError> {
    let bad = |message: String| LegacyError::BadBackup {
        path: path.to_path_buf(),
        message,
    };
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| bad(e.to_string()))?;
    if integrity != "ok" {
        return Err(bad(format!("integrity_check says {integrity}")));
    }
    let ledger = match detect(conn, "main").map_err(|e| bad(e.to_string()))? {
        Kind::Legacy { ledger } => ledger,
        Kind::MultiTenant => return Err(bad("it is a multi-tenant file, not a legacy one".into())),
        Kind::Other(why) => return Err(bad(format!("it {why}"))),
    };
    if let Some(expected) = expected {
        let found: Counts = count_rows(conn, "main.", ledger)
            .map_err(|e| bad(e.to_string()))?
            .into_iter()
            .map(|(t, n)| (t.to_owned(), n))
            .collect();
        if &found != expected {
            return Err(bad(format!(
                "its row counts {found:?} differ from the expected {expected:?}"
            )));
        }
    }
    Ok(ledger)
}

/// The newest backup of `db` for `purpose` in its backup directory, by the time in its name.
pub(crate) fn newest(db: &Path, purpose: &str) -> Result<Option<PathBuf>, LegacyError> {
    let dir = backup_dir(db);
    let stem = db
        .file_stem()
        .map_or_else(|| "database".into(), |s| s.to_string_lossy());
    let (prefix, suffix) = (format!("{stem}."), format!(".{purpose}.db"));
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&dir, e)),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(&prefix) && n.ends_with(&suffix))
        .collect();
    names.sort();
    Ok(names.pop().map(|n| dir.join(n)))
}

pub(crate) fn io(path: &Path, e: std::io::Error) -> LegacyError {
    LegacyError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_go_beside_the_database_named_to_sort_by_time() {
        let db = Path::new("data/kick-overlay.db");
        assert_eq!(backup_dir(db), Path::new("data/backups"));
        assert_eq!(backup_dir(Path::new("x.db")), Path::new("./backups"));
        assert_eq!(
            backup_name(db, 1_765_130_645_123, "pre-migration"),
            "kick-overlay.2025-12-07T18-04-05.123Z.pre-migration.db"
        );
        assert!(backup_name(db, 1_765_130_645_123, "x") < backup_name(db, 1_765_130_645_124, "x"));
    }
}
