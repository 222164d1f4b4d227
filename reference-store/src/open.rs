//! Opening a database file: options, the errors of opening, and the settings every connection
//! gets.

use crate::open_error::OpenError;
use rusqlite::trace::{TraceEvent, TraceEventCodes};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long a connection waits for another process's lock before giving up with a
/// `Backend` error.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Statements on each connection's cache (the store runs fewer distinct statements).
const STATEMENT_CACHE: usize = 256;

/// The page cache of each reader (and of the checkpoint thread's connection), in KiB; the
/// writer keeps SQLite's default of 2 MiB. A reader empties its cache at its first read after
/// any commit, and its reads are of rows by key spread over the whole file, so a larger cache
/// holds little it reads again: at 256 KiB against 2 MiB `scripts/bench-api` measured the same
/// reads a second and 2–3 MiB less peak memory (BENCHMARKS.md). What it keeps is mostly the
/// interior pages of the indexes, which fit.
pub(crate) const READER_CACHE_KIB: i64 = 256;

/// A callback that sees the text of every statement the store's connections start, as written
/// (parameters unexpanded). Used by the test that every statement on tenant tables constrains
/// `streamer_id`, and handy for debugging.
pub type StatementTrace = Arc<dyn Fn(&str) + Send + Sync>;

/// Options for [`crate::SqliteStore::open_with`].
#[derive(Clone)]
pub struct OpenOptions {
    /// `synchronous = FULL` instead of `NORMAL`: a commit survives a power loss too, at the
    /// cost of an fsync per write.
    pub durable: bool,
    /// Called with every statement any connection of the store starts.
    pub trace: Option<StatementTrace>,
    /// The most leaderboard rows the store keeps cached, over all streamers
    /// ([`crate::cache::LEADERBOARD_CACHE_ROWS`] by default; 0 turns the cache off). The cache assumes
    /// the store is the only writer of the file, as the store's other guarantees do.
    pub leaderboard_cache_rows: usize,
    /// Run `PRAGMA quick_check` over an existing file before anything is written to it, and
    /// refuse a damaged one ([`OpenError::Corrupt`]). On by default; it reads the whole file
    /// once (about a second per few hundred megabytes, BENCHMARKS.md).
    pub check_on_open: bool,
    /// `PRAGMA secure_delete`: deleted content is overwritten with zeros instead of left in
    /// free space, and deleting a streamer or a viewer also empties the write-ahead log, so
    /// none of their bytes stay readable in the database's files. On by default; its cost on
    /// writes is in BENCHMARKS.md.
    pub secure_delete: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            durable: false,
            trace: None,
            leaderboard_cache_rows: crate::cache::LEADERBOARD_CACHE_ROWS,
            check_on_open: true,
            secure_delete: true,
        }
    }
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("durable", &self.durable)
            .field("trace", &self.trace.is_some())
            .field("leaderboard_cache_rows", &self.leaderboard_cache_rows)
            .field("check_on_open", &self.check_on_open)
            .field("secure_delete", &self.secure_delete)
            .finish()
    }
}

/// The settings of one open connection, as SQLite reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// `writer` or `reader`.
    pub role: &'static str,
    /// `PRAGMA foreign_keys`.
    pub foreign_keys: bool,
    /// `PRAGMA journal_mode`.
    pub journal_mode: String,
    /// `PRAGMA synchronous` (0 off, 1 normal, 2 full, 3 extra).
    pub synchronous: i64,
    /// `PRAGMA busy_timeout`, in milliseconds.
    pub busy_timeout_ms: i64,
}

impl ConnectionSettings {
    pub(crate) fn read(conn: &Connection, role: &'static str) -> rusqlite::Result<Self> {
        Ok(ConnectionSettings {
            role,
            foreign_keys: conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?,
            journal_mode: conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?,
            synchronous: conn.pragma_query_value(None, "synchronous", |r| r.get(0))?,
            busy_timeout_ms: conn.pragma_query_value(None, "busy_timeout", |r| r.get(0))?,
        })
    }
}

/// Opens one connection to `path` and gives it the settings every connection of the store has.
pub(crate) fn connect(
    path: &Path,
    options: &OpenOptions,
    create: bool,
) -> Result<Connection, OpenError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
        crate::integrity::refuse_empty(path)?;
    }
    let mut conn =
        Connection::open_with_flags(path, flags).map_err(|e| OpenError::from_sqlite(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| OpenError::from_sqlite(path, e))?;
    if create {
        // Before WAL mode is set (which is written into the file): a file that is not ours, or
        // is newer than this program, is refused untouched.
        crate::migrations::refuse_unknown(&conn, path)?;
        if options.check_on_open {
            crate::integrity::refuse_damaged(&conn, path)?;
        }
    }
    let mode =
        configure(&mut conn, options, create).map_err(|e| OpenError::from_sqlite(path, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(OpenError::Io {
            path: path.to_path_buf(),
            message: format!("the file refused WAL mode (its journal mode is {mode})"),
        });
    }
    Ok(conn)
}

/// The one place connection settings are applied; `writer` for the store's writer. Returns the
/// journal mode SQLite reports.
fn configure(
    conn: &mut Connection,
    options: &OpenOptions,
    writer: bool,
) -> rusqlite::Result<String> {
    conn.pragma_update(None, "foreign_keys", true)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    conn.pragma_update(
        None,
        "synchronous",
        if options.durable { "FULL" } else { "NORMAL" },
    )?;
    conn.pragma_update(None, "secure_delete", options.secure_delete)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    if !writer {
        // Negative: a size in KiB rather than in pages.
        conn.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
    }
    if writer {
        // A background thread checkpoints (crate::checkpoint); the writer's own threshold
        // only keeps the WAL from growing past it.
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            crate::checkpoint::WRITER_CHECKPOINT_PAGES,
        )?;
    }
    if let Some(trace) = options.trace.clone() {
        conn.trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |event: TraceEvent<'_>| {
                if let TraceEvent::Stmt(_, sql) = event {
                    trace(sql);
                }
            }),
        )?;
    }
    Ok(mode)
}
