//! The events and the overlay key on PostgreSQL, as the store's own tests see them: the counter
//! and the rows behind `read_events` and `purge_events`, the overlay key's own slot, and what
//! deleting a streamer leaves behind. (The conformance suite holds every backend to the
//! contract; these look at the tables too.)

mod common;

use common::{count_rows, fresh, fresh_with_clock, streamer};
use datastore::{
    AdminSetPoints, EventData, EventId, EventPage, EventRetention, EventStore, GoalId, GoalInput,
    GoalStore, LayoutId, LayoutInput, NewTip, OverlayStore, PointDelta, PointSource, PointStore,
    PowerupConfigPatch, PowerupStore, PowerupType, SessionStore, SessionToken, StoreError,
    StreamerId, StreamerStore, TipPatch, TipStore, UserStore,
};
use pg_store::PgStore;
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

/// The events of `s` after `after`, as one page.
async fn events_of(store: &PgStore, s: StreamerId) -> EventPage {
    store.read_events(s, EventId::START, 1000).await.unwrap()
}

fn ids(page: &EventPage) -> Vec<i64> {
    page.events.iter().map(|e| e.id.0).collect()
}

#[tokio::test]
async fn writes_record_their_events_last_with_dense_ids_and_balances_after() {
    let (store, clock, _) = fresh_with_clock().await;
    let a = streamer(&store, "alpha").await;
    let b = streamer(&store, "beta").await;
    let alice = store.get_or_create_user(a, "Alice").await.unwrap().user.id;
    assert_eq!(
        events_of(&store, a).await.last_id,
        EventId::START,
        "lookups record nothing"
    );
    store
        .earn_points(a, alice, PointDelta::new(500, PointSource::Chat))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(1));
    store
        .set_points(
            a,
            alice,
            AdminSetPoints {
                channel_points: 400,
                drop_points: Some(7),
                description: None,
            },
        )
        .await
        .unwrap();
    // Names folded together are awarded once, in the order of first mention.
    store
        .bulk_award(
            a,
            &["bob".into(), "ALICE".into(), "Bob".into()],
            PointDelta::new(10, PointSource::Watch),
        )
        .await
        .unwrap();
    store
        .purchase_powerup(a, alice, PowerupType::Boost)
        .await
        .unwrap();
    let page = events_of(&store, a).await;
    assert_eq!(ids(&page), [1, 2, 3, 4, 5, 6]);
    assert_eq!(page.last_id, EventId(6));
    let kinds: Vec<&str> = page.events.iter().map(|e| e.data.kind()).collect();
    assert_eq!(
        kinds,
        [
            "points_changed",
            "points_changed",
            "points_changed",
            "points_changed",
            "points_changed",
            "powerup_purchased"
        ]
    );
    let EventData::PointsChanged {
        viewer,
        amount,
        source,
        description,
    } = &page.events[1].data
    else {
        panic!("{:?}", page.events[1]);
    };
    assert_eq!(
        (viewer.channel_points, viewer.drop_points),
        (400, 7),
        "after the whole write"
    );
    assert_eq!((*amount, *source), (-100, PointSource::Admin));
    assert_eq!(description.as_deref(), Some("adjustment"));
    assert_eq!(viewer.username, "Alice", "as stored");
    assert_eq!(page.events[1].at.as_millis(), common::START + 1000);
    let awarded: Vec<(String, i64)> = page.events[2..4]
        .iter()
        .map(|e| match &e.data {
            EventData::PointsChanged { viewer, .. } => {
                (viewer.username.clone(), viewer.channel_points)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(awarded, [("bob".to_owned(), 10), ("Alice".to_owned(), 410)]);
    let EventData::PowerupPurchased {
        owned, quantity, ..
    } = &page.events[5].data
    else {
        panic!("{:?}", page.events[5]);
    };
    assert_eq!((*quantity, *owned), (1, 1));
    // Another streamer's ids start at 1 of their own.
    let bob_of_b = store.get_or_create_user(b, "bob").await.unwrap().user.id;
    store
        .earn_points(b, bob_of_b, PointDelta::new(1, PointSource::Chat))
        .await
        .unwrap();
    assert_eq!(ids(&events_of(&store, b).await), [1]);
    assert_eq!(events_of(&store, a).await.last_id, EventId(6));
}

#[tokio::test]
async fn a_failed_write_records_nothing_and_takes_no_id() {
    let (store, _) = fresh().await;
    let a = streamer(&store, "alpha").await;
    let alice = store.get_or_create_user(a, "alice").await.unwrap().user.id;
    let refused = store
        .spend_points(a, alice, PointDelta::new(5, PointSource::Gamble))
        .await;
    assert!(
        matches!(refused, Err(StoreError::InsufficientPoints { .. })),
        "{refused:?}"
    );
    // A layout whose name collides fails after its first statement changed a row.
    let input = |name: &str, is_default| LayoutInput {
        name: name.into(),
        is_default,
        layout: serde_json::json!({}),
    };
    store
        .upsert_layout(a, &LayoutId("one".into()), input("Main", true))
        .await
        .unwrap();
    store
        .upsert_layout(a, &LayoutId("two".into()), input("Other", false))
        .await
        .unwrap();
    let clash = store
        .upsert_layout(a, &LayoutId("three".into()), input("main", true))
        .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict { .. })),
        "{clash:?}"
    );
    store
        .earn_points(a, alice, PointDelta::new(5, PointSource::Chat))
        .await
        .unwrap();
    let page = events_of(&store, a).await;
    assert_eq!(ids(&page), [1, 2, 3]);
    let kinds: Vec<&str> = page.events.iter().map(|e| e.data.kind()).collect();
    assert_eq!(
        kinds,
        ["layout_changed", "layout_changed", "points_changed"]
    );
}

