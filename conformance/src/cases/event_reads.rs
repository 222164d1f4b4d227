//! Events: reading them page by page, purging them, their per-streamer ids, a deleted
//! streamer's events, and events recorded by concurrent writes.

use super::events::{balances, check_payloads, check_recorded, credentials, last_id};
use super::support::*;
use crate::harness::{CaseResult, Failure, Harness, check, check_eq, check_err};
use datastore::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

/// Records `n` theme changes (one event each), the clock moving a second before each.
async fn themes(h: &Harness, store: &dyn DataStore, s: StreamerId, n: i64) -> Result<(), Failure> {
    for i in 0..n {
        h.clock().advance(Duration::from_secs(1));
        store.set_theme(s, json!({"streamer": s.0, "n": i})).await?;
    }
    Ok(())
}

/// The ids of a page's events.
fn ids(page: &EventPage) -> Vec<i64> {
    page.events.iter().map(|e| e.id.get()).collect()
}

/// Event ids count per streamer from 1 with no gaps, whatever other streamers record in
/// between: a streamer's ids and latest id say nothing of another's activity, a streamer
/// created later starts at 1, each reads only its own events, and a streamer that does not
/// exist has an empty page with latest id 0.
pub async fn event_ids_count_per_streamer_from_one(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let secrets = credentials(&*store, b).await?;
    themes(&h, &*store, a, 5).await?;
    themes(&h, &*store, b, 2).await?;
    themes(&h, &*store, a, 3).await?;
    let viewer = funded(&*store, b, "viewer", 10).await?;
    let pa = all_events(&*store, a).await?;
    let pb = all_events(&*store, b).await?;
    check_eq!(ids(&pa), (1..=8).collect::<Vec<_>>(), "A's ids");
    check_eq!(pa.last_id, EventId(8), "A's latest id");
    check_eq!(ids(&pb), vec![1, 2, 3], "B's ids, whatever A recorded");
    check_eq!(pb.last_id, EventId(3), "B's latest id");
    for e in &pa.events {
        check!(
            matches!(&e.data, EventData::ThemeChanged { theme } if theme.theme["streamer"] == json!(a.0)),
            "A reads only its own events: {e:?}"
        );
    }
    let own = pb.events.iter().all(|e| match &e.data {
        EventData::ThemeChanged { theme } => theme.theme["streamer"] == json!(b.0),
        EventData::PointsChanged { viewer: v, .. } => v.user_id == viewer,
        _ => false,
    });
    check!(own, "B reads only its own events: {:?}", pb.events);
    let late = streamer(&*store, "charlie").await?;
    check_eq!(
        store.read_events(late, EventId::START, 10).await?,
        EventPage {
            events: vec![],
            last_id: EventId::START
        },
        "a new streamer has no events"
    );
    themes(&h, &*store, late, 1).await?;
    check_eq!(
        ids(&all_events(&*store, late).await?),
        vec![1],
        "a streamer created later starts at 1"
    );
    let nobody = StreamerId(a.0.max(b.0).max(late.0) + 1_000_000);
    check_eq!(
        store.read_events(nobody, EventId::START, 10).await?,
        EventPage {
            events: vec![],
            last_id: EventId::START
        },
        "a streamer that does not exist"
    );
    check_eq!(
        store
            .purge_events(
                nobody,
                EventRetention {
                    max_age: Duration::ZERO,
                    max_count: 1
                }
            )
            .await?,
        0,
        "a streamer that does not exist has nothing to purge"
    );
    check_payloads(&*store, b, &secrets).await
}

/// `read_events` checks its limit first (1 to `MAX_EVENT_PAGE`), then answers the events after
/// the id asked for, oldest first, at most the limit, with the latest id; paging with
/// `next_after` reads every event once, and a place past the latest id is no continuation.
pub async fn read_events_pages_after_an_id(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    themes(&h, &*store, s, 7).await?;
    for bad in [0, MAX_EVENT_PAGE + 1, u32::MAX] {
        let refused = validate_event_limit(bad).expect_err("an invalid limit");
        check_err!(
            store.read_events(s, EventId::START, bad).await,
            refused,
            "a limit of {bad}"
        );
        let nobody = StreamerId(s.0 + 1_000_000);
        check_err!(
            store.read_events(nobody, EventId::START, bad).await,
            refused,
            "the limit is checked before the streamer, limit {bad}"
        );
    }
    let all = store.read_events(s, EventId::START, MAX_EVENT_PAGE).await?;
    check_eq!(ids(&all), (1..=7).collect::<Vec<_>>(), "the largest page");
    let mut after = EventId::START;
    let mut pages = Vec::new();
    loop {
        let page = store.read_events(s, after, 3).await?;
        check_eq!(page.last_id, EventId(7), "every page has the latest id");
        check!(page.continues_from(after), "page after {after} continues");
        if page.events.is_empty() {
            break;
        }
        pages.push(ids(&page));
        after = page.next_after(after);
    }
    check_eq!(
        pages,
        vec![vec![1, 2, 3], vec![4, 5, 6], vec![7]],
        "pages of three"
    );
    check_eq!(
        all.events[4..5].to_vec(),
        store.read_events(s, EventId(4), 1).await?.events,
        "one event after 4"
    );
    let past = store.read_events(s, EventId(100), 10).await?;
    check_eq!(
        (ids(&past), past.last_id),
        (vec![], EventId(7)),
        "after the latest id"
    );
    check!(
        !past.continues_from(EventId(100)),
        "a place past the latest id is from another history"
    );
    let times: Vec<Timestamp> = all.events.iter().map(|e| e.at).collect();
    let mut sorted = times.clone();
    sorted.sort();
    sorted.dedup();
    check_eq!(times, sorted, "each event at the time of its write");
    Ok(())
}

