//! Kick deliveries as units: applied exactly once, all effects or none, a command all or
//! nothing, arguments checked first, records purged, and no overdraw or lost update when many
//! arrive at once.

use crate::cases::kick_support::*;
use crate::cases::support::*;
use crate::harness::{CaseResult, Failure, Harness, check, check_eq, check_err};
use datastore::*;
use std::time::Duration;

/// A delivery applies once: its redelivery (even with other steps under the same id) is a
/// `Duplicate` and changes nothing at all (balances, ledger, events, inventory, live state,
/// links).
pub async fn deliveries_apply_exactly_once(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = kv(11, "alice");
    let now = h.clock().now();
    let d = delivery(
        "msg-1",
        vec![
            live(true, now),
            chatted(&alice),
            earn(&alice, 600, PointSource::Sub),
        ],
        vec![
            spend(&alice, 10),
            Step::BuyPowerup {
                viewer: alice.clone(),
                powerup: PowerupType::Boost,
            },
        ],
    );
    let (effects, command) = applied(&*store, s, d.clone()).await?;
    check_eq!(effects.len(), 3, "one result per effect");
    check_eq!(effects[0], StepResult::Live(true), "the live step");
    check_eq!(
        balances(&effects[2])?.channel_points,
        600,
        "the earn's balances"
    );
    let Some(CommandOutcome::Done { results }) = command else {
        return Err(Failure(format!("the command did not run: {command:?}")));
    };
    check_eq!(balances(&results[0])?.channel_points, 590, "the spend");
    check!(
        matches!(&results[1], StepResult::Purchase(r) if r.quantity == 1 && r.points.channel_points == 340),
        "the purchase: {:?}",
        results[1]
    );
    check!(
        store.delivery_seen(s, &d.id).await?,
        "the delivery is recorded"
    );
    let before = snapshot(&*store, s, &["msg-1"], &[11]).await?;
    h.clock().advance(Duration::from_secs(5));
    check_eq!(
        store.apply_delivery(s, d.clone()).await?,
        DeliveryOutcome::Duplicate,
        "the redelivery"
    );
    let other = delivery(
        "msg-1",
        vec![
            earn(&alice, 1000, PointSource::Tip),
            live(false, h.clock().now()),
        ],
        vec![],
    );
    check_eq!(
        store.apply_delivery(s, other).await?,
        DeliveryOutcome::Duplicate,
        "another delivery under the same id"
    );
    check_eq!(
        snapshot(&*store, s, &["msg-1"], &[11]).await?,
        before,
        "nothing changed"
    );
    check_invariants(&export(&*store, s).await?)
}

