//! Kick deliveries on SQLite: how a Kick user resolves to a viewer, the command's savepoint, a
//! delivery applied exactly once, the live flag's order, the watch minute and duels. (The
//! conformance suite holds every backend to the contract; these look at the parts of this
//! store's own mechanics that are easiest to get wrong.)

use datastore::{
    AlertKind, CommandOutcome, Delivery, DeliveryId, DeliveryOutcome, EconomyConfig, EventData,
    EventId, EventStore, GoalId, GoalInput, GoalStore, KickStore, KickViewer, ManualClock,
    NewStreamer, PointDelta, PointSource, PointStore, Refusal, Resource, Step, StepResult,
    StoreError, StreamerId, StreamerStore, Timestamp, UserId, UserStore, WatchAward, WatchMinute,
};
use reference_store::{OpenOptions, SqliteStore};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const START: i64 = 1_767_225_600_000;

async fn open(dir: &Path) -> (SqliteStore, Arc<ManualClock>, PathBuf) {
    let path = dir.join("kick.db");
    let clock = Arc::new(ManualClock::new(Timestamp::saturating_from_millis(START)));
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

fn kick(id: i64, name: &str) -> KickViewer {
    KickViewer::new(id, name)
}

fn delivery(id: &str, effects: Vec<Step>, command: Vec<Step>) -> Delivery {
    Delivery {
        id: DeliveryId(id.into()),
        effects,
        command,
    }
}

fn earn(viewer: KickViewer, amount: i64) -> Step {
    Step::Earn {
        viewer,
        amount,
        source: PointSource::Chat,
        description: None,
    }
}

fn spend(viewer: KickViewer, amount: i64) -> Step {
    Step::Spend {
        viewer,
        amount,
        source: PointSource::Spend,
        description: None,
    }
}

async fn apply(store: &SqliteStore, s: StreamerId, d: Delivery) -> DeliveryOutcome {
    store.apply_delivery(s, d).await.unwrap()
}

async fn balance(store: &SqliteStore, s: StreamerId, u: UserId) -> i64 {
    store
        .get_points(s, u)
        .await
        .unwrap()
        .unwrap()
        .channel_points
}

async fn events(store: &SqliteStore, s: StreamerId) -> Vec<EventData> {
    store
        .read_events(s, EventId::START, 1000)
        .await
        .unwrap()
        .events
        .into_iter()
        .map(|e| e.data)
        .collect()
}

async fn user_id(store: &SqliteStore, s: StreamerId, kick_user_id: i64) -> UserId {
    store
        .get_kick_viewer(s, kick_user_id)
        .await
        .unwrap()
        .expect("a linked viewer")
        .id
}

async fn name_of(store: &SqliteStore, s: StreamerId, u: UserId) -> String {
    store.get_user(s, u).await.unwrap().unwrap().username
}

#[tokio::test]
async fn kick_users_resolve_by_id_then_by_unlinked_name_then_new() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let s = streamer(&store, "chan").await;
    // A legacy viewer known by name only is linked on first sight, points kept.
    let legacy = store.get_or_create_user(s, "Alice").await.unwrap().user.id;
    store
        .earn_points(s, legacy, PointDelta::new(70, PointSource::Admin))
        .await
        .unwrap();
    apply(
        &store,
        s,
        delivery("d1", vec![earn(kick(1, "alice"), 5)], vec![]),
    )
    .await;
    assert_eq!(user_id(&store, s, 1).await, legacy);
    assert_eq!(balance(&store, s, legacy).await, 75);

    // Renamed on Kick: the same viewer, renamed, points kept.
    apply(
        &store,
        s,
        delivery("d2", vec![earn(kick(1, "alice2"), 5)], vec![]),
    )
    .await;
    assert_eq!(user_id(&store, s, 1).await, legacy);
    assert_eq!(name_of(&store, s, legacy).await, "alice2");
    assert_eq!(balance(&store, s, legacy).await, 80);
    // Only the case changed: renamed too.
    apply(
        &store,
        s,
        delivery("d3", vec![earn(kick(1, "ALICE2"), 1)], vec![]),
    )
    .await;
    assert_eq!(name_of(&store, s, legacy).await, "ALICE2");

    // Someone else takes the old name on Kick: a new viewer, the old one untouched.
    apply(
        &store,
        s,
        delivery("d4", vec![earn(kick(2, "alice"), 1)], vec![]),
    )
    .await;
    let newcomer = user_id(&store, s, 2).await;
    assert_ne!(newcomer, legacy);
    assert_eq!(balance(&store, s, newcomer).await, 1);

    // The first renames back to a name held by a viewer linked to another Kick user: that
    // holder gives it up for `{name}#{kick id}`.
    apply(
        &store,
        s,
        delivery("d5", vec![earn(kick(1, "alice"), 1)], vec![]),
    )
    .await;
    assert_eq!(name_of(&store, s, legacy).await, "alice");
    assert_eq!(name_of(&store, s, newcomer).await, "alice#2");
    assert_eq!(balance(&store, s, legacy).await, 82);
    assert_eq!(balance(&store, s, newcomer).await, 1);

    // A name held by a viewer not linked to Kick stays theirs: the linked viewer keeps its
    // name.
    let bob = store.get_or_create_user(s, "bob").await.unwrap().user.id;
    apply(
        &store,
        s,
        delivery("d6", vec![earn(kick(2, "bob"), 1)], vec![]),
    )
    .await;
    assert_eq!(user_id(&store, s, 2).await, newcomer);
    assert_eq!(name_of(&store, s, newcomer).await, "alice#2");
    assert_eq!(name_of(&store, s, bob).await, "bob");
    // That viewer challenging the name it kept challenges itself: no such opponent.
    let out = apply(
        &store,
        s,
        delivery(
            "d7",
            vec![],
            vec![Step::ChallengeDuel {
                challenger: kick(2, "bob"),
                opponent: "ALICE#2".into(),
                stake: 1,
                expires_in: Duration::from_secs(60),
            }],
        ),
    )
    .await;
    assert!(
        matches!(
            &out,
            DeliveryOutcome::Applied {
                command: Some(CommandOutcome::Refused {
                    refusal: Refusal::Store(StoreError::NotFound {
                        resource: Resource::User
                    }),
                    ..
                }),
                ..
            }
        ),
        "{out:?}"
    );

    // The same Kick user under another streamer is another viewer.
    let t = streamer(&store, "other").await;
    apply(
        &store,
        t,
        delivery("d1", vec![earn(kick(1, "alice"), 3)], vec![]),
    )
    .await;
    let theirs = user_id(&store, t, 1).await;
    assert_ne!(theirs, legacy);
    assert_eq!(store.get_kick_viewer(s, 99).await.unwrap(), None);
}

