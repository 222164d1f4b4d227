//! The event doorbell: a committed write that recorded events rings once, for its streamer; a
//! write that fails or records nothing rings nothing; another schema's writes never ring; a
//! lost connection is replaced and says `Everyone`; dropping the doorbell ends its connection.
//!
//! A write rings just after it commits, outside its transaction, and returns once the ring is
//! sent: the rings of writes made one after another arrive in that order, so "nothing rang for
//! X" is shown by the next ring being the one of a later write, not by waiting for a silence.

mod common;

use common::{fresh, streamer};
use datastore::{
    PointDelta, PointSource, PointStore, SessionStore, SessionToken, StoreError, StreamerId,
    UserStore,
};
use pg_store::{Doorbell, EventDoorbell, PgStore};
use std::time::Duration;

/// The next ring, within a generous time.
async fn next(bell: &mut EventDoorbell) -> Doorbell {
    tokio::time::timeout(Duration::from_secs(60), bell.recv())
        .await
        .expect("a ring within a minute")
        .expect("the doorbell is running")
}

/// A doorbell past its first ring (`Everyone`, once it listens).
async fn listening(store: &PgStore) -> EventDoorbell {
    let mut bell = store.event_doorbell().await.expect("the doorbell listens");
    assert_eq!(next(&mut bell).await, Doorbell::Everyone);
    bell
}

/// Earns a point for a viewer of `s`: one committed write that records one event.
async fn earn(store: &PgStore, s: StreamerId, name: &str) {
    let u = store.get_or_create_user(s, name).await.unwrap().user.id;
    store
        .earn_points(s, u, PointDelta::new(1, PointSource::Chat))
        .await
        .unwrap();
}

/// The backends of this schema's doorbells, as the administrator sees them.
async fn doorbell_backends(schema: &str) -> Vec<i32> {
    let admin = pg_scratch::server().admin().await;
    admin
        .query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'kick-overlay events' \
             AND query = $1",
            &[&format!("LISTEN \"kickoverlay_events.{schema}\"")],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test]
async fn a_commit_rings_once_for_its_streamer_and_a_failed_write_rings_nothing() {
    let (store, _) = fresh().await;
    let a = streamer(&store, "alpha").await;
    let b = streamer(&store, "beta").await;
    let mut bell = listening(&store).await;

    // Three events in one transaction: one ring.
    store
        .bulk_award(
            b,
            &["x".into(), "y".into(), "z".into()],
            PointDelta::new(5, PointSource::Watch),
        )
        .await
        .unwrap();
    assert_eq!(next(&mut bell).await, Doorbell::Streamer(b));
    earn(&store, a, "alice").await;
    assert_eq!(next(&mut bell).await, Doorbell::Streamer(a), "b rang once");

    // A write that fails (rolled back) and writes that record nothing ring nothing.
    let x = store.get_or_create_user(b, "x").await.unwrap().user.id;
    let refused = store
        .spend_points(b, x, PointDelta::new(1_000, PointSource::Gamble))
        .await;
    assert!(
        matches!(refused, Err(StoreError::InsufficientPoints { .. })),
        "{refused:?}"
    );
    store
        .set_admin_key(b, &SessionToken::new("koa_key").hash())
        .await
        .unwrap();
    store.get_or_create_user(b, "new viewer").await.unwrap();
    earn(&store, a, "alice").await;
    assert_eq!(next(&mut bell).await, Doorbell::Streamer(a));
}

#[tokio::test]
async fn another_schemas_writes_do_not_ring() {
    let (ours, _) = fresh().await;
    let (theirs, _) = fresh().await;
    let a = streamer(&ours, "alpha").await;
    // Their streamer 2 has no namesake here: a leaked ring would name it.
    streamer(&theirs, "first").await;
    let second = streamer(&theirs, "second").await;
    assert_ne!(second, a);
    let mut bell = listening(&ours).await;
    let mut their_bell = listening(&theirs).await;
    earn(&theirs, second, "viewer").await;
    assert_eq!(next(&mut their_bell).await, Doorbell::Streamer(second));
    earn(&ours, a, "viewer").await;
    assert_eq!(next(&mut bell).await, Doorbell::Streamer(a));
}

#[tokio::test]
async fn a_lost_connection_is_replaced_and_rings_everyone() {
    let (store, schema) = fresh().await;
    let a = streamer(&store, "alpha").await;
    let mut bell = listening(&store).await;
    let backends = doorbell_backends(&schema).await;
    assert_eq!(backends.len(), 1, "{backends:?}");
    let admin = pg_scratch::server().admin().await;
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&backends[0]])
        .await
        .unwrap();
    assert_eq!(next(&mut bell).await, Doorbell::Everyone, "listening again");
    let again = doorbell_backends(&schema).await;
    assert_eq!(again.len(), 1, "{again:?}");
    assert_ne!(again, backends);
    earn(&store, a, "viewer").await;
    assert_eq!(next(&mut bell).await, Doorbell::Streamer(a));
}

#[tokio::test]
async fn dropping_the_doorbell_closes_its_connection() {
    let (store, schema) = fresh().await;
    let bell = listening(&store).await;
    assert_eq!(doorbell_backends(&schema).await.len(), 1);
    drop(bell);
    let mut waited = Duration::ZERO;
    while !doorbell_backends(&schema).await.is_empty() {
        assert!(
            waited < Duration::from_secs(60),
            "the connection stayed open"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
}
