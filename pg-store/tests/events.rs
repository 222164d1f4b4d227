//! The events and the overlay key on PostgreSQL, as the store's own tests see them: the counter
//! and the rows behind `read_events` and `purge_events`, the overlay key's own slot, and what
//! deleting a streamer leaves behind. (The conformance suite holds every backend to the
//! contract; these look at the tables too.)

mod common;

use common::{count_rows, fresh, streamer};
use datastore::{
    EventId, EventRetention, EventStore, SessionStore, SessionToken, StoreError, StreamerStore,
};
use std::time::Duration;

#[tokio::test]
async fn an_unknown_streamer_has_no_events_and_bad_limits_are_refused() {
    let (store, _) = fresh().await;
    let page = store
        .read_events(datastore::StreamerId(9_999), EventId::START, 10)
        .await
        .unwrap();
    assert!(page.events.is_empty());
    assert_eq!(page.last_id, EventId::START);
    for limit in [0, datastore::MAX_EVENT_PAGE + 1] {
        let refused = store
            .read_events(datastore::StreamerId(1), EventId::START, limit)
            .await;
        assert!(
            matches!(refused, Err(StoreError::InvalidInput { .. })),
            "{limit}: {refused:?}"
        );
    }
    let retention = EventRetention {
        max_age: Duration::from_secs(60),
        max_count: 0,
    };
    assert!(matches!(
        store
            .purge_events(datastore::StreamerId(1), retention)
            .await,
        Err(StoreError::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn the_overlay_key_is_its_own_slot_and_goes_with_its_streamer() {
    let (store, schema) = fresh().await;
    let a = streamer(&store, "alpha").await;
    let b = streamer(&store, "beta").await;
    let admin = SessionToken::new("koa_admin").hash();
    let first = SessionToken::new("kol_first").hash();
    let second = SessionToken::new("kol_second").hash();
    store.set_admin_key(a, &admin).await.unwrap();
    assert!(!store.check_overlay_key(a, &first).await.unwrap());
    let set = store.set_overlay_key(a, &first).await.unwrap();
    assert_eq!(set.key_hash, first);
    assert!(store.check_overlay_key(a, &first).await.unwrap());
    assert!(
        !store.check_overlay_key(b, &first).await.unwrap(),
        "another streamer's key"
    );
    assert!(
        !store.check_overlay_key(a, &admin).await.unwrap(),
        "the admin key"
    );
    assert!(
        !store.check_admin_key(a, &first).await.unwrap(),
        "the overlay key"
    );
    store.set_overlay_key(a, &second).await.unwrap();
    assert!(
        !store.check_overlay_key(a, &first).await.unwrap(),
        "replaced"
    );
    assert!(store.check_overlay_key(a, &second).await.unwrap());
    assert!(matches!(
        store
            .set_overlay_key(datastore::StreamerId(9_999), &first)
            .await,
        Err(StoreError::NotFound {
            resource: datastore::Resource::Streamer
        })
    ));
    assert_eq!(count_rows(&schema, "overlay_keys").await, 1);
    store.delete_streamer(a).await.unwrap();
    assert_eq!(count_rows(&schema, "overlay_keys").await, 0);
    assert!(!store.check_overlay_key(a, &second).await.unwrap());
}
