//! Slow and stalled clients of the event stream: memory stays bounded, a client that stops
//! reading is dropped, one that falls behind the broadcast catches up from the store, and a
//! channel nobody watches closes.

use api::live::{EventHub, LiveConfig, stream};
use datastore::{
    DataStore, EventId, NewStreamer, PointDelta, PointSource, StreamerId, StreamerStore, UserId,
    UserStore,
};
use reference_store::SqliteStore;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::error::TryRecvError;

async fn store_with_viewer() -> (tempfile::TempDir, Arc<dyn DataStore>, StreamerId, UserId) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(datastore::SystemClock);
    let store = SqliteStore::open(dir.path().join("db"), clock)
        .await
        .unwrap();
    let s = store
        .create_streamer(NewStreamer::named("alpha"))
        .await
        .unwrap();
    let u = store
        .get_or_create_user(s.id, "alice")
        .await
        .unwrap()
        .user
        .id;
    (dir, Arc::new(store), s.id, u)
}

async fn earn(store: &dyn DataStore, hub: &EventHub, s: StreamerId, u: UserId) {
    let delta = PointDelta {
        amount: 1,
        source: PointSource::Chat,
        description: None,
    };
    store.earn_points(s, u, delta).await.unwrap();
    hub.ring(s);
}

fn frame_ids(frames: &[bytes::Bytes]) -> Vec<i64> {
    frames
        .iter()
        .flat_map(|f| {
            std::str::from_utf8(f)
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter_map(|l| l.strip_prefix("id: ").map(|n| n.parse().unwrap()))
        .collect()
}

#[tokio::test]
async fn a_client_that_stops_reading_holds_its_queue_at_most_and_is_dropped() {
    let (_dir, store, s, u) = store_with_viewer().await;
    let config = LiveConfig {
        keep_alive: Duration::from_secs(3600),
        channel_events: 4,
        client_frames: 2,
        send_timeout: Duration::from_millis(200),
        ..LiveConfig::default()
    };
    let hub = EventHub::new(store.clone(), config);
    let mut stalled = stream::open(&hub, s, Some(EventId::START), None).unwrap();
    for _ in 0..40 {
        earn(&*store, &hub, s, u).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut queued = 0;
    loop {
        match stalled.try_recv() {
            Ok(_) => queued += 1,
            Err(TryRecvError::Empty) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                assert!(
                    queued <= config.client_frames + 1,
                    "the queue grew to {queued}"
                );
            }
            Err(TryRecvError::Disconnected) => break,
        }
        assert!(
            queued <= config.client_frames + 1,
            "the queue grew to {queued}"
        );
    }
    // Nobody watches any more: the next ring closes the channel.
    hub.ring(s);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(hub.open_channels(), 0);
}

#[tokio::test]
async fn a_client_behind_the_broadcast_catches_up_from_the_store_in_order_once() {
    let (_dir, store, s, u) = store_with_viewer().await;
    let config = LiveConfig {
        keep_alive: Duration::from_secs(3600),
        channel_events: 2,
        client_frames: 1,
        send_timeout: Duration::from_secs(10),
        catch_up_page: 7,
        ..LiveConfig::default()
    };
    let hub = EventHub::new(store.clone(), config);
    let mut slow = stream::open(&hub, s, None, None).unwrap();
    // The preamble and the ready point (nothing yet), then the writes while the client dawdles.
    let _ = slow.recv().await.unwrap().unwrap();
    let ready = slow.recv().await.unwrap().unwrap();
    assert!(
        std::str::from_utf8(&ready)
            .unwrap()
            .starts_with("id: 0\nevent: ready\n")
    );
    let writer = {
        let (store, hub) = (store.clone(), hub.clone());
        tokio::spawn(async move {
            for _ in 0..60 {
                earn(&*store, &hub, s, u).await;
            }
        })
    };
    let mut frames = Vec::new();
    while frame_ids(&frames).len() < 60 {
        let f = tokio::time::timeout(Duration::from_secs(10), slow.recv())
            .await
            .expect("the stream goes on")
            .expect("open")
            .unwrap();
        frames.push(f);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    writer.await.unwrap();
    assert_eq!(frame_ids(&frames), (1..=60).collect::<Vec<_>>());
    hub.close();
    assert!(
        tokio::time::timeout(Duration::from_secs(2), async {
            while slow.recv().await.is_some() {}
        })
        .await
        .is_ok(),
        "closing the hub ends the stream"
    );
}

#[tokio::test]
async fn streams_are_limited_per_address_and_in_all_and_a_closed_one_gives_its_place_back() {
    let (_dir, store, s, _u) = store_with_viewer().await;
    let config = LiveConfig {
        max_streams: 3,
        max_streams_per_address: 2,
        ..LiveConfig::default()
    };
    let hub = EventHub::new(store, config);
    let one: std::net::IpAddr = "10.0.0.1".parse().unwrap();
    let two: std::net::IpAddr = "10.0.0.2".parse().unwrap();
    let a = stream::open(&hub, s, None, Some(one)).unwrap();
    let _b = stream::open(&hub, s, None, Some(one)).unwrap();
    assert_eq!(
        stream::open(&hub, s, None, Some(one)).err(),
        Some(api::live::hub::Refused::AddressFull)
    );
    let _c = stream::open(&hub, s, None, Some(two)).unwrap();
    assert_eq!(
        stream::open(&hub, s, None, Some(two)).err(),
        Some(api::live::hub::Refused::Full)
    );
    assert_eq!(hub.open_streams(), 3);
    // The client of `a` hangs up: its stream ends at once, without waiting for a frame.
    drop(a);
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while hub.open_streams() == 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        hub.open_streams(),
        2,
        "the place of a closed stream is given back"
    );
    assert!(stream::open(&hub, s, None, Some(one)).is_ok());
}
