//! The SQLite [`DataStore`](datastore::DataStore): the embedded default backend.
//!
//! One SQLite file holds every streamer. Isolation rests on three things, each tested:
//!
//! * **The schema** (`migrations/`): every tenant table has `streamer_id NOT NULL` cascading
//!   from `streamers`; rows that hang off a user reference it through the composite key
//!   `(streamer_id, user_id) → users(streamer_id, id)`, so no row can point at another
//!   streamer's user whatever a query does; every uniqueness rule is per streamer.
//! * **The statements**: every statement that reads or writes a tenant table constrains
//!   `streamer_id` (a test traces every statement the whole conformance suite runs), and each
//!   operation's tenant predicates are load-bearing (`scripts/tenant-mutants` weakens them one at
//!   a time and the suite must fail each time).
//! * **The contract's suite**: `cargo test -p conformance` runs every conformance case,
//!   sweep and property test against this store.
//!
//! # Opening
//!
//! [`SqliteStore::open`] creates the file if needed, then applies the pending migrations in
//! [`migrations`] (each in one transaction, recorded in `PRAGMA user_version`). A file of another
//! application, a database written by a newer version, or a corrupt file is refused with an
//! [`OpenError`] that says which.
//!
//! # Connections, pooling and locking
//!
//! * **One writer.** All writes go through a single connection behind a mutex. Each write is
//!   one `BEGIN IMMEDIATE` transaction: the write lock is taken before the first read, so a
//!   read-then-write (a spend checking the balance) can neither lose an update nor fail half way
//!   with `SQLITE_BUSY`. Two spends of one user are serialised; neither can overdraw.
//! * **A pool of readers.** Reads run on separate connections (at most [`MAX_IDLE_READERS`]
//!   kept idle, more opened on demand), each read in one deferred transaction, so a read sees one
//!   consistent snapshot. In WAL mode readers never block the writer and the writer never
//!   blocks readers.
//! * **Off the runtime.** Every operation runs on tokio's blocking pool
//!   ([`tokio::task::spawn_blocking`]), so a long one (a bulk award, an export, deleting a big
//!   streamer) never stalls the async runtime; the writer mutex is only ever held on those
//!   threads (but for [`SqliteStore::connection_settings`], a blocking diagnostic).
//!
//! # Every connection
//!
//! Each connection, the writer and every pooled reader alike, is configured by one function
//! before it is used ([`SqliteStore::connection_settings`] reports them, and a test checks every
//! connection the store hands out):
//!
//! * `foreign_keys = ON` (SQLite's default is off, per connection): cascades and composite keys
//!   hold.
//! * `journal_mode = WAL`, and a `busy_timeout` of [`BUSY_TIMEOUT`], for other processes that
//!   open the same file (a backup, an admin shell).
//! * `synchronous = NORMAL`. In WAL mode this means: a committed write survives a crash of the
//!   process (the WAL is written before commit returns); after a power loss or OS crash the
//!   database is always consistent, but the last transactions committed before it may be rolled
//!   back (they were in the WAL, not yet fsynced). `FULL` would close that window at the cost of
//!   an fsync per commit; a lost watch-time tick is an acceptable trade for KickOverlay.
//!   Open with [`OpenOptions::durable`] to get `FULL`.
//! * Statements come from each connection's prepared-statement cache (`prepare_cached`).

#![warn(missing_docs)]

mod convert;
mod cooldowns;
mod goals;
pub mod legacy;
pub mod migrations;
mod open;
mod overlay;
mod points;
mod pool;
mod powerups;
mod reports;
mod sessions;
mod streamers;
mod tips;
mod tokens;
mod users;
mod verification;

pub use open::{BUSY_TIMEOUT, ConnectionSettings, OpenError, OpenOptions, StatementTrace};
pub use pool::MAX_IDLE_READERS;

use datastore::{Clock, StoreError, StoreResult, Timestamp};
use pool::Pool;
use rusqlite::{Connection, Transaction};
use std::path::Path;
use std::sync::Arc;

/// The SQLite backend. Cheap to clone: clones share the file's connections.
#[derive(Clone)]
pub struct SqliteStore {
    pool: Arc<Pool>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.pool.path())
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` with the default options, applies pending
    /// migrations, and reads time from `clock`.
    pub async fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Self, OpenError> {
        Self::open_with(path, clock, OpenOptions::default()).await
    }

    /// [`SqliteStore::open`] with explicit options.
    pub async fn open_with(
        path: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
        options: OpenOptions,
    ) -> Result<Self, OpenError> {
        let path = path.as_ref().to_path_buf();
        let pool = tokio::task::spawn_blocking(move || Pool::open(&path, options))
            .await
            .map_err(|e| OpenError::Runtime(e.to_string()))??;
        Ok(SqliteStore {
            pool: Arc::new(pool),
            clock,
        })
    }

    /// [`SqliteStore::open_with`] for code that is not async (command-line tools, tests).
    pub fn open_blocking(
        path: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
        options: OpenOptions,
    ) -> Result<Self, OpenError> {
        Ok(SqliteStore {
            pool: Arc::new(Pool::open(path.as_ref(), options)?),
            clock,
        })
    }

    /// The settings of every connection the store holds right now (the writer first, then the
    /// idle readers): for health checks, and for the test that every connection is configured.
    ///
    /// A blocking call: it waits for the writer to finish its current transaction. From async
    /// code, call it inside `tokio::task::spawn_blocking`.
    pub fn connection_settings(&self) -> StoreResult<Vec<ConnectionSettings>> {
        self.pool.settings()
    }

    /// The path of the database file.
    pub fn path(&self) -> &Path {
        self.pool.path()
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the writer, off the async runtime.
    /// `f` gets the time at which the transaction began; its error rolls everything back.
    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>, Timestamp) -> StoreResult<T> + Send + 'static,
    {
        let (pool, clock) = (self.pool.clone(), self.clock.clone());
        // The time is read once the write lock is held, so rows are stamped in commit order
        // even when a write waited behind a long one.
        run_blocking(move || pool.write(|tx| f(tx, clock.now()))).await
    }

    /// Runs `f` in one read transaction on a pooled reader, off the async runtime.
    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, Timestamp) -> StoreResult<T> + Send + 'static,
    {
        let now = self.clock.now();
        let pool = self.pool.clone();
        run_blocking(move || pool.read(|conn| f(conn, now))).await
    }
}

async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "a store operation panicked or was cancelled");
        StoreError::backend(format!("the store operation did not complete: {e}"))
    })?
}
