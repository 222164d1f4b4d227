//! The leaderboard cache under concurrency: while two streamers' viewers earn points and other
//! tasks keep reading both boards (filling the cache from snapshots that race the writes), a
//! board read after an earn is acknowledged always shows that earn, never shows another
//! streamer's viewer, and at the end every cached board equals the database's.
//!
//! Shown to fail when writes do not invalidate the cache, and when a write's invalidation runs
//! after its caller is answered instead of before.

use datastore::{
    NewStreamer, PointDelta, PointSource, PointStore, StreamerId, StreamerStore, SystemClock,
    UserId, UserStore,
};
use reference_store::{OpenOptions, SqliteStore};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const WRITERS_PER_STREAMER: usize = 3;
const USERS_PER_WRITER: usize = 4;
const EARNS_PER_WRITER: usize = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn boards_read_during_concurrent_writes_are_never_stale_or_foreign() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    let store = Arc::new(
        SqliteStore::open(&path, Arc::new(SystemClock))
            .await
            .unwrap(),
    );
    let uncached = SqliteStore::open_with(
        &path,
        Arc::new(SystemClock),
        OpenOptions {
            leaderboard_cache_rows: 0,
            ..OpenOptions::default()
        },
    )
    .await
    .unwrap();

    let mut tenants: Vec<(StreamerId, Vec<UserId>)> = Vec::new();
    for name in ["alpha", "bravo"] {
        let s = store
            .create_streamer(NewStreamer::named(name))
            .await
            .unwrap()
            .id;
        let mut users = Vec::new();
        for i in 0..WRITERS_PER_STREAMER * USERS_PER_WRITER {
            let u = store
                .get_or_create_user(s, &format!("{name}-viewer-{i}"))
                .await
                .unwrap()
                .user
                .id;
            users.push(u);
        }
        tenants.push((s, users));
    }

    let writing = Arc::new(AtomicBool::new(true));
    let mut readers = Vec::new();
    for (s, _) in &tenants {
        for _ in 0..2 {
            let (store, writing, s) = (store.clone(), writing.clone(), *s);
            readers.push(tokio::spawn(async move {
                let mut reads = 0;
                while writing.load(Ordering::SeqCst) {
                    store.leaderboard(s, 50).await.unwrap();
                    reads += 1;
                    tokio::task::yield_now().await;
                }
                reads
            }));
        }
    }

    let mut writers = Vec::new();
    for (s, users) in &tenants {
        let own: HashSet<UserId> = users.iter().copied().collect();
        for chunk in users.chunks(USERS_PER_WRITER) {
            let (store, s, chunk, own) = (store.clone(), *s, chunk.to_vec(), own.clone());
            writers.push(tokio::spawn(async move {
                let mut problems = Vec::new();
                for n in 0..EARNS_PER_WRITER {
                    let u = chunk[n % chunk.len()];
                    let earned = store
                        .earn_points(s, u, PointDelta::new(1 + n as i64, PointSource::Chat))
                        .await
                        .unwrap()
                        .channel_points;
                    let board = store.leaderboard(s, 50).await.unwrap();
                    if let Some(r) = board.iter().find(|r| !own.contains(&r.user_id)) {
                        problems.push(format!("{s:?}'s board shows {:?}", r.user_id));
                    }
                    // Only this task writes `u`: the board must show exactly the balance the
                    // earn acknowledged.
                    match board.iter().find(|r| r.user_id == u) {
                        Some(r) if r.channel_points == earned => {}
                        other => problems.push(format!(
                            "{s:?}: {u:?} earned up to {earned}, the board then showed {other:?}"
                        )),
                    }
                }
                problems
            }));
        }
    }

    let mut problems = Vec::new();
    for w in writers {
        problems.extend(w.await.unwrap());
    }
    writing.store(false, Ordering::SeqCst);
    let mut reads = 0;
    for r in readers {
        reads += r.await.unwrap();
    }
    assert!(reads > 0, "the readers ran beside the writers");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for (s, _) in &tenants {
        assert_eq!(
            store.leaderboard(*s, 50).await.unwrap(),
            uncached.leaderboard(*s, 50).await.unwrap(),
            "the cached board of {s:?} equals the database's"
        );
    }
}
