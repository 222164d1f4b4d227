//! The connections of one store: one writer, a pool of readers, and the queue through which
//! concurrent writes share one commit (group commit).
//!
//! Blocking code. Its async callers (`crate::SqliteStore`) run short work on the calling thread
//! and long work on tokio's blocking pool.

use crate::checkpoint::Checkpointer;
use crate::convert::Db;
use crate::migrations;
use crate::open::{ConnectionSettings, OpenOptions, connect};
use crate::open_error::OpenError;
use datastore::{StoreError, StoreResult};
use rusqlite::Connection;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use tokio::sync::oneshot;

/// Readers kept open between reads; more are opened when more reads run at once, and closed
/// when they are returned to a full pool.
pub const MAX_IDLE_READERS: usize = 4;

/// The most queued writes one transaction takes. It bounds how long a batch holds the writer
/// (and, for a batch run on an async worker, that worker): about a millisecond.
pub const MAX_BATCH: usize = 64;

pub(crate) struct Pool {
    path: PathBuf,
    options: OpenOptions,
    writer: Mutex<Connection>,
    queue: Mutex<VecDeque<Box<dyn Job>>>,
    readers: Mutex<Vec<Connection>>,
    checkpointer: Checkpointer,
    /// A [`Pool::drain`] is scheduled on the blocking pool: at most one is, however many
    /// writes overflow a batch meanwhile.
    draining: AtomicBool,
    /// How many drains were scheduled (the tests count them).
    #[cfg(test)]
    drains_spawned: std::sync::atomic::AtomicUsize,
}

/// A drain scheduled on the blocking pool. If it never runs (the runtime is shutting down) or
/// panics, dropping it clears [`Pool::draining`], so that the next write schedules another
/// (writes still queued then wait for that next write; a panic here is all but impossible, as
/// writes and hooks run under `catch_unwind`).
struct ScheduledDrain {
    pool: Arc<Pool>,
    /// Still responsible for the flag: set until the drain has ended normally.
    armed: bool,
}

impl ScheduledDrain {
    fn run(mut self) {
        loop {
            self.pool.drain();
            if !self.pool.end_drain() {
                break;
            }
        }
        // `end_drain` cleared the flag; another drain may own it by now.
        self.armed = false;
    }
}

impl Drop for ScheduledDrain {
    fn drop(&mut self) {
        if self.armed {
            self.pool.draining.store(false, Ordering::SeqCst);
        }
    }
}

/// A lock that a panic elsewhere cannot make unusable: a panicking operation's transaction is
/// rolled back when it unwinds, so the connection is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `f`, with a panic turned into an error (the old behaviour of the blocking pool's join).
pub(crate) fn unwinding<T>(f: impl FnOnce() -> StoreResult<T>) -> StoreResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        tracing::error!("a store operation panicked");
        Err(StoreError::backend("the store operation panicked"))
    })
}

/// One queued write: run inside the batch's transaction, answered once the batch is over.
pub(crate) trait Job: Send {
    /// Runs the write; `false` when it failed (its changes are then rolled back).
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller: the write's own error, else the commit's outcome with its result.
    fn finish(self: Box<Self>, commit: StoreResult<()>);
}

/// A write waiting in the queue, what to do once it is committed, and the channel its caller
/// waits on.
struct Pending<T, F, C> {
    write: Option<F>,
    committed: C,
    out: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T, F, C> Job for Pending<T, F, C>
where
    T: Send,
    F: FnOnce(&Connection) -> StoreResult<T> + Send,
    C: FnOnce() + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let out = match self.write.take() {
            Some(write) => unwinding(|| write(conn)),
            None => Err(StoreError::backend("a queued write ran twice")),
        };
        let ok = out.is_ok();
        self.out = Some(out);
        ok
    }

    fn finish(self: Box<Self>, commit: StoreResult<()>) {
        let out = match (self.out, commit) {
            (Some(Err(e)), _) | (_, Err(e)) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (None, Ok(())) => Err(StoreError::backend("a queued write never ran")),
        };
        if out.is_ok() {
            // Committed: runs before the answer, so it has run before the caller goes on, and
            // runs even if the caller has gone.
            run_hook(self.committed);
        }
        // The caller may have gone (a cancelled request): the write stands either way.
        let _ = self.reply.send(out);
    }
}

