//! The schema itself, read back from `sqlite_schema` and the pragma tables of a real file.

use datastore::{ManualClock, StreamerStore, Timestamp};
use reference_store::migrations::{self, LATEST};
use reference_store::{OpenError, OpenOptions, SqliteStore};
use rusqlite::Connection;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// The tables the issue names, which tools outside the crate read: keep these names.
const TENANT_TABLES: &[&str] = &[
    "users",
    "user_points",
    "point_transactions",
    "powerup_inventory",
    "powerup_purchases",
    "drop_history",
    "command_cooldowns",
    "user_sessions",
    "streamer_sessions",
    "admin_keys",
    "verification_codes",
    "api_tokens",
    "powerup_config",
    "overlay_settings",
    "overlay_layouts",
    "theme_settings",
    "tips",
    "goals",
    "migration_audit",
    "events",
    "event_sequences",
    "overlay_keys",
    "kick_viewers",
    "kick_deliveries",
    "stream_states",
    "chatters",
    "watch_minutes",
    "duels",
    "economy_configs",
];

/// Tables whose rows hang off a user.
const USER_TABLES: &[&str] = &[
    "user_points",
    "point_transactions",
    "powerup_inventory",
    "powerup_purchases",
    "drop_history",
    "command_cooldowns",
    "user_sessions",
    "kick_viewers",
    "chatters",
];

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::saturating_from_millis(
        1_767_225_600_000,
    )))
}

fn fresh(dir: &Path) -> Connection {
    let path = dir.join("fresh.db");
    drop(SqliteStore::open_blocking(&path, clock(), OpenOptions::default()).unwrap());
    Connection::open(path).unwrap()
}

fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn tables(conn: &Connection) -> BTreeSet<String> {
    strings(
        conn,
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .into_iter()
    .collect()
}

struct Column {
    name: String,
    kind: String,
    not_null: bool,
    pk: i64,
}

fn columns(conn: &Connection, table: &str) -> Vec<Column> {
    let mut stmt = conn
        .prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)")
        .unwrap();
    stmt.query_map([table], |r| {
        Ok(Column {
            name: r.get(0)?,
            kind: r.get(1)?,
            not_null: r.get(2)?,
            pk: r.get(3)?,
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// A foreign key: (referenced table, from columns, to columns, on delete).
type ForeignKey = (String, Vec<String>, Vec<String>, String);

/// An index: (name, unique, key columns in order with their collation, partial).
type Index = (String, bool, Vec<(String, String)>, bool);

/// Foreign keys of `table`.
fn foreign_keys(conn: &Connection, table: &str) -> Vec<ForeignKey> {
    let mut stmt = conn
        .prepare(
            "SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?1) \
             ORDER BY id, seq",
        )
        .unwrap();
    let rows: Vec<(i64, String, String, String, String)> = stmt
        .query_map([table], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out: Vec<(i64, ForeignKey)> = Vec::new();
    for (id, parent, from, to, on_delete) in rows {
        match out.iter_mut().find(|(i, _)| *i == id) {
            Some((_, fk)) => {
                fk.1.push(from);
                fk.2.push(to);
            }
            None => out.push((id, (parent, vec![from], vec![to], on_delete))),
        }
    }
    out.into_iter().map(|(_, fk)| fk).collect()
}

/// Indexes of `table`.
fn indexes(conn: &Connection, table: &str) -> Vec<Index> {
    let list: Vec<(String, bool, bool)> = {
        let mut stmt = conn
            .prepare("SELECT name, \"unique\", partial FROM pragma_index_list(?1)")
            .unwrap();
        stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    list.into_iter()
        .map(|(name, unique, partial)| {
            let mut stmt = conn
                .prepare(
                    "SELECT coalesce(name, '<expr>'), coll FROM pragma_index_xinfo(?1) \
                     WHERE key = 1 ORDER BY seqno",
                )
                .unwrap();
            let cols = stmt
                .query_map([&name], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            (name, unique, cols, partial)
        })
        .collect()
}

#[test]
fn the_tables_are_the_ones_tools_expect() {
    let dir = tempfile::tempdir().unwrap();
    let conn = fresh(dir.path());
    let mut expected: BTreeSet<String> = TENANT_TABLES.iter().map(|t| t.to_string()).collect();
    expected.insert("streamers".into());
    assert_eq!(tables(&conn), expected);
    let strict: BTreeSet<String> = strings(
        &conn,
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
         AND strict = 1",
    )
    .into_iter()
    .collect();
    assert_eq!(strict, expected, "every table is STRICT");
}

#[test]
fn every_tenant_table_has_a_cascading_streamer_id_and_an_index_leading_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let conn = fresh(dir.path());
    let mut problems = Vec::new();
    for table in tables(&conn).iter().filter(|t| *t != "streamers") {
        let cols = columns(&conn, table);
        match cols.iter().find(|c| c.name == "streamer_id") {
            Some(c) if c.not_null && c.kind == "INTEGER" => {}
            Some(_) => problems.push(format!("{table}.streamer_id is not INTEGER NOT NULL")),
            None => problems.push(format!("{table} has no streamer_id")),
        }
        let fks = foreign_keys(&conn, table);
        if !fks.iter().any(|(parent, from, to, on_delete)| {
            parent == "streamers"
                && from == &["streamer_id"]
                && to == &["id"]
                && on_delete == "CASCADE"
        }) {
            problems.push(format!(
                "{table} has no streamer_id → streamers(id) ON DELETE CASCADE: {fks:?}"
            ));
        }
        // An index leads with streamer_id. (Not a rowid alias: SQLite ignores NOT NULL on an
        // INTEGER PRIMARY KEY of a rowid table and fills a NULL in with a fresh number.)
        let leading = indexes(&conn, table).iter().any(|(_, _, cols, partial)| {
            !partial && cols.first().is_some_and(|c| c.0 == "streamer_id")
        });
        if !leading {
            problems.push(format!("{table} has no index leading with streamer_id"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rows_of_a_user_reference_it_through_the_composite_key() {
    let dir = tempfile::tempdir().unwrap();
    let conn = fresh(dir.path());
    let mut problems = Vec::new();
    // Events name a viewer without referencing them: deleting the viewer rewrites their
    // events (ids kept) rather than cascading, and the column is then NULL.
    let events_user: Vec<(String, bool)> = columns(&conn, "events")
        .into_iter()
        .filter(|c| c.name == "user_id")
        .map(|c| (c.kind, c.not_null))
        .collect();
    assert_eq!(
        events_user,
        [("INTEGER".to_string(), false)],
        "events.user_id"
    );
    assert!(
        foreign_keys(&conn, "events")
            .iter()
            .all(|(parent, ..)| parent == "streamers"),
        "events reference only their streamer"
    );
    // A duel names two viewers, each through the composite key, each key indexed for the
    // cascade.
    let duel_fks = foreign_keys(&conn, "duels");
    for column in ["challenger_id", "opponent_id"] {
        let composite = duel_fks.iter().any(|(parent, from, to, on_delete)| {
            parent == "users"
                && from == &["streamer_id", column]
                && to == &["streamer_id", "id"]
                && on_delete == "CASCADE"
        });
        let indexed = indexes(&conn, "duels").iter().any(|(_, _, cols, _)| {
            cols.len() >= 2 && cols[0].0 == "streamer_id" && cols[1].0 == column
        });
        if !composite || !indexed {
            problems.push(format!("duels.{column}: {duel_fks:?}"));
        }
    }
    assert!(
        !duel_fks
            .iter()
            .any(|(parent, from, _, _)| parent == "users" && from.len() == 1),
        "duels reference a user only through the composite key: {duel_fks:?}"
    );
    for table in tables(&conn).into_iter().filter(|t| t != "events") {
        let has_user = columns(&conn, &table).iter().any(|c| c.name == "user_id");
        assert_eq!(
            has_user,
            USER_TABLES.contains(&table.as_str()),
            "{table}: user_id column"
        );
        if !has_user {
            continue;
        }
        let by_user = indexes(&conn, &table).iter().any(|(_, _, cols, _)| {
            cols.len() >= 2 && cols[0].0 == "streamer_id" && cols[1].0 == "user_id"
        });
        if !by_user {
            problems.push(format!(
                "{table}: no (streamer_id, user_id) index for cascades"
            ));
        }
        let fks = foreign_keys(&conn, &table);
        let composite = fks.iter().any(|(parent, from, to, on_delete)| {
            parent == "users"
                && from == &["streamer_id", "user_id"]
                && to == &["streamer_id", "id"]
                && on_delete == "CASCADE"
        });
        let direct = fks
            .iter()
            .any(|(parent, from, _, _)| parent == "users" && from == &["user_id"]);
        if !composite || direct {
            problems.push(format!("{table}: {fks:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn keys_and_uniqueness_are_per_streamer() {
    let dir = tempfile::tempdir().unwrap();
    let conn = fresh(dir.path());
    let unique = |table: &str| -> Vec<Vec<(String, String)>> {
        indexes(&conn, table)
            .into_iter()
            .filter(|(_, unique, _, partial)| *unique && !partial)
            .map(|(_, _, cols, _)| cols)
            .collect()
    };
    let has = |table: &str, want: &[(&str, &str)]| {
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(c, coll)| (c.to_string(), coll.to_string()))
            .collect();
        assert!(
            unique(table).contains(&want),
            "{table} lacks a unique key {want:?}: {:?}",
            unique(table)
        );
    };
    has(
        "users",
        &[("streamer_id", "BINARY"), ("username", "NOCASE")],
    );
    has(
        "powerup_config",
        &[("streamer_id", "BINARY"), ("id", "BINARY")],
    );
    has(
        "overlay_settings",
        &[("streamer_id", "BINARY"), ("key", "BINARY")],
    );
    has("goals", &[("streamer_id", "BINARY"), ("id", "BINARY")]);
    has(
        "overlay_layouts",
        &[("streamer_id", "BINARY"), ("id", "BINARY")],
    );
    has(
        "overlay_layouts",
        &[("streamer_id", "BINARY"), ("name", "NOCASE")],
    );
    has(
        "api_tokens",
        &[("streamer_id", "BINARY"), ("provider", "BINARY")],
    );
    has(
        "verification_codes",
        &[
            ("streamer_id", "BINARY"),
            ("username", "NOCASE"),
            ("code", "BINARY"),
        ],
    );
    has(
        "user_sessions",
        &[("streamer_id", "BINARY"), ("token_hash", "BINARY")],
    );
    has(
        "streamer_sessions",
        &[("streamer_id", "BINARY"), ("token_hash", "BINARY")],
    );
    has(
        "kick_viewers",
        &[("streamer_id", "BINARY"), ("kick_user_id", "BINARY")],
    );
    has(
        "kick_viewers",
        &[("streamer_id", "BINARY"), ("user_id", "BINARY")],
    );
    has(
        "kick_deliveries",
        &[("streamer_id", "BINARY"), ("delivery_id", "BINARY")],
    );
    has(
        "chatters",
        &[("streamer_id", "BINARY"), ("user_id", "BINARY")],
    );
    has(
        "watch_minutes",
        &[("streamer_id", "BINARY"), ("minute", "BINARY")],
    );
    has(
        "duels",
        &[("streamer_id", "BINARY"), ("challenger_id", "BINARY")],
    );
    has(
        "duels",
        &[("streamer_id", "BINARY"), ("opponent_id", "BINARY")],
    );
    // One row per streamer, keyed by it alone.
    for table in [
        "theme_settings",
        "admin_keys",
        "overlay_keys",
        "event_sequences",
        "stream_states",
        "economy_configs",
    ] {
        let pk: Vec<String> = columns(&conn, table)
            .into_iter()
            .filter(|c| c.pk > 0)
            .map(|c| c.name)
            .collect();
        assert_eq!(pk, ["streamer_id"], "{table}'s primary key");
    }
    // Events: per streamer, numbered per streamer.
    let pk: Vec<(i64, String)> = {
        let mut v: Vec<(i64, String)> = columns(&conn, "events")
            .into_iter()
            .filter(|c| c.pk > 0)
            .map(|c| (c.pk, c.name))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        pk,
        [(1, "streamer_id".to_string()), (2, "id".to_string())],
        "events' primary key"
    );
    // At most one default layout per streamer.
    assert!(
        indexes(&conn, "overlay_layouts")
            .iter()
            .any(|(_, unique, cols, partial)| *unique
                && *partial
                && cols == &[("streamer_id".to_string(), "BINARY".to_string())])
    );
    // Every other unique key is per streamer too: no tenant table has a unique key that does
    // not start with streamer_id (that would let one streamer learn of another's rows).
    for table in TENANT_TABLES {
        for cols in unique(table) {
            assert_eq!(
                cols[0].0, "streamer_id",
                "{table} has a global unique key {cols:?}"
            );
        }
    }
    // Streamers: username unique ignoring case, Kick id unique.
    has("streamers", &[("username", "NOCASE")]);
    has("streamers", &[("kick_user_id", "BINARY")]);
}

#[test]
fn sessions_store_hashes_only_and_checks_guard_the_economy() {
    let dir = tempfile::tempdir().unwrap();
    let conn = fresh(dir.path());
    for (table, column) in [
        ("user_sessions", "token_hash"),
        ("streamer_sessions", "token_hash"),
        ("admin_keys", "key_hash"),
        ("overlay_keys", "key_hash"),
    ] {
        let cols = columns(&conn, table);
        let hash = cols.iter().find(|c| c.name == column).unwrap();
        assert_eq!(hash.kind, "BLOB");
        assert!(
            !cols
                .iter()
                .any(|c| (c.name.contains("token") || c.name.contains("key")) && c.name != column),
            "{table} has a column that could hold a plain token or key"
        );
    }
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         INSERT INTO streamers (username, display_name, created_at, updated_at)
             VALUES ('s', 's', 0, 0);
         INSERT INTO users (streamer_id, username, created_at, updated_at) VALUES (1, 'u', 0, 0);",
    )
    .unwrap();
    let refused = [
        "INSERT INTO user_points (streamer_id, user_id, channel_points, last_updated) \
         VALUES (1, 1, -1, 0)",
        "INSERT INTO powerup_inventory (streamer_id, user_id, powerup_type, quantity) \
         VALUES (1, 1, 'tnt', -1)",
        "INSERT INTO powerup_inventory (streamer_id, user_id, powerup_type, quantity) \
         VALUES (1, 1, 'rocket', 1)",
        "INSERT INTO user_sessions (streamer_id, token_hash, user_id, created_at, expires_at) \
         VALUES (1, 'plain-token', 1, 0, 1)",
        "INSERT INTO user_sessions (streamer_id, token_hash, user_id, created_at, expires_at) \
         VALUES (1, zeroblob(16), 1, 0, 1)",
        "INSERT INTO theme_settings (streamer_id, theme, updated_at) VALUES (NULL, '{}', 0)",
        "INSERT INTO admin_keys (streamer_id, key_hash, created_at) VALUES (1, 'plain-key', 0)",
        "INSERT INTO admin_keys (streamer_id, key_hash, created_at) \
         VALUES (1, zeroblob(16), 0)",
        "INSERT INTO admin_keys (streamer_id, key_hash, created_at) \
         VALUES (NULL, zeroblob(32), 0)",
        "INSERT INTO tips (streamer_id, content, created_at) VALUES (NULL, 'x', 0)",
        "INSERT INTO overlay_keys (streamer_id, key_hash, created_at) VALUES (1, 'plain-key', 0)",
        "INSERT INTO overlay_keys (streamer_id, key_hash, created_at) \
         VALUES (1, zeroblob(16), 0)",
        "INSERT INTO events (streamer_id, id, kind, payload, created_at) \
         VALUES (1, 0, 'theme_changed', '{}', 0)",
        "INSERT INTO events (streamer_id, id, kind, payload, created_at) \
         VALUES (1, 1, 'theme_changed', 'not json', 0)",
        "INSERT INTO events (streamer_id, id, kind, payload, created_at) \
         VALUES (NULL, 1, 'theme_changed', '{}', 0)",
        "INSERT INTO events (streamer_id, id, kind, payload, created_at) \
         VALUES (7, 1, 'theme_changed', '{}', 0)",
        "INSERT INTO event_sequences (streamer_id, last_id) VALUES (1, 0)",
        "INSERT INTO event_sequences (streamer_id, last_id) VALUES (NULL, 1)",
        // A row of streamer 2 cannot point at streamer 1's user.
        "INSERT INTO streamers (username, display_name, created_at, updated_at) \
         VALUES ('t', 't', 0, 0)",
        "INSERT INTO user_points (streamer_id, user_id, last_updated) VALUES (2, 1, 0)",
        "INSERT INTO point_transactions (streamer_id, user_id, amount, source, created_at) \
         VALUES (1, 1, 5, 'lottery', 0)",
        "INSERT INTO kick_viewers (streamer_id, kick_user_id, user_id) VALUES (1, 0, 1)",
        "INSERT INTO kick_viewers (streamer_id, kick_user_id, user_id) VALUES (2, 5, 1)",
        "INSERT INTO kick_deliveries (streamer_id, delivery_id, received_at) VALUES (1, '', 0)",
        "INSERT INTO stream_states (streamer_id, live, changed_at) VALUES (1, 2, 0)",
        "INSERT INTO stream_states (streamer_id, live, changed_at) VALUES (NULL, 1, 0)",
        "INSERT INTO chatters (streamer_id, user_id, last_chat_at) VALUES (2, 1, 0)",
        "INSERT INTO duels (streamer_id, challenger_id, opponent_id, stake, expires_at, \
         created_at) VALUES (1, 1, 1, 5, 1, 0)",
        "INSERT INTO economy_configs (streamer_id, document, updated_at) VALUES (1, '[]', 0)",
        "INSERT INTO economy_configs (streamer_id, document, updated_at) VALUES (NULL, '{}', 0)",
    ];
    let mut accepted = Vec::new();
    for sql in refused {
        if conn.execute(sql, []).is_ok() && !sql.starts_with("INSERT INTO streamers") {
            accepted.push(sql);
        }
    }
    assert!(accepted.is_empty(), "the schema accepted: {accepted:#?}");
}

/// The values a legacy install may hold (a viewer, goal id or setting key named by a
/// 120-character URL segment, a tip saved empty, a goal of 0) fit the schema, on a fresh file and on one upgraded from the
/// version before 006; what is wrong (an empty name, a negative target) still does not.
#[test]
fn legacy_values_fit_both_fresh_and_upgraded_files() {
    let dir = tempfile::tempdir().unwrap();
    let upgraded_path = dir.path().join("old.db");
    let before_006 = migrations::MIGRATIONS
        .iter()
        .position(|m| m.name == "006-legacy-values.sql")
        .expect("migration 006") as i64;
    {
        let mut old = Connection::open(&upgraded_path).unwrap();
        migrations::migrate(&mut old, &upgraded_path, before_006).unwrap();
        old.execute_batch(
            "INSERT INTO streamers (username, display_name, created_at, updated_at)
                 VALUES ('s', 's', 0, 0);",
        )
        .unwrap();
        let long = "x".repeat(65);
        assert!(
            old.execute(
                "INSERT INTO users (streamer_id, username, created_at, updated_at) \
                 VALUES (1, ?1, 0, 0)",
                [&long],
            )
            .is_err(),
            "the version before refuses a 65-character username"
        );
        migrations::migrate(&mut old, &upgraded_path, LATEST).unwrap();
    }
    let fresh_dir = dir.path().join("fresh");
    std::fs::create_dir(&fresh_dir).unwrap();
    let fresh = fresh(&fresh_dir);
    fresh
        .execute_batch(
            "INSERT INTO streamers (username, display_name, created_at, updated_at)
                 VALUES ('s', 's', 0, 0);",
        )
        .unwrap();
    let upgraded = Connection::open(&upgraded_path).unwrap();
    let long = "ü".repeat(120);
    for (name, conn) in [("fresh", &fresh), ("upgraded", &upgraded)] {
        for sql in [
            "INSERT INTO users (streamer_id, username, created_at, updated_at) \
             VALUES (1, ?1, 0, 0)",
            "INSERT INTO tips (streamer_id, content, created_at) VALUES (1, substr(?1, 1, 0), 0)",
            "INSERT INTO goals (streamer_id, id, label, target_value, updated_at) \
             VALUES (1, 'g', 'G' || substr(?1, 1, 0), 0, 0)",
            "INSERT INTO goals (streamer_id, id, label, target_value, updated_at) \
             VALUES (1, ?1, 'long', 5, 0)",
            "INSERT INTO overlay_settings (streamer_id, key, value, updated_at) \
             VALUES (1, ?1, 'v', 0)",
        ] {
            let n = conn.execute(sql, [&long]);
            assert!(n.is_ok(), "{name} refused {sql}: {n:?}");
        }
        for sql in [
            "INSERT INTO users (streamer_id, username, created_at, updated_at) \
             VALUES (1, '', 0, 0)",
            "INSERT INTO goals (streamer_id, id, label, target_value, updated_at) \
             VALUES (1, 'h', 'H', -1, 0)",
        ] {
            assert!(conn.execute(sql, []).is_err(), "{name} accepted {sql}");
        }
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "{name}");
    }
}

fn schema(path: &Path) -> (i64, i32, Vec<String>) {
    let conn = Connection::open(path).unwrap();
    let version = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let app = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    let rows = strings(
        &conn,
        "SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || coalesce(sql, '') \
         FROM sqlite_schema ORDER BY type, name",
    );
    (version, app, rows)
}

#[test]
fn fresh_and_upgraded_files_end_with_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let fresh_path = dir.path().join("fresh.db");
    drop(SqliteStore::open_blocking(&fresh_path, clock(), OpenOptions::default()).unwrap());
    let expected = schema(&fresh_path);
    assert_eq!(expected.0, LATEST);
    assert_eq!(expected.1, migrations::APPLICATION_ID);

    // A file left at every older version, then opened by the store. (At version 0 a file is
    // empty, which the store refuses rather than adopts: `damaged_files.rs`.)
    for version in 1..LATEST {
        let path = dir.path().join(format!("v{version}.db"));
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrate(&mut conn, &path, version).unwrap();
        drop(conn);
        drop(SqliteStore::open_blocking(&path, clock(), OpenOptions::default()).unwrap());
        assert_eq!(schema(&path), expected, "upgraded from version {version}");
    }

    // Opening again (and migrating again) changes nothing.
    drop(SqliteStore::open_blocking(&fresh_path, clock(), OpenOptions::default()).unwrap());
    let mut conn = Connection::open(&fresh_path).unwrap();
    migrations::migrate(&mut conn, &fresh_path, LATEST).unwrap();
    drop(conn);
    assert_eq!(schema(&fresh_path), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_connection_the_store_hands_out_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("k.db"), clock())
        .await
        .unwrap();
    // Many reads at once make the pool open several readers. Reads are quick, so on a loaded
    // machine one burst may not overlap: burst again until two readers exist (idle readers
    // stay pooled), up to a bound.
    for _ in 0..200 {
        let reads: Vec<_> = (0..32)
            .map(|_| {
                let s = store.clone();
                tokio::spawn(async move { s.list_streamers().await })
            })
            .collect();
        for r in reads {
            r.await.unwrap().unwrap();
        }
        let settings = store.connection_settings().unwrap();
        if settings.iter().filter(|c| c.role == "reader").count() >= 2 {
            break;
        }
    }
    let settings = store.connection_settings().unwrap();
    assert!(
        settings.iter().filter(|c| c.role == "reader").count() >= 2,
        "the pool should hold several readers: {settings:?}"
    );
    for c in &settings {
        assert!(c.foreign_keys, "{c:?}");
        assert_eq!(c.journal_mode, "wal", "{c:?}");
        assert_eq!(c.synchronous, 1, "NORMAL: {c:?}");
        assert_eq!(
            c.busy_timeout_ms,
            reference_store::BUSY_TIMEOUT.as_millis() as i64,
            "{c:?}"
        );
    }
    let durable = SqliteStore::open_with(
        dir.path().join("d.db"),
        clock(),
        OpenOptions {
            durable: true,
            ..OpenOptions::default()
        },
    )
    .await
    .unwrap();
    durable.list_streamers().await.unwrap();
    for c in durable.connection_settings().unwrap() {
        assert_eq!(c.synchronous, 2, "FULL: {c:?}");
    }
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn foreign_corrupt_and_newer_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let open = |p: &Path| SqliteStore::open_blocking(p, clock(), OpenOptions::default());

    // A legacy single-streamer file.
    let legacy = dir.path().join("kick-overlay.db");
    Connection::open(&legacy)
        .unwrap()
        .execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, \
             username TEXT NOT NULL UNIQUE COLLATE NOCASE);
             INSERT INTO users (username) VALUES ('viewer');",
        )
        .unwrap();
    let before = bytes(&legacy);
    let err = open(&legacy).unwrap_err();
    assert!(
        matches!(err, OpenError::Foreign { tables: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("must be migrated"), "{err}");
    assert_eq!(bytes(&legacy), before, "a refused file is left untouched");

    // Not a database at all.
    let garbage = dir.path().join("garbage.db");
    std::fs::write(
        &garbage,
        b"this is not an SQLite database, just some text.\n".repeat(100),
    )
    .unwrap();
    let before = bytes(&garbage);
    let err = open(&garbage).unwrap_err();
    assert!(matches!(err, OpenError::Corrupt { .. }), "{err:?}");
    assert_eq!(bytes(&garbage), before);

    // Written by a newer version of the store.
    let newer = dir.path().join("newer.db");
    drop(open(&newer).unwrap());
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", LATEST + 1)
        .unwrap();
    let err = open(&newer).unwrap_err();
    assert!(
        matches!(err, OpenError::TooNew { found, supported, .. } if found == LATEST + 1 && supported == LATEST),
        "{err:?}"
    );

    // A directory that does not exist.
    let err = open(&dir.path().join("missing/dir/k.db")).unwrap_err();
    assert!(matches!(err, OpenError::Io { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_reopened_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let store = SqliteStore::open(&path, clock()).await.unwrap();
    let s = store
        .create_streamer(datastore::NewStreamer::named("kept"))
        .await
        .unwrap();
    drop(store);
    let again = SqliteStore::open(&path, clock()).await.unwrap();
    assert_eq!(again.get_streamer(s.id).await.unwrap(), Some(s));
}