#[tokio::test]
async fn a_stale_holders_new_name_is_cut_to_the_limit_and_never_the_name_it_gave_up() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let s = streamer(&store, "chan").await;
    // `{name}#{kick id}` cut to 64 characters.
    let sixty = "x".repeat(60);
    apply(
        &store,
        s,
        delivery("a", vec![earn(kick(123_456, &sixty), 1)], vec![]),
    )
    .await;
    apply(
        &store,
        s,
        delivery("b", vec![earn(kick(5, &sixty), 1)], vec![]),
    )
    .await;
    let first = user_id(&store, s, 123_456).await;
    assert_eq!(name_of(&store, s, first).await, format!("{sixty}#123"));
    // A name at the limit: that cut would be the name itself, so the name is cut instead.
    let long = "n".repeat(64);
    apply(
        &store,
        s,
        delivery("c", vec![earn(kick(7, &long), 1)], vec![]),
    )
    .await;
    let holder = user_id(&store, s, 7).await;
    apply(
        &store,
        s,
        delivery("d", vec![earn(kick(8, &long), 1)], vec![]),
    )
    .await;
    let renamed = name_of(&store, s, holder).await;
    assert_eq!(renamed, format!("{}#7", "n".repeat(62)));
    assert_eq!(name_of(&store, s, user_id(&store, s, 8).await).await, long);
}

