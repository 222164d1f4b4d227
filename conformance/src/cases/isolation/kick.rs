//! Kick data never crosses streamers: delivery ids, Kick user ids and viewer names repeat
//! freely between them, and each streamer's deliveries, links, live state, watch minutes,
//! duels and economy stay its own.

use super::setup::two;
use crate::cases::kick_support::*;
use crate::cases::support::*;
use crate::harness::{CaseResult, Failure, Harness, check, check_eq};
use crate::populate::Population;
use datastore::*;

/// Every delivery id and Kick user id either populated streamer knows, for snapshots.
fn known(a: &Population, b: &Population) -> (Vec<String>, Vec<i64>) {
    let mut ids: Vec<String> = a
        .deliveries
        .iter()
        .chain(&b.deliveries)
        .map(|d| d.0.clone())
        .collect();
    ids.push("both-1".into());
    ids.sort();
    ids.dedup();
    let mut kick: Vec<i64> = a
        .kick_viewers
        .iter()
        .chain(&b.kick_viewers)
        .map(|(k, _)| *k)
        .collect();
    kick.extend([888, 999]);
    kick.sort();
    kick.dedup();
    (ids, kick)
}

async fn snap(
    store: &Shared,
    p: &Population,
    known: &(Vec<String>, Vec<i64>),
) -> Result<serde_json::Value, Failure> {
    let ids: Vec<&str> = known.0.iter().map(String::as_str).collect();
    snapshot(&**store, p.streamer, &ids, &known.1).await
}

/// A delivery for A, naming Kick users and viewer names B has too, never touches B; the same
/// delivery id under B applies (it is no duplicate there) and lands in B's own viewers only.
pub async fn a_delivery_for_one_streamer_never_touches_another(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    let k = known(&a, &b);
    let now = h.clock().now();
    let d = |p: &Population| {
        delivery(
            "both-1",
            vec![
                live(false, now),
                chatted(&p.kick(0)),
                earn(&p.kick(1), 77, PointSource::Tip),
                Step::Alert {
                    kind: AlertKind::Kicks,
                    viewer: Some(p.kick(0)),
                    amount: 2,
                },
                Step::AdvanceGoal {
                    goal: GoalId::new("followers"),
                    by: 2,
                },
            ],
            vec![
                spend(&p.kick(0), 5),
                Step::Speak {
                    viewer: p.kick(1),
                    text: "same words".into(),
                    voice: Some("voice-a".into()),
                    cost: 0,
                },
                Step::DeclineDuel {
                    opponent: p.kick(1),
                },
            ],
        )
    };
    let b_before = snap(&store, &b, &k).await?;
    let a_shared = kick_balance(&*store, a.streamer, a.kick_viewers[1].0).await?;
    command_done(&*store, a.streamer, d(&a)).await?;
    check_eq!(
        snap(&store, &b, &k).await?,
        b_before,
        "B is untouched by A's delivery"
    );
    check_eq!(
        kick_balance(&*store, a.streamer, a.kick_viewers[1].0).await?,
        a_shared + 77,
        "A's viewer got A's points"
    );
    let a_after = snap(&store, &a, &k).await?;
    let b_shared = kick_balance(&*store, b.streamer, b.kick_viewers[1].0).await?;
    let results = command_done(&*store, b.streamer, d(&b)).await?;
    check!(
        matches!(&results[2], StepResult::Duel(x)
            if b.user_ids().any(|u| u == x.challenger) && b.user_ids().any(|u| u == x.opponent)),
        "B declined B's own duel: {results:?}"
    );
    check_eq!(
        kick_balance(&*store, b.streamer, b.kick_viewers[1].0).await?,
        b_shared + 77,
        "the same id under B applies, to B's viewer"
    );
    check_eq!(
        snap(&store, &a, &k).await?,
        a_after,
        "A is untouched by B's delivery"
    );
    for p in [&a, &b] {
        check_eq!(
            store.apply_delivery(p.streamer, d(p)).await?,
            DeliveryOutcome::Duplicate,
            "a redelivery to {}",
            p.username
        );
        check_invariants(&export(&*store, p.streamer).await?)?;
    }
    Ok(())
}