/// An effect that fails fails the whole delivery with its error: nothing changes (not the
/// effects before it, not the viewers it created) and the id is not recorded, so a corrected
/// delivery with the same id applies.
pub async fn a_failing_effect_records_nothing(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = kv(11, "alice");
    let bob = kv(12, "bob");
    applied(
        &*store,
        s,
        delivery("fund", vec![earn(&alice, 100, PointSource::Sub)], vec![]),
    )
    .await?;
    let ids = ["fund", "bad-1", "bad-2"];
    let before = snapshot(&*store, s, &ids, &[11, 12]).await?;
    let now = h.clock().now();
    let d = delivery(
        "bad-1",
        vec![
            earn(&alice, 50, PointSource::Chat),
            chatted(&bob),
            live(true, now),
            spend(&alice, 1000),
        ],
        vec![earn(&alice, 5, PointSource::Chat)],
    );
    check_err!(
        store.apply_delivery(s, d).await,
        StoreError::InsufficientPoints {
            balance: 150,
            required: 1000
        },
        "the spend sees the earn before it, and fails the delivery"
    );
    check_eq!(
        snapshot(&*store, s, &ids, &[11, 12]).await?,
        before,
        "nothing changed"
    );
    let overflow = delivery(
        "bad-2",
        vec![
            chatted(&bob),
            // An earn would be cut at the limit; a won bet past it is refused.
            wager(&alice, 10, 20),
            Step::AdvanceGoal {
                goal: GoalId::new("missing"),
                by: 1,
            },
        ],
        vec![],
    );
    store
        .set_points(
            s,
            linked(&*store, s, 11).await?.id,
            AdminSetPoints {
                channel_points: validate::MAX_BALANCE,
                drop_points: None,
                description: None,
            },
        )
        .await?;
    let full = snapshot(&*store, s, &ids, &[11, 12]).await?;
    let r = store.apply_delivery(s, overflow).await;
    check!(
        matches!(r, Err(StoreError::InvalidInput { .. })),
        "a win past the balance limit fails the delivery: {r:?}"
    );
    check_eq!(
        snapshot(&*store, s, &ids, &[11, 12]).await?,
        full,
        "nothing changed"
    );
    store
        .set_points(
            s,
            linked(&*store, s, 11).await?.id,
            AdminSetPoints {
                channel_points: 100,
                drop_points: None,
                description: None,
            },
        )
        .await?;
    check!(
        !store.delivery_seen(s, &DeliveryId("bad-1".into())).await?,
        "the failed delivery is not recorded"
    );
    check_eq!(
        store.get_kick_viewer(s, 12).await?,
        None,
        "the viewer the failed delivery named is not created"
    );
    check_eq!(
        store.get_stream_state(s).await?,
        StreamState {
            live: false,
            changed_at: None
        },
        "the live step is undone"
    );
    let fixed = delivery("bad-1", vec![earn(&alice, 50, PointSource::Chat)], vec![]);
    applied(&*store, s, fixed).await?;
    check_eq!(
        kick_balance(&*store, s, 11).await?,
        150,
        "the corrected delivery applied under the same id"
    );
    check_invariants(&export(&*store, s).await?)
}

/// A refused command step undoes the command's earlier steps (points, cooldowns, viewers it
/// created) and skips the rest; the effects and the id still commit, with only the effects'
/// events.
pub async fn a_refused_command_undoes_its_steps_and_keeps_the_effects(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = kv(11, "alice");
    let carol = kv(33, "carol");
    applied(
        &*store,
        s,
        delivery("fund", vec![earn(&alice, 300, PointSource::Sub)], vec![]),
    )
    .await?;
    let goal = GoalId::new("followers");
    store
        .upsert_goal(
            s,
            &goal,
            GoalInput {
                label: "Followers".into(),
                current_value: 0,
                target_value: 10,
                enabled: true,
            },
        )
        .await?;
    let after_setup = last_event(&*store, s).await?;
    let cooldown = Step::Cooldown {
        viewer: alice.clone(),
        command: "!drop".into(),
        cooldown: Duration::from_secs(30),
    };
    let d = delivery(
        "cmd-1",
        vec![
            earn(&alice, 25, PointSource::Chat),
            Step::AdvanceGoal {
                goal: goal.clone(),
                by: 1,
            },
        ],
        vec![
            cooldown.clone(),
            spend(&alice, 100),
            chatted(&carol),
            Step::UsePowerup {
                viewer: alice.clone(),
                powerup: PowerupType::Tnt,
            },
            spend(&alice, 1),
        ],
    );
    let (effects, command) = applied(&*store, s, d.clone()).await?;
    check_eq!(
        balances(&effects[0])?.channel_points,
        325,
        "the earn effect"
    );
    check!(
        matches!(&effects[1], StepResult::Goal(Some(g)) if g.current_value == 1),
        "the goal effect: {:?}",
        effects[1]
    );
    check_eq!(
        command,
        Some(CommandOutcome::Refused {
            step: 3,
            refusal: Refusal::Store(StoreError::NoPowerupLeft {
                powerup: PowerupType::Tnt
            })
        }),
        "the command is refused at the powerup use"
    );
    check_eq!(
        kick_balance(&*store, s, 11).await?,
        325,
        "the command's spend is undone, the effect's earn stays"
    );
    check_eq!(
        store.get_kick_viewer(s, 33).await?,
        None,
        "the viewer the command created is gone"
    );
    check_eq!(
        store.get_user_by_username(s, "carol").await?,
        None,
        "by name too"
    );
    check!(
        store.delivery_seen(s, &d.id).await?,
        "the delivery is recorded"
    );
    let events = events_after(&*store, s, after_setup).await?;
    check_eq!(events.len(), 2, "only the effects' events: {events:?}");
    check!(
        matches!(&events[0], EventData::PointsChanged { amount: 25, .. })
            && matches!(&events[1], EventData::GoalChanged { .. }),
        "the earn's and the goal's events: {events:?}"
    );
    let e = export(&*store, s).await?;
    check_eq!(e.transactions.len(), 2, "the fund and the earn rows only");
    check_eq!(e.cooldowns.len(), 0, "the cooldown step is undone");
    check_eq!(
        store.apply_delivery(s, d).await?,
        DeliveryOutcome::Duplicate,
        "a redelivery"
    );
    // The undone cooldown does not hold the next command back; the one that ran does.
    let results = command_done(
        &*store,
        s,
        delivery("cmd-2", vec![], vec![cooldown.clone()]),
    )
    .await?;
    check_eq!(results, vec![StepResult::Done], "the cooldown starts now");
    h.clock().advance(Duration::from_secs(10));
    check_eq!(
        command_refused(&*store, s, delivery("cmd-3", vec![], vec![cooldown])).await?,
        (
            0,
            Refusal::CoolingDown {
                remaining_ms: 20_000
            }
        ),
        "the cooldown that ran holds"
    );
    // A refusal of the first step.
    check_eq!(
        command_refused(
            &*store,
            s,
            delivery(
                "cmd-4",
                vec![],
                vec![spend(&alice, 10_000), spend(&alice, 1)]
            )
        )
        .await?,
        (
            0,
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 325,
                required: 10_000
            })
        ),
        "a first step refused"
    );
    check_eq!(kick_balance(&*store, s, 11).await?, 325, "nothing spent");
    check_invariants(&export(&*store, s).await?)
}

