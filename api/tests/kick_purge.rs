//! The scheduled purge forgets Kick delivery ids after two days (twice the longest replay
//! window, so a redelivery the server would still accept is always recognised), and only
//! those.

use api::housekeeping::{self, DEFAULT_EVENT_RETENTION, DELIVERY_RETENTION};
use datastore::{
    Clock, DataStore, Delivery, DeliveryId, DeliveryOutcome, KickViewer, ManualClock, NewStreamer,
    Step, SystemClock,
};
use reference_store::{OpenOptions, SqliteStore};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn delivery_ids_older_than_the_retention_are_purged_and_newer_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemClock.now();
    let clock = Arc::new(ManualClock::new(
        now.checked_sub(DELIVERY_RETENTION + Duration::from_secs(3600))
            .unwrap(),
    ));
    let store: Arc<dyn DataStore> = Arc::new(
        SqliteStore::open_with(
            &dir.path().join("k.db"),
            clock.clone(),
            OpenOptions::default(),
        )
        .await
        .unwrap(),
    );
    let s = store
        .create_streamer(NewStreamer::named("alpha"))
        .await
        .unwrap()
        .id;
    let delivery = |id: &str| Delivery {
        id: DeliveryId(id.into()),
        effects: vec![Step::Chatted {
            viewer: KickViewer::new(5, "ann"),
        }],
        command: vec![],
    };
    let applied = |o: DeliveryOutcome| matches!(o, DeliveryOutcome::Applied { .. });
    assert!(applied(
        store.apply_delivery(s, delivery("old")).await.unwrap()
    ));
    clock.set(
        now.checked_sub(DELIVERY_RETENTION - Duration::from_secs(3600))
            .unwrap(),
    );
    assert!(applied(
        store.apply_delivery(s, delivery("recent")).await.unwrap()
    ));
    let purged = housekeeping::purge_once(&*store, DEFAULT_EVENT_RETENTION)
        .await
        .unwrap();
    assert_eq!(purged.deliveries, 1);
    assert!(
        !store
            .delivery_seen(s, &DeliveryId("old".into()))
            .await
            .unwrap()
    );
    assert!(
        store
            .delivery_seen(s, &DeliveryId("recent".into()))
            .await
            .unwrap()
    );
    // The longest replay window is a day: anything it would accept is still remembered.
    assert!(DELIVERY_RETENTION >= 2 * Duration::from_secs(86_400));
}