#[tokio::test]
async fn a_new_default_layout_reports_the_layout_it_cleared_after_itself() {
    let (store, _) = fresh().await;
    let a = streamer(&store, "alpha").await;
    let input = |name: &str| LayoutInput {
        name: name.into(),
        is_default: true,
        layout: serde_json::json!({"w": 1}),
    };
    store
        .upsert_layout(a, &LayoutId("b".into()), input("B"))
        .await
        .unwrap();
    store
        .upsert_layout(a, &LayoutId("a".into()), input("A"))
        .await
        .unwrap();
    let page = events_of(&store, a).await;
    let changed: Vec<(String, Option<bool>)> = page
        .events
        .iter()
        .map(|e| match &e.data {
            EventData::LayoutChanged { id, layout } => {
                (id.0.clone(), layout.as_ref().map(|l| l.is_default))
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("b".to_owned(), Some(true)),
            ("a".to_owned(), Some(true)),
            ("b".to_owned(), Some(false))
        ]
    );
}

#[tokio::test]
async fn goals_tips_and_powerups_record_only_what_the_public_lists_show() {
    let (store, _) = fresh().await;
    let a = streamer(&store, "alpha").await;
    let g = GoalId("followers".into());
    let goal = |enabled| GoalInput {
        label: "Followers".into(),
        current_value: 1,
        target_value: 10,
        enabled,
    };
    store.upsert_goal(a, &g, goal(false)).await.unwrap(); // hidden before and after: nothing
    store.set_goal_progress(a, &g, 2).await.unwrap(); // still hidden: nothing
    store.upsert_goal(a, &g, goal(true)).await.unwrap(); // shown: Some
    store.upsert_goal(a, &g, goal(false)).await.unwrap(); // hidden: None
    store.delete_goal(a, &g).await.unwrap(); // deleting a hidden goal: nothing
    let tip = store
        .create_tip(
            a,
            NewTip {
                content: "hi".into(),
                enabled: false,
                sort_order: 0,
            },
        )
        .await
        .unwrap(); // hidden: nothing
    let hide = TipPatch {
        content: None,
        enabled: Some(false),
        sort_order: None,
    };
    store.update_tip(a, tip.id, hide.clone()).await.unwrap(); // hidden before and after
    let show = TipPatch {
        enabled: Some(true),
        ..hide.clone()
    };
    store.update_tip(a, tip.id, show).await.unwrap(); // Some
    store.delete_tip(a, tip.id).await.unwrap(); // None
    let off = PowerupConfigPatch {
        enabled: Some(false),
        ..PowerupConfigPatch::default()
    };
    store
        .update_powerup(a, PowerupType::Tnt, off.clone())
        .await
        .unwrap(); // None
    store
        .update_powerup(a, PowerupType::Tnt, off)
        .await
        .unwrap(); // nothing
    let bodies: Vec<(&str, bool)> = events_of(&store, a)
        .await
        .events
        .iter()
        .map(|e| match &e.data {
            EventData::GoalChanged { goal, .. } => ("goal", goal.is_some()),
            EventData::TipChanged { tip, .. } => ("tip", tip.is_some()),
            EventData::PowerupChanged { powerup, .. } => ("powerup", powerup.is_some()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        bodies,
        [
            ("goal", true),
            ("goal", false),
            ("tip", true),
            ("tip", false),
            ("powerup", false)
        ]
    );
}

#[tokio::test]
async fn concurrent_writes_of_one_streamer_take_dense_ids() {
    let (store, _) = fresh().await;
    let a = streamer(&store, "alpha").await;
    let mut users = Vec::new();
    for i in 0..8 {
        users.push(
            store
                .get_or_create_user(a, &format!("v{i}"))
                .await
                .unwrap()
                .user
                .id,
        );
    }
    let mut writes = tokio::task::JoinSet::new();
    for round in 0..5 {
        for &u in &users {
            let store = store.clone();
            writes.spawn(async move {
                store
                    .earn_points(a, u, PointDelta::new(1 + round, PointSource::Chat))
                    .await
                    .unwrap()
            });
        }
    }
    while let Some(done) = writes.join_next().await {
        done.unwrap();
    }
    let page = events_of(&store, a).await;
    assert_eq!(ids(&page), (1..=40).collect::<Vec<_>>());
    assert_eq!(page.last_id, EventId(40));
}

#[tokio::test]
async fn purging_keeps_the_counter_and_deleting_the_streamer_removes_it_all() {
    let (store, clock, schema) = fresh_with_clock().await;
    let a = streamer(&store, "alpha").await;
    let b = streamer(&store, "beta").await;
    for s in [a, b] {
        for key in ["k1", "k2", "k3", "k4"] {
            store
                .upsert_overlay_setting(s, key, "v", None)
                .await
                .unwrap();
            clock.advance(Duration::from_secs(60));
        }
    }
    // Two minutes back from now: a's events are older (b wrote after them); keep 3 of b's.
    let by_age = EventRetention {
        max_age: Duration::from_secs(120),
        max_count: 100,
    };
    assert_eq!(store.purge_events(a, by_age).await.unwrap(), 4);
    let by_count = EventRetention {
        max_age: Duration::from_secs(86_400),
        max_count: 3,
    };
    assert_eq!(store.purge_events(b, by_count).await.unwrap(), 1);
    let page = events_of(&store, a).await;
    assert!(page.events.is_empty());
    assert_eq!(page.last_id, EventId(4), "the counter stays");
    assert_eq!(ids(&events_of(&store, b).await), [2, 3, 4]);
    store.delete_overlay_setting(a, "k1").await.unwrap();
    assert_eq!(
        ids(&events_of(&store, a).await),
        [5],
        "ids go on after a purge"
    );
    assert_eq!(count_rows(&schema, "event_sequences").await, 2);
    store.delete_streamer(a).await.unwrap();
    assert_eq!(count_rows(&schema, "event_sequences").await, 1);
    assert_eq!(count_rows(&schema, "events").await, 3, "b's only");
    assert_eq!(events_of(&store, a).await.last_id, EventId::START);
}

/// The events table's check names the event types; one left out of it would fail the writes
/// that record it, so the check must name exactly the stored types.
#[tokio::test]
async fn the_events_table_accepts_exactly_the_stored_event_types() {
    let (_, schema) = fresh().await;
    let admin = pg_scratch::server().admin().await;
    let row = admin
        .query_one(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c \
             JOIN pg_namespace n ON n.oid = c.connamespace \
             WHERE n.nspname = $1 AND c.conname = 'events_kind_check'",
            &[&schema],
        )
        .await
        .unwrap();
    let check: String = row.get(0);
    let named: Vec<&str> = check.split('\'').skip(1).step_by(2).collect();
    let stored: Vec<&str> = datastore::EVENT_TYPES
        .iter()
        .copied()
        .filter(|t| *t != "reset")
        .collect();
    let missing: Vec<&&str> = stored.iter().filter(|t| !named.contains(t)).collect();
    assert!(missing.is_empty(), "the check refuses {missing:?}: {check}");
    let extra: Vec<&&str> = named.iter().filter(|t| !stored.contains(t)).collect();
    assert!(extra.is_empty(), "the check names {extra:?}: {check}");
}