/// A delivery's arguments are checked before anything else (the same error whoever the
/// streamer is); an unknown streamer is `NotFound(Streamer)`; neither records anything.
pub async fn delivery_arguments_are_checked_first(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let nobody = StreamerId(s.0 + 1000);
    let alice = kv(11, "alice");
    let ok = |id: &str| delivery(id, vec![earn(&alice, 5, PointSource::Chat)], vec![]);
    let too_many: Vec<Step> = (0..=kick::MAX_DELIVERY_STEPS)
        .map(|_| earn(&alice, 1, PointSource::Chat))
        .collect();
    let bad = vec![
        ok(""),
        ok("has space"),
        ok(&"x".repeat(kick::MAX_DELIVERY_ID_CHARS + 1)),
        ok("tab\there"),
        delivery("many", too_many[..20].to_vec(), too_many[20..].to_vec()),
        delivery("zero", vec![earn(&alice, 0, PointSource::Chat)], vec![]),
        delivery("kick-id", vec![chatted(&kv(0, "alice"))], vec![]),
        delivery("name", vec![], vec![chatted(&kv(5, " padded"))]),
        delivery("self", vec![], vec![challenge(&alice, "ALICE", 50, 60)]),
        delivery("wait", vec![], vec![challenge(&alice, "bob", 50, 3601)]),
        delivery("wager", vec![], vec![wager(&alice, 10, 1001)]),
        delivery(
            "speak",
            vec![],
            vec![Step::Speak {
                viewer: alice.clone(),
                text: " ".into(),
                voice: None,
                cost: 0,
            }],
        ),
        delivery(
            "cooldown",
            vec![],
            vec![Step::Cooldown {
                viewer: alice.clone(),
                command: "!drop".into(),
                cooldown: validate::MAX_COOLDOWN + Duration::from_secs(1),
            }],
        ),
    ];
    for d in bad {
        let want = d
            .validate()
            .err()
            .ok_or_else(|| Failure(format!("{:?} should be invalid", d.id)))?;
        check_err!(
            store.apply_delivery(s, d.clone()).await,
            want.clone(),
            "delivery {:?}",
            d.id
        );
        check_err!(
            store.apply_delivery(nobody, d.clone()).await,
            want,
            "delivery {:?} to an unknown streamer",
            d.id
        );
        check!(
            !store.delivery_seen(s, &d.id).await?,
            "the invalid delivery {:?} is not recorded",
            d.id
        );
    }
    check_err!(
        store.apply_delivery(nobody, ok("fine")).await,
        StoreError::not_found(Resource::Streamer),
        "an unknown streamer"
    );
    check!(
        !store
            .delivery_seen(nobody, &DeliveryId("fine".into()))
            .await?,
        "nothing recorded for the unknown streamer"
    );
    check_eq!(store.count_users(s).await?, 0, "no viewer created");
    let exact = "x".repeat(kick::MAX_DELIVERY_ID_CHARS);
    applied(&*store, s, ok(&exact)).await?;
    check!(
        store.delivery_seen(s, &DeliveryId(exact)).await?,
        "the longest id is recorded"
    );
    let steps: Vec<Step> = (0..kick::MAX_DELIVERY_STEPS)
        .map(|_| earn(&alice, 1, PointSource::Chat))
        .collect();
    applied(&*store, s, delivery("most", steps, vec![])).await?;
    let (effects, command) = applied(&*store, s, delivery("empty", vec![], vec![])).await?;
    check_eq!(
        (effects.len(), command),
        (0, None),
        "an empty delivery applies"
    );
    check!(
        store.delivery_seen(s, &DeliveryId("empty".into())).await?,
        "and is recorded"
    );
    Ok(())
}

