//! The copy's table list (`src/tables.rs`, kept by hand) against both schemas: every table and
//! column of either is copied, with the same kind on both sides, or named as not copied with
//! its reason (PostgreSQL's generated columns, the folded names, are computed, not copied). A
//! failure names what is missing.

use datastore::{ManualClock, Timestamp};
use pg_copy::tables::{Kind, NOT_COPIED, TABLES};
use std::collections::BTreeSet;
use std::sync::Arc;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::saturating_from_millis(0)))
}

/// `(table, column)` of every table the copy lists.
fn listed() -> BTreeSet<(String, String)> {
    TABLES
        .iter()
        .flat_map(|t| {
            t.columns
                .iter()
                .map(|(c, _)| (t.name.to_owned(), (*c).to_owned()))
        })
        .collect()
}

fn skipped(table: &str) -> bool {
    NOT_COPIED.iter().any(|(t, _)| *t == table) || table == "schema_migrations"
}

#[tokio::test]
async fn every_column_of_the_sqlite_schema_is_copied() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    drop(
        reference_store::SqliteStore::open(&path, clock())
            .await
            .unwrap(),
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT m.name, c.name, c.type FROM sqlite_schema m, pragma_table_info(m.name) c \
             WHERE m.type = 'table'",
        )
        .unwrap();
    let mut found = BTreeSet::new();
    let mut wrong_kind = Vec::new();
    for row in stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap()
    {
        let (table, column, ty) = row.unwrap();
        if skipped(&table) {
            continue;
        }
        let kind = TABLES
            .iter()
            .find(|t| t.name == table)
            .and_then(|t| t.columns.iter().find(|(c, _)| *c == column))
            .map(|(_, k)| *k);
        let fits = match kind {
            Some(Kind::Int | Kind::Bool) => ty == "INTEGER",
            Some(Kind::Text) => ty == "TEXT",
            Some(Kind::Bytes) => ty == "BLOB",
            None => true,
        };
        if !fits {
            wrong_kind.push(format!("{table}.{column} is {ty} in SQLite"));
        }
        found.insert((table, column));
    }
    let listed = listed();
    let missing: Vec<_> = found.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&found).collect();
    assert!(
        missing.is_empty() && extra.is_empty() && wrong_kind.is_empty(),
        "src/tables.rs is out of step with the SQLite schema.\n  not copied: {missing:?}\n  \
         not in SQLite: {extra:?}\n  wrong kind: {wrong_kind:?}"
    );
}

#[tokio::test]
async fn every_column_of_the_postgresql_schema_is_copied() {
    let scratch = pg_scratch::server().scratch();
    let options = pg_store::PgOptions::new(scratch.server_url)
        .with_owner(scratch.owner_url)
        .with_schema(scratch.schema.clone());
    pg_store::PgStore::connect(options, clock()).await.unwrap();
    let admin = pg_scratch::server().admin().await;
    let mut found = BTreeSet::new();
    let mut wrong_kind = Vec::new();
    for row in admin
        .query(
            "SELECT table_name::text, column_name::text, data_type::text \
             FROM information_schema.columns WHERE table_schema = $1 AND is_generated = 'NEVER'",
            &[&scratch.schema],
        )
        .await
        .unwrap()
    {
        let (table, column, ty): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        if skipped(&table) {
            continue;
        }
        let kind = TABLES
            .iter()
            .find(|t| t.name == table)
            .and_then(|t| t.columns.iter().find(|(c, _)| *c == column))
            .map(|(_, k)| *k);
        let expected = match kind {
            Some(Kind::Int) => "bigint",
            Some(Kind::Bool) => "boolean",
            Some(Kind::Text) => "text",
            Some(Kind::Bytes) => "bytea",
            None => ty.as_str(),
        };
        if ty != expected {
            wrong_kind.push(format!("{table}.{column} is {ty} in PostgreSQL"));
        }
        found.insert((table, column));
    }
    let listed = listed();
    let missing: Vec<_> = found.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&found).collect();
    assert!(
        missing.is_empty() && extra.is_empty() && wrong_kind.is_empty(),
        "src/tables.rs is out of step with the PostgreSQL schema.\n  not copied: {missing:?}\n  \
         not in PostgreSQL: {extra:?}\n  wrong kind: {wrong_kind:?}"
    );
}