/// `purge_events` checks the retention first, then deletes the events older than its age
/// (an event exactly that old stays) or not among the newest `max_count`, and answers how
/// many; the counter never goes back, so the next event takes the next id and a reader can
/// tell that what it had not read was purged.
pub async fn purge_events_by_age_and_count_keeps_the_counter(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let secrets = credentials(&*store, s).await?;
    let viewer = user(&*store, s, "viewer").await?;
    // Two events now, one 10 s later, one 20 s later, two 30 s later.
    let t0 = h.clock().now();
    store
        .bulk_award(
            s,
            &["viewer".to_owned(), "guest".to_owned()],
            PointDelta::new(3, PointSource::Watch),
        )
        .await?;
    for _ in 0..2 {
        h.clock().advance(Duration::from_secs(10));
        store
            .earn_points(s, viewer, PointDelta::new(1, PointSource::Chat))
            .await?;
    }
    h.clock().advance(Duration::from_secs(10));
    store.set_theme(s, json!({"a": 1})).await?;
    store.set_theme(s, json!({"a": 2})).await?;
    let start = store.read_events(s, EventId::START, 10).await?;
    check_eq!(ids(&start), vec![1, 2, 3, 4, 5, 6], "six events");
    check_eq!(start.events[0].at, t0, "the first at the start");

    for bad in [0, MAX_EVENT_RETENTION_COUNT + 1] {
        let retention = EventRetention {
            max_age: Duration::ZERO,
            max_count: bad,
        };
        let refused = retention.validate().expect_err("an invalid retention");
        check_err!(
            store.purge_events(s, retention).await,
            refused,
            "a max_count of {bad}"
        );
    }
    check_eq!(
        store.read_events(s, EventId::START, 10).await?,
        start,
        "a refused purge deletes nothing"
    );

    let by_age = EventRetention {
        max_age: Duration::from_secs(20),
        max_count: 100,
    };
    check_eq!(
        store.purge_events(s, by_age).await?,
        2,
        "the two events older than 20 s (the one exactly 20 s old stays)"
    );
    let page = store.read_events(s, EventId::START, 10).await?;
    check_eq!(
        (ids(&page), page.last_id),
        (vec![3, 4, 5, 6], EventId(6)),
        "after the purge by age"
    );
    check!(
        !page.continues_from(EventId::START),
        "a reader at the start sees that 1 and 2 were purged"
    );
    check!(
        page.continues_from(EventId(2)),
        "a reader that had read 2 continues"
    );

    let by_count = EventRetention {
        max_age: Duration::from_secs(365 * 24 * 3600),
        max_count: 2,
    };
    check_eq!(
        store.purge_events(s, by_count).await?,
        2,
        "all but the newest two"
    );
    check_eq!(store.purge_events(s, by_count).await?, 0, "nothing more");
    let page = store.read_events(s, EventId::START, 10).await?;
    check_eq!(
        (ids(&page), page.last_id),
        (vec![5, 6], EventId(6)),
        "after the purge by count"
    );
    check!(
        !page.continues_from(EventId(3)),
        "a reader that had read 3 sees that 4 was purged"
    );

    h.clock().advance(Duration::from_secs(1));
    let at = h.clock().now();
    store
        .earn_points(s, viewer, PointDelta::new(1, PointSource::Chat))
        .await?;
    let want = vec![EventData::PointsChanged {
        viewer: balances(viewer, "viewer", 6, 0, 0),
        amount: 1,
        source: PointSource::Chat,
        description: None,
    }];
    check_recorded(
        &*store,
        s,
        EventId(6),
        at,
        want,
        "the counter survives the purges",
    )
    .await?;
    check_payloads(&*store, s, &secrets).await?;

    h.clock().advance(Duration::from_secs(1));
    let everything = EventRetention {
        max_age: Duration::ZERO,
        max_count: MAX_EVENT_RETENTION_COUNT,
    };
    check_eq!(
        store.purge_events(s, everything).await?,
        3,
        "every event is old now"
    );
    let page = store.read_events(s, EventId::START, 10).await?;
    check_eq!(
        (ids(&page), page.last_id),
        (vec![], EventId(7)),
        "no events, the latest id kept"
    );
    check!(
        page.continues_from(EventId(7)),
        "a reader that had read all continues"
    );
    check!(
        !page.continues_from(EventId(6)),
        "a reader that had not sees the hole"
    );
    check_eq!(last_id(&*store, s).await?, EventId(7), "the latest id");
    Ok(())
}

