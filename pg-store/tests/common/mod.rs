//! What the store's own test files share: a store on a fresh schema, streamers, and counting
//! rows as the administrator (who sees every streamer's).
#![allow(dead_code)]

use datastore::{ManualClock, NewStreamer, StreamerId, StreamerStore, Timestamp};
use pg_store::{PgOptions, PgStore};
use std::sync::Arc;

/// The clock every test starts at.
pub const START: i64 = 1_767_225_600_000;

/// A store on a fresh schema, with its clock and schema.
pub async fn fresh_with_clock() -> (PgStore, Arc<ManualClock>, String) {
    let scratch = pg_scratch::server().scratch();
    let clock = Arc::new(ManualClock::new(Timestamp::saturating_from_millis(START)));
    let options = PgOptions::new(scratch.server_url)
        .with_owner(scratch.owner_url)
        .with_schema(scratch.schema.clone());
    let store = PgStore::connect(options, clock.clone())
        .await
        .expect("connect a fresh PostgreSQL store");
    (store, clock, scratch.schema)
}

/// A store on a fresh schema, and the schema.
pub async fn fresh() -> (PgStore, String) {
    let (store, _, schema) = fresh_with_clock().await;
    (store, schema)
}

/// A new streamer called `name`.
pub async fn streamer(store: &PgStore, name: &str) -> StreamerId {
    store
        .create_streamer(NewStreamer::named(name))
        .await
        .expect("create a streamer")
        .id
}

/// How many rows `table` of `schema` holds, every streamer's.
pub async fn count_rows(schema: &str, table: &str) -> i64 {
    let admin = pg_scratch::server().admin().await;
    admin
        .query_one(
            &format!("SELECT count(*) FROM \"{schema}\".\"{table}\""),
            &[],
        )
        .await
        .expect("count rows")
        .get(0)
}
