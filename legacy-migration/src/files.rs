//! Opening a database file to read it, leaving nothing behind: no `-wal` or `-shm` file that
//! was not there before, and a WAL that was there exactly as it was.
//!
//! A connection to a file in WAL mode creates `-wal` and `-shm` beside it. SQLite deletes them
//! when the last connection to the file closes, after folding the WAL into the file, but a
//! read-only connection never does. So files are read through a read-write connection that
//! cannot write (`query_only`): closing it cleans up exactly when nothing else has the file
//! open, as SQLite decides. When a WAL was already beside the file (another program's, or one
//! left by a crash), the connection does not fold it in on close, so it stays as it was.

use crate::error::LegacyError;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// The WAL file of `db`.
pub(crate) fn wal_path(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", db.display()))
}

/// Opens `path` to read it (see the module documentation), with the busy timeout the store
/// uses. A file this process may not write is opened read-only instead.
pub(crate) fn open_for_reading(path: &Path) -> Result<Connection, LegacyError> {
    let failed = |e: rusqlite::Error| LegacyError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let keep_wal = wal_path(path).exists();
    let conn = match Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) {
        Ok(conn) => {
            conn.pragma_update(None, "query_only", true)
                .map_err(failed)?;
            conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, keep_wal)
                .map_err(failed)?;
            conn
        }
        Err(_) => Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(failed)?,
    };
    conn.busy_timeout(reference_store::BUSY_TIMEOUT)
        .map_err(failed)?;
    Ok(conn)
}
