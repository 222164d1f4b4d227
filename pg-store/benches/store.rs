//! Store benchmarks on PostgreSQL: the workloads of the SQLite store's benchmarks
//! (`reference-store/benches/store.rs`), each through `DataStore`, one caller at a time, on the
//! same data shapes. `scripts/bench-store --backend both` runs both and prints them side by
//! side; BENCHMARKS.md records the figures and what limits each backend.
//!
//! The server is the one `KICKOVERLAY_TEST_DATABASE_URL` names, else a throwaway one started
//! with PostgreSQL's default (durable) settings (`KICKOVERLAY_PG_DURABLE=1`, which the script
//! sets): every commit is flushed to disk before it is acknowledged.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datastore::{
    HistoryRequest, ManualClock, NewStreamer, PointDelta, PointSource, PointStore, PowerupStore,
    PowerupType, StreamerId, StreamerStore, Timestamp, UserId, UserStore,
};
use pg_store::{PgOptions, PgStore};
use std::sync::Arc;
use tokio::runtime::Runtime;

struct Fixture {
    store: PgStore,
    streamer: StreamerId,
    user: UserId,
    username: String,
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// A fresh schema with `streamers` streamers of `users` users each (with balances; the first
/// user of the last streamer also has 200 ledger rows and, when `rich`, points for every spend).
fn fixture(rt: &Runtime, streamers: u32, users: u32, rich: bool) -> Fixture {
    rt.block_on(async {
        let server = pg_scratch::server();
        let scratch = server.scratch();
        let options = PgOptions::new(scratch.server_url)
            .with_owner(scratch.owner_url)
            .with_schema(scratch.schema.clone());
        let clock = Arc::new(ManualClock::new(
            Timestamp::from_millis(1_800_000_000_000).expect("a time"),
        ));
        let store = PgStore::connect(options, clock).await.expect("connect");
        let mut last = StreamerId(0);
        for i in 0..streamers {
            last = store
                .create_streamer(NewStreamer::named(format!("streamer{i}")))
                .await
                .expect("a streamer")
                .id;
        }
        let admin = server.admin().await;
        admin
            .batch_execute(&format!("SET search_path = {}", scratch.schema))
            .await
            .expect("the schema");
        admin
            .execute(
                "INSERT INTO users (streamer_id, username, created_at, updated_at) \
                 SELECT s.id, 'viewer' || n, 0, 0 FROM streamers s, generate_series(1, $1::bigint) n \
                 ORDER BY s.id, n",
                &[&i64::from(users)],
            )
            .await
            .expect("users");
        admin
            .batch_execute(
                "INSERT INTO user_points (streamer_id, user_id, channel_points, drop_points, \
                 total_drops, last_updated) SELECT streamer_id, id, \
                 1000000 + (random() * 1000000)::bigint, (random() * 1000)::bigint, 0, 0 \
                 FROM users",
            )
            .await
            .expect("balances");
        let row = admin
            .query_one(
                "SELECT id, username FROM users WHERE streamer_id = $1 ORDER BY id LIMIT 1",
                &[&last.0],
            )
            .await
            .expect("a user");
        let (user, username): (i64, String) = (row.get(0), row.get(1));
        admin
            .execute(
                "INSERT INTO point_transactions (streamer_id, user_id, amount, source, created_at) \
                 SELECT $1, $2, i, 'chat', i FROM generate_series(1, 200) i",
                &[&last.0, &user],
            )
            .await
            .expect("a ledger");
        if rich {
            admin
                .execute(
                    "UPDATE user_points SET channel_points = 500000000000 \
                     WHERE streamer_id = $1 AND user_id = $2",
                    &[&last.0, &user],
                )
                .await
                .expect("a big balance");
        }
        admin
            .batch_execute("VACUUM ANALYZE")
            .await
            .expect("statistics");
        Fixture {
            store,
            streamer: last,
            user: UserId(user),
            username,
        }
    })
}

fn per_operation(c: &mut Criterion) {
    let rt = runtime();
    let f = fixture(&rt, 10, 1_000, true);
    let (s, u) = (f.streamer, f.user);
    c.bench_function("postgres/get_user_by_id", |b| {
        b.iter(|| rt.block_on(f.store.get_user(s, u)).expect("a user"))
    });
    c.bench_function("postgres/get_user_by_username", |b| {
        b.iter(|| {
            rt.block_on(f.store.get_user_by_username(s, &f.username))
                .expect("a user")
        })
    });
    let page = HistoryRequest {
        limit: 50,
        before: None,
    };
    c.bench_function("postgres/history_page_50", |b| {
        b.iter(|| {
            rt.block_on(f.store.transaction_history(s, u, page))
                .expect("a page")
        })
    });
    let earn = PointDelta::new(5, PointSource::Chat);
    c.bench_function("postgres/earn_points", |b| {
        b.iter(|| {
            rt.block_on(f.store.earn_points(s, u, earn.clone()))
                .expect("earned")
        })
    });
    c.bench_function("postgres/spend_points", |b| {
        b.iter(|| {
            rt.block_on(f.store.spend_points(s, u, earn.clone()))
                .expect("spent")
        })
    });
    c.bench_function("postgres/purchase_powerup", |b| {
        b.iter(|| {
            rt.block_on(f.store.purchase_powerup(s, u, PowerupType::Tnt))
                .expect("bought")
        })
    });
}

fn bulk_award(c: &mut Criterion) {
    let rt = runtime();
    let names: Vec<String> = (1..=10_000).map(|i| format!("viewer{i}")).collect();
    let f = fixture(&rt, 10, 10_000, false);
    let mut g = c.benchmark_group("postgres/bulk_award_10000");
    g.sample_size(10);
    g.throughput(Throughput::Elements(names.len() as u64));
    g.bench_function("store", |b| {
        b.iter(|| {
            rt.block_on(f.store.bulk_award(
                f.streamer,
                &names,
                PointDelta::new(10, PointSource::Watch),
            ))
            .expect("awarded")
        })
    });
    g.finish();
}

fn leaderboard(c: &mut Criterion) {
    let rt = runtime();
    let f = fixture(&rt, 10, 100_000, false);
    c.bench_function("postgres/leaderboard_top_50_of_100k_in_1m", |b| {
        b.iter(|| {
            rt.block_on(f.store.leaderboard(f.streamer, 50))
                .expect("a leaderboard")
        })
    });
}

criterion_group!(benches, per_operation, bulk_award, leaderboard);
criterion_main!(benches);
