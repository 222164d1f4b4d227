//! The PostgreSQL store's pool under cancellation: an operation cancelled half way (a client
//! hung up, a timeout fired) must never give its connection back inside its transaction or
//! with its streamer still set.
//!
//! Many of streamer A's writes run at once on a small pool, each cancelled after a different
//! delay, so cancellations land before, inside and after their transactions. Afterwards every
//! idle connection must be outside any transaction with no tenant or operator setting, every
//! one of A's ledgers must sum to its balance (a cancelled write left nothing half done), and
//! B, using the same connections next, sees nothing of A. The same run on a store that keeps
//! cancelled connections (the bug, switched on for the test) must be caught.

mod pg;

use datastore::{
    HistoryRequest, NewStreamer, PointDelta, PointSource, PointStore, PowerupStore, PowerupType,
    StreamerId, StreamerStore, UserId, UserStore,
};
use pg::clock;
use pg_store::{PgOptions, PgStore};
use std::time::Duration;

fn options() -> PgOptions {
    let mut options = pg::fresh_options();
    options.max_connections = 4;
    options
}

/// What one cancellation round left behind: dirty idle connections, and users of A whose
/// ledger does not sum to their balance.
struct Leftovers {
    dirty: Vec<String>,
    torn: Vec<UserId>,
    b_saw_a: Vec<String>,
}

async fn cancel_under_load(
    store: &PgStore,
    a: StreamerId,
    b: StreamerId,
    users: &[UserId],
) -> Leftovers {
    let mut tasks = Vec::new();
    for i in 0..240u64 {
        let store = store.clone();
        let user = users[(i as usize) % users.len()];
        // Delays from 0 to ~3 ms, spread so cancellations land at every point of an operation.
        let delay = Duration::from_micros((i * 7919) % 3000);
        tasks.push(tokio::spawn(async move {
            let op = async {
                match i % 3 {
                    0 => store
                        .earn_points(a, user, PointDelta::new(5, PointSource::Chat))
                        .await
                        .map(|_| ()),
                    1 => store
                        .purchase_powerup(a, user, PowerupType::Boost)
                        .await
                        .map(|_| ()),
                    _ => store
                        .spend_points(a, user, PointDelta::new(1, PointSource::Spend))
                        .await
                        .map(|_| ()),
                }
            };
            let _ = tokio::time::timeout(delay, op).await;
        }));
    }
    for t in tasks {
        t.await.expect("a cancelled task does not panic");
    }
    // What the storm left idle (a pool that discards every cancelled connection may have
    // nothing idle now), then, once uncancelled operations have run, what they left.
    let mut dirty = Vec::new();
    inspect(store, &mut dirty, false).await;
    // Fill the pool again with uncancelled operations of A, so that the inspection below
    // sees connections A's transactions ran on (a pool that discarded every cancelled one may
    // have none idle right now).
    let refill: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            let user = users[0];
            tokio::spawn(async move { store.get_points(a, user).await })
        })
        .collect();
    for r in refill {
        // A connection left in a failed transaction fails the next operation on it.
        if let Err(e) = r.await.expect("a read task") {
            dirty.push(format!("the next operation failed: {e}"));
        }
    }
    inspect(store, &mut dirty, true).await;
    // B runs next on the same connections, and must see nothing of A.
    let mut b_saw_a = Vec::new();
    for &user in users {
        if store.get_user(b, user).await.ok().flatten().is_some() {
            b_saw_a.push(format!("B got A's user {user:?}"));
        }
        if store.get_points(b, user).await.ok().flatten().is_some() {
            b_saw_a.push(format!("B got the points of A's user {user:?}"));
        }
    }
    if let Ok(board) = store.leaderboard(b, 100).await
        && !board.is_empty()
    {
        b_saw_a.push(format!("B's leaderboard is not empty: {board:?}"));
    }
    let mut torn = Vec::new();
    for &user in users {
        let page = HistoryRequest {
            limit: 1000,
            before: None,
        };
        let read = async {
            let balance = store.get_points(a, user).await?;
            let history = store.transaction_history(a, user, page).await?;
            Ok::<_, datastore::StoreError>((balance, history))
        };
        match read.await {
            Ok((Some(points), Some(history))) => {
                let sum: i64 = history.iter().map(|t| t.amount).sum();
                if sum != points.channel_points {
                    torn.push(user);
                }
            }
            Ok(other) => dirty.push(format!("A's user {user:?} went missing: {other:?}")),
            Err(e) => dirty.push(format!("reading A's ledger failed: {e}")),
        }
    }
    Leftovers {
        dirty,
        torn,
        b_saw_a,
    }
}

