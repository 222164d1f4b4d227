//! The background checkpointer: copies committed pages from the WAL into the database file on
//! its own thread and connection, so that commits rarely wait for a checkpoint.
//!
//! SQLite's automatic checkpoint runs inside the commit that passes its threshold: that commit
//! (and, with group commit, every write queued behind it) waits while the pages are copied and
//! both files are synced. Here a thread runs a `PASSIVE` checkpoint after commits (at most one
//! every [`PACE`]), beside the writer and readers, never blocking them. A passive checkpoint
//! cannot reset the WAL while the writer keeps appending, so the writer keeps an automatic
//! checkpoint too, at [`WRITER_CHECKPOINT_PAGES`]: it bounds the WAL, and when it runs, the
//! thread has already copied nearly everything, so it is short.

use rusqlite::Connection;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// The writer's own automatic checkpoint threshold, in pages (16 MiB of 4 KiB pages): past
/// it, a commit checkpoints (and resets the WAL when no reader holds an old snapshot), which
/// keeps the WAL near this size.
pub(crate) const WRITER_CHECKPOINT_PAGES: u32 = 4096;

/// The least time between two background checkpoints.
const PACE: Duration = Duration::from_millis(10);

#[derive(Default)]
struct State {
    commits: u64,
    stop: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The checkpoint thread. Dropping it stops the thread and waits for it.
pub(crate) struct Checkpointer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on `conn`, a connection of its own to the file.
    pub(crate) fn start(conn: Connection) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        let theirs = shared.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&conn, &theirs))?;
        Ok(Checkpointer {
            shared,
            thread: Some(thread),
        })
    }

    /// Tells the thread a transaction committed: there are pages to copy.
    pub(crate) fn committed(&self) {
        self.shared.lock().commits += 1;
        self.shared.wake.notify_one();
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(conn: &Connection, shared: &Shared) {
    let mut seen = 0;
    let mut failing = false;
    loop {
        {
            let mut state = shared.lock();
            while state.commits == seen && !state.stop {
                state = shared.wake.wait(state).unwrap_or_else(|e| e.into_inner());
            }
            if state.stop {
                return;
            }
            seen = state.commits;
        }
        // Busy (another checkpoint running, another process's lock) only means: next time.
        let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
        match done {
            Ok((log, copied)) => {
                if failing {
                    tracing::info!("background checkpoints succeed again");
                }
                failing = false;
                tracing::trace!(log, copied, "background checkpoint");
            }
            // Once per run of failures, not a hundred times a second.
            Err(e) if !failing => {
                failing = true;
                tracing::warn!(error = %e, "a background checkpoint failed; the writer's own \
                    checkpoint still bounds the WAL");
            }
            Err(e) => tracing::debug!(error = %e, "a background checkpoint failed again"),
        }
        // The pace, cut short by a stop.
        let state = shared.lock();
        if !state.stop {
            let _ = shared.wake.wait_timeout_while(state, PACE, |s| !s.stop);
        }
    }
}
