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
//! * **One writer, group commit.** All writes go through a single connection, each inside a
//!   `BEGIN IMMEDIATE` transaction: the write lock is taken before the first read, so a
//!   read-then-write (a spend checking the balance) can neither lose an update nor fail half way
//!   with `SQLITE_BUSY`. Two spends of one user are serialised; neither can overdraw. Writes
//!   that arrive while the writer is busy wait in a queue, and the next batch (up to
//!   [`MAX_BATCH`] of them) runs in one transaction, each write in its own savepoint: a write
//!   that fails undoes only its own changes, and every caller is answered only after the
//!   batch's `COMMIT` (a failed `BEGIN` or `COMMIT` is every write's error, and none is kept).
//!   One commit then serves many writes, which is what lets the server take more writes a
//!   second than SQLite can commit transactions.
//! * **Checkpoints off the commit path.** A background thread with its own connection runs a
//!   passive checkpoint after commits (at most one every 10 ms), copying committed pages from
//!   the WAL into the file while writes go on; the writer keeps SQLite's automatic checkpoint at
//!   4,096 pages as the bound on the WAL, and by then most pages are already copied.
//! * **A pool of readers.** Reads run on separate connections (at most [`MAX_IDLE_READERS`]
//!   kept idle, more opened on demand), each multi-statement read in one deferred
//!   transaction, so it sees one consistent snapshot (a single statement is its own). In WAL
//!   mode readers never block the writer and the writer never blocks readers.
//! * **Where the work runs.** A short operation (a point read, a bounded page, a single-row
//!   write) costs a few microseconds of SQLite, less than handing it to another thread, so it
//!   runs on the calling task's thread: a read directly, a write by running one batch of the
//!   queue when the writer is free (more batches behind it go to one drain on tokio's blocking
//!   pool). An operation whose size grows with the data (a bulk award, an export, analytics,
//!   deleting a streamer or a user, purges, counts) runs on tokio's blocking pool
//!   ([`tokio::task::spawn_blocking`]), so it never stalls the async runtime, and is answered
//!   as it commits (what queued behind it goes to a drain). A panic inside an
//!   operation is caught and answered as a backend error.
//! * **A leaderboard cache.** Each streamer's last leaderboard is kept (at most
//!   [`OpenOptions::leaderboard_cache_rows`] rows in all) and served until a write of that
//!   streamer commits: every write bumps its streamer's generation after its `COMMIT` and before
//!   its caller is answered, and a board is served only while the generation it was read at is
//!   current. The cache relies on the store being the file's only writer, like the rest.

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

mod cache;
mod checkpoint;
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

pub use cache::LEADERBOARD_CACHE_ROWS;
pub use open::{BUSY_TIMEOUT, ConnectionSettings, OpenError, OpenOptions, StatementTrace};
pub use pool::{MAX_BATCH, MAX_IDLE_READERS};

use cache::LeaderboardCache;
use datastore::{Clock, StoreError, StoreResult, StreamerId, Timestamp};
use pool::Pool;
use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;

/// The SQLite backend. Cheap to clone: clones share the file's connections.
#[derive(Clone)]
pub struct SqliteStore {
    pool: Arc<Pool>,
    clock: Arc<dyn Clock>,
    boards: Arc<LeaderboardCache>,
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
        let cache_rows = options.leaderboard_cache_rows;
        let pool = tokio::task::spawn_blocking(move || Pool::open(&path, options))
            .await
            .map_err(|e| OpenError::Runtime(e.to_string()))??;
        Ok(Self::with_pool(pool, clock, cache_rows))
    }

    /// [`SqliteStore::open_with`] for code that is not async (command-line tools, tests).
    pub fn open_blocking(
        path: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
        options: OpenOptions,
    ) -> Result<Self, OpenError> {
        let cache_rows = options.leaderboard_cache_rows;
        Ok(Self::with_pool(
            Pool::open(path.as_ref(), options)?,
            clock,
            cache_rows,
        ))
    }

    fn with_pool(pool: Pool, clock: Arc<dyn Clock>, cache_rows: usize) -> Self {
        SqliteStore {
            pool: Arc::new(pool),
            clock,
            boards: Arc::new(LeaderboardCache::new(cache_rows)),
        }
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

    /// Runs the short write `f` of `streamer` (`None` only for creating a streamer, whose id
    /// no board can be cached under yet) in a `BEGIN IMMEDIATE` transaction on
    /// the writer and answers once that transaction has committed. `f` gets the time at which it
    /// runs (the write lock held, so rows are stamped in commit order); its error undoes its own
    /// changes only. Once committed, and before the answer, the streamer's cached leaderboard
    /// is invalidated.
    ///
    /// Concurrent writes share a transaction (group commit, see the crate docs): the write is
    /// queued, and if the writer is free this task runs one batch of the queue right here.
    async fn write<T, F>(&self, streamer: impl Into<Option<StreamerId>>, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, Timestamp) -> StoreResult<T> + Send + 'static,
    {
        let clock = self.clock.clone();
        let committed = self.invalidate(streamer.into());
        let (job, answer) = pool::job(move |conn| f(conn, clock.now()), committed);
        self.pool.enqueue(job);
        if self.pool.try_run_batch() {
            // More queued behind this batch: run it where blocking is allowed.
            self.pool.schedule_drain();
        }
        answer.await.map_err(|_| {
            tracing::error!("a queued write was dropped unanswered");
            StoreError::backend("the store operation did not complete")
        })?
    }

    /// [`SqliteStore::write`] for a write whose size the caller sets (a bulk award, deleting a
    /// streamer, a purge): it runs alone, on tokio's blocking pool.
    async fn write_long<T, F>(
        &self,
        streamer: impl Into<Option<StreamerId>>,
        f: F,
    ) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, Timestamp) -> StoreResult<T> + Send + 'static,
    {
        let (pool, clock) = (self.pool.clone(), self.clock.clone());
        let committed = self.invalidate(streamer.into());
        // The blocking pool runs the closure to its end even if this future is dropped.
        run_blocking(move || pool.write_alone(|conn| f(conn, clock.now()), committed)).await
    }

    /// What to run once a write of `streamer` has committed: mark its leaderboard stale.
    fn invalidate(&self, streamer: Option<StreamerId>) -> impl FnOnce() + Send + 'static {
        let boards = self.boards.clone();
        move || {
            if let Some(streamer) = streamer {
                boards.invalidate(streamer);
            }
        }
    }

    /// Runs the short read `f` (a bounded number of rows, by index) in one read transaction on
    /// a pooled reader, on the calling thread: a few microseconds, less than a hand-off.
    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(&Connection, Timestamp) -> StoreResult<T>,
    {
        let now = self.clock.now();
        self.pool.read(true, |conn| f(conn, now))
    }

    /// [`SqliteStore::read`] for a read of exactly one statement, which is its own snapshot:
    /// no transaction around it (the hot point reads).
    async fn read_one<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(&Connection, Timestamp) -> StoreResult<T>,
    {
        let now = self.clock.now();
        self.pool.read(false, |conn| f(conn, now))
    }

    /// [`SqliteStore::read`] for a read whose size grows with the data (an export, counts and
    /// sums over a streamer): on tokio's blocking pool.
    async fn read_long<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, Timestamp) -> StoreResult<T> + Send + 'static,
    {
        let now = self.clock.now();
        let pool = self.pool.clone();
        run_blocking(move || pool.read(true, |conn| f(conn, now))).await
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
