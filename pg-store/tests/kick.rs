//! Kick deliveries on PostgreSQL under concurrency, as two servers on one schema meet them: a
//! delivery applied by both at once applies once, a watch minute awarded by both at once is
//! awarded once, a refused command leaves nothing behind, and a duel settled while its loser
//! spends never overdraws. (The conformance suite holds every backend to the contract one call
//! at a time; these race real connections and look at the tables too.)

mod common;

use common::{START, count_rows, streamer};
use datastore::{
    Clock, CommandOutcome, CooldownCheck, CooldownStore, Delivery, DeliveryId, DeliveryOutcome,
    EventId, EventStore, KickStore, KickViewer, ManualClock, PointDelta, PointSource, PointStore,
    Refusal, Step, StoreError, StreamerId, StreamerStore, Timestamp, UserId, WatchAward,
    WatchMinute, kick,
};
use pg_store::{PgOptions, PgStore};
use std::sync::Arc;
use std::time::Duration;

/// Two stores (two servers) on one fresh schema, sharing a clock, and the schema.
async fn two_servers() -> (PgStore, PgStore, Arc<ManualClock>, String) {
    let scratch = pg_scratch::server().scratch();
    let clock = Arc::new(ManualClock::new(Timestamp::saturating_from_millis(START)));
    let options = PgOptions::new(scratch.server_url)
        .with_owner(scratch.owner_url)
        .with_schema(scratch.schema.clone());
    let one = PgStore::connect(options.clone(), clock.clone())
        .await
        .expect("the first server connects");
    let two = PgStore::connect(options, clock.clone())
        .await
        .expect("the second server connects");
    (one, two, clock, scratch.schema)
}

fn viewer(kick_id: i64, name: &str) -> KickViewer {
    KickViewer::new(kick_id, name)
}

fn earn(who: &KickViewer, amount: i64) -> Step {
    Step::Earn {
        viewer: who.clone(),
        amount,
        source: PointSource::Chat,
        description: None,
    }
}

fn spend(who: &KickViewer, amount: i64) -> Step {
    Step::Spend {
        viewer: who.clone(),
        amount,
        source: PointSource::Spend,
        description: None,
    }
}

fn delivery(id: &str, effects: Vec<Step>, command: Vec<Step>) -> Delivery {
    Delivery {
        id: DeliveryId(id.to_owned()),
        effects,
        command,
    }
}

async fn balance(store: &PgStore, s: StreamerId, u: UserId) -> i64 {
    store
        .get_points(s, u)
        .await
        .unwrap()
        .map_or(0, |p| p.channel_points)
}

async fn user_of(store: &PgStore, s: StreamerId, kick_id: i64) -> UserId {
    store
        .get_kick_viewer(s, kick_id)
        .await
        .unwrap()
        .expect("a linked viewer")
        .id
}

