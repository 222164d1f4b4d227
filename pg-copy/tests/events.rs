//! A deployment's events and overlay keys move with it: after the copy, PostgreSQL reads the
//! same events with the same ids, the overlay key still opens, and the next write goes on from
//! the counter where SQLite left it.

use datastore::{
    EventId, EventStore, ManualClock, NewStreamer, OverlayStore, PointDelta, PointSource,
    PointStore, SessionStore, SessionToken, StreamerStore, Timestamp, UserStore,
};
use std::sync::Arc;

#[tokio::test]
async fn events_keys_and_counters_are_copied_and_ids_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let clock = Arc::new(ManualClock::new(Timestamp::saturating_from_millis(
        1_767_225_600_000,
    )));
    let key = SessionToken::new("kol_overlay").hash();
    let (a, alice) = {
        let sqlite = reference_store::SqliteStore::open(&path, clock.clone())
            .await
            .unwrap();
        sqlite
            .create_streamer(NewStreamer::named("quiet"))
            .await
            .unwrap();
        let a = sqlite
            .create_streamer(NewStreamer::named("alpha"))
            .await
            .unwrap()
            .id;
        let alice = sqlite.get_or_create_user(a, "alice").await.unwrap().user.id;
        for amount in [5, 7] {
            sqlite
                .earn_points(a, alice, PointDelta::new(amount, PointSource::Chat))
                .await
                .unwrap();
        }
        sqlite
            .upsert_overlay_setting(a, "position", "left", None)
            .await
            .unwrap();
        sqlite.set_overlay_key(a, &key).await.unwrap();
        (a, alice)
    };
    let before = {
        let sqlite = reference_store::SqliteStore::open(&path, clock.clone())
            .await
            .unwrap();
        sqlite.read_events(a, EventId::START, 100).await.unwrap()
    };
    assert_eq!(before.last_id, EventId(3));

    let scratch = pg_scratch::server().scratch();
    let options = pg_store::PgOptions::new(scratch.server_url)
        .with_owner(scratch.owner_url)
        .with_schema(scratch.schema);
    let report = pg_copy::copy(&path, options.clone()).await.unwrap();
    let copied = |table: &str| {
        report
            .tables
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, n)| *n)
    };
    assert_eq!(copied("events"), Some(3));
    assert_eq!(copied("event_sequences"), Some(1));
    assert_eq!(copied("overlay_keys"), Some(1));

    let pg = pg_store::PgStore::connect(options, clock).await.unwrap();
    assert_eq!(
        pg.read_events(a, EventId::START, 100).await.unwrap(),
        before
    );
    assert!(pg.check_overlay_key(a, &key).await.unwrap());
    pg.earn_points(a, alice, PointDelta::new(1, PointSource::Chat))
        .await
        .unwrap();
    let after = pg.read_events(a, EventId(3), 100).await.unwrap();
    let ids: Vec<i64> = after.events.iter().map(|e| e.id.0).collect();
    assert_eq!(ids, [4], "the counter went on from SQLite's");

    // The viewer each copied event names came along: deleting alice on PostgreSQL rewrites the
    // events SQLite recorded of her too, and leaves the setting's.
    pg.delete_user(a, alice).await.unwrap();
    let kinds: Vec<(i64, &str)> = pg
        .read_events(a, EventId::START, 100)
        .await
        .unwrap()
        .events
        .iter()
        .map(|e| (e.id.0, e.data.kind()))
        .collect();
    assert_eq!(
        kinds,
        [
            (1, "viewer_removed"),
            (2, "viewer_removed"),
            (3, "setting_changed"),
            (4, "viewer_removed"),
            (5, "viewer_removed"),
        ]
    );
}