#[tokio::test]
async fn a_refused_command_undoes_its_steps_and_keeps_the_effects_and_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let s = streamer(&store, "chan").await;
    let v = kick(1, "viewer");
    apply(
        &store,
        s,
        delivery("seed", vec![earn(v.clone(), 100)], vec![]),
    )
    .await;
    let u = user_id(&store, s, 1).await;
    let before = events(&store, s).await.len();
    // The command spends 30, then asks for more than is left: refused at step 1.
    let out = apply(
        &store,
        s,
        delivery(
            "cmd",
            vec![earn(v.clone(), 25)],
            vec![spend(v.clone(), 30), spend(v.clone(), 500)],
        ),
    )
    .await;
    let DeliveryOutcome::Applied { effects, command } = out else {
        panic!("applied: {out:?}");
    };
    assert_eq!(effects.len(), 1);
    assert_eq!(
        command,
        Some(CommandOutcome::Refused {
            step: 1,
            refusal: Refusal::Store(StoreError::InsufficientPoints {
                balance: 95,
                required: 500
            }),
        })
    );
    // The effect stands, the first spend is undone, only the effect's event is recorded.
    assert_eq!(balance(&store, s, u).await, 125);
    let after = events(&store, s).await;
    assert_eq!(after.len(), before + 1);
    assert!(matches!(
        after.last(),
        Some(EventData::PointsChanged { amount: 25, .. })
    ));
    assert!(
        store
            .delivery_seen(s, &DeliveryId("cmd".into()))
            .await
            .unwrap()
    );
    // A viewer the refused command created is undone with it.
    let out = apply(
        &store,
        s,
        delivery("cmd2", vec![], vec![spend(kick(5, "newcomer"), 1)]),
    )
    .await;
    assert!(matches!(
        out,
        DeliveryOutcome::Applied {
            command: Some(CommandOutcome::Refused { step: 0, .. }),
            ..
        }
    ));
    assert_eq!(store.get_kick_viewer(s, 5).await.unwrap(), None);

    // A cooldown refuses the second time, and a command that passes it runs whole.
    let cooldown = Step::Cooldown {
        viewer: v.clone(),
        command: "gamble".into(),
        cooldown: Duration::from_secs(30),
    };
    let wager = Step::Wager {
        viewer: v.clone(),
        stake: 10,
        payout: 20,
        source: PointSource::Gamble,
        description: None,
    };
    let out = apply(
        &store,
        s,
        delivery("g1", vec![], vec![cooldown.clone(), wager.clone()]),
    )
    .await;
    assert!(matches!(
        out,
        DeliveryOutcome::Applied {
            command: Some(CommandOutcome::Done { .. }),
            ..
        }
    ));
    assert_eq!(balance(&store, s, u).await, 135);
    let out = apply(&store, s, delivery("g2", vec![], vec![cooldown, wager])).await;
    assert!(matches!(
        out,
        DeliveryOutcome::Applied {
            command: Some(CommandOutcome::Refused {
                step: 0,
                refusal: Refusal::CoolingDown { .. }
            }),
            ..
        }
    ));
    assert_eq!(balance(&store, s, u).await, 135);
}

