//! The per-minute watch award, the list of live streamers and the economy's configuration.

use crate::cases::kick_support::*;
use crate::cases::support::*;
use crate::harness::{CaseResult, Failure, Harness, check, check_eq, check_err};
use datastore::*;
use std::time::Duration;

/// A minute awards every viewer who chatted within the window (the edge included) once, while
/// the stream is live: `AlreadyAwarded` the second time, `NotLive` (nothing recorded) when the
/// stream is off; arguments are checked first.
pub async fn watch_minutes_award_recent_chatters_once(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let (alice, bob, carol) = (kv(1, "alice"), kv(2, "bob"), kv(3, "carol"));
    let t0 = h.clock().now();
    let m = minute_of(t0);
    applied(
        &*store,
        s,
        delivery(
            "chat-1",
            vec![chatted(&alice), earn(&carol, 10, PointSource::Tip)],
            vec![],
        ),
    )
    .await?;
    check_eq!(
        store.award_watch_minute(s, watch(m, 5, 600)).await?,
        WatchAward::NotLive,
        "an offline stream awards nothing"
    );
    applied(&*store, s, delivery("live", vec![live(true, t0)], vec![])).await?;
    h.clock().advance(Duration::from_secs(300));
    applied(&*store, s, delivery("chat-2", vec![chatted(&bob)], vec![])).await?;
    h.clock().advance(Duration::from_secs(400));
    let before = last_event(&*store, s).await?;
    let award = store.award_watch_minute(s, watch(m, 5, 600)).await?;
    let b = linked(&*store, s, 2).await?;
    let WatchAward::Awarded { viewers } = award else {
        return Err(crate::harness::Failure(format!(
            "wanted an award: {award:?}"
        )));
    };
    check_eq!(
        viewers
            .iter()
            .map(|v| (v.user_id, v.channel_points))
            .collect::<Vec<_>>(),
        vec![(b.id, 5)],
        "only bob chatted within ten minutes (and the minute offline was not recorded)"
    );
    let events = events_after(&*store, s, before).await?;
    check!(
        matches!(&events[..], [EventData::PointsChanged { viewer, amount: 5, source: PointSource::Watch, .. }]
            if *viewer == viewers[0]),
        "one PointsChanged per awarded viewer: {events:?}"
    );
    let ledger: Vec<(UserId, i64, PointSource)> = export(&*store, s)
        .await?
        .transactions
        .iter()
        .filter(|t| t.source == PointSource::Watch)
        .map(|t| (t.user_id, t.amount, t.source))
        .collect();
    check_eq!(ledger, vec![(b.id, 5, PointSource::Watch)], "a watch row");
    let snap = snapshot(&*store, s, &[], &[1, 2, 3]).await?;
    check_eq!(
        store.award_watch_minute(s, watch(m, 5, 600)).await?,
        WatchAward::AlreadyAwarded,
        "the same minute again"
    );
    check_eq!(
        store.award_watch_minute(s, watch(m, 50, 3600)).await?,
        WatchAward::AlreadyAwarded,
        "whatever the amount and window"
    );
    check_eq!(
        snapshot(&*store, s, &[], &[1, 2, 3]).await?,
        snap,
        "and nothing changed"
    );
    // A wider window reaches alice; the window's edge counts.
    let a = linked(&*store, s, 1).await?;
    let award = store.award_watch_minute(s, watch(m + 1, 5, 700)).await?;
    let mut awarded = match award {
        WatchAward::Awarded { viewers } => viewers,
        other => {
            return Err(crate::harness::Failure(format!(
                "wanted an award: {other:?}"
            )));
        }
    };
    awarded.sort_by_key(|v| v.user_id);
    let with = |channel_points| Points {
        channel_points,
        ..Points::ZERO
    };
    check_eq!(
        awarded,
        vec![
            ViewerBalances::of(a.id, "alice", &with(5)),
            ViewerBalances::of(b.id, "bob", &with(10)),
        ],
        "alice chatted exactly 700 s ago"
    );
    // Off, then on again: the minute refused offline is awarded later.
    let t = h.clock().now();
    applied(&*store, s, delivery("off", vec![live(false, t)], vec![])).await?;
    check_eq!(
        store.award_watch_minute(s, watch(m + 2, 5, 600)).await?,
        WatchAward::NotLive,
        "off again"
    );
    applied(
        &*store,
        s,
        delivery("on", vec![live(true, shifted(t, 1))], vec![]),
    )
    .await?;
    check!(
        matches!(
            store.award_watch_minute(s, watch(m + 2, 5, 600)).await?,
            WatchAward::Awarded { .. }
        ),
        "a minute refused offline is not recorded"
    );
    // Nobody chatted recently: the minute is recorded with nobody awarded.
    h.clock().advance(Duration::from_secs(3600));
    check_eq!(
        store.award_watch_minute(s, watch(m + 60, 5, 600)).await?,
        WatchAward::Awarded { viewers: vec![] },
        "no recent chatter"
    );
    check_eq!(
        store.award_watch_minute(s, watch(m + 60, 5, 600)).await?,
        WatchAward::AlreadyAwarded,
        "recorded all the same"
    );
    let reach = kick::WATCH_MINUTE_REACH;
    let current = minute_of(h.clock().now());
    for bad in [
        watch(m + 3, 0, 600),
        watch(m + 3, validate::MAX_AMOUNT + 1, 600),
        watch(m + 3, 5, 0),
        watch(m + 3, 5, kick::MAX_WATCH_WINDOW.as_secs() + 1),
        watch(current - reach - 1, 5, 600),
        watch(current + reach + 1, 5, 600),
    ] {
        let r = store.award_watch_minute(s, bad.clone()).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{bad:?}: {r:?}"
        );
        let r = store
            .award_watch_minute(StreamerId(s.0 + 1000), bad.clone())
            .await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{bad:?} for an unknown streamer: {r:?}"
        );
    }
    check_err!(
        store
            .award_watch_minute(StreamerId(s.0 + 1000), watch(m + 3, 5, 600))
            .await,
        StoreError::not_found(Resource::Streamer),
        "an unknown streamer"
    );
    check_eq!(
        store.award_watch_minute(s, watch(m + 3, 5, 600)).await?,
        WatchAward::Awarded { viewers: vec![] },
        "the invalid calls recorded nothing"
    );
    check_invariants(&export(&*store, s).await?)
}

