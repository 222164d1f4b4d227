//! Events on SQLite: what the writes record, with which ids, and what the counter, purges,
//! streamer deletes and the overlay key do to the tables behind them. (The conformance suite
//! holds every backend to the same semantics; these look at this store's own mechanics: the
//! counter's upsert, savepoints of a shared transaction, the rows left in the file.)

use datastore::{
    AdminSetPoints, EventData, EventId, EventRetention, EventStore, GoalId, GoalInput, GoalStore,
    LayoutId, LayoutInput, ManualClock, NewStreamer, NewTip, OverlayStore, PointDelta, PointSource,
    PointStore, PowerupStore, PowerupType, ReportStore, SessionStore, SessionToken, StoreError,
    StreamerId, StreamerStore, Timestamp, TipPatch, TipStore, UserId, UserStore,
};
use reference_store::{OpenOptions, SqliteStore};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const START: i64 = 1_767_225_600_000;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::saturating_from_millis(START)))
}

async fn open(dir: &Path) -> (SqliteStore, Arc<ManualClock>, PathBuf) {
    let path = dir.join("events.db");
    let clock = clock();
    let store = SqliteStore::open_with(&path, clock.clone(), OpenOptions::default())
        .await
        .unwrap();
    (store, clock, path)
}

async fn streamer(store: &SqliteStore, name: &str) -> StreamerId {
    store
        .create_streamer(NewStreamer::named(name))
        .await
        .unwrap()
        .id
}

async fn viewer(store: &SqliteStore, s: StreamerId, name: &str) -> UserId {
    store.get_or_create_user(s, name).await.unwrap().user.id
}

async fn all(store: &SqliteStore, s: StreamerId) -> Vec<(i64, EventData)> {
    store
        .read_events(s, EventId::START, 1000)
        .await
        .unwrap()
        .events
        .into_iter()
        .map(|e| (e.id.0, e.data))
        .collect()
}

async fn last_id(store: &SqliteStore, s: StreamerId) -> i64 {
    store
        .read_events(s, EventId::START, 1)
        .await
        .unwrap()
        .last_id
        .0
}

