//! The whole suite on the SQLite reference store: one database file per case, in the case's
//! scratch directory.

use conformance::StoreContext;
use reference_store::SqliteStore;

async fn sqlite(ctx: StoreContext) -> SqliteStore {
    SqliteStore::open(ctx.scratch_dir().join("kickoverlay.db"), ctx.clock())
        .await
        .expect("open a fresh SQLite store")
}

conformance::datastore_suite!(sqlite);
