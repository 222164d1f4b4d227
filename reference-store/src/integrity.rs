//! What is checked of an existing file before the store writes to it: that it is not an empty
//! file someone meant to be something else, and that SQLite finds no damage in it.

use crate::open_error::OpenError;
use rusqlite::Connection;
use std::path::Path;
use std::time::Instant;

/// The most problems `quick_check` is asked for (the first says enough).
const PROBLEMS_SHOWN: i64 = 5;

/// Refuses a file of 0 bytes with no write-ahead log beside it: only a path that does not
/// exist is made into a new database. (A new database's first pages can sit in its `-wal`
/// while the main file is still empty; that file is a database and is opened.)
pub(crate) fn refuse_empty(path: &Path) -> Result<(), OpenError> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_len = std::fs::metadata(&wal).map_or(0, |m| m.len());
    if meta.is_file() && meta.len() == 0 && wal_len == 0 {
        return Err(OpenError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// Runs `PRAGMA quick_check` on `conn` (nothing written yet) and refuses a damaged file.
pub(crate) fn refuse_damaged(conn: &Connection, path: &Path) -> Result<(), OpenError> {
    let started = Instant::now();
    let problems: Vec<String> = conn
        .prepare(&format!("PRAGMA quick_check({PROBLEMS_SHOWN})"))
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(|e| OpenError::from_sqlite(path, e))?;
    let took = started.elapsed();
    tracing::debug!(path = %path.display(), took_ms = took.as_millis() as u64, "checked the file");
    if took.as_secs() >= 1 {
        tracing::info!(
            path = %path.display(),
            took_s = took.as_secs_f64(),
            "checked the database file for damage"
        );
    }
    if problems.len() == 1 && problems[0] == "ok" {
        return Ok(());
    }
    Err(OpenError::Corrupt {
        path: path.to_path_buf(),
        message: format!(
            "SQLite's quick_check found damage: {}; restore it from a backup (nothing was \
             written to it)",
            problems.join("; ")
        ),
    })
}