/// Adds to `dirty` every idle connection of `store` that is inside a transaction or has a
/// setting in force (or cannot be inspected at all); with `require_some`, there must be one.
async fn inspect(store: &PgStore, dirty: &mut Vec<String>, require_some: bool) {
    match store.idle_connection_states().await {
        // A connection left in a failed transaction cannot even be inspected.
        Err(e) => dirty.push(format!("an idle connection cannot be inspected: {e}")),
        Ok(states) => {
            assert!(
                !require_some || !states.is_empty(),
                "no idle connection to inspect"
            );
            for state in states {
                let clean = !state.in_transaction
                    && state.streamer.as_deref().unwrap_or("").is_empty()
                    && state.operator.as_deref().unwrap_or("").is_empty();
                if !clean {
                    dirty.push(format!("{state:?}"));
                }
            }
        }
    }
}

/// Two streamers, A with a few users holding points.
async fn populate(store: &PgStore) -> (StreamerId, StreamerId, Vec<UserId>) {
    let a = store
        .create_streamer(NewStreamer::named("alpha"))
        .await
        .unwrap()
        .id;
    let b = store
        .create_streamer(NewStreamer::named("beta"))
        .await
        .unwrap()
        .id;
    let mut users = Vec::new();
    for name in ["ann", "bob", "cid", "dee"] {
        let u = store.get_or_create_user(a, name).await.unwrap().user.id;
        store
            .earn_points(a, u, PointDelta::new(100_000, PointSource::Admin))
            .await
            .unwrap();
        users.push(u);
    }
    (a, b, users)
}

#[test]
fn cancelled_operations_leave_no_transaction_or_tenant_on_pooled_connections() {
    let rt = conformance::harness::runtime();
    rt.block_on(async {
        let store = PgStore::connect(options(), clock()).await.unwrap();
        let (a, b, users) = populate(&store).await;
        for round in 0..3 {
            let left = cancel_under_load(&store, a, b, &users).await;
            assert!(
                left.dirty.is_empty(),
                "round {round}: dirty connections {:?}",
                left.dirty
            );
            assert!(
                left.torn.is_empty(),
                "round {round}: torn ledgers of {:?}",
                left.torn
            );
            assert!(left.b_saw_a.is_empty(), "round {round}: {:?}", left.b_saw_a);
            let (size, _) = store.pool_status();
            assert!(size <= 4, "the pool grew past its bound: {size}");
        }
    });
}

#[test]
fn the_cancellation_check_catches_a_pool_that_keeps_cancelled_connections() {
    let rt = conformance::harness::runtime();
    rt.block_on(async {
        let store = PgStore::connect_keeping_cancelled_connections(options(), clock())
            .await
            .unwrap();
        let (a, b, users) = populate(&store).await;
        let mut caught = false;
        for _ in 0..5 {
            let left = cancel_under_load(&store, a, b, &users).await;
            if !left.dirty.is_empty() || !left.torn.is_empty() || !left.b_saw_a.is_empty() {
                caught = true;
                break;
            }
        }
        assert!(
            caught,
            "a pool that hands back connections inside their transaction went unnoticed"
        );
    });
}
