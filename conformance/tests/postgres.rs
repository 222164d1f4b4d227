//! The whole suite on the PostgreSQL store: a fresh schema per store, on the server
//! `KICKOVERLAY_TEST_DATABASE_URL` names or on a throwaway one (see `pg-scratch`). The store
//! logs in as a role that owns nothing, so row-level security is in force throughout.

use conformance::StoreContext;
use pg_store::{PgOptions, PgStore};

async fn postgres(ctx: StoreContext) -> PgStore {
    let scratch = pg_scratch::server().scratch();
    let options = PgOptions::new(scratch.server_url)
        .with_owner(scratch.owner_url)
        .with_schema(scratch.schema);
    PgStore::connect(options, ctx.clock())
        .await
        .expect("connect a fresh PostgreSQL store")
}

conformance::datastore_suite!(postgres);
