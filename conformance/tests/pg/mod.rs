//! What the PostgreSQL test files share: fresh schemas, stores on them, and small builders.
#![allow(dead_code)]

use datastore::{Clock, ManualClock, Timestamp};
use pg_store::{PgOptions, PgStore};
use std::sync::Arc;

/// Options for a fresh schema on the test server: the server's login, migrated by the owner.
pub fn fresh_options() -> PgOptions {
    let scratch = pg_scratch::server().scratch();
    PgOptions::new(scratch.server_url)
        .with_owner(scratch.owner_url)
        .with_schema(scratch.schema)
}

/// A store on a fresh schema, on `clock`.
pub async fn fresh_store(clock: Arc<dyn Clock>) -> PgStore {
    PgStore::connect(fresh_options(), clock)
        .await
        .expect("connect a fresh PostgreSQL store")
}

/// A clock at the suite's start.
pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::saturating_from_millis(
        1_767_225_600_000,
    )))
}

/// A raw connection with `url`, on `schema`.
pub async fn raw(url: &str, schema: &str) -> tokio_postgres::Client {
    let mut config: tokio_postgres::Config = url.parse().expect("a connection string");
    config.options(format!("-c search_path={schema}"));
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("a raw connection");
    tokio::spawn(connection);
    client
}

/// The tenant tables of `schema`: every table with a `streamer_id` column.
pub async fn tenant_tables(owner: &tokio_postgres::Client, schema: &str) -> Vec<String> {
    owner
        .query(
            "SELECT table_name::text FROM information_schema.columns \
             WHERE table_schema = $1 AND column_name = 'streamer_id' ORDER BY 1",
            &[&schema],
        )
        .await
        .expect("the tenant tables")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Disables row-level security on every table of `schema`.
pub async fn switch_row_security_off(owner_url: &str, schema: &str) {
    let (client, connection) = tokio_postgres::connect(owner_url, tokio_postgres::NoTls)
        .await
        .expect("the owner connects");
    tokio::spawn(connection);
    let tables = client
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = $1",
            &[&schema],
        )
        .await
        .expect("list the tables");
    assert!(tables.len() > 10, "the schema has its tables");
    for t in tables {
        let table: String = t.get(0);
        client
            .batch_execute(&format!(
                "ALTER TABLE \"{schema}\".\"{table}\" DISABLE ROW LEVEL SECURITY"
            ))
            .await
            .expect("row-level security switches off");
    }
}
