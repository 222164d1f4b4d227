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
        pg::switch_row_security_off(owner, &options.schema).await;
    }
    store
}

conformance::datastore_suite!(postgres);
