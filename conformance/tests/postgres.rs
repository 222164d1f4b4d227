//! The whole suite on the PostgreSQL store: a fresh schema per store, on the server
//! `KICKOVERLAY_TEST_DATABASE_URL` names or on a throwaway one (see `pg-scratch`). The store
//! logs in as a role that owns nothing, so row-level security is in force throughout.
//!
//! `KICKOVERLAY_TEST_ROW_SECURITY=off` switches row-level security off on every table of each
//! fresh schema (as its owner, after the store has connected): the tenant-predicate mutants
//! (`scripts/tenant-mutants --store pg`) run the suite that way, so that each of the store's
//! own predicates must keep the streamers apart by itself.

mod pg;

use conformance::StoreContext;
use pg_store::PgStore;

async fn postgres(ctx: StoreContext) -> PgStore {
    let options = pg::fresh_options();
    let store = PgStore::connect(options.clone(), ctx.clock())
        .await
        .expect("connect a fresh PostgreSQL store");
    if std::env::var("KICKOVERLAY_TEST_ROW_SECURITY").as_deref() == Ok("off") {
        let owner = options.owner_url.as_deref().expect("an owner login");
        switch_row_security_off(owner, &options.schema).await;
    }
    store
}

/// Disables row-level security on every table of `schema`.
async fn switch_row_security_off(owner_url: &str, schema: &str) {
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

conformance::datastore_suite!(postgres);