/// B's Kick reads (links, deliveries, duels, live state, economy) show B's own data only, and a
/// streamer with no Kick data yet sees none of A's.
pub async fn kick_reads_never_see_another_streamers_data(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    let fresh = streamer(&*store, "charlie").await?;
    let a_state = store.get_stream_state(a.streamer).await?;
    let a_economy = store.get_economy_config(a.streamer).await?;
    // The streamer with nothing.
    for (k, _) in &a.kick_viewers {
        check_eq!(
            store.get_kick_viewer(fresh, *k).await?,
            None,
            "A's Kick user {k} under a fresh streamer"
        );
    }
    for id in &a.deliveries {
        check!(
            !store.delivery_seen(fresh, id).await?,
            "A's delivery {id:?} under a fresh streamer"
        );
    }
    check_eq!(store.list_duels(fresh).await?, vec![], "duels");
    check_eq!(
        store.get_stream_state(fresh).await?,
        StreamState {
            live: false,
            changed_at: None
        },
        "live state"
    );
    check_eq!(
        store.get_economy_config(fresh).await?,
        EconomyConfig::default(),
        "economy"
    );
    let live = store.list_live_streamers().await?;
    check_eq!(
        live,
        vec![a.streamer, b.streamer],
        "the live streamers (the fresh one is not)"
    );
    // B sees its own.
    let s = b.streamer;
    for (k, name) in &a.kick_viewers {
        let found = store.get_kick_viewer(s, *k).await?;
        let shared = b.kick_viewers.iter().any(|(x, _)| x == k);
        check!(
            match &found {
                Some(u) => shared && u.streamer_id == s && b.user_ids().any(|x| x == u.id),
                None => !shared,
            },
            "A's Kick user {k} ({name}) under B: {found:?}"
        );
    }
    for id in &a.deliveries {
        check_eq!(
            store.delivery_seen(s, id).await?,
            b.deliveries.contains(id),
            "A's delivery {id:?} under B"
        );
    }
    let duels = store.list_duels(s).await?;
    check!(
        duels.len() == 1
            && duels.iter().all(|d| {
                b.user_ids().any(|u| u == d.challenger) && b.user_ids().any(|u| u == d.opponent)
            }),
        "B's duels are B's own: {duels:?}"
    );
    let b_state = store.get_stream_state(s).await?;
    check!(
        b_state.live && b_state != a_state,
        "B's live state is its own: {b_state:?} (A's: {a_state:?})"
    );
    let b_economy = store.get_economy_config(s).await?;
    check!(
        b_economy != a_economy && b_economy != EconomyConfig::default(),
        "B's economy is its own: {b_economy:?}"
    );
    Ok(())
}

/// A Kick user id linked under A is a stranger under B: B's delivery naming it creates and
/// links B's own viewer, and renames or stand-in names under one streamer never rename the
/// other's viewers.
pub async fn kick_links_stay_with_their_streamer(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    let k = known(&a, &b);
    let a_only = a.kick(2);
    let a_before = snap(&store, &a, &k).await?;
    applied(
        &*store,
        b.streamer,
        delivery("link-1", vec![earn(&a_only, 40, PointSource::Chat)], vec![]),
    )
    .await?;
    let theirs = linked(&*store, b.streamer, a_only.kick_user_id).await?;
    check!(
        theirs.streamer_id == b.streamer && !a.user_ids().any(|u| u == theirs.id),
        "B's own new viewer: {theirs:?}"
    );
    check_eq!(
        kick_balance(&*store, b.streamer, a_only.kick_user_id).await?,
        40,
        "with B's points"
    );
    check_eq!(snap(&store, &a, &k).await?, a_before, "A is untouched");
    // A Kick user linked under both renames under B only.
    let shared = a.kick_viewers[0].0;
    applied(
        &*store,
        b.streamer,
        delivery(
            "link-2",
            vec![chatted(&kv(shared, "alice_renamed"))],
            vec![],
        ),
    )
    .await?;
    check_eq!(
        (
            linked(&*store, a.streamer, shared).await?.username,
            linked(&*store, b.streamer, shared).await?.username
        ),
        (a.kick_viewers[0].1.clone(), "alice_renamed".to_owned()),
        "renamed under B only"
    );
    // A stale holder under A is moved aside under A only.
    let b_before = snap(&store, &b, &k).await?;
    let held = a.kick_viewers[1].clone();
    applied(
        &*store,
        a.streamer,
        delivery("stale-1", vec![chatted(&kv(999, &held.1))], vec![]),
    )
    .await?;
    check_eq!(
        linked(&*store, a.streamer, held.0).await?.username,
        format!("{}#{}", held.1, held.0),
        "A's stale holder"
    );
    check_eq!(
        snap(&store, &b, &k).await?,
        b_before,
        "B's namesake keeps the name"
    );
    Ok(())
}