fn count(path: &Path, sql: &str, s: StreamerId) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(sql, [s.0], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_count_per_streamer_from_one_with_no_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let (a, b) = (streamer(&store, "a").await, streamer(&store, "b").await);
    // Creating streamers and viewers records nothing.
    assert_eq!(last_id(&store, a).await, 0);
    let (va, vb) = (
        viewer(&store, a, "ann").await,
        viewer(&store, b, "bob").await,
    );
    assert_eq!(last_id(&store, a).await, 0);
    for _ in 0..3 {
        store
            .earn_points(a, va, PointDelta::new(5, PointSource::Chat))
            .await
            .unwrap();
    }
    store
        .earn_points(b, vb, PointDelta::new(7, PointSource::Chat))
        .await
        .unwrap();
    let ids: Vec<i64> = all(&store, a).await.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(all(&store, b).await.len(), 1);
    assert_eq!(all(&store, b).await[0].0, 1, "b counts from 1 on its own");
    // Reading after an id, with a limit; last_id is the counter.
    let page = store.read_events(a, EventId(1), 1).await.unwrap();
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events[0].id, EventId(2));
    assert_eq!(page.last_id, EventId(3));
    assert_eq!(page.events[0].at, Timestamp::saturating_from_millis(START));
    // Refused limits, and a streamer that does not exist.
    for limit in [0, 1001] {
        assert!(matches!(
            store.read_events(a, EventId::START, limit).await,
            Err(StoreError::InvalidInput { .. })
        ));
    }
    let none = store
        .read_events(StreamerId(999), EventId::START, 10)
        .await
        .unwrap();
    assert!(none.events.is_empty());
    assert_eq!(none.last_id, EventId::START);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_fails_records_nothing_and_takes_no_id() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, path) = open(dir.path()).await;
    let s = streamer(&store, "s").await;
    let v = viewer(&store, s, "ann").await;
    store
        .earn_points(s, v, PointDelta::new(10, PointSource::Chat))
        .await
        .unwrap();
    // Fails after its checks: insufficient points.
    assert!(
        store
            .spend_points(s, v, PointDelta::new(50, PointSource::Spend))
            .await
            .is_err()
    );
    // Fails after a first statement changed a row: the default moved, then the name collides.
    let layout = |name: &str, is_default: bool| LayoutInput {
        name: name.into(),
        is_default,
        layout: serde_json::json!({}),
    };
    store
        .upsert_layout(s, &LayoutId("one".into()), layout("One", true))
        .await
        .unwrap();
    store
        .upsert_layout(s, &LayoutId("two".into()), layout("Two", false))
        .await
        .unwrap();
    assert!(matches!(
        store
            .upsert_layout(s, &LayoutId("three".into()), layout("one", true))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    // A bulk award that would overflow a balance leaves nothing.
    store
        .set_points(
            s,
            v,
            AdminSetPoints {
                channel_points: datastore::validate::MAX_BALANCE,
                drop_points: None,
                description: None,
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .bulk_award(
                s,
                &["newcomer".into(), "ann".into()],
                PointDelta::new(1, PointSource::Chat)
            )
            .await
            .is_err()
    );
    let ids: Vec<i64> = all(&store, s).await.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [1, 2, 3, 4], "earn, two layouts, set");
    assert_eq!(
        count(
            &path,
            "SELECT last_id FROM event_sequences WHERE streamer_id = ?1",
            s
        ),
        4
    );
    store
        .set_theme(s, serde_json::json!({"a": 1}))
        .await
        .unwrap();
    assert_eq!(
        last_id(&store, s).await,
        5,
        "the next write takes the next id"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_sharing_a_transaction_keep_ids_dense_when_some_fail() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let s = streamer(&store, "s").await;
    let v = viewer(&store, s, "ann").await;
    // Many writes at once share the writer's transactions (one savepoint each); every other
    // one fails after its read, so its savepoint rolls back.
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    store
                        .earn_points(s, v, PointDelta::new(1, PointSource::Chat))
                        .await
                        .is_ok()
                } else {
                    store
                        .spend_points(s, v, PointDelta::new(1_000_000, PointSource::Spend))
                        .await
                        .is_ok()
                }
            })
        })
        .collect();
    let mut succeeded = 0;
    for t in tasks {
        succeeded += i64::from(t.await.unwrap());
    }
    assert_eq!(succeeded, 100);
    let events = all(&store, s).await;
    let ids: Vec<i64> = events.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, (1..=100).collect::<Vec<_>>());
    // Each event carries the balance its own write left.
    let balances: Vec<i64> = events
        .iter()
        .map(|(_, e)| match e {
            EventData::PointsChanged { viewer, .. } => viewer.channel_points,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(balances, (1..=100).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_record_what_they_changed_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let s = streamer(&store, "s").await;
    let ann = viewer(&store, s, "Ann").await;
    // A bulk award: one event per viewer, in order of first mention, duplicates folded, the
    // username as stored.
    store
        .bulk_award(
            s,
            &["zed".into(), "ANN".into(), "Zed".into()],
            PointDelta::new(600, PointSource::Gift),
        )
        .await
        .unwrap();
    let events = all(&store, s).await;
    let awarded: Vec<(String, i64, i64)> = events
        .iter()
        .map(|(_, e)| match e {
            EventData::PointsChanged { viewer, amount, .. } => {
                (viewer.username.clone(), viewer.channel_points, *amount)
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        awarded,
        [("zed".into(), 600, 600), ("Ann".into(), 600, 600)]
    );
    // A purchase: its spend, then the purchase, with the balances after.
    store
        .purchase_powerup(s, ann, PowerupType::Tnt)
        .await
        .unwrap();
    let events = all(&store, s).await;
    let cost = store
        .get_powerup(s, PowerupType::Tnt)
        .await
        .unwrap()
        .unwrap()
        .cost;
    match &events[2].1 {
        EventData::PointsChanged {
            viewer,
            amount,
            source,
            description,
        } => {
            assert_eq!(viewer.user_id, ann);
            assert_eq!(viewer.channel_points, 600 - cost);
            assert_eq!(*amount, -cost);
            assert_eq!(*source, PointSource::Spend);
            assert_eq!(description.as_deref(), Some("powerup: tnt"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        events[3].1,
        EventData::PowerupPurchased {
            user_id: ann,
            username: "Ann".into(),
            powerup: PowerupType::Tnt,
            quantity: 1,
            owned: 1,
        }
    );
    // Setting points: one change, with the drop points the same write set.
    store
        .set_points(
            s,
            ann,
            AdminSetPoints {
                channel_points: 5,
                drop_points: Some(9),
                description: None,
            },
        )
        .await
        .unwrap();
    match &all(&store, s).await[4].1 {
        EventData::PointsChanged {
            viewer,
            amount,
            source,
            description,
        } => {
            assert_eq!((viewer.channel_points, viewer.drop_points), (5, 9));
            assert_eq!(*amount, 5 - (600 - cost));
            assert_eq!(*source, PointSource::Admin);
            assert_eq!(description.as_deref(), Some("adjustment"));
        }
        other => panic!("unexpected {other:?}"),
    }
    // A new default layout: the written one first, then the one that lost the flag.
    let layout = |name: &str| LayoutInput {
        name: name.into(),
        is_default: true,
        layout: serde_json::json!({"w": 1}),
    };
    store
        .upsert_layout(s, &LayoutId("b".into()), layout("B"))
        .await
        .unwrap();
    store
        .upsert_layout(s, &LayoutId("a".into()), layout("A"))
        .await
        .unwrap();
    let events = all(&store, s).await;
    let layouts: Vec<(String, bool)> = events[6..]
        .iter()
        .map(|(_, e)| match e {
            EventData::LayoutChanged {
                id,
                layout: Some(l),
            } => (id.0.clone(), l.is_default),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(layouts, [("a".into(), true), ("b".into(), false)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goals_and_tips_record_only_what_the_public_reads_can_see() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let s = streamer(&store, "s").await;
    let goal = GoalId("subs".into());
    let input = |enabled: bool| GoalInput {
        label: "Subs".into(),
        current_value: 1,
        target_value: 10,
        enabled,
    };
    // Disabled before (missing) and after: nothing; the progress of a disabled goal: nothing.
    store.upsert_goal(s, &goal, input(false)).await.unwrap();
    store.set_goal_progress(s, &goal, 3).await.unwrap();
    assert_eq!(last_id(&store, s).await, 0);
    // Enabled: the goal; disabled again: no body; deleted while disabled: nothing.
    store.upsert_goal(s, &goal, input(true)).await.unwrap();
    store.upsert_goal(s, &goal, input(false)).await.unwrap();
    store.delete_goal(s, &goal).await.unwrap();
    let events = all(&store, s).await;
    assert_eq!(events.len(), 2);
    assert!(matches!(&events[0].1, EventData::GoalChanged { goal: Some(g), .. } if g.enabled));
    assert!(matches!(
        &events[1].1,
        EventData::GoalChanged { goal: None, .. }
    ));
    // A tip created disabled, edited while disabled: nothing; enabled, then deleted: the
    // tip, then no body.
    let tip = store
        .create_tip(
            s,
            NewTip {
                content: "hidden".into(),
                enabled: false,
                sort_order: 0,
            },
        )
        .await
        .unwrap();
    let patch = |enabled: Option<bool>| TipPatch {
        content: Some("edited".into()),
        enabled,
        sort_order: None,
    };
    store.update_tip(s, tip.id, patch(None)).await.unwrap();
    store
        .update_tip(s, tip.id, patch(Some(false)))
        .await
        .unwrap();
    assert_eq!(last_id(&store, s).await, 2);
    store
        .update_tip(s, tip.id, patch(Some(true)))
        .await
        .unwrap();
    store.delete_tip(s, tip.id).await.unwrap();
    let events = all(&store, s).await;
    assert_eq!(events.len(), 4);
    assert!(
        matches!(&events[2].1, EventData::TipChanged { tip: Some(t), .. } if t.content == "edited")
    );
    assert!(matches!(
        &events[3].1,
        EventData::TipChanged { tip: None, .. }
    ));
    // A powerup disabled: no body; changed while disabled: nothing.
    let off = datastore::PowerupConfigPatch {
        enabled: Some(false),
        ..Default::default()
    };
    store
        .update_powerup(s, PowerupType::Boost, off.clone())
        .await
        .unwrap();
    store
        .update_powerup(s, PowerupType::Boost, off)
        .await
        .unwrap();
    let events = all(&store, s).await;
    assert_eq!(events.len(), 5);
    assert_eq!(
        events[4].1,
        EventData::PowerupChanged {
            id: PowerupType::Boost,
            powerup: None
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purges_keep_the_counter_and_deleting_a_streamer_leaves_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (store, clock, path) = open(dir.path()).await;
    let (s, other) = (streamer(&store, "s").await, streamer(&store, "o").await);
    let v = viewer(&store, s, "ann").await;
    let w = viewer(&store, other, "wes").await;
    for _ in 0..5 {
        store
            .earn_points(s, v, PointDelta::new(1, PointSource::Watch))
            .await
            .unwrap();
        store
            .earn_points(other, w, PointDelta::new(1, PointSource::Watch))
            .await
            .unwrap();
        clock.advance(Duration::from_secs(60));
    }
    // Keep three of five: the two oldest go; the counter stays; the other streamer keeps all.
    let keep_three = EventRetention {
        max_age: Duration::from_secs(3600),
        max_count: 3,
    };
    assert_eq!(store.purge_events(s, keep_three).await.unwrap(), 2);
    let page = store.read_events(s, EventId::START, 10).await.unwrap();
    let ids: Vec<i64> = page.events.iter().map(|e| e.id.0).collect();
    assert_eq!(ids, [3, 4, 5]);
    assert_eq!(page.last_id, EventId(5));
    assert!(!page.continues_from(EventId::START));
    assert_eq!(all(&store, other).await.len(), 5);
    // By age: older than two and a half minutes go (the writes were a minute apart, the
    // clock is a minute past the last).
    let recent = EventRetention {
        max_age: Duration::from_secs(150),
        max_count: 100,
    };
    assert_eq!(store.purge_events(s, recent).await.unwrap(), 1);
    let ids: Vec<i64> = all(&store, s).await.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [4, 5]);
    assert!(matches!(
        store
            .purge_events(
                s,
                EventRetention {
                    max_age: Duration::ZERO,
                    max_count: 0
                }
            )
            .await,
        Err(StoreError::InvalidInput { .. })
    ));
    store
        .earn_points(s, v, PointDelta::new(1, PointSource::Watch))
        .await
        .unwrap();
    assert_eq!(
        last_id(&store, s).await,
        6,
        "a purge never resets the counter"
    );
    // Deleting the streamer takes its events, counter and overlay key with it.
    store
        .set_overlay_key(s, &SessionToken::new("kol_s").hash())
        .await
        .unwrap();
    store.delete_streamer(s).await.unwrap();
    for table in ["events", "event_sequences", "overlay_keys"] {
        let sql = format!("SELECT count(*) FROM {table} WHERE streamer_id = ?1");
        assert_eq!(count(&path, &sql, s), 0, "{table}");
    }
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM events WHERE streamer_id = ?1",
            other
        ),
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overlay_key_is_a_slot_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let (a, b) = (streamer(&store, "a").await, streamer(&store, "b").await);
    let (admin, first, second) = (
        SessionToken::new("koa_admin").hash(),
        SessionToken::new("kov_first").hash(),
        SessionToken::new("kov_second").hash(),
    );
    assert!(!store.check_overlay_key(a, &first).await.unwrap());
    store.set_admin_key(a, &admin).await.unwrap();
    let set = store.set_overlay_key(a, &first).await.unwrap();
    assert_eq!(set.key_hash, first);
    assert!(store.check_overlay_key(a, &first).await.unwrap());
    assert!(!store.check_overlay_key(b, &first).await.unwrap());
    assert!(!store.check_overlay_key(a, &admin).await.unwrap());
    assert!(!store.check_admin_key(a, &first).await.unwrap());
    store.set_overlay_key(a, &second).await.unwrap();
    assert!(!store.check_overlay_key(a, &first).await.unwrap());
    assert!(store.check_overlay_key(a, &second).await.unwrap());
    assert!(matches!(
        store.set_overlay_key(StreamerId(999), &first).await,
        Err(StoreError::NotFound { .. })
    ));
    // Setting keys records nothing and is not exported.
    assert_eq!(last_id(&store, a).await, 0);
    let export = serde_json::to_string(&store.export_streamer(a).await.unwrap()).unwrap();
    let hex = second.to_hex();
    assert!(!export.contains(&hex));
}