#[tokio::test]
async fn a_delivery_applies_once_and_a_failed_one_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let s = streamer(&store, "chan").await;
    let t = streamer(&store, "other").await;
    let v = kick(1, "viewer");
    let d = delivery("same", vec![earn(v.clone(), 10)], vec![]);
    assert!(matches!(
        apply(&store, s, d.clone()).await,
        DeliveryOutcome::Applied { .. }
    ));
    let u = user_id(&store, s, 1).await;
    let recorded = events(&store, s).await.len();
    assert_eq!(
        apply(&store, s, d.clone()).await,
        DeliveryOutcome::Duplicate
    );
    assert_eq!(balance(&store, s, u).await, 10);
    assert_eq!(events(&store, s).await.len(), recorded);
    // The same id under another streamer is another delivery.
    assert!(matches!(
        apply(&store, t, d).await,
        DeliveryOutcome::Applied { .. }
    ));

    // An effect that fails fails the delivery: nothing stays, the id is not recorded, and
    // the delivery applies once the cause is gone.
    let failing = delivery(
        "fails",
        vec![earn(v.clone(), 5), spend(v.clone(), 1000)],
        vec![],
    );
    let err = store.apply_delivery(s, failing.clone()).await.unwrap_err();
    assert!(
        matches!(err, StoreError::InsufficientPoints { .. }),
        "{err}"
    );
    assert_eq!(balance(&store, s, u).await, 10);
    assert!(
        !store
            .delivery_seen(s, &DeliveryId("fails".into()))
            .await
            .unwrap()
    );
    store
        .earn_points(s, u, PointDelta::new(2000, PointSource::Admin))
        .await
        .unwrap();
    assert!(matches!(
        apply(&store, s, failing).await,
        DeliveryOutcome::Applied { .. }
    ));
    assert_eq!(balance(&store, s, u).await, 10 + 2000 + 5 - 1000);

    // A streamer that does not exist owns nothing.
    let missing = store
        .apply_delivery(StreamerId(9999), delivery("x", vec![], vec![]))
        .await
        .unwrap_err();
    assert_eq!(missing, StoreError::not_found(Resource::Streamer));

    // Purging forgets ids older than the cut.
    assert_eq!(
        store
            .purge_deliveries(s, Timestamp::saturating_from_millis(START + 1))
            .await
            .unwrap(),
        2
    );
    assert!(
        !store
            .delivery_seen(s, &DeliveryId("same".into()))
            .await
            .unwrap()
    );
    assert!(
        store
            .delivery_seen(t, &DeliveryId("same".into()))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn concurrent_copies_of_one_delivery_apply_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let s = streamer(&store, "chan").await;
    let d = delivery("raced", vec![earn(kick(1, "viewer"), 10)], vec![]);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (store, d) = (store.clone(), d.clone());
            tokio::spawn(async move { store.apply_delivery(s, d).await })
        })
        .collect();
    let mut applied = 0;
    for t in tasks {
        match t.await.unwrap().unwrap() {
            DeliveryOutcome::Applied { .. } => applied += 1,
            DeliveryOutcome::Duplicate => {}
        }
    }
    assert_eq!(applied, 1);
    assert_eq!(balance(&store, s, user_id(&store, s, 1).await).await, 10);
}

#[tokio::test]
async fn a_live_change_stamped_earlier_than_the_applied_one_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let s = streamer(&store, "chan").await;
    let t = streamer(&store, "other").await;
    let at = |ms: i64| Timestamp::saturating_from_millis(START + ms);
    let set = |id: &str, live: bool, ms: i64| {
        delivery(id, vec![Step::SetLive { live, at: at(ms) }], vec![])
    };
    let state = store.get_stream_state(s).await.unwrap();
    assert!(!state.live && state.changed_at.is_none());
    let results = |o: DeliveryOutcome| match o {
        DeliveryOutcome::Applied { effects, .. } => effects,
        DeliveryOutcome::Duplicate => panic!("duplicate"),
    };
    assert_eq!(
        results(apply(&store, s, set("on", true, 100)).await),
        [StepResult::Live(true)]
    );
    // A late "offline" from before it: the flag stays, and says so.
    assert_eq!(
        results(apply(&store, s, set("late", false, 50)).await),
        [StepResult::Live(true)]
    );
    let state = store.get_stream_state(s).await.unwrap();
    assert!(state.live);
    assert_eq!(state.changed_at, Some(at(100)));
    assert_eq!(store.list_live_streamers().await.unwrap(), [s]);
    assert!(!store.get_stream_state(t).await.unwrap().live);
    // Stamped the same instant or later: applied.
    assert_eq!(
        results(apply(&store, s, set("off", false, 100)).await),
        [StepResult::Live(false)]
    );
    apply(&store, t, set("on", true, 1)).await;
    assert_eq!(store.list_live_streamers().await.unwrap(), [t]);
}