/// `purge_deliveries` forgets awarded minutes only once they are out of reach: a minute
/// within [`kick::WATCH_MINUTE_REACH`] minutes of the clock stays awarded whatever cut the purge is
/// given, and one further off is refused, so no minute is ever awarded twice.
pub async fn purged_watch_minutes_are_never_awarded_again(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = kv(1, "alice");
    let t0 = h.clock().now();
    let m = minute_of(t0);
    let reach = kick::WATCH_MINUTE_REACH;
    applied(
        &*store,
        s,
        delivery("go", vec![live(true, t0), chatted(&alice)], vec![]),
    )
    .await?;
    let first = store.award_watch_minute(s, watch(m, 5, 600)).await?;
    check!(
        matches!(&first, WatchAward::Awarded { viewers } if viewers.len() == 1),
        "the first award: {first:?}"
    );
    let oldest = store
        .award_watch_minute(s, watch(m - reach, 5, 600))
        .await?;
    check!(
        matches!(&oldest, WatchAward::Awarded { viewers } if viewers.len() == 1),
        "the oldest minute within reach: {oldest:?}"
    );
    // A purge told to forget everything up to a week ahead keeps the minutes in reach.
    let far = shifted(t0, 7 * 24 * 3600);
    store.purge_deliveries(s, far).await?;
    for minute in [m, m - reach] {
        check_eq!(
            store.award_watch_minute(s, watch(minute, 5, 600)).await?,
            WatchAward::AlreadyAwarded,
            "minute {minute} after the purge"
        );
    }
    // A minute later the oldest is out of reach: refused, whether purged or not.
    h.clock().advance(Duration::from_secs(60));
    store.purge_deliveries(s, far).await?;
    check_err!(
        store.award_watch_minute(s, watch(m - reach, 5, 600)).await,
        StoreError::invalid("minute", "must be within a day of the current minute"),
        "a minute out of reach"
    );
    check_eq!(
        store.award_watch_minute(s, watch(m, 5, 600)).await?,
        WatchAward::AlreadyAwarded,
        "a minute still in reach stays awarded"
    );
    check_eq!(
        kick_balance(&*store, s, 1).await?,
        10,
        "alice was awarded once for each of the two minutes"
    );
    check_invariants(&export(&*store, s).await?)
}

/// Servers racing to award the same minute award it exactly once.
pub async fn concurrent_watch_awards_award_once(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let now = h.clock().now();
    let mut effects = vec![live(true, now)];
    effects.extend((1..=3).map(|k| chatted(&kv(k, &format!("viewer{k}")))));
    applied(&*store, s, delivery("setup", effects, vec![])).await?;
    let m = minute_of(now);
    let results = concurrently(10, |_| {
        let store = store.clone();
        async move { store.award_watch_minute(s, watch(m, 5, 600)).await }
    })
    .await?;
    let awarded = results
        .iter()
        .filter(|r| matches!(r, Ok(WatchAward::Awarded { viewers }) if viewers.len() == 3))
        .count();
    let already = results
        .iter()
        .filter(|r| matches!(r, Ok(WatchAward::AlreadyAwarded)))
        .count();
    check_eq!(
        (awarded, already),
        (1, 9),
        "one award, the rest already awarded: {results:?}"
    );
    for k in 1..=3 {
        check_eq!(
            kick_balance(&*store, s, k).await?,
            5,
            "viewer{k} awarded once"
        );
    }
    check_invariants(&export(&*store, s).await?)
}

