//! The whole suite on `ModelStore`, the oracle itself.

use conformance::{ModelStore, StoreContext};

async fn model(ctx: StoreContext) -> ModelStore {
    ModelStore::new(ctx.clock())
}

conformance::datastore_suite!(model);