#[tokio::test]
async fn a_watch_minute_is_awarded_once_to_recent_chatters_while_live() {
    let dir = tempfile::tempdir().unwrap();
    let (store, clock, _) = open(dir.path()).await;
    let s = streamer(&store, "chan").await;
    let chat =
        |id: &str, who: KickViewer| delivery(id, vec![Step::Chatted { viewer: who }], vec![]);
    apply(&store, s, chat("c1", kick(1, "early"))).await;
    clock.advance(Duration::from_secs(600));
    apply(&store, s, chat("c2", kick(2, "late"))).await;
    apply(&store, s, chat("c3", kick(3, "later"))).await;
    let minute = WatchMinute {
        minute: WatchMinute::minute_of(datastore::Clock::now(&*clock)),
        amount: 5,
        window: Duration::from_secs(300),
    };
    assert_eq!(
        store.award_watch_minute(s, minute.clone()).await.unwrap(),
        WatchAward::NotLive
    );
    let live = Step::SetLive {
        live: true,
        at: Timestamp::saturating_from_millis(START),
    };
    apply(&store, s, delivery("live", vec![live], vec![])).await;
    let before = events(&store, s).await.len();
    let WatchAward::Awarded { viewers } =
        store.award_watch_minute(s, minute.clone()).await.unwrap()
    else {
        panic!("awarded");
    };
    let awarded: Vec<(String, i64)> = viewers
        .iter()
        .map(|v| (v.username.clone(), v.channel_points))
        .collect();
    assert_eq!(awarded, [("late".into(), 5), ("later".into(), 5)]);
    let recorded = events(&store, s).await;
    assert_eq!(recorded.len(), before + 2);
    assert!(recorded[before..].iter().all(|e| matches!(
        e,
        EventData::PointsChanged {
            source: PointSource::Watch,
            amount: 5,
            ..
        }
    )));
    assert_eq!(
        store.award_watch_minute(s, minute.clone()).await.unwrap(),
        WatchAward::AlreadyAwarded
    );
    assert_eq!(balance(&store, s, user_id(&store, s, 2).await).await, 5);
    assert_eq!(balance(&store, s, user_id(&store, s, 1).await).await, 0);
    // Another minute is another award.
    let next = WatchMinute {
        minute: minute.minute + 1,
        ..minute
    };
    assert!(matches!(
        store.award_watch_minute(s, next).await.unwrap(),
        WatchAward::Awarded { .. }
    ));
    assert_eq!(balance(&store, s, user_id(&store, s, 2).await).await, 10);
}

fn challenge(who: KickViewer, opponent: &str, stake: i64) -> Step {
    Step::ChallengeDuel {
        challenger: who,
        opponent: opponent.into(),
        stake,
        expires_in: Duration::from_secs(60),
    }
}

fn command_of(o: DeliveryOutcome) -> CommandOutcome {
    match o {
        DeliveryOutcome::Applied {
            command: Some(c), ..
        } => c,
        other => panic!("a command outcome: {other:?}"),
    }
}