/// How many rows of `table` in `schema` belong to streamer `s` (`and`: more conditions).
async fn rows_of(schema: &str, table: &str, s: StreamerId, and: &str) -> i64 {
    let admin = pg_scratch::server().admin().await;
    admin
        .query_one(
            &format!("SELECT count(*) FROM \"{schema}\".\"{table}\" WHERE streamer_id = $1 {and}"),
            &[&s.0],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn a_delivery_applied_by_two_servers_at_once_applies_once() {
    let (one, two, _, schema) = two_servers().await;
    let s = streamer(&one, "alpha").await;
    let bob = viewer(7, "bob");
    // Bob exists, so the first delivery can be held on his row while the second arrives.
    one.apply_delivery(s, delivery("first", vec![earn(&bob, 1)], vec![]))
        .await
        .unwrap();
    let u = user_of(&one, s, 7).await;

    // Deterministic: an outside transaction holds Bob's row, so the first delivery to take the
    // id waits inside its transaction, and the other must wait on the id, not slip past it.
    let mut admin = pg_scratch::server().admin().await;
    let hold = admin.transaction().await.unwrap();
    hold.execute(
        &format!("SELECT 1 FROM \"{schema}\".users WHERE streamer_id = $1 AND id = $2 FOR UPDATE"),
        &[&s.0, &u.0],
    )
    .await
    .unwrap();
    let d = delivery("held", vec![earn(&bob, 100)], vec![]);
    let a = tokio::spawn({
        let (one, d) = (one.clone(), d.clone());
        async move { one.apply_delivery(s, d).await }
    });
    let b = tokio::spawn({
        let (two, d) = (two.clone(), d.clone());
        async move { two.apply_delivery(s, d).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!a.is_finished() && !b.is_finished(), "both wait");
    hold.rollback().await.unwrap();
    let outcomes = [a.await.unwrap().unwrap(), b.await.unwrap().unwrap()];
    let applied = outcomes
        .iter()
        .filter(|o| matches!(o, DeliveryOutcome::Applied { .. }))
        .count();
    let duplicate = outcomes
        .iter()
        .filter(|o| **o == DeliveryOutcome::Duplicate)
        .count();
    assert_eq!((applied, duplicate), (1, 1), "{outcomes:?}");
    assert_eq!(balance(&one, s, u).await, 101);

    // Racing: many ids, each sent to both servers at once.
    for round in 0..20 {
        let d = delivery(&format!("race-{round}"), vec![earn(&bob, 10)], vec![]);
        let (x, y) = tokio::join!(
            one.apply_delivery(s, d.clone()),
            two.apply_delivery(s, d.clone())
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        let duplicates = [&x, &y]
            .iter()
            .filter(|o| ***o == DeliveryOutcome::Duplicate)
            .count();
        assert_eq!(duplicates, 1, "round {round}: {x:?} {y:?}");
    }
    assert_eq!(balance(&one, s, u).await, 101 + 200);
    // One ledger row and one event per applied delivery; one record per id.
    assert_eq!(rows_of(&schema, "point_transactions", s, "").await, 22);
    assert_eq!(rows_of(&schema, "kick_deliveries", s, "").await, 22);
    let page = one.read_events(s, EventId::START, 100).await.unwrap();
    assert_eq!(page.events.len(), 22);
    // A redelivery later changes nothing either.
    let again = two
        .apply_delivery(s, delivery("held", vec![earn(&bob, 100)], vec![]))
        .await
        .unwrap();
    assert_eq!(again, DeliveryOutcome::Duplicate);
    assert_eq!(balance(&one, s, u).await, 301);
}

#[tokio::test]
async fn a_new_viewer_met_by_two_deliveries_at_once_is_created_once() {
    let (one, two, _, schema) = two_servers().await;
    let s = streamer(&one, "alpha").await;
    for round in 0..10 {
        let who = viewer(100 + round, &format!("new{round}"));
        let (x, y) = tokio::join!(
            one.apply_delivery(
                s,
                delivery(&format!("a{round}"), vec![earn(&who, 5)], vec![])
            ),
            two.apply_delivery(
                s,
                delivery(&format!("b{round}"), vec![earn(&who, 5)], vec![])
            )
        );
        x.unwrap();
        y.unwrap();
        let u = user_of(&one, s, 100 + round).await;
        assert_eq!(balance(&one, s, u).await, 10, "round {round}");
    }
    assert_eq!(rows_of(&schema, "users", s, "").await, 10);
    assert_eq!(rows_of(&schema, "kick_viewers", s, "").await, 10);
}

#[tokio::test]
async fn a_watch_minute_awarded_by_two_servers_at_once_is_awarded_once() {
    let (one, two, clock, schema) = two_servers().await;
    let s = streamer(&one, "alpha").await;
    let other = streamer(&one, "beta").await;
    let chatters = [viewer(1, "ann"), viewer(2, "bob"), viewer(3, "cy")];
    let mut steps = vec![Step::SetLive {
        live: true,
        at: clock.now(),
    }];
    steps.extend(chatters.iter().map(|v| Step::Chatted { viewer: v.clone() }));
    one.apply_delivery(s, delivery("live", steps, vec![]))
        .await
        .unwrap();
    // The other streamer's viewers chat too, but its stream is not live.
    one.apply_delivery(
        other,
        delivery(
            "chat",
            vec![Step::Chatted {
                viewer: viewer(1, "ann"),
            }],
            vec![],
        ),
    )
    .await
    .unwrap();
    let first = WatchMinute::minute_of(clock.now());
    let minute = |m: i64| WatchMinute {
        minute: first + m,
        amount: 5,
        window: Duration::from_secs(600),
    };
    let mut awarded = 0;
    for m in 0..20 {
        let (x, y) = tokio::join!(
            one.award_watch_minute(s, minute(m)),
            two.award_watch_minute(s, minute(m))
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        let outcomes = [&x, &y];
        let already = outcomes
            .iter()
            .filter(|o| ***o == WatchAward::AlreadyAwarded)
            .count();
        assert_eq!(already, 1, "minute {m}: {x:?} {y:?}");
        for o in outcomes {
            if let WatchAward::Awarded { viewers } = o {
                assert_eq!(viewers.len(), 3);
                awarded += 1;
            }
        }
    }
    assert_eq!(awarded, 20);
    for v in &chatters {
        let u = user_of(&one, s, v.kick_user_id).await;
        assert_eq!(balance(&one, s, u).await, 100);
    }
    assert_eq!(
        rows_of(&schema, "point_transactions", s, "AND source = 'watch'").await,
        60
    );
    assert_eq!(rows_of(&schema, "watch_minutes", s, "").await, 20);
    assert_eq!(
        one.award_watch_minute(other, minute(0)).await.unwrap(),
        WatchAward::NotLive
    );
    assert_eq!(rows_of(&schema, "watch_minutes", other, "").await, 0);
    // Chatters older than the window are not awarded.
    clock.advance(Duration::from_secs(601));
    assert_eq!(
        one.award_watch_minute(s, minute(100)).await.unwrap(),
        WatchAward::Awarded {
            viewers: Vec::new()
        }
    );
}

#[tokio::test]
async fn a_refused_command_leaves_nothing_behind_and_the_effects_stay() {
    let (store, _, clock, schema) = two_servers().await;
    let s = streamer(&store, "alpha").await;
    let bob = viewer(7, "bob");
    let newcomer = viewer(8, "newcomer");
    let outcome = store
        .apply_delivery(
            s,
            delivery(
                "cmd",
                vec![earn(&bob, 10)],
                vec![
                    spend(&bob, 5),
                    Step::Cooldown {
                        viewer: bob.clone(),
                        command: "!gamble".into(),
                        cooldown: Duration::from_secs(30),
                    },
                    earn(&newcomer, 50),
                    spend(&bob, 1_000),
                    earn(&bob, 1),
                ],
            ),
        )
        .await
        .unwrap();
    let DeliveryOutcome::Applied { effects, command } = outcome else {
        panic!("not applied: {outcome:?}");
    };
    assert_eq!(effects.len(), 1);
    assert_eq!(
        command,
        Some(CommandOutcome::Refused {
            step: 3,
            refusal: Refusal::Store(StoreError::InsufficientPoints {
                balance: 5,
                required: 1_000
            })
        })
    );
    let u = user_of(&store, s, 7).await;
    assert_eq!(
        balance(&store, s, u).await,
        10,
        "the effect stays, the spend is undone"
    );
    assert_eq!(
        store
            .check_cooldown(s, u, "!gamble", Duration::from_secs(30))
            .await
            .unwrap(),
        CooldownCheck::Ready,
        "the command's cooldown is undone"
    );
    assert_eq!(store.get_kick_viewer(s, 8).await.unwrap(), None);
    assert_eq!(rows_of(&schema, "users", s, "").await, 1);
    assert_eq!(rows_of(&schema, "point_transactions", s, "").await, 1);
    // The effect's event only; the id is recorded.
    let page = store.read_events(s, EventId::START, 100).await.unwrap();
    assert_eq!(page.events.len(), 1, "{page:?}");
    assert!(
        store
            .delivery_seen(s, &DeliveryId("cmd".into()))
            .await
            .unwrap()
    );

    // A failing effect fails the whole delivery: nothing is written, the id is not recorded.
    let failed = store
        .apply_delivery(
            s,
            delivery("bad", vec![earn(&bob, 3), spend(&bob, 1_000)], vec![]),
        )
        .await;
    assert!(
        matches!(failed, Err(StoreError::InsufficientPoints { .. })),
        "{failed:?}"
    );
    assert!(
        !store
            .delivery_seen(s, &DeliveryId("bad".into()))
            .await
            .unwrap()
    );
    assert_eq!(balance(&store, s, u).await, 10);
    // An effect that is refused by a rule fails it too, as invalid input.
    clock.advance(Duration::from_secs(1));
    let cooling = store
        .apply_delivery(
            s,
            delivery(
                "cool",
                vec![Step::Cooldown {
                    viewer: bob.clone(),
                    command: "!gamble".into(),
                    cooldown: Duration::from_secs(30),
                }],
                vec![],
            ),
        )
        .await;
    assert!(
        matches!(cooling, Err(StoreError::InvalidInput { .. })),
        "{cooling:?}"
    );
    assert_eq!(count_rows(&schema, "kick_deliveries").await, 1);
}

#[tokio::test]
async fn a_duel_settled_while_its_loser_spends_never_overdraws() {
    let (one, two, _, schema) = two_servers().await;
    let s = streamer(&one, "alpha").await;
    let ann = viewer(1, "ann");
    let bob = viewer(2, "bob");
    // Bob covers the stake too (both parties must, whoever wins).
    one.apply_delivery(s, delivery("seed", vec![earn(&bob, 100)], vec![]))
        .await
        .unwrap();
    let mut settled: i64 = 0;
    for round in 0..15 {
        // Ann holds exactly the stake, challenges Bob, and then spends it all while Bob
        // accepts a duel Ann loses: only one of the two can take her points.
        one.apply_delivery(
            s,
            delivery(&format!("fund{round}"), vec![earn(&ann, 100)], vec![]),
        )
        .await
        .unwrap();
        let challenge = one
            .apply_delivery(
                s,
                delivery(
                    &format!("duel{round}"),
                    vec![],
                    vec![Step::ChallengeDuel {
                        challenger: ann.clone(),
                        opponent: "bob".into(),
                        stake: 100,
                        expires_in: Duration::from_secs(60),
                    }],
                ),
            )
            .await
            .unwrap();
        assert!(
            matches!(
                &challenge,
                DeliveryOutcome::Applied {
                    command: Some(CommandOutcome::Done { .. }),
                    ..
                }
            ),
            "{challenge:?}"
        );
        let a = user_of(&one, s, 1).await;
        let (accept, spent) = tokio::join!(
            two.apply_delivery(
                s,
                delivery(
                    &format!("accept{round}"),
                    vec![],
                    vec![Step::AcceptDuel {
                        opponent: bob.clone(),
                        challenger_wins: false,
                    }],
                ),
            ),
            async {
                // The spend starts later each round, so early rounds tend to let it win
                // and later ones the duel; either way only one may take Ann's points.
                tokio::time::sleep(Duration::from_millis(round * round)).await;
                one.spend_points(s, a, PointDelta::new(100, PointSource::Spend))
                    .await
            }
        );
        let DeliveryOutcome::Applied { command, .. } = accept.unwrap() else {
            panic!("not applied");
        };
        match (command, spent) {
            (Some(CommandOutcome::Done { .. }), Err(StoreError::InsufficientPoints { .. })) => {
                settled += 1;
            }
            (
                Some(CommandOutcome::Refused {
                    refusal: Refusal::Store(StoreError::InsufficientPoints { .. }),
                    ..
                }),
                Ok(_),
            ) => {
                // The duel stays open; Bob declines it for the next round.
                let declined = two
                    .apply_delivery(
                        s,
                        delivery(
                            &format!("decline{round}"),
                            vec![],
                            vec![Step::DeclineDuel {
                                opponent: bob.clone(),
                            }],
                        ),
                    )
                    .await
                    .unwrap();
                assert!(matches!(
                    declined,
                    DeliveryOutcome::Applied {
                        command: Some(CommandOutcome::Done { .. }),
                        ..
                    }
                ));
            }
            other => panic!("round {round}: {other:?}"),
        }
        assert_eq!(balance(&one, s, a).await, 0, "round {round}");
        assert!(one.list_duels(s).await.unwrap().is_empty());
    }
    let b = user_of(&one, s, 2).await;
    assert_eq!(balance(&one, s, b).await, 100 + 100 * settled);
    // Every duel settled wrote exactly two ledger rows.
    assert_eq!(
        rows_of(&schema, "point_transactions", s, "AND source = 'duel'").await,
        2 * settled
    );
    // Which side wins the race is up to the scheduler; without a rival spend the same
    // duel settles, so the checks above are known to count settled duels.
    one.apply_delivery(s, delivery("fund-last", vec![earn(&ann, 100)], vec![]))
        .await
        .unwrap();
    let challenge = Step::ChallengeDuel {
        challenger: ann.clone(),
        opponent: "bob".into(),
        stake: 100,
        expires_in: Duration::from_secs(60),
    };
    one.apply_delivery(s, delivery("duel-last", vec![], vec![challenge]))
        .await
        .unwrap();
    let accept = Step::AcceptDuel {
        opponent: bob.clone(),
        challenger_wins: false,
    };
    let last = two
        .apply_delivery(s, delivery("accept-last", vec![], vec![accept]))
        .await
        .unwrap();
    assert!(
        matches!(
            last,
            DeliveryOutcome::Applied {
                command: Some(CommandOutcome::Done { .. }),
                ..
            }
        ),
        "{last:?}"
    );
    assert_eq!(balance(&one, s, user_of(&one, s, 1).await).await, 0);
    assert_eq!(balance(&one, s, b).await, 200 + 100 * settled);
    assert_eq!(
        rows_of(&schema, "point_transactions", s, "AND source = 'duel'").await,
        2 * settled + 2
    );
}

#[tokio::test]
async fn only_live_streams_are_listed_live_and_late_changes_do_not_undo_newer_ones() {
    let (store, _, clock, _) = two_servers().await;
    let a = streamer(&store, "alpha").await;
    let b = streamer(&store, "beta").await;
    let c = streamer(&store, "gamma").await;
    assert!(store.list_live_streamers().await.unwrap().is_empty());
    let at = clock.now();
    let later = Timestamp::saturating_from_millis(at.as_millis() + 1_000);
    for (s, live) in [(a, true), (b, false), (c, true)] {
        store
            .apply_delivery(
                s,
                delivery("state", vec![Step::SetLive { live, at }], vec![]),
            )
            .await
            .unwrap();
    }
    assert_eq!(store.list_live_streamers().await.unwrap(), vec![a, c]);
    store
        .apply_delivery(
            c,
            delivery(
                "off",
                vec![Step::SetLive {
                    live: false,
                    at: later,
                }],
                vec![],
            ),
        )
        .await
        .unwrap();
    // A change stamped earlier than the one applied is not applied.
    let late = store
        .apply_delivery(
            c,
            delivery("late", vec![Step::SetLive { live: true, at }], vec![]),
        )
        .await
        .unwrap();
    assert_eq!(
        late,
        DeliveryOutcome::Applied {
            effects: vec![datastore::StepResult::Live(false)],
            command: None
        }
    );
    assert_eq!(store.list_live_streamers().await.unwrap(), vec![a]);
    store.delete_streamer(a).await.unwrap();
    assert!(store.list_live_streamers().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_stream_set_live_by_two_servers_at_once_records_one_change() {
    let (one, two, clock, schema) = two_servers().await;
    let at = clock.now();
    let live_changes = |s| rows_of(&schema, "events", s, "AND kind = 'live_changed'");
    for round in 0..10 {
        // The stream's first change (no state row yet), then a change of an existing row: each
        // time both servers set the same flag at once, and only one of them changes it.
        let s = streamer(&one, &format!("live{round}")).await;
        for (step, on) in [("on", true), ("off", false)] {
            let at = shifted_by(at, if on { 0 } else { 60 });
            let (a, b) = tokio::join!(
                one.apply_delivery(
                    s,
                    delivery(&format!("{step}-a"), vec![set_live(on, at)], vec![])
                ),
                two.apply_delivery(
                    s,
                    delivery(&format!("{step}-b"), vec![set_live(on, at)], vec![])
                ),
            );
            for outcome in [a.unwrap(), b.unwrap()] {
                assert!(
                    matches!(outcome, DeliveryOutcome::Applied { .. }),
                    "{outcome:?}"
                );
            }
            assert_eq!(
                live_changes(s).await,
                if on { 1 } else { 2 },
                "round {round}, {step}: one change recorded"
            );
        }
        assert!(!one.get_stream_state(s).await.unwrap().live);
    }
}

fn set_live(live: bool, at: Timestamp) -> Step {
    Step::SetLive { live, at }
}

fn shifted_by(t: Timestamp, secs: i64) -> Timestamp {
    Timestamp::saturating_from_millis(t.as_millis() + secs * 1000)
}

#[tokio::test]
async fn the_purge_deletes_only_this_streamers_minutes_out_of_reach() {
    let (store, _, clock, schema) = two_servers().await;
    let a = streamer(&store, "alpha").await;
    let b = streamer(&store, "beta").await;
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
        store
            .apply_delivery(
                s,
                delivery("live", vec![set_live(true, clock.now())], vec![]),
            )
            .await
            .unwrap();
        award(s, clock.now()).await;
    }
    // A day and a bit more than the purge's hour of margin later, one more minute each.
    clock.advance(Duration::from_secs(
        (kick::WATCH_MINUTE_REACH as u64 + 62) * 60,
    ));
    for s in [a, b] {
        award(s, clock.now()).await;
    }
    let minutes = |s| rows_of(&schema, "watch_minutes", s, "");
    assert_eq!((minutes(a).await, minutes(b).await), (2, 2));
    // Purging A's delivery ids up to now takes A's old minute and keeps the recent one; B's
    // minutes stay.
    store.purge_deliveries(a, clock.now()).await.unwrap();
    assert_eq!((minutes(a).await, minutes(b).await), (1, 2));
    let now = WatchMinute::minute_of(clock.now());
    assert_eq!(
        rows_of(&schema, "watch_minutes", a, &format!("AND minute = {now}")).await,
        1
    );
}