/// Deleting a streamer deletes its events and its counter: its id reads an empty page with
/// latest id 0, other streamers keep theirs, and a new streamer of the same name starts at 1.
pub async fn delete_streamer_removes_its_events(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    themes(&h, &*store, a, 4).await?;
    themes(&h, &*store, b, 2).await?;
    let b_before = all_events(&*store, b).await?;
    store.delete_streamer(a).await?;
    check_eq!(
        store.read_events(a, EventId::START, 10).await?,
        EventPage {
            events: vec![],
            last_id: EventId::START
        },
        "the deleted streamer's events and counter are gone"
    );
    check_eq!(
        all_events(&*store, b).await?,
        b_before,
        "the other streamer keeps its events"
    );
    let again = streamer(&*store, "alpha").await?;
    check_eq!(
        last_id(&*store, again).await?,
        EventId::START,
        "a namesake starts empty"
    );
    themes(&h, &*store, again, 1).await?;
    check_eq!(
        ids(&all_events(&*store, again).await?),
        vec![1],
        "and counts from 1"
    );
    Ok(())
}

/// Concurrent earns on one streamer (several viewers at once) record one event each, with
/// dense, unique ids and none lost: each matches a ledger row, and each viewer's balances in
/// id order add up (events commit in id order). Concurrent spends that fail record nothing
/// and take no id.
pub async fn concurrent_writes_record_dense_unique_events(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let mut viewers = Vec::new();
    for name in ["v0", "v1", "v2"] {
        viewers.push(user(&*store, s, name).await?);
    }
    const EARNS: usize = 24;
    let results = concurrently(EARNS, |i| {
        let store = store.clone();
        let u = viewers[i % viewers.len()];
        async move {
            store
                .earn_points(s, u, PointDelta::new(1 + i as i64, PointSource::Chat))
                .await
        }
    })
    .await?;
    check!(
        results.iter().all(|r| r.is_ok()),
        "every earn succeeds: {results:?}"
    );
    let page = all_events(&*store, s).await?;
    check_eq!(
        ids(&page),
        (1..=EARNS as i64).collect::<Vec<_>>(),
        "one event per earn, ids dense and unique"
    );
    check_eq!(page.last_id, EventId(EARNS as i64), "the latest id");
    let mut from_events: Vec<(UserId, i64)> = Vec::new();
    let mut running: BTreeMap<UserId, i64> = BTreeMap::new();
    for e in &page.events {
        let EventData::PointsChanged { viewer, amount, .. } = &e.data else {
            return Err(Failure(format!("an earn recorded {e:?}")));
        };
        let sum = running.entry(viewer.user_id).or_insert(0);
        *sum += amount;
        check_eq!(
            viewer.channel_points,
            *sum,
            "event {}: the balance after this earn and every earlier one of the viewer",
            e.id
        );
        from_events.push((viewer.user_id, *amount));
    }
    let ledger = export(&*store, s).await?.transactions;
    let mut from_ledger: Vec<(UserId, i64)> =
        ledger.iter().map(|t| (t.user_id, t.amount)).collect();
    from_events.sort();
    from_ledger.sort();
    check_eq!(
        from_events,
        from_ledger,
        "each event is a ledger row, none lost"
    );

    // Ten spends of 100 on a balance of 500: five succeed, five record nothing.
    let spender = funded(&*store, s, "spender", 500).await?;
    let before = last_id(&*store, s).await?;
    let results = concurrently(10, |_| {
        let store = store.clone();
        async move {
            store
                .spend_points(s, spender, PointDelta::new(100, PointSource::Spend))
                .await
        }
    })
    .await?;
    check_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        5,
        "five spends succeed"
    );
    let page = store.read_events(s, before, MAX_EVENT_PAGE).await?;
    check_eq!(
        ids(&page),
        (before.get() + 1..=before.get() + 5).collect::<Vec<_>>(),
        "one event per spend that succeeded, no id taken by a refused one"
    );
    let balances_after: Vec<i64> = page
        .events
        .iter()
        .filter_map(|e| match &e.data {
            EventData::PointsChanged { viewer, .. } => Some(viewer.channel_points),
            _ => None,
        })
        .collect();
    check_eq!(
        balances_after,
        vec![400, 300, 200, 100, 0],
        "each spend's balance after it, in id order"
    );
    Ok(())
}