#[tokio::test]
async fn a_duel_settles_with_two_ledger_rows_and_never_overdraws() {
    let dir = tempfile::tempdir().unwrap();
    let (store, clock, _) = open(dir.path()).await;
    let s = streamer(&store, "chan").await;
    let (a, b, c) = (kick(1, "ann"), kick(2, "ben"), kick(3, "cat"));
    apply(
        &store,
        s,
        delivery(
            "seed",
            vec![
                earn(a.clone(), 100),
                earn(b.clone(), 100),
                earn(c.clone(), 100),
            ],
            vec![],
        ),
    )
    .await;
    let (ua, ub) = (user_id(&store, s, 1).await, user_id(&store, s, 2).await);

    // Unknown opponent, and one's own name, are refused.
    let out = command_of(
        apply(
            &store,
            s,
            delivery("x1", vec![], vec![challenge(a.clone(), "nobody", 50)]),
        )
        .await,
    );
    assert_eq!(
        out,
        CommandOutcome::Refused {
            step: 0,
            refusal: Refusal::Store(StoreError::not_found(Resource::User))
        }
    );
    let out = command_of(
        apply(
            &store,
            s,
            delivery("x2", vec![], vec![challenge(a.clone(), "BEN", 500)]),
        )
        .await,
    );
    assert!(matches!(
        out,
        CommandOutcome::Refused {
            refusal: Refusal::Store(StoreError::InsufficientPoints { .. }),
            ..
        }
    ));

    let out = command_of(
        apply(
            &store,
            s,
            delivery("d1", vec![], vec![challenge(a.clone(), "BEN", 60)]),
        )
        .await,
    );
    let CommandOutcome::Done { results } = out else {
        panic!("opened: {out:?}");
    };
    let [StepResult::Duel(duel)] = results.as_slice() else {
        panic!("{results:?}");
    };
    assert_eq!((duel.challenger, duel.opponent), (ua, ub));
    assert_eq!(duel.opponent_name, "ben");
    assert_eq!(
        store.list_duels(s).await.unwrap(),
        std::slice::from_ref(duel)
    );
    // Either party is busy now.
    for (id, step) in [
        ("p1", challenge(c.clone(), "ann", 50)),
        ("p2", challenge(c.clone(), "ben", 50)),
        ("p3", challenge(b.clone(), "cat", 50)),
    ] {
        assert_eq!(
            command_of(apply(&store, s, delivery(id, vec![], vec![step])).await),
            CommandOutcome::Refused {
                step: 0,
                refusal: Refusal::DuelPending
            },
            "{id}"
        );
    }
    // The challenger spends below the stake meanwhile: the duel cannot settle whoever would
    // win (else a short party could accept until the coin favours them); it stays open.
    apply(
        &store,
        s,
        delivery("spent", vec![spend(a.clone(), 50)], vec![]),
    )
    .await;
    let accept = |wins| Step::AcceptDuel {
        opponent: b.clone(),
        challenger_wins: wins,
    };
    assert!(matches!(
        command_of(apply(&store, s, delivery("acc1", vec![], vec![accept(false)])).await),
        CommandOutcome::Refused {
            refusal: Refusal::Store(StoreError::InsufficientPoints {
                balance: 50,
                required: 60
            }),
            ..
        }
    ));
    assert!(matches!(
        command_of(apply(&store, s, delivery("acc1b", vec![], vec![accept(true)])).await),
        CommandOutcome::Refused {
            refusal: Refusal::Store(StoreError::InsufficientPoints {
                balance: 50,
                required: 60
            }),
            ..
        }
    ));
    assert_eq!(store.list_duels(s).await.unwrap().len(), 1);
    // The challenger earns enough again and wins: the opponent pays 60.
    apply(
        &store,
        s,
        delivery("topup", vec![earn(a.clone(), 10)], vec![]),
    )
    .await;
    let before = events(&store, s).await.len();
    let out = command_of(apply(&store, s, delivery("acc2", vec![], vec![accept(true)])).await);
    let CommandOutcome::Done { results } = out else {
        panic!("settled: {out:?}");
    };
    let [
        StepResult::DuelSettled {
            winner,
            challenger,
            opponent,
            ..
        },
    ] = results.as_slice()
    else {
        panic!("{results:?}");
    };
    assert_eq!(*winner, ua);
    assert_eq!(
        (challenger.channel_points, opponent.channel_points),
        (120, 40)
    );
    let recorded = events(&store, s).await;
    let amounts: Vec<(UserId, i64)> = recorded[before..]
        .iter()
        .map(|e| match e {
            EventData::PointsChanged {
                viewer,
                amount,
                source: PointSource::Duel,
                ..
            } => (viewer.user_id, *amount),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(amounts, [(ub, -60), (ua, 60)]);
    assert!(store.list_duels(s).await.unwrap().is_empty());
    assert_eq!(
        command_of(apply(&store, s, delivery("acc3", vec![], vec![accept(true)])).await),
        CommandOutcome::Refused {
            step: 0,
            refusal: Refusal::NoDuel
        }
    );

    // Declined, withdrawn, expired: closed each time.
    apply(
        &store,
        s,
        delivery("d2", vec![], vec![challenge(c.clone(), "ann", 50)]),
    )
    .await;
    let decline = Step::DeclineDuel {
        opponent: a.clone(),
    };
    assert!(matches!(
        command_of(apply(&store, s, delivery("dec", vec![], vec![decline])).await),
        CommandOutcome::Done { .. }
    ));
    apply(
        &store,
        s,
        delivery("d3", vec![], vec![challenge(c.clone(), "ann", 50)]),
    )
    .await;
    let cancel = Step::CancelDuel {
        challenger: c.clone(),
    };
    assert!(matches!(
        command_of(apply(&store, s, delivery("can", vec![], vec![cancel.clone()])).await),
        CommandOutcome::Done { .. }
    ));
    apply(
        &store,
        s,
        delivery("d4", vec![], vec![challenge(c.clone(), "ann", 50)]),
    )
    .await;
    clock.advance(Duration::from_secs(61));
    assert!(store.list_duels(s).await.unwrap().is_empty());
    assert_eq!(
        command_of(apply(&store, s, delivery("can2", vec![], vec![cancel])).await),
        CommandOutcome::Refused {
            step: 0,
            refusal: Refusal::NoDuel
        }
    );
    // The expired duel no longer holds anyone.
    assert!(matches!(
        command_of(
            apply(
                &store,
                s,
                delivery("d5", vec![], vec![challenge(a.clone(), "cat", 50)])
            )
            .await
        ),
        CommandOutcome::Done { .. }
    ));
}

#[tokio::test]
async fn the_other_steps_do_what_their_single_operations_do() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = open(dir.path()).await;
    let s = streamer(&store, "chan").await;
    let v = kick(1, "viewer");
    store
        .upsert_goal(
            s,
            &GoalId("followers".into()),
            GoalInput {
                label: "Followers".into(),
                current_value: 1,
                target_value: 10,
                enabled: true,
            },
        )
        .await
        .unwrap();
    let out = apply(
        &store,
        s,
        delivery(
            "follow",
            vec![
                Step::AdvanceGoal {
                    goal: GoalId("followers".into()),
                    by: 2,
                },
                Step::AdvanceGoal {
                    goal: GoalId("missing".into()),
                    by: 2,
                },
                Step::Alert {
                    kind: AlertKind::Follow,
                    viewer: Some(v.clone()),
                    amount: 1,
                },
                Step::Alert {
                    kind: AlertKind::Gift,
                    viewer: None,
                    amount: 3,
                },
                earn(v.clone(), 600),
            ],
            vec![Step::Speak {
                viewer: v.clone(),
                text: "hello".into(),
                voice: Some("brian".into()),
                cost: 500,
            }],
        ),
    )
    .await;
    let DeliveryOutcome::Applied { effects, command } = out else {
        panic!()
    };
    let StepResult::Goal(Some(goal)) = &effects[0] else {
        panic!("{effects:?}")
    };
    assert_eq!(goal.current_value, 3);
    assert_eq!(effects[1], StepResult::Goal(None));
    let Some(CommandOutcome::Done { results }) = command else {
        panic!()
    };
    let StepResult::Balances(b) = &results[0] else {
        panic!()
    };
    assert_eq!(b.channel_points, 100);
    let u = user_id(&store, s, 1).await;
    let user = store.get_user(s, u).await.unwrap().unwrap();
    assert_eq!(user.voice_id.as_deref(), Some("brian"));
    let recorded = events(&store, s).await;
    let kinds: Vec<&str> = recorded.iter().map(|e| e.kind()).collect();
    assert_eq!(
        kinds,
        [
            "goal_changed",
            "goal_changed",
            "alert",
            "alert",
            "points_changed",
            "points_changed",
            "speech_queued"
        ]
    );
    // Deleting the viewer takes their link, chatter row and duels with them, and their
    // name out of the events.
    apply(
        &store,
        s,
        delivery("chat", vec![Step::Chatted { viewer: v.clone() }], vec![]),
    )
    .await;
    store.delete_user(s, u).await.unwrap();
    assert_eq!(store.get_kick_viewer(s, 1).await.unwrap(), None);
    assert!(events(&store, s).await.iter().all(|e| match e {
        EventData::Alert { user_id, .. } => user_id.is_none(),
        EventData::SpeechQueued { .. } | EventData::PointsChanged { .. } => false,
        _ => true,
    }));
}

#[tokio::test]
async fn the_economy_config_is_per_streamer_with_the_defaults_until_set() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, path) = open(dir.path()).await;
    let s = streamer(&store, "chan").await;
    let t = streamer(&store, "other").await;
    assert_eq!(
        store.get_economy_config(s).await.unwrap(),
        EconomyConfig::default()
    );
    let mut mine = EconomyConfig {
        chat_points: 7,
        ..EconomyConfig::default()
    };
    mine.commands.duel.enabled = false;
    assert_eq!(
        store.set_economy_config(s, mine.clone()).await.unwrap(),
        mine
    );
    assert_eq!(store.get_economy_config(s).await.unwrap(), mine);
    assert_eq!(
        store.get_economy_config(t).await.unwrap(),
        EconomyConfig::default()
    );
    let mut bad = mine.clone();
    bad.chat_points = -1;
    assert!(matches!(
        store.set_economy_config(s, bad).await,
        Err(StoreError::InvalidInput { .. })
    ));
    assert_eq!(
        store
            .set_economy_config(StreamerId(9999), mine)
            .await
            .unwrap_err(),
        StoreError::not_found(Resource::Streamer)
    );
    // Deleting the streamer takes every Kick table's rows with it.
    apply(
        &store,
        s,
        delivery(
            "all",
            vec![
                Step::Chatted {
                    viewer: kick(1, "v"),
                },
                Step::SetLive {
                    live: true,
                    at: Timestamp::saturating_from_millis(START),
                },
            ],
            vec![],
        ),
    )
    .await;
    store.delete_streamer(s).await.unwrap();
    let conn = Connection::open(path).unwrap();
    for table in [
        "kick_viewers",
        "kick_deliveries",
        "stream_states",
        "chatters",
        "economy_configs",
    ] {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
}