/// Runs a commit hook; a panic in it is logged, so that the rest of a batch is still answered.
/// (The one hook, the leaderboard cache's invalidation, bumps the generation before anything in
/// it could panic, so a board is never served stale even then.)
fn run_hook(hook: impl FnOnce()) {
    if catch_unwind(AssertUnwindSafe(hook)).is_err() {
        tracing::error!("a commit hook panicked");
    }
}

/// A write for [`Pool::enqueue`] and the receiver of its answer. `committed` runs once the
/// write has succeeded and its transaction has committed, before the answer is sent.
pub(crate) fn job<T, F, C>(
    write: F,
    committed: C,
) -> (Box<dyn Job>, oneshot::Receiver<StoreResult<T>>)
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    C: FnOnce() + Send + 'static,
{
    let (reply, rx) = oneshot::channel();
    let pending = Pending {
        write: Some(write),
        committed,
        out: None,
        reply,
    };
    (Box::new(pending), rx)
}

/// How long a delete's erasure waits for readers of older snapshots.
pub(crate) const ERASE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

impl Pool {
    pub(crate) fn open(path: &Path, options: OpenOptions) -> Result<Self, OpenError> {
        let mut writer = connect(path, &options, true)?;
        migrations::migrate(&mut writer, path, migrations::LATEST)?;
        let checkpointer = Checkpointer::start(connect(path, &options, false)?)
            .map_err(|e| OpenError::Runtime(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Pool {
            path: path.to_path_buf(),
            options,
            writer: Mutex::new(writer),
            queue: Mutex::new(VecDeque::new()),
            readers: Mutex::new(Vec::new()),
            checkpointer,
            draining: AtomicBool::new(false),
            #[cfg(test)]
            drains_spawned: Default::default(),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Queues a write. Whoever holds the writer runs the queue before letting it go, so a
    /// queued write is run by [`Pool::try_run_batch`], [`Pool::drain`] or the holder.
    pub(crate) fn enqueue(&self, job: Box<dyn Job>) {
        lock(&self.queue).push_back(job);
    }

    /// Runs one batch of the queue if the writer is free, without waiting for it. Returns
    /// `true` when writes are still queued and nobody is running them: the caller must then
    /// start a [`Pool::drain`] on a thread that may block.
    pub(crate) fn try_run_batch(&self) -> bool {
        let conn = match self.writer.try_lock() {
            Ok(conn) => conn,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            // The holder runs the queue before it lets go.
            Err(TryLockError::WouldBlock) => return false,
        };
        self.run_batch(&conn);
        drop(conn);
        self.queued()
    }

    /// Runs the queue to its end on tokio's blocking pool, unless a drain is already scheduled
    /// (that one then runs what is queued now): for a caller whose [`Pool::try_run_batch`] or
    /// [`Pool::write_alone`] left writes queued. Needs a tokio runtime.
    pub(crate) fn schedule_drain(self: &Arc<Self>) {
        if self.draining.swap(true, Ordering::SeqCst) {
            return;
        }
        #[cfg(test)]
        self.drains_spawned.fetch_add(1, Ordering::SeqCst);
        let drain = ScheduledDrain {
            pool: self.clone(),
            armed: true,
        };
        tokio::task::spawn_blocking(move || drain.run());
    }

    /// Ends a scheduled drain whose queue was empty: clears [`Pool::draining`], then answers
    /// whether writes queued meanwhile (whose callers saw the drain still scheduled and left
    /// them to it); if so the drain is scheduled again, and the caller must go on draining.
    fn end_drain(&self) -> bool {
        self.draining.store(false, Ordering::SeqCst);
        self.queued() && !self.draining.swap(true, Ordering::SeqCst)
    }

    /// Runs batches until the queue is empty, waiting for the writer when it is busy. Blocks.
    pub(crate) fn drain(&self) {
        while self.queued() {
            let conn = lock(&self.writer);
            self.run_batch(&conn);
        }
    }

    fn queued(&self) -> bool {
        !lock(&self.queue).is_empty()
    }

    /// Runs `f` alone in one `BEGIN IMMEDIATE` transaction on the writer and commits if it
    /// succeeds, then runs `committed` if it did, and schedules a drain for what queued
    /// meanwhile (so the long write is answered without waiting for them). Blocks: for long
    /// writes, on the blocking pool; needs a tokio runtime.
    pub(crate) fn write_alone<T>(
        self: &Arc<Self>,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
        committed: impl FnOnce(),
    ) -> StoreResult<T> {
        let out = {
            let conn = lock(&self.writer);
            transaction(&conn, |conn| unwinding(|| f(conn)))
        };
        if out.is_ok() {
            self.checkpointer.committed();
            run_hook(committed);
        }
        if self.queued() {
            self.schedule_drain();
        }
        out
    }

    /// Whether the store overwrites deleted content ([`OpenOptions::secure_delete`]).
    pub(crate) fn secure_delete(&self) -> bool {
        self.options.secure_delete
    }

    /// Copies everything in the write-ahead log into the database file and truncates the log
    /// to nothing. Each attempt holds the writer (so nothing new is appended) only for itself;
    /// between attempts writes go on. An attempt fails while a reader is on an older snapshot
    /// (a long export) or the checkpoint thread is copying; attempts go on for up to
    /// [`ERASE_WAIT`]. Blocks. A log that still could not be emptied is logged as an error
    /// (the next delete, or the next checkpoint that resets the log, overwrites it).
    pub(crate) fn empty_wal(&self) {
        let started = std::time::Instant::now();
        loop {
            let result = {
                let conn = lock(&self.writer);
                let r = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    r.get::<_, i64>(0)
                });
                // Writes queued meanwhile are run by whoever holds the writer.
                self.run_batch(&conn);
                r
            };
            match result {
                Ok(0) => break,
                Ok(_) if started.elapsed() < ERASE_WAIT => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Ok(_) => {
                    tracing::error!(
                        path = %self.path.display(),
                        "the write-ahead log could not be emptied after a delete: a reader held \
                         an older snapshot throughout; deleted content stays in it until the \
                         log is next reset"
                    );
                    break;
                }
                Err(e) => {
                    tracing::error!(
                        path = %self.path.display(),
                        error = %e,
                        "the write-ahead log could not be emptied after a delete"
                    );
                    break;
                }
            }
        }
        self.drain();
    }

    /// Takes up to [`MAX_BATCH`] queued writes and runs them in one transaction, each in its
    /// own savepoint so that one write's failure undoes only that write; then commits, and only
    /// then answers each caller. If the transaction cannot begin or commit, every write of the
    /// batch gets that error and none of them is kept.
    fn run_batch(&self, conn: &Connection) {
        let mut jobs: Vec<Box<dyn Job>> = {
            let mut queue = lock(&self.queue);
            let n = queue.len().min(MAX_BATCH);
            queue.drain(..n).collect()
        };
        if jobs.is_empty() {
            return;
        }
        tracing::trace!(writes = jobs.len(), "a batch of writes");
        let mut lone_failed = false;
        let outcome = transaction(conn, |conn| {
            if let [only] = jobs.as_mut_slice() {
                // Alone, the transaction itself undoes a failed write.
                lone_failed = !only.run(conn);
                return match lone_failed {
                    true => Err(StoreError::backend("rolled back")),
                    false => Ok(()),
                };
            }
            for job in &mut jobs {
                statement(conn, "SAVEPOINT write")?;
                if !job.run(conn) {
                    statement(conn, "ROLLBACK TO write")?;
                }
                statement(conn, "RELEASE write")?;
            }
            Ok(())
        });
        // A lone write that failed rolled back its transaction: its own error is its answer.
        let commit = if lone_failed { Ok(()) } else { outcome };
        if !lone_failed && commit.is_ok() {
            self.checkpointer.committed();
        }
        for job in jobs {
            job.finish(commit.clone());
        }
    }

    /// Runs `f` on a pooled reader, on the calling thread: inside one read transaction when
    /// `snapshot` (several statements that must agree), else as it is (one statement is its own
    /// snapshot).
    pub(crate) fn read<T>(
        &self,
        snapshot: bool,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let conn = match lock(&self.readers).pop() {
            Some(c) => c,
            None => connect(&self.path, &self.options, false).map_err(StoreError::backend)?,
        };
        let out = match snapshot {
            true => statement(&conn, "BEGIN").and_then(|()| {
                let out = unwinding(|| f(&conn));
                // A read changes nothing: ending it releases the snapshot.
                statement(&conn, "COMMIT").and(out)
            }),
            false => unwinding(|| f(&conn)),
        };
        // A reader left inside a transaction is dropped (which rolls it back), not reused.
        if conn.is_autocommit() {
            let mut idle = lock(&self.readers);
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
        }
        out
    }

    /// The settings of the writer and the idle readers. Blocks while a write runs.
    pub(crate) fn settings(&self) -> StoreResult<Vec<ConnectionSettings>> {
        let writer = ConnectionSettings::read(&lock(&self.writer), "writer").db();
        self.drain();
        let mut out = vec![writer?];
        for r in lock(&self.readers).iter() {
            out.push(ConnectionSettings::read(r, "reader").db()?);
        }
        Ok(out)
    }
}

/// Runs `f` in a `BEGIN IMMEDIATE` transaction: committed if `f` succeeds, rolled back if not
/// (or if the commit fails).
fn transaction<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> StoreResult<T>,
) -> StoreResult<T> {
    statement(conn, "BEGIN IMMEDIATE")?;
    let out = f(conn).and_then(|v| statement(conn, "COMMIT").map(|()| v));
    if out.is_err() && !conn.is_autocommit() {
        // Nothing to add if this fails too: the connection is rolled back when it is next used.
        let _ = statement(conn, "ROLLBACK");
    }
    out
}

/// One transaction-control statement, from the connection's statement cache.
fn statement(conn: &Connection, sql: &str) -> StoreResult<()> {
    conn.prepare_cached(sql).db()?.execute([]).db()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A pool on a fresh file with a scratch table, and its writer held so that writes queue.
    fn pool() -> (tempfile::TempDir, Pool) {
        let dir = tempfile::tempdir().unwrap();
        let pool = Pool::open(&dir.path().join("pool.db"), OpenOptions::default()).unwrap();
        lock(&pool.writer)
            .execute_batch(
                "CREATE TABLE scratch (n INTEGER PRIMARY KEY);
                 CREATE TABLE parent (id INTEGER PRIMARY KEY);
                 CREATE TABLE child (parent INTEGER REFERENCES parent (id)
                     DEFERRABLE INITIALLY DEFERRED);",
            )
            .unwrap();
        (dir, pool)
    }

    fn insert(n: i64) -> impl FnOnce(&Connection) -> StoreResult<i64> + Send + 'static {
        move |c| {
            c.execute("INSERT INTO scratch (n) VALUES (?1)", [n]).db()?;
            Ok(n)
        }
    }