/// The same delivery arriving many times at once applies exactly once: one `Applied`, the
/// rest `Duplicate` (never an error), one ledger row, one event.
pub async fn concurrent_redeliveries_apply_once(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = kv(11, "alice");
    applied(&*store, s, delivery("first", vec![chatted(&alice)], vec![])).await?;
    let before = last_event(&*store, s).await?;
    let d = delivery(
        "race",
        vec![earn(&alice, 25, PointSource::Chat)],
        vec![spend(&alice, 5)],
    );
    let results = concurrently(12, |_| {
        let store = store.clone();
        let d = d.clone();
        async move { store.apply_delivery(s, d).await }
    })
    .await?;
    let applied_n = results
        .iter()
        .filter(|r| matches!(r, Ok(DeliveryOutcome::Applied { .. })))
        .count();
    let duplicates = results
        .iter()
        .filter(|r| matches!(r, Ok(DeliveryOutcome::Duplicate)))
        .count();
    check_eq!(
        (applied_n, duplicates),
        (1, 11),
        "one applied, the rest duplicates: {results:?}"
    );
    check_eq!(kick_balance(&*store, s, 11).await?, 20, "applied once");
    check_eq!(
        export(&*store, s).await?.transactions.len(),
        2,
        "one earn row and one spend row"
    );
    check_eq!(
        events_after(&*store, s, before).await?.len(),
        2,
        "their two events"
    );
    check_invariants(&export(&*store, s).await?)
}

/// `delivery_seen` tells recorded ids; `purge_deliveries` forgets the ones recorded before a
/// time (counting them), after which a redelivery applies again.
pub async fn delivery_records_are_seen_and_purged(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = kv(11, "alice");
    let d = |id: &str| delivery(id, vec![earn(&alice, 10, PointSource::Chat)], vec![]);
    applied(&*store, s, d("old-1")).await?;
    applied(&*store, s, d("old-2")).await?;
    h.clock().advance(Duration::from_secs(600));
    let cut = h.clock().now();
    applied(&*store, s, d("new-1")).await?;
    let seen = |id: &str| {
        let store = store.clone();
        let id = DeliveryId(id.to_owned());
        async move { store.delivery_seen(s, &id).await }
    };
    check!(
        seen("old-1").await? && seen("new-1").await?,
        "recorded ids are seen"
    );
    check!(!seen("never").await?, "an unknown id is not");
    check!(!seen("OLD-1").await?, "ids are compared exactly");
    check_eq!(
        store.purge_deliveries(s, cut).await?,
        2,
        "the two recorded before the cut"
    );
    check!(
        !seen("old-1").await? && !seen("old-2").await?,
        "purged ids are forgotten"
    );
    check!(seen("new-1").await?, "an id recorded at the cut stays");
    check_eq!(
        store.purge_deliveries(s, cut).await?,
        0,
        "nothing left to purge"
    );
    check_eq!(
        store.purge_deliveries(StreamerId(s.0 + 1000), cut).await?,
        0,
        "an unknown streamer purges nothing"
    );
    applied(&*store, s, d("old-1")).await?;
    check_eq!(
        kick_balance(&*store, s, 11).await?,
        40,
        "a forgotten id applies again"
    );
    check_eq!(
        store.apply_delivery(s, d("new-1")).await?,
        DeliveryOutcome::Duplicate,
        "a kept id is still a duplicate"
    );
    Ok(())
}