#[tokio::test]
async fn the_purge_deletes_only_this_streamers_minutes_out_of_reach() {
    let dir = tempfile::tempdir().unwrap();
    let (store, clock, path) = open(dir.path()).await;
    let a = streamer(&store, "alpha").await;
    let b = streamer(&store, "beta").await;
    let now = || datastore::Clock::now(&*clock);
    let award = |s, at| {
        let store = &store;
        async move {
            let minute = WatchMinute {
                minute: WatchMinute::minute_of(at),
                amount: 5,
                window: Duration::from_secs(600),
            };
            let awarded = store.award_watch_minute(s, minute).await.unwrap();
            assert!(matches!(awarded, WatchAward::Awarded { .. }), "{awarded:?}");
        }
    };
    for s in [a, b] {
        let live = Step::SetLive {
            live: true,
            at: now(),
        };
        apply(&store, s, delivery("live", vec![live], vec![])).await;
        award(s, now()).await;
    }
    // A day and a bit more than the purge's hour of margin later, one more minute each.
    clock.advance(Duration::from_secs(
        (datastore::kick::WATCH_MINUTE_REACH as u64 + 62) * 60,
    ));
    for s in [a, b] {
        award(s, now()).await;
    }
    let minutes = |s: StreamerId| -> Vec<i64> {
        let conn = Connection::open(&path).unwrap();
        let mut stmt = conn
            .prepare("SELECT minute FROM watch_minutes WHERE streamer_id = ?1 ORDER BY minute")
            .unwrap();
        stmt.query_map([s.0], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let (old, recent) = (
        WatchMinute::minute_of(Timestamp::saturating_from_millis(START)),
        WatchMinute::minute_of(now()),
    );
    assert_eq!(minutes(a), vec![old, recent]);
    // Purging A's delivery ids up to now takes A's old minute and keeps the recent one; B's
    // minutes stay.
    store.purge_deliveries(a, now()).await.unwrap();
    assert_eq!(minutes(a), vec![recent]);
    assert_eq!(minutes(b), vec![old, recent]);
}
