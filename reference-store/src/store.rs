//! [`SqliteStore`]: the handle every domain module implements its trait on, and the ways an
//! operation runs (a short write on the writer, a long one on the blocking pool, a read on a
//! pooled reader).

use crate::cache::LeaderboardCache;
use crate::open::{ConnectionSettings, OpenOptions};
use crate::open_error::OpenError;
use crate::pool::{self, Pool};
use datastore::{Clock, StoreError, StoreResult, StreamerId, Timestamp};
use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;

/// The SQLite backend. Cheap to clone: clones share the file's connections.
#[derive(Clone)]
pub struct SqliteStore {
    pool: Arc<Pool>,
    clock: Arc<dyn Clock>,
    pub(crate) boards: Arc<LeaderboardCache>,
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
    pub(crate) async fn write<T, F>(
        &self,
        streamer: impl Into<Option<StreamerId>>,
        f: F,
    ) -> StoreResult<T>
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
    pub(crate) async fn write_long<T, F>(
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

    /// [`SqliteStore::write_long`] for a delete whose content must not stay readable anywhere
    /// in the files (a streamer, a viewer): once it has committed, and with `secure_delete` on,
    /// the write-ahead log (which still holds earlier versions of the deleted pages) is
    /// checkpointed and truncated to nothing before the caller is answered.
    pub(crate) async fn write_erasing<T, F>(
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
        // One blocking task for both steps, which runs to its end even if the caller goes away:
        // a delete that committed is always followed by the erasure.
        run_blocking(move || {
            let out = pool.write_alone(|conn| f(conn, clock.now()), committed)?;
            if pool.secure_delete() {
                pool.empty_wal();
            }
            Ok(out)
        })
        .await
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
    pub(crate) async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(&Connection, Timestamp) -> StoreResult<T>,
    {
        let now = self.clock.now();
        self.pool.read(true, |conn| f(conn, now))
    }

    /// [`SqliteStore::read`] for a read of exactly one statement, which is its own snapshot:
    /// no transaction around it (the hot point reads).
    pub(crate) async fn read_one<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(&Connection, Timestamp) -> StoreResult<T>,
    {
        let now = self.clock.now();
        self.pool.read(false, |conn| f(conn, now))
    }

    /// [`SqliteStore::read`] for a read whose size grows with the data (an export, counts and
    /// sums over a streamer): on tokio's blocking pool.
    pub(crate) async fn read_long<T, F>(&self, f: F) -> StoreResult<T>
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
