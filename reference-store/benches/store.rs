//! Store benchmarks: each workload through `DataStore`, and beside it the same statements as
//! hand-written rusqlite on the same file (the floor: what SQLite itself costs). The ratio of
//! the two is the price of the store (async hand-off, validation, mapping). `scripts/bench-store`
//! runs them and prints the ratios; BENCHMARKS.md records the figures.
//!
//! Files: `small` holds 10 streamers of 1,000 users; `big` 10 streamers of 100,000 users (one
//! million users; the leaderboard's); `many` 10,000 streamers of 100 users (the scaling
//! comparison against a 10-streamer file of 100 users each).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use datastore::{
    HistoryRequest, ManualClock, NewStreamer, PointDelta, PointSource, PointStore, PowerupStore,
    PowerupType, StreamerId, StreamerStore, Timestamp, UserId, UserStore,
};
use reference_store::{OpenOptions, SqliteStore};
use rusqlite::{Connection, OptionalExtension, params};
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use tokio::runtime::Runtime;

/// One benchmark file: the store on it (and a second store with its leaderboard cache off, to
/// time the query), a raw connection for the floor, and a user to use.
struct Fixture {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    uncached: SqliteStore,
    raw: Connection,
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

/// Writes `streamers` streamers of `users` users each (with balances; the first user of the
/// last streamer also has 200 ledger rows), then opens the store and a raw connection.
fn fixture(rt: &Runtime, streamers: u32, users: u32) -> Fixture {
    fixture_with(rt, streamers, users, OpenOptions::default())
}

/// [`fixture`] with the store opened with `options`.
fn fixture_with(rt: &Runtime, streamers: u32, users: u32, options: OpenOptions) -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bench.db");
    let clock = Arc::new(ManualClock::new(
        Timestamp::from_millis(1_800_000_000_000).expect("a time"),
    ));
    let store = rt
        .block_on(SqliteStore::open_with(&path, clock.clone(), options))
        .expect("open the store");
    let no_cache = OpenOptions {
        leaderboard_cache_rows: 0,
        ..OpenOptions::default()
    };
    let uncached = rt
        .block_on(SqliteStore::open_with(&path, clock, no_cache))
        .expect("open the store again");
    let mut last = StreamerId(0);
    for i in 0..streamers {
        last = rt
            .block_on(store.create_streamer(NewStreamer::named(format!("streamer{i}"))))
            .expect("create a streamer")
            .id;
    }
    let raw = raw_connection(&path);
    seed_users(&raw, users);
    let (user, username): (i64, String) = raw
        .query_row(
            "SELECT id, username FROM users WHERE streamer_id = ?1 ORDER BY id LIMIT 1",
            [last.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a user");
    raw.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) \
         INSERT INTO point_transactions (streamer_id, user_id, amount, source, created_at) \
         SELECT ?1, ?2, i, 'chat', i FROM n",
        params![last.0, user],
    )
    .expect("a ledger");
    raw.execute_batch("ANALYZE").expect("statistics");
    Fixture {
        _dir: dir,
        store,
        uncached,
        raw,
        streamer: last,
        user: UserId(user),
        username,
    }
}

/// The fixture with enough points on its user for every spend and purchase a measurement makes.
fn rich(f: Fixture) -> Fixture {
    f.raw
        .execute(
            "UPDATE user_points SET channel_points = 500000000000 \
             WHERE streamer_id = ?1 AND user_id = ?2",
            params![f.streamer.0, f.user.0],
        )
        .expect("a big balance");
    f
}

fn raw_connection(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("open the file");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
         PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 4096;",
    )
    .expect("pragmas");
    conn
}

/// `users` users with balances for every streamer of the file, in one transaction.
fn seed_users(conn: &Connection, users: u32) {
    conn.execute_batch("BEGIN").expect("begin");
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) \
         INSERT INTO users (streamer_id, username, created_at, updated_at) \
         SELECT s.id, 'viewer' || n.i, 0, 0 FROM streamers s, n ORDER BY s.id, n.i",
        [users],
    )
    .expect("users");
    conn.execute(
        "INSERT INTO user_points (streamer_id, user_id, channel_points, drop_points, \
         total_drops, last_updated) \
         SELECT streamer_id, id, 1000000 + abs(random() % 1000000), abs(random() % 1000), 0, 0 \
         FROM users",
        [],
    )
    .expect("balances");
    conn.execute_batch("COMMIT").expect("commit");
}