/// Many deliveries at once for the same viewers (earns, spends, wagers, purchases, duels) never
/// overdraw and never lose an update: every viewer's ledger sums to their balance, and the
/// balances add up to what the applied steps say.
pub async fn concurrent_deliveries_never_overdraw_or_lose_updates(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let viewers: Vec<KickViewer> = (1..=4).map(|k| kv(k, &format!("viewer{k}"))).collect();
    for v in &viewers {
        let id = format!("fund-{}", v.kick_user_id);
        applied(
            &*store,
            s,
            delivery(&id, vec![earn(v, 1000, PointSource::Sub)], vec![]),
        )
        .await?;
    }
    let mut expected: i64 = 4000;
    for round in 0..2 {
        let results = concurrently(48, |i| {
            let store = store.clone();
            let v = viewers[i % 4].clone();
            let next = viewers[(i + 1) % 4].clone();
            let (effects, command) = match i % 6 {
                0 => (vec![earn(&v, 7, PointSource::Chat)], vec![]),
                1 => (vec![], vec![spend(&v, 150)]),
                2 => (
                    vec![],
                    vec![wager(&v, 200, if i % 4 == 2 { 400 } else { 0 })],
                ),
                3 => (
                    vec![],
                    vec![Step::BuyPowerup {
                        viewer: v.clone(),
                        powerup: PowerupType::Boost,
                    }],
                ),
                4 => (vec![], vec![challenge(&v, &next.username, 300, 600)]),
                _ => (vec![], vec![accept(&v, i % 4 == 1)]),
            };
            let d = delivery(&format!("r{round}-{i}"), effects, command);
            async move { (i, store.apply_delivery(s, d).await) }
        })
        .await?;
        for (i, r) in results {
            let (effects, command) = match r {
                Ok(DeliveryOutcome::Applied { effects, command }) => (effects, command),
                other => {
                    return Err(Failure(format!(
                        "delivery {i} of round {round} did not apply: {other:?}"
                    )));
                }
            };
            if !effects.is_empty() {
                expected += 7;
            }
            match (i % 6, command) {
                (1, Some(CommandOutcome::Done { .. })) => expected -= 150,
                (2, Some(CommandOutcome::Done { .. })) => {
                    expected += if i % 4 == 2 { 200 } else { -200 }
                }
                (3, Some(CommandOutcome::Done { results })) => {
                    if let Some(StepResult::Purchase(p)) = results.first() {
                        expected -= p.purchase.cost;
                    }
                }
                (_, Some(CommandOutcome::Refused { refusal, .. })) => {
                    check!(
                        !matches!(refusal, Refusal::Store(StoreError::Backend { .. })),
                        "a step failed in the store: {refusal:?}"
                    );
                }
                _ => {}
            }
        }
    }
    let e = export(&*store, s).await?;
    check_invariants(&e)?;
    let total: i64 = e.points.iter().map(|p| p.channel_points).sum();
    check_eq!(
        total,
        expected,
        "the balances add up to the applied steps (duels move points between viewers)"
    );
    for p in &e.points {
        check!(p.channel_points >= 0, "a balance went negative: {p:?}");
    }
    Ok(())
}