/// A watch minute of A awards A's chatters only (B's namesakes and B's Kick users get
/// nothing), and B's minute of the same number is B's own: awarded, not `AlreadyAwarded`.
pub async fn watch_minutes_are_per_streamer(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    let k = known(&a, &b);
    for p in [&a, &b] {
        applied(
            &*store,
            p.streamer,
            delivery(
                "watch-chat",
                vec![chatted(&p.kick(0)), chatted(&p.kick(1))],
                vec![],
            ),
        )
        .await?;
    }
    applied(
        &*store,
        a.streamer,
        delivery("watch-a", vec![chatted(&kv(888, "alpha_chatter"))], vec![]),
    )
    .await?;
    let m = minute_of(h.clock().now()) + 100;
    let b_before = snap(&store, &b, &k).await?;
    let award = store
        .award_watch_minute(a.streamer, watch(m, 7, 600))
        .await?;
    let WatchAward::Awarded { viewers } = &award else {
        return Err(Failure(format!("A's minute: {award:?}")));
    };
    let a_users: Vec<UserId> = store
        .export_streamer(a.streamer)
        .await?
        .map(|e| e.users.iter().map(|u| u.id).collect())
        .unwrap_or_default();
    check!(
        viewers.len() >= 3 && viewers.iter().all(|v| a_users.contains(&v.user_id)),
        "A's own chatters: {viewers:?}"
    );
    check_eq!(
        snap(&store, &b, &k).await?,
        b_before,
        "B's viewers got nothing"
    );
    let a_after = snap(&store, &a, &k).await?;
    let award = store
        .award_watch_minute(b.streamer, watch(m, 7, 600))
        .await?;
    let WatchAward::Awarded { viewers } = &award else {
        return Err(Failure(format!(
            "B's minute of the same number is B's own: {award:?}"
        )));
    };
    check!(
        viewers.len() >= 2 && viewers.iter().all(|v| b.user_ids().any(|u| u == v.user_id)),
        "B's own chatters: {viewers:?}"
    );
    check_eq!(
        snap(&store, &a, &k).await?,
        a_after,
        "A's viewers got nothing from B's minute"
    );
    for p in [&a, &b] {
        check_eq!(
            store
                .award_watch_minute(p.streamer, watch(m, 7, 600))
                .await?,
            WatchAward::AlreadyAwarded,
            "{}'s minute again",
            p.username
        );
    }
    let later = shifted(h.clock().now(), 5);
    applied(
        &*store,
        b.streamer,
        delivery("off", vec![live(false, later)], vec![]),
    )
    .await?;
    check_eq!(
        store
            .award_watch_minute(b.streamer, watch(m + 1, 7, 600))
            .await?,
        WatchAward::NotLive,
        "B went off"
    );
    check!(
        matches!(
            store
                .award_watch_minute(a.streamer, watch(m + 1, 7, 600))
                .await?,
            WatchAward::Awarded { .. }
        ),
        "A is still live"
    );
    Ok(())
}

/// Duels never cross streamers: B cannot challenge a viewer only A has, A's open duel leaves
/// B's viewers of the same names free, and B's accept settles B's duel only.
pub async fn duels_never_cross_streamers(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    let k = known(&a, &b);
    let challenger = kv(888, "b_challenger");
    for (n, name) in [format!("only_{}", a.username), a.kick_viewers[2].1.clone()]
        .iter()
        .enumerate()
    {
        check_eq!(
            command_refused(
                &*store,
                b.streamer,
                delivery(
                    &format!("duel-x{n}"),
                    vec![earn(&challenger, 500, PointSource::Sub)],
                    vec![challenge(&challenger, name, 50, 60)],
                ),
            )
            .await?,
            (0, Refusal::Store(StoreError::not_found(Resource::User))),
            "B challenging {name}, a viewer only A has"
        );
    }
    let a_before = snap(&store, &a, &k).await?;
    // B's duel closes; A's (between viewers of the same names) stays open.
    command_done(
        &*store,
        b.streamer,
        delivery(
            "duel-1",
            vec![],
            vec![Step::DeclineDuel {
                opponent: b.kick(1),
            }],
        ),
    )
    .await?;
    command_done(
        &*store,
        b.streamer,
        delivery(
            "duel-2",
            vec![],
            vec![challenge(&b.kick(0), &b.kick_viewers[1].1, 40, 600)],
        ),
    )
    .await?;
    let results = command_done(
        &*store,
        b.streamer,
        delivery("duel-3", vec![], vec![accept(&b.kick(1), true)]),
    )
    .await?;
    check!(
        matches!(&results[0], StepResult::DuelSettled { duel, .. } if duel.stake == 40),
        "B's own duel settled: {results:?}"
    );
    check_eq!(
        snap(&store, &a, &k).await?,
        a_before,
        "A's duel and viewers are untouched"
    );
    check_eq!(
        store.list_duels(a.streamer).await?.len(),
        1,
        "A's duel is open"
    );
    check_eq!(
        store.list_duels(b.streamer).await?,
        vec![],
        "B's are closed"
    );
    Ok(())
}