/// Floor of reading one user: the store's statement, mapped to the same columns.
/// A whole user row, as hand-written code would read it: every column, by position.
type UserRow = (
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    UserRow::try_from(r)
}

fn floor_get_user(conn: &Connection, s: i64, u: i64) -> UserRow {
    conn.prepare_cached(
        "SELECT id, streamer_id, username, voice_id, drop_image, country, created_at, \
         updated_at FROM users WHERE streamer_id = ?1 AND id = ?2",
    )
    .expect("prepare")
    .query_row(params![s, u], user_row)
    .expect("a user")
}

fn floor_get_user_by_name(conn: &Connection, s: i64, name: &str) -> UserRow {
    conn.prepare_cached(
        "SELECT id, streamer_id, username, voice_id, drop_image, country, created_at, \
         updated_at FROM users WHERE streamer_id = ?1 AND username = ?2",
    )
    .expect("prepare")
    .query_row(params![s, name], user_row)
    .expect("a user")
}

/// A transaction-control statement, from the statement cache as the store runs it.
fn tx(conn: &Connection, sql: &str) {
    conn.prepare_cached(sql)
        .expect("prepare")
        .execute([])
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A user's channel points, by the store's statement (existence and balance at once).
fn floor_balance(conn: &Connection, s: i64, u: i64) -> i64 {
    conn.prepare_cached(
        "SELECT p.channel_points FROM users u LEFT JOIN user_points p \
         ON p.streamer_id = u.streamer_id AND p.user_id = u.id \
         WHERE u.streamer_id = ?1 AND u.id = ?2",
    )
    .expect("prepare")
    .query_row(params![s, u], |r| r.get(0))
    .expect("a balance")
}

fn floor_set_balance(conn: &Connection, s: i64, u: i64, balance: i64, now: i64) {
    conn.prepare_cached(
        "UPDATE user_points SET channel_points = ?3, last_updated = ?4 \
         WHERE streamer_id = ?1 AND user_id = ?2",
    )
    .expect("prepare")
    .execute(params![s, u, balance, now])
    .expect("update");
}

/// Floor of earning (`amount` > 0) or spending (< 0): read the balance, write it and a ledger
/// row, in one immediate transaction.
fn floor_move_points(conn: &Connection, s: i64, u: i64, amount: i64, now: i64) -> i64 {
    tx(conn, "BEGIN IMMEDIATE");
    let balance = floor_balance(conn, s, u);
    floor_set_balance(conn, s, u, balance + amount, now);
    conn.prepare_cached(
        "INSERT INTO point_transactions (streamer_id, user_id, amount, source, description, \
         created_at) VALUES (?1, ?2, ?3, 'chat', NULL, ?4)",
    )
    .expect("prepare")
    .execute(params![s, u, amount, now])
    .expect("ledger");
    tx(conn, "COMMIT");
    balance + amount
}

/// Floor of a purchase, by the store's statements: the buyer (owner or not, balance, stock)
/// and the powerup's cost and state, then the balance, the ledger row, the purchase and the
/// stock, in one immediate transaction.
fn floor_purchase(conn: &Connection, s: i64, u: i64, now: i64) {
    tx(conn, "BEGIN IMMEDIATE");
    let (is_owner, balance, held): (bool, i64, Option<i64>) = conn
        .prepare_cached(
            "SELECT u.username = s.username, p.channel_points, i.quantity \
             FROM users u JOIN streamers s ON s.id = u.streamer_id \
             LEFT JOIN user_points p ON p.streamer_id = u.streamer_id AND p.user_id = u.id \
             LEFT JOIN powerup_inventory i ON i.streamer_id = u.streamer_id \
             AND i.user_id = u.id AND i.powerup_type = 'tnt' \
             WHERE u.streamer_id = ?1 AND u.id = ?2",
        )
        .expect("prepare")
        .query_row(params![s, u], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("a buyer");
    let (cost, enabled): (i64, bool) = conn
        .prepare_cached(
            "SELECT cost, enabled FROM powerup_config WHERE streamer_id = ?1 AND id = ?2",
        )
        .expect("prepare")
        .query_row(params![s, "tnt"], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("a config");
    assert!(enabled && !is_owner && balance >= cost);
    floor_set_balance(conn, s, u, balance - cost, now);
    conn.prepare_cached(
        "INSERT INTO point_transactions (streamer_id, user_id, amount, source, description, \
         created_at) VALUES (?1, ?2, ?3, 'spend', 'powerup: tnt', ?4)",
    )
    .expect("prepare")
    .execute(params![s, u, -cost, now])
    .expect("ledger");
    conn.prepare_cached(
        "INSERT INTO powerup_purchases (streamer_id, user_id, powerup_type, cost, purchased_at) \
         VALUES (?1, ?2, 'tnt', ?3, ?4)",
    )
    .expect("prepare")
    .execute(params![s, u, cost, now])
    .expect("purchase");
    let stock = match held {
        Some(_) => {
            "UPDATE powerup_inventory SET quantity = ?3 \
                    WHERE streamer_id = ?1 AND user_id = ?2 AND powerup_type = 'tnt'"
        }
        None => {
            "INSERT INTO powerup_inventory (streamer_id, user_id, powerup_type, quantity) \
                 VALUES (?1, ?2, 'tnt', ?3)"
        }
    };
    conn.prepare_cached(stock)
        .expect("prepare")
        .execute(params![s, u, held.unwrap_or(0) + 1])
        .expect("inventory");
    tx(conn, "COMMIT");
}

/// Floor of the bulk award, by the store's set-based statements over a JSON list of names: add
/// the missing viewers, check no balance would pass the maximum, then every balance and every
/// ledger row, in one immediate transaction.
fn floor_bulk_award(conn: &Connection, s: i64, names: &str, amount: i64, now: i64) {
    tx(conn, "BEGIN IMMEDIATE");
    conn.prepare_cached(
        "INSERT INTO users (streamer_id, username, created_at, updated_at) \
         SELECT ?1, j.value, ?2, ?2 FROM json_each(?3) j WHERE NOT EXISTS \
         (SELECT 1 FROM users u WHERE u.streamer_id = ?1 AND u.username = j.value) \
         ORDER BY j.key",
    )
    .expect("prepare")
    .execute(params![s, now, names])
    .expect("new viewers");
    let too_rich: Option<i64> = conn
        .prepare_cached(
            "SELECT p.channel_points FROM json_each(?2) j \
             CROSS JOIN users u ON u.streamer_id = ?1 AND u.username = j.value \
             JOIN user_points p ON p.streamer_id = ?1 AND p.user_id = u.id \
             WHERE p.channel_points > ?3 LIMIT 1",
        )
        .expect("prepare")
        .query_row(
            params![s, names, datastore::validate::MAX_BALANCE - amount],
            |r| r.get(0),
        )
        .optional()
        .expect("check");
    assert!(too_rich.is_none());
    conn.prepare_cached(
        "INSERT INTO user_points (streamer_id, user_id, channel_points, drop_points, \
         total_drops, last_updated) \
         SELECT ?1, u.id, ?2, 0, 0, ?3 FROM json_each(?4) j \
         CROSS JOIN users u ON u.streamer_id = ?1 AND u.username = j.value WHERE true \
         ON CONFLICT (streamer_id, user_id) DO UPDATE SET \
         channel_points = channel_points + excluded.channel_points, \
         last_updated = excluded.last_updated",
    )
    .expect("prepare")
    .execute(params![s, amount, now, names])
    .expect("balances");
    conn.prepare_cached(
        "INSERT INTO point_transactions (streamer_id, user_id, amount, source, description, \
         created_at) SELECT ?1, u.id, ?2, 'watch', NULL, ?3 FROM json_each(?4) j \
         CROSS JOIN users u ON u.streamer_id = ?1 AND u.username = j.value ORDER BY j.key",
    )
    .expect("prepare")
    .execute(params![s, amount, now, names])
    .expect("ledger");
    tx(conn, "COMMIT");
}

fn floor_leaderboard(conn: &Connection, s: i64) -> usize {
    let mut stmt = conn
        .prepare_cached(
            "SELECT p.user_id, u.username, p.channel_points, p.drop_points, p.total_drops \
             FROM user_points p JOIN users u ON u.streamer_id = p.streamer_id AND u.id = p.user_id \
             WHERE p.streamer_id = ?1 AND p.channel_points + p.drop_points > 0 \
             ORDER BY p.channel_points + p.drop_points DESC, p.user_id LIMIT 50",
        )
        .expect("prepare");
    stmt.query_map([s], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .expect("query")
        .count()
}

fn floor_history(conn: &Connection, s: i64, u: i64) -> usize {
    /// A ledger row as the store reads it: id, user, amount, source, description, time.
    type LedgerRow = (i64, i64, i64, String, Option<String>, i64);
    let mut stmt = conn
        .prepare_cached(
            "SELECT t.id, t.user_id, t.amount, t.source, t.description, t.created_at \
             FROM users u LEFT JOIN point_transactions t \
             ON t.streamer_id = u.streamer_id AND t.user_id = u.id \
             AND (?3 IS NULL OR t.id < ?3) \
             WHERE u.streamer_id = ?1 AND u.id = ?2 ORDER BY t.id DESC LIMIT ?4",
        )
        .expect("prepare");
    let rows: Vec<LedgerRow> = stmt
        .query_map(params![s, u, None::<i64>, 50], |r| LedgerRow::try_from(r))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    rows.len()
}

/// Point reads, point writes and a purchase, store beside floor, on the small file.
fn per_operation(c: &mut Criterion) {
    let rt = runtime();
    let f = fixture(&rt, 10, 1_000);
    let (s, u) = (f.streamer, f.user);
    let mut g = c.benchmark_group("get_user_by_id");
    g.bench_function("store", |b| {
        b.iter(|| rt.block_on(f.store.get_user(s, u)).expect("a user"))
    });
    g.bench_function("floor", |b| b.iter(|| floor_get_user(&f.raw, s.0, u.0)));
    g.finish();

    let mut g = c.benchmark_group("get_user_by_username");
    g.bench_function("store", |b| {
        b.iter(|| {
            rt.block_on(f.store.get_user_by_username(s, &f.username))
                .expect("a user")
        })
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor_get_user_by_name(&f.raw, s.0, &f.username))
    });
    g.finish();

    // Each write arm gets a fresh file of its own, so that neither runs on a file the other
    // has grown (more ledger rows, WAL pages waiting for a checkpoint); the store's arm is
    // closed (its checkpoint thread stopped) before the floor's begins.
    let earn = PointDelta::new(5, PointSource::Chat);
    let mut g = c.benchmark_group("earn_points");
    let w = fixture(&rt, 10, 1_000);
    g.bench_function("store", |b| {
        b.iter(|| {
            rt.block_on(w.store.earn_points(w.streamer, w.user, earn.clone()))
                .expect("earned")
        })
    });
    drop(w);
    let w = fixture(&rt, 10, 1_000);
    g.bench_function("floor", |b| {
        b.iter(|| floor_move_points(&w.raw, w.streamer.0, w.user.0, 5, 1_800_000_000_000))
    });
    g.finish();

    let spend = PointDelta::new(5, PointSource::Chat);
    let mut g = c.benchmark_group("spend_points");
    let w = rich(fixture(&rt, 10, 1_000));
    g.bench_function("store", |b| {
        b.iter(|| {
            rt.block_on(w.store.spend_points(w.streamer, w.user, spend.clone()))
                .expect("spent")
        })
    });
    drop(w);
    let w = rich(fixture(&rt, 10, 1_000));
    g.bench_function("floor", |b| {
        b.iter(|| floor_move_points(&w.raw, w.streamer.0, w.user.0, -5, 1_800_000_000_000))
    });
    g.finish();

    let mut g = c.benchmark_group("purchase_powerup");
    let w = rich(fixture(&rt, 10, 1_000));
    g.bench_function("store", |b| {
        b.iter(|| {
            rt.block_on(
                w.store
                    .purchase_powerup(w.streamer, w.user, PowerupType::Tnt),
            )
            .expect("bought")
        })
    });
    drop(w);
    let w = rich(fixture(&rt, 10, 1_000));
    g.bench_function("floor", |b| {
        b.iter(|| floor_purchase(&w.raw, w.streamer.0, w.user.0, 1_800_000_000_000))
    });
    g.finish();

    let page = HistoryRequest {
        limit: 50,
        before: None,
    };
    let mut g = c.benchmark_group("history_page_50");
    g.bench_function("store", |b| {
        b.iter(|| {
            rt.block_on(f.store.transaction_history(s, u, page))
                .expect("a page")
        })
    });
    g.bench_function("floor", |b| b.iter(|| floor_history(&f.raw, s.0, u.0)));
    g.finish();
}

/// The watch-time tick: 10,000 present viewers of one streamer awarded at once.
fn bulk_award(c: &mut Criterion) {
    let rt = runtime();
    let names: Vec<String> = (1..=10_000).map(|i| format!("viewer{i}")).collect();
    let mut g = c.benchmark_group("bulk_award_10000");
    g.sample_size(10);
    g.throughput(Throughput::Elements(names.len() as u64));
    // A fresh file for each arm, as for the other writes.
    let f = fixture(&rt, 10, 10_000);
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
    let json = serde_json::to_string(&names).expect("names as JSON");
    drop(f);
    let f = fixture(&rt, 10, 10_000);
    g.bench_function("floor", |b| {
        b.iter(|| floor_bulk_award(&f.raw, f.streamer.0, &json, 10, 1_800_000_000_000))
    });
    g.finish();
}

/// The leaderboard of a streamer with 100,000 users, in a file of 1,000,000 users.
fn leaderboard(c: &mut Criterion) {
    let rt = runtime();
    let f = fixture(&rt, 10, 100_000);
    let mut g = c.benchmark_group("leaderboard_top_50_of_100k_in_1m");
    g.bench_function("store", |b| {
        b.iter(|| {
            rt.block_on(f.uncached.leaderboard(f.streamer, 50))
                .expect("a leaderboard")
        })
    });
    g.bench_function("store_cached", |b| {
        b.iter(|| {
            rt.block_on(f.store.leaderboard(f.streamer, 50))
                .expect("a leaderboard")
        })
    });
    g.bench_function("floor", |b| {
        b.iter(|| black_box(floor_leaderboard(&f.raw, f.streamer.0)))
    });
    g.finish();
}

/// The same per-streamer work in a file of 10 streamers and in one of 10,000 (100 users each).
fn scaling(c: &mut Criterion) {
    let rt = runtime();
    for streamers in [10u32, 10_000] {
        let f = fixture(&rt, streamers, 100);
        let (s, u) = (f.streamer, f.user);
        let mut g = c.benchmark_group("scaling");
        g.bench_with_input(BenchmarkId::new("get_user", streamers), &(), |b, ()| {
            b.iter(|| rt.block_on(f.store.get_user(s, u)).expect("a user"))
        });
        g.bench_with_input(BenchmarkId::new("earn_points", streamers), &(), |b, ()| {
            b.iter(|| {
                rt.block_on(
                    f.store
                        .earn_points(s, u, PointDelta::new(1, PointSource::Chat)),
                )
                .expect("earned")
            })
        });
        g.bench_with_input(BenchmarkId::new("leaderboard", streamers), &(), |b, ()| {
            b.iter(|| {
                rt.block_on(f.uncached.leaderboard(s, 50))
                    .expect("a leaderboard")
            })
        });
        g.finish();
    }
}

/// What erasing deleted content costs (`OpenOptions::secure_delete`, on by default): an earn
/// (the hot write), and deleting a viewer with 50 ledger rows (which with it on also empties
/// the WAL before answering), each with the option on and off, side by side.
fn secure_delete(c: &mut Criterion) {
    let rt = runtime();
    let earn = PointDelta::new(5, PointSource::Chat);
    let mut g = c.benchmark_group("secure_delete");
    for on in [true, false] {
        let name = if on { "on" } else { "off" };
        let options = OpenOptions {
            secure_delete: on,
            ..OpenOptions::default()
        };
        let f = fixture_with(&rt, 10, 1_000, options.clone());
        g.bench_function(format!("earn_points/{name}"), |b| {
            b.iter(|| {
                rt.block_on(f.store.earn_points(f.streamer, f.user, earn.clone()))
                    .expect("earned")
            })
        });
        let mut n = 0u64;
        g.bench_function(format!("delete_user_with_50_rows/{name}"), |b| {
            b.iter_batched(
                || {
                    n += 1;
                    let u = rt
                        .block_on(f.store.get_or_create_user(f.streamer, &format!("gone{n}")))
                        .expect("a user")
                        .user
                        .id;
                    for _ in 0..50 {
                        rt.block_on(f.store.earn_points(f.streamer, u, earn.clone()))
                            .expect("earned");
                    }
                    u
                },
                |u| {
                    rt.block_on(f.store.delete_user(f.streamer, u))
                        .expect("deleted")
                },
                criterion::BatchSize::PerIteration,
            )
        });
        drop(f);
    }
    g.finish();
}

criterion_group!(
    benches,
    per_operation,
    bulk_award,
    leaderboard,
    scaling,
    secure_delete
);
criterion_main!(benches);
