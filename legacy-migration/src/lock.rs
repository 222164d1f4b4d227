//! Exclusive access: migrating, importing and rolling back rewrite tables under the feet of any
//! program that has the file open, so they run only when nothing else has it open.
//!
//! SQLite's `locking_mode = EXCLUSIVE` takes the file's exclusive lock at the first
//! transaction and keeps it until the connection closes. On a WAL file (the legacy app's mode
//! and the store's) every open connection holds a shared lock for as long as it is open, so the
//! lock is granted only when no other program has the file open at all, idle or not. On a
//! rollback-journal file it is granted when no other program is reading or writing.

use crate::error::LegacyError;
use crate::files::wal_path;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// How long to wait for another program to let go of the file before refusing.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// Opens `path` read-write and takes its exclusive lock, held until the connection closes.
/// `user` names what probably holds the file, for the refusal ("the legacy KickOverlay
/// server"). When a WAL was beside the file already, the connection does not checkpoint on
/// close, so a run that ends without committing leaves that WAL (and the main file) exactly as
/// they were; a committed run calls [`checkpoint_on_close`]. Without one, closing folds in and
/// deletes the WAL the connection made: only committed frames are folded in, so a run that
/// committed nothing leaves the main file as it was, and no `-wal` beside it.
pub(crate) fn open_exclusive(path: &Path, user: &str) -> Result<Connection, LegacyError> {
    let failed = |e: rusqlite::Error| {
        LegacyError::refused(path, format!("cannot be opened as an SQLite database: {e}"))
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(failed)?;
    let keep_wal = wal_path(path).exists();
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, keep_wal)
        .map_err(failed)?;
    conn.busy_timeout(LOCK_WAIT).map_err(failed)?;
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
        .map_err(failed)?;
    match conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;") {
        Ok(()) => Ok(conn),
        Err(e) if is_busy(&e) => Err(LegacyError::InUse {
            path: path.to_path_buf(),
            user: user.to_owned(),
        }),
        Err(e) => Err(failed(e)),
    }
}

/// Lets the connection fold its WAL into the main file when it closes (after a commit).
pub(crate) fn checkpoint_on_close(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)
        .map(|_| ())
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}