    fn rows(pool: &Pool) -> Vec<i64> {
        pool.read(false, |c| {
            let mut stmt = c.prepare("SELECT n FROM scratch ORDER BY n").db()?;
            let rows = stmt.query_map([], |r| r.get(0)).db()?;
            rows.collect::<rusqlite::Result<Vec<i64>>>().db()
        })
        .unwrap()
    }

    /// A write of the tests.
    type Write<T> = Box<dyn FnOnce(&Connection) -> StoreResult<T> + Send>;

    /// Queues `writes` while the writer is busy, then runs them: one batch. Returns each
    /// write's answer, after checking that the commit hook ran for exactly the kept writes.
    fn batch<T: Send + 'static>(pool: &Pool, writes: Vec<Write<T>>) -> Vec<StoreResult<T>> {
        let hooks = Arc::new(Mutex::new(Vec::new()));
        let answers: Vec<_> = {
            let _busy = lock(&pool.writer);
            writes
                .into_iter()
                .enumerate()
                .map(|(i, w)| {
                    let hooks = hooks.clone();
                    let (job, rx) = job(w, move || hooks.lock().unwrap().push(i));
                    pool.enqueue(job);
                    assert!(!pool.try_run_batch(), "the writer is busy: nothing runs");
                    rx
                })
                .collect()
        };
        assert!(!pool.try_run_batch(), "one batch took every queued write");
        let out: Vec<_> = answers
            .into_iter()
            .map(|mut rx| rx.try_recv().expect("answered once the batch committed"))
            .collect();
        let hooked = hooks.lock().unwrap().clone();
        let succeeded: Vec<usize> = (0..out.len()).filter(|&i| out[i].is_ok()).collect();
        assert_eq!(
            hooked, succeeded,
            "the commit hook ran for the kept writes only"
        );
        out
    }

    #[test]
    fn a_failed_write_in_a_batch_undoes_only_itself() {
        let (_dir, pool) = pool();
        let results = batch(
            &pool,
            vec![
                Box::new(insert(1)),
                Box::new(|c: &Connection| {
                    insert(2)(c)?;
                    Err(StoreError::backend("refused after writing"))
                }),
                Box::new(|_: &Connection| panic!("a bug in a write")),
                Box::new(insert(3)),
            ],
        );
        assert_eq!(results[0], Ok(1));
        assert_eq!(
            results[1],
            Err(StoreError::backend("refused after writing"))
        );
        assert_eq!(
            results[2],
            Err(StoreError::backend("the store operation panicked"))
        );
        assert_eq!(results[3], Ok(3));
        assert_eq!(rows(&pool), vec![1, 3]);
    }

    #[test]
    fn a_failed_commit_fails_every_write_of_the_batch_and_keeps_none() {
        let (_dir, pool) = pool();
        // A deferred foreign key is checked at COMMIT: the whole batch's commit fails.
        let results = batch(
            &pool,
            vec![
                Box::new(insert(1)),
                Box::new(|c: &Connection| {
                    c.execute("INSERT INTO child (parent) VALUES (42)", [])
                        .db()?;
                    Ok(0)
                }),
                Box::new(insert(2)),
            ],
        );
        assert!(results.iter().all(|r| r.is_err()), "{results:?}");
        assert_eq!(rows(&pool), Vec::<i64>::new());
        // The writer is usable afterwards.
        assert_eq!(batch(&pool, vec![Box::new(insert(7))]), vec![Ok(7)]);
        assert_eq!(rows(&pool), vec![7]);
    }

    #[test]
    fn a_lone_write_commits_or_rolls_back_by_itself() {
        let (_dir, pool) = pool();
        assert_eq!(batch(&pool, vec![Box::new(insert(5))]), vec![Ok(5)]);
        let failed = batch::<i64>(
            &pool,
            vec![Box::new(|c: &Connection| {
                insert(6)(c)?;
                Err(StoreError::backend("no"))
            })],
        );
        assert_eq!(failed, vec![Err(StoreError::backend("no"))]);
        assert_eq!(rows(&pool), vec![5]);
        assert!(
            lock(&pool.writer).is_autocommit(),
            "no transaction left open"
        );
    }

    #[test]
    fn the_commit_hook_runs_once_the_write_is_visible_to_other_connections() {
        let (_dir, pool) = pool();
        let path = pool.path().to_path_buf();
        let seen = Arc::new(Mutex::new(None));
        let hook = seen.clone();
        let (job, mut rx) = job(insert(1), move || {
            let other = Connection::open(&path).unwrap();
            let rows: i64 = other
                .query_row("SELECT count(*) FROM scratch", [], |r| r.get(0))
                .unwrap();
            *hook.lock().unwrap() = Some(rows);
        });
        pool.enqueue(job);
        assert!(!pool.try_run_batch());
        assert_eq!(rx.try_recv().expect("answered"), Ok(1));
        assert_eq!(*seen.lock().unwrap(), Some(1), "the hook ran after COMMIT");
    }

    #[test]
    fn committed_pages_reach_the_database_file_without_a_checkpoint_in_a_commit() {
        let (_dir, pool) = pool();
        let limit: u32 = lock(&pool.writer)
            .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))
            .unwrap();
        assert_eq!(
            limit,
            crate::checkpoint::WRITER_CHECKPOINT_PAGES,
            "the writer still bounds the WAL"
        );
        let file = pool.path().to_path_buf();
        let before = std::fs::metadata(&file).unwrap().len();
        // About 100 pages: far below the writer's own threshold, so only the background
        // thread can copy them into the file.
        for n in 0..100 {
            let (job, _rx) = job(
                move |c: &Connection| {
                    c.execute("CREATE TABLE IF NOT EXISTS big (b BLOB)", [])
                        .db()?;
                    c.execute("INSERT INTO big VALUES (zeroblob(4000))", [])
                        .db()?;
                    Ok(n)
                },
                || (),
            );
            pool.enqueue(job);
            pool.drain();
        }
        let grown = (0..500).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            std::fs::metadata(&file).unwrap().len() >= before + 100 * 4000
        });
        assert!(
            grown,
            "the background checkpoint copied the pages into the file"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_queued_behind_a_long_write_run_when_it_ends() {
        let (_dir, pool) = pool();
        let pool = Arc::new(pool);
        let order = Arc::new(Mutex::new(Vec::new()));
        let log = order.clone();
        let (job, rx) = job(insert(1), move || log.lock().unwrap().push("queued"));
        {
            let _busy = lock(&pool.writer);
            pool.enqueue(job);
        }
        // The long write runs alone and is answered; what queued meanwhile runs in a drain.
        let log = order.clone();
        let alone = pool.write_alone(insert(2), move || log.lock().unwrap().push("alone"));
        assert_eq!(alone, Ok(2));
        assert_eq!(pool.drains_spawned.load(Ordering::SeqCst), 1);
        assert_eq!(rx.await.expect("answered"), Ok(1));
        assert_eq!(rows(&pool), vec![1, 2]);
        assert_eq!(
            *order.lock().unwrap(),
            ["alone", "queued"],
            "the long write's hook ran as it committed, before the queue behind it"
        );
    }

    #[test]
    fn a_panicking_commit_hook_leaves_the_rest_of_the_batch_answered() {
        let (_dir, pool) = pool();
        let ran = Arc::new(Mutex::new(false));
        let (first, mut first_rx) = job(insert(1), || panic!("a bug in a hook"));
        let hook = ran.clone();
        let (second, mut second_rx) = job(insert(2), move || *hook.lock().unwrap() = true);
        {
            let _busy = lock(&pool.writer);
            pool.enqueue(first);
            pool.enqueue(second);
        }
        assert!(!pool.try_run_batch());
        assert_eq!(first_rx.try_recv().expect("answered"), Ok(1));
        assert_eq!(second_rx.try_recv().expect("answered"), Ok(2));
        assert!(*ran.lock().unwrap(), "the second write's hook ran");
        assert_eq!(rows(&pool), vec![1, 2]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_drain_runs_however_many_writes_overflow() {
        let (_dir, pool) = pool();
        let pool = Arc::new(pool);
        let n = 3 * MAX_BATCH as i64;
        let answers: Vec<_> = {
            let _busy = lock(&pool.writer);
            let answers = (0..n)
                .map(|i| {
                    let (job, rx) = job(insert(i), || ());
                    pool.enqueue(job);
                    pool.schedule_drain();
                    rx
                })
                .collect();
            assert!(
                pool.draining.load(Ordering::SeqCst),
                "a drain is scheduled while the writer is busy"
            );
            answers
        };
        for (i, rx) in answers.into_iter().enumerate() {
            assert_eq!(rx.await.expect("answered"), Ok(i as i64));
        }
        assert_eq!(rows(&pool), (0..n).collect::<Vec<_>>());
        assert_eq!(
            pool.drains_spawned.load(Ordering::SeqCst),
            1,
            "one drain for every overflowing write"
        );
        let mut idle = false;
        for _ in 0..500 {
            idle = !pool.draining.load(Ordering::SeqCst);
            if idle {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        assert!(idle, "the drain ended with the queue");
        // A write queued once the drain has ended gets a drain of its own.
        let (job, rx) = job(insert(n), || ());
        pool.enqueue(job);
        pool.schedule_drain();
        assert_eq!(rx.await.expect("answered"), Ok(n));
        assert_eq!(pool.drains_spawned.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_write_queued_as_a_drain_ends_keeps_the_drain_going() {
        let (_dir, pool) = pool();
        // A drain is scheduled and has just emptied the queue; a write is queued, and its
        // caller, seeing the drain scheduled, leaves the write to it.
        pool.draining.store(true, Ordering::SeqCst);
        let (job, mut rx) = job(insert(1), || ());
        pool.enqueue(job);
        assert!(pool.end_drain(), "the drain goes on for the late write");
        assert!(pool.draining.load(Ordering::SeqCst));
        pool.drain();
        assert_eq!(rx.try_recv().expect("answered"), Ok(1));
        assert!(!pool.end_drain(), "nothing queued: the drain ends");
        assert!(!pool.draining.load(Ordering::SeqCst));
    }

    #[test]
    fn a_drain_that_never_runs_lets_the_next_write_schedule_one() {
        let (_dir, pool) = pool();
        let pool = Arc::new(pool);
        pool.draining.store(true, Ordering::SeqCst);
        // What the blocking pool does with a task it will not run: drops it.
        drop(ScheduledDrain {
            pool: pool.clone(),
            armed: true,
        });
        assert!(!pool.draining.load(Ordering::SeqCst));
    }
}