/// `list_live_streamers` lists the live streamers by id, following their live changes and
/// deletions.
pub async fn live_streamers_are_listed(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let c = streamer(&*store, "charlie").await?;
    check_eq!(store.list_live_streamers().await?, vec![], "nobody live");
    let t = h.clock().now();
    for s in [c, a] {
        applied(&*store, s, delivery("on", vec![live(true, t)], vec![])).await?;
    }
    applied(&*store, b, delivery("off", vec![live(false, t)], vec![])).await?;
    check_eq!(
        store.list_live_streamers().await?,
        vec![a, c],
        "the live ones, by id"
    );
    applied(
        &*store,
        a,
        delivery("off", vec![live(false, shifted(t, 1))], vec![]),
    )
    .await?;
    check_eq!(
        store.list_live_streamers().await?,
        vec![c],
        "alpha went off"
    );
    store.delete_streamer(c).await?;
    check_eq!(
        store.list_live_streamers().await?,
        vec![],
        "a deleted streamer is not listed"
    );
    check_eq!(
        store.get_stream_state(c).await?,
        StreamState {
            live: false,
            changed_at: None
        },
        "nor live"
    );
    Ok(())
}

/// A streamer's economy is the default until set; a set replaces it whole and reads back; an
/// invalid one is refused (before an unknown streamer is) and changes nothing.
pub async fn economy_config_defaults_roundtrips_and_validates(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let nobody = StreamerId(b.0 + 1000);
    check_eq!(
        store.get_economy_config(a).await?,
        EconomyConfig::default(),
        "the default"
    );
    let mut custom = EconomyConfig {
        chat_points: 7,
        watch_points: 0,
        watch_window_secs: 120,
        follower_goal: String::new(),
        thank_in_chat: false,
        ..EconomyConfig::default()
    };
    custom.commands.gamble.enabled = false;
    custom.commands.duel.cooldown_secs = 0;
    custom.commands.duel_min = 1;
    custom.commands.say_cost = 0;
    check_eq!(
        store.set_economy_config(a, custom.clone()).await?,
        custom.clone(),
        "the set answers the configuration"
    );
    check_eq!(
        store.get_economy_config(a).await?,
        custom.clone(),
        "and reads back"
    );
    check_eq!(
        store.get_economy_config(b).await?,
        EconomyConfig::default(),
        "another streamer keeps the default"
    );
    let mut bad = custom.clone();
    bad.commands.gamble_min = bad.commands.gamble_max + 1;
    let mut worse = custom.clone();
    worse.watch_window_secs = 0;
    let mut negative = custom.clone();
    negative.kick_points = -1;
    for c in [bad, worse, negative] {
        let want = c
            .validate()
            .err()
            .ok_or_else(|| crate::harness::Failure(format!("{c:?} should be invalid")))?;
        check_err!(
            store.set_economy_config(a, c.clone()).await,
            want.clone(),
            "an invalid configuration"
        );
        check_err!(
            store.set_economy_config(nobody, c).await,
            want,
            "an invalid configuration for an unknown streamer"
        );
    }
    check_eq!(
        store.get_economy_config(a).await?,
        custom.clone(),
        "the refused sets changed nothing"
    );
    check_err!(
        store.set_economy_config(nobody, custom).await,
        StoreError::not_found(Resource::Streamer),
        "an unknown streamer"
    );
    check_eq!(
        store.get_economy_config(nobody).await?,
        EconomyConfig::default(),
        "an unknown streamer reads the default"
    );
    let defaults = EconomyConfig::default();
    store.set_economy_config(a, defaults.clone()).await?;
    check_eq!(
        store.get_economy_config(a).await?,
        defaults,
        "set back to the default"
    );
    Ok(())
}

/// A chatter the award would push past the balance limit is left out of the minute; the others
/// are awarded, so one full balance never stops a stream's watch time.
pub async fn a_full_balance_is_left_out_of_the_watch_award(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let (alice, bob) = (kv(11, "alice"), kv(12, "bob"));
    let t0 = h.clock().now();
    applied(
        &*store,
        s,
        delivery(
            "chat",
            vec![live(true, t0), chatted(&alice), chatted(&bob)],
            vec![],
        ),
    )
    .await?;
    let full = linked(&*store, s, 11).await?.id;
    let set = AdminSetPoints {
        channel_points: validate::MAX_BALANCE - 1,
        drop_points: None,
        description: None,
    };
    store.set_points(s, full, set).await?;
    let award = store
        .award_watch_minute(s, watch(minute_of(t0), 5, 600))
        .await?;
    let WatchAward::Awarded { viewers } = award else {
        return Err(Failure(format!("wanted an award, got {award:?}")));
    };
    check_eq!(
        viewers
            .iter()
            .map(|v| v.username.as_str())
            .collect::<Vec<_>>(),
        vec!["bob"],
        "only bob is awarded"
    );
    check_eq!(
        (
            kick_balance(&*store, s, 11).await?,
            kick_balance(&*store, s, 12).await?
        ),
        (validate::MAX_BALANCE - 1, 5),
        "alice's full balance stays, bob earns"
    );
    check_invariants(&export(&*store, s).await?)
}
