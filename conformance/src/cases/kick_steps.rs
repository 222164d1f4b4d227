//! What each kind of delivery step does: its result, its data change and the events it
//! records (the same as the matching single operation).

use crate::cases::kick_support::*;
use crate::cases::support::*;
use crate::harness::{CaseResult, Failure, Harness, check, check_eq};
use datastore::*;
use std::time::Duration;

/// The `PointsChanged` events among `events`, as (amount, source, description, channel points
/// after).
fn point_changes(events: &[EventData]) -> Vec<(i64, PointSource, Option<String>, i64)> {
    events
        .iter()
        .filter_map(|e| match e {
            EventData::PointsChanged {
                viewer,
                amount,
                source,
                description,
            } => Some((*amount, *source, description.clone(), viewer.channel_points)),
            _ => None,
        })
        .collect()
}

/// Earn, spend and wager steps move channel points with one ledger row each (none for a wager
/// that pays back its stake), record a `PointsChanged` each, and refuse what the balance does
/// not cover.
pub async fn earn_spend_and_wager_steps_move_points(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = kv(11, "alice");
    let after = last_event(&*store, s).await?;
    let results = command_done(
        &*store,
        s,
        delivery(
            "w-1",
            vec![],
            vec![
                Step::Earn {
                    viewer: alice.clone(),
                    amount: 500,
                    source: PointSource::Tip,
                    description: Some("5 kicks".into()),
                },
                Step::Spend {
                    viewer: alice.clone(),
                    amount: 120,
                    source: PointSource::Spend,
                    description: Some("text-to-speech".into()),
                },
                wager(&alice, 100, 0),
                wager(&alice, 100, 100),
                Step::Wager {
                    viewer: alice.clone(),
                    stake: 50,
                    payout: 250,
                    source: PointSource::Gamble,
                    description: Some("!gamble 50".into()),
                },
            ],
        ),
    )
    .await?;
    let after_each: Vec<i64> = results
        .iter()
        .map(|r| balances(r).map(|b| b.channel_points))
        .collect::<Result<_, _>>()?;
    check_eq!(
        after_each,
        vec![500, 380, 280, 280, 480],
        "the balances after each step"
    );
    let u = linked(&*store, s, 11).await?;
    check!(
        results.iter().all(
            |r| matches!(r, StepResult::Balances(b) if b.user_id == u.id && b.username == "alice")
        ),
        "every result names alice: {results:?}"
    );
    let ledger: Vec<(i64, PointSource, Option<String>)> = export(&*store, s)
        .await?
        .transactions
        .into_iter()
        .map(|t| (t.amount, t.source, t.description))
        .collect();
    check_eq!(
        ledger,
        vec![
            (500, PointSource::Tip, Some("5 kicks".into())),
            (-120, PointSource::Spend, Some("text-to-speech".into())),
            (-100, PointSource::Gamble, None),
            (200, PointSource::Gamble, Some("!gamble 50".into())),
        ],
        "one ledger row per change, none for the wager that paid its stake back"
    );
    let events = events_after(&*store, s, after).await?;
    check_eq!(
        point_changes(&events),
        vec![
            (500, PointSource::Tip, Some("5 kicks".into()), 500),
            (-120, PointSource::Spend, Some("text-to-speech".into()), 380),
            (-100, PointSource::Gamble, None, 280),
            (200, PointSource::Gamble, Some("!gamble 50".into()), 480),
        ],
        "one PointsChanged per ledger row"
    );
    check_eq!(events.len(), 4, "and nothing else: {events:?}");
    let refused = |id: &str, step: Step| delivery(id, vec![], vec![step]);
    check_eq!(
        command_refused(&*store, s, refused("w-2", wager(&alice, 481, 0))).await?,
        (
            0,
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 480,
                required: 481
            })
        ),
        "a stake the balance does not cover, even one that would win"
    );
    check_eq!(
        command_refused(&*store, s, refused("w-3", spend(&alice, 481))).await?,
        (
            0,
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 480,
                required: 481
            })
        ),
        "a spend the balance does not cover"
    );
    let results = command_done(
        &*store,
        s,
        refused("w-4", wager(&alice, 10, 10 * kick::MAX_WAGER_MULTIPLIER)),
    )
    .await?;
    check_eq!(
        balances(&results[0])?.channel_points,
        480 + 990,
        "the largest payout"
    );
    check_eq!(kick_balance(&*store, s, 11).await?, 1470, "the balance");
    check_invariants(&export(&*store, s).await?)
}

/// `Chatted` names the viewer and records nothing; `SetLive` sets the flag and records its
/// `LiveChanged`; `AdvanceGoal` adds
/// to a goal (capped) and records its `GoalChanged` only when the public list shows it, and
/// leaves a missing goal alone.
pub async fn chat_live_and_goal_steps(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = kv(11, "alice");
    let goal = |label: &str, current_value: i64, enabled: bool| GoalInput {
        label: label.into(),
        current_value,
        target_value: 10,
        enabled,
    };
    let (followers, subs, capped) = (
        GoalId::new("followers"),
        GoalId::new("subscribers"),
        GoalId::new("capped"),
    );
    store
        .upsert_goal(s, &followers, goal("Followers", 5, true))
        .await?;
    store.upsert_goal(s, &subs, goal("Subs", 1, false)).await?;
    store
        .upsert_goal(s, &capped, goal("Capped", validate::MAX_BALANCE - 2, true))
        .await?;
    let after = last_event(&*store, s).await?;
    let t0 = h.clock().now();
    h.clock().advance(Duration::from_secs(3));
    let advance = |goal: &GoalId, by: i64| Step::AdvanceGoal {
        goal: goal.clone(),
        by,
    };
    let (effects, _) = applied(
        &*store,
        s,
        delivery(
            "e-1",
            vec![
                chatted(&alice),
                live(true, t0),
                advance(&followers, 3),
                advance(&subs, 2),
                advance(&GoalId::new("missing"), 1),
                advance(&capped, 5),
            ],
            vec![],
        ),
    )
    .await?;
    let u = linked(&*store, s, 11).await?;
    check_eq!(
        effects[0],
        StepResult::Viewer(u.id),
        "Chatted names the viewer"
    );
    check_eq!(
        effects[1],
        StepResult::Live(true),
        "SetLive answers the flag"
    );
    check_eq!(
        store.get_stream_state(s).await?,
        StreamState {
            live: true,
            changed_at: Some(t0)
        },
        "the live state keeps the change's own stamp"
    );
    check_eq!(
        store.list_live_streamers().await?,
        vec![s],
        "the streamer is listed live"
    );
    let now = h.clock().now();
    let goal_now = |id: &GoalId, current_value: i64, label: &str, enabled: bool| Goal {
        id: id.clone(),
        label: label.into(),
        current_value,
        target_value: 10,
        enabled,
        updated_at: now,
    };
    let f = goal_now(&followers, 8, "Followers", true);
    let g = goal_now(&subs, 3, "Subs", false);
    let c = goal_now(&capped, validate::MAX_BALANCE, "Capped", true);
    check_eq!(
        effects[2..].to_vec(),
        vec![
            StepResult::Goal(Some(f.clone())),
            StepResult::Goal(Some(g.clone())),
            StepResult::Goal(None),
            StepResult::Goal(Some(c.clone())),
        ],
        "the goals after the steps"
    );
    check_eq!(
        store.get_goal(s, &subs).await?,
        Some(g),
        "a hidden goal advances too"
    );
    check_eq!(
        store.get_goal(s, &GoalId::new("missing")).await?,
        None,
        "a missing goal is not created"
    );
    check_eq!(
        events_after(&*store, s, after).await?,
        vec![
            EventData::LiveChanged { live: true },
            EventData::GoalChanged {
                id: followers,
                goal: Some(f)
            },
            EventData::GoalChanged {
                id: capped,
                goal: Some(c)
            },
        ],
        "going live and only the shown goals' changes are recorded; chatting records nothing"
    );
    Ok(())
}

/// Live changes apply in the order of their own stamps, whatever order they arrive in: a late
/// change stamped before the stored one never undoes it (its result is the flag as it stands),
/// and of two changes with the same stamp going offline wins, whichever arrives first. A change
/// records its `LiveChanged` exactly when it changes the flag.
pub async fn set_live_keeps_the_newest_stamp(h: Harness) -> CaseResult {
    let store = h.store().await;
    let t = h.clock().now();
    let changes = [
        (shifted(t, -30), true),
        (shifted(t, -20), false),
        (shifted(t, -10), true),
        (shifted(t, -5), false),
    ];
    let orders: [[usize; 4]; 8] = [
        [0, 1, 2, 3],
        [3, 2, 1, 0],
        [1, 3, 0, 2],
        [2, 0, 3, 1],
        [3, 0, 1, 2],
        [0, 3, 2, 1],
        [2, 3, 0, 1],
        [1, 0, 3, 2],
    ];
    for (n, order) in orders.iter().enumerate() {
        let s = streamer(&*store, &format!("order{n}")).await?;
        let mut stored: Option<(Timestamp, bool)> = None;
        for (k, &i) in order.iter().enumerate() {
            let (at, on) = changes[i];
            let before = stored.is_some_and(|(_, x)| x);
            if stored.is_none_or(|(x, _)| at > x || (at == x && !on)) {
                stored = Some((at, on));
            }
            let after = last_event(&*store, s).await?;
            let (effects, _) = applied(
                &*store,
                s,
                delivery(&format!("live-{k}"), vec![live(on, at)], vec![]),
            )
            .await?;
            check_eq!(
                effects,
                vec![StepResult::Live(stored.is_some_and(|(_, x)| x))],
                "order {order:?}, change #{k}: the flag after it"
            );
            let now_live = stored.is_some_and(|(_, x)| x);
            check_eq!(
                events_after(&*store, s, after).await?,
                if now_live == before {
                    vec![]
                } else {
                    vec![EventData::LiveChanged { live: now_live }]
                },
                "order {order:?}, change #{k}: the event it records"
            );
        }
        check_eq!(
            store.get_stream_state(s).await?,
            StreamState {
                live: false,
                changed_at: Some(changes[3].0)
            },
            "order {order:?}: the newest change wins"
        );
        // Of two changes stamped the same, offline wins, whichever arrives first.
        let tie = shifted(t, -1);
        for (id, on, expected, what) in [
            (
                "same",
                true,
                false,
                "a live change never undoes an offline one of its stamp",
            ),
            ("tie-on", true, true, "a later stamp applies"),
            (
                "tie-off",
                false,
                false,
                "offline wins a tie that arrives second",
            ),
            (
                "tie-on-again",
                true,
                false,
                "live loses a tie that arrives second",
            ),
        ] {
            let at = if id == "same" { changes[3].0 } else { tie };
            let before = store.get_stream_state(s).await?.live;
            let after = last_event(&*store, s).await?;
            let (effects, _) =
                applied(&*store, s, delivery(id, vec![live(on, at)], vec![])).await?;
            check_eq!(
                effects,
                vec![StepResult::Live(expected)],
                "order {order:?}: {what}"
            );
            check_eq!(
                events_after(&*store, s, after).await?,
                if expected == before {
                    vec![]
                } else {
                    vec![EventData::LiveChanged { live: expected }]
                },
                "order {order:?}: {what}, and its event"
            );
        }
    }
    check_eq!(
        store.list_live_streamers().await?.len(),
        0,
        "no streamer is live after its last change, offline"
    );
    Ok(())
}

/// `Alert` records an alert naming the viewer (or nobody); `Cooldown` starts a command's
/// cooldown or is refused while it runs; `Verify` marks the viewer's code verified.
pub async fn alert_cooldown_and_verify_steps(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = kv(11, "alice");
    let after = last_event(&*store, s).await?;
    let (effects, _) = applied(
        &*store,
        s,
        delivery(
            "a-1",
            vec![
                Step::Alert {
                    kind: AlertKind::Follow,
                    viewer: Some(alice.clone()),
                    amount: 1,
                },
                Step::Alert {
                    kind: AlertKind::Gift,
                    viewer: None,
                    amount: 5,
                },
            ],
            vec![],
        ),
    )
    .await?;
    check_eq!(
        effects,
        vec![StepResult::Done, StepResult::Done],
        "alerts answer Done"
    );
    let u = linked(&*store, s, 11).await?;
    check_eq!(
        events_after(&*store, s, after).await?,
        vec![
            EventData::Alert {
                kind: AlertKind::Follow,
                user_id: Some(u.id),
                username: Some("alice".into()),
                amount: 1
            },
            EventData::Alert {
                kind: AlertKind::Gift,
                user_id: None,
                username: None,
                amount: 5
            },
        ],
        "the alerts"
    );
    let cooldown = |command: &str, secs: u64| Step::Cooldown {
        viewer: alice.clone(),
        command: command.into(),
        cooldown: Duration::from_secs(secs),
    };
    check_eq!(
        command_done(
            &*store,
            s,
            delivery("c-1", vec![], vec![cooldown("!gamble", 30)])
        )
        .await?,
        vec![StepResult::Done],
        "a cooldown starts"
    );
    h.clock().advance(Duration::from_secs(12));
    check_eq!(
        command_refused(
            &*store,
            s,
            delivery("c-2", vec![], vec![cooldown("!gamble", 30)])
        )
        .await?,
        (
            0,
            Refusal::CoolingDown {
                remaining_ms: 18_000
            }
        ),
        "while it runs"
    );
    check_eq!(
        command_done(
            &*store,
            s,
            delivery("c-3", vec![], vec![cooldown("!duel", 30)])
        )
        .await?,
        vec![StepResult::Done],
        "another command is not held back"
    );
    let bob = kv(12, "bob");
    check_eq!(
        command_done(
            &*store,
            s,
            delivery(
                "c-4",
                vec![],
                vec![Step::Cooldown {
                    viewer: bob,
                    command: "!gamble".into(),
                    cooldown: Duration::from_secs(30)
                }]
            )
        )
        .await?,
        vec![StepResult::Done],
        "nor another viewer"
    );
    h.clock().advance(Duration::from_secs(18));
    check_eq!(
        command_done(
            &*store,
            s,
            delivery("c-5", vec![], vec![cooldown("!gamble", 30)])
        )
        .await?,
        vec![StepResult::Done],
        "an ended cooldown starts again"
    );
    let later = shifted(h.clock().now(), 600);
    store
        .create_verification_code(
            s,
            NewVerificationCode {
                username: "ALICE".into(),
                code: "ABC123".into(),
                secret_hash: SessionToken::new("secret").hash(),
                expires_at: later,
            },
        )
        .await?;
    let verify = |code: &str| Step::Verify {
        viewer: alice.clone(),
        code: code.into(),
    };
    check_eq!(
        command_refused(&*store, s, delivery("v-1", vec![], vec![verify("WRONG")])).await?,
        (
            0,
            Refusal::Store(StoreError::not_found(Resource::VerificationCode))
        ),
        "a wrong code"
    );
    check_eq!(
        command_done(&*store, s, delivery("v-2", vec![], vec![verify("ABC123")])).await?,
        vec![StepResult::Done],
        "the viewer's code"
    );
    check!(
        store
            .get_verification_code(s, "alice", "ABC123")
            .await?
            .is_some_and(|c| c.verified),
        "the code is verified"
    );
    h.clock().set(later);
    check_eq!(
        command_refused(&*store, s, delivery("v-3", vec![], vec![verify("ABC123")])).await?,
        (
            0,
            Refusal::Store(StoreError::not_found(Resource::VerificationCode))
        ),
        "an expired code"
    );
    Ok(())
}

/// `BuyPowerup` and `UsePowerup` buy and use like the single operations (the streamer's own
/// account free); `Speak` spends its cost, remembers the voice and queues the message.
pub async fn powerup_and_speech_steps(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = kv(11, "alice");
    let owner = kv(99, "CHAN");
    applied(
        &*store,
        s,
        delivery("fund", vec![earn(&alice, 1000, PointSource::Sub)], vec![]),
    )
    .await?;
    let after = last_event(&*store, s).await?;
    let buy = |v: &KickViewer, powerup| Step::BuyPowerup {
        viewer: v.clone(),
        powerup,
    };
    let use_one = |v: &KickViewer, powerup| Step::UsePowerup {
        viewer: v.clone(),
        powerup,
    };
    let results = command_done(
        &*store,
        s,
        delivery(
            "p-1",
            vec![],
            vec![
                buy(&alice, PowerupType::Boost),
                buy(&owner, PowerupType::Ghost),
                use_one(&alice, PowerupType::Boost),
            ],
        ),
    )
    .await?;
    let u = linked(&*store, s, 11).await?;
    let o = linked(&*store, s, 99).await?;
    let StepResult::Purchase(bought) = &results[0] else {
        return Err(Failure(format!("wanted a purchase: {:?}", results[0])));
    };
    check_eq!(
        (
            bought.purchase.user_id,
            bought.purchase.cost,
            bought.quantity,
            bought.points.channel_points
        ),
        (u.id, 250, 1, 750),
        "alice's purchase"
    );
    check!(
        matches!(&results[1], StepResult::Purchase(r) if r.purchase.cost == 0 && r.purchase.user_id == o.id),
        "the streamer's own account buys free: {:?}",
        results[1]
    );
    check_eq!(
        results[2],
        StepResult::Inventory(InventoryItem {
            powerup: PowerupType::Boost,
            quantity: 0
        }),
        "the use"
    );
    let events = events_after(&*store, s, after).await?;
    let kinds: Vec<&str> = events.iter().map(EventData::kind).collect();
    check_eq!(
        kinds,
        vec![
            "points_changed",
            "powerup_purchased",
            "powerup_purchased",
            "powerup_used"
        ],
        "the purchase's spend and purchase, the free purchase alone, the use"
    );
    check_eq!(
        point_changes(&events),
        vec![(
            -250,
            PointSource::Spend,
            Some(format!("powerup: {}", PowerupType::Boost)),
            750
        )],
        "the spend, as purchase_powerup records it"
    );
    check_eq!(
        command_refused(
            &*store,
            s,
            delivery("p-2", vec![], vec![use_one(&alice, PowerupType::Boost)])
        )
        .await?,
        (
            0,
            Refusal::Store(StoreError::NoPowerupLeft {
                powerup: PowerupType::Boost
            })
        ),
        "none left"
    );
    store
        .update_powerup(
            s,
            PowerupType::Tnt,
            PowerupConfigPatch {
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await?;
    check_eq!(
        command_refused(
            &*store,
            s,
            delivery("p-3", vec![], vec![buy(&alice, PowerupType::Tnt)])
        )
        .await?,
        (
            0,
            Refusal::Store(StoreError::PowerupDisabled {
                powerup: PowerupType::Tnt
            })
        ),
        "a disabled powerup"
    );
    let after = last_event(&*store, s).await?;
    let speak = |text: &str, voice: Option<&str>, cost: i64| Step::Speak {
        viewer: alice.clone(),
        text: text.into(),
        voice: voice.map(str::to_owned),
        cost,
    };
    let results = command_done(
        &*store,
        s,
        delivery(
            "s-1",
            vec![],
            vec![
                speak("hello chat", Some("en-US-Wavenet-D"), 500),
                speak("free words", None, 0),
            ],
        ),
    )
    .await?;
    check_eq!(
        (
            balances(&results[0])?.channel_points,
            balances(&results[1])?.channel_points
        ),
        (250, 250),
        "the first costs 500, the second nothing"
    );
    check_eq!(
        store.get_user(s, u.id).await?.and_then(|x| x.voice_id),
        Some("en-US-Wavenet-D".to_owned()),
        "the voice is remembered, and a message without one keeps it"
    );
    let events = events_after(&*store, s, after).await?;
    check_eq!(events.len(), 3, "a spend and two messages: {events:?}");
    check!(
        matches!(&events[0], EventData::PointsChanged { amount: -500, source: PointSource::Spend, viewer, .. } if viewer.channel_points == 250),
        "the spend: {:?}",
        events[0]
    );
    check_eq!(
        events[1..].to_vec(),
        vec![
            EventData::SpeechQueued {
                user_id: u.id,
                username: "alice".into(),
                text: "hello chat".into(),
                voice: Some("en-US-Wavenet-D".into())
            },
            EventData::SpeechQueued {
                user_id: u.id,
                username: "alice".into(),
                text: "free words".into(),
                voice: None
            },
        ],
        "the queued messages"
    );
    check_eq!(
        command_refused(
            &*store,
            s,
            delivery("s-2", vec![], vec![speak("x", None, 251)])
        )
        .await?,
        (
            0,
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 250,
                required: 251
            })
        ),
        "a message the balance does not cover"
    );
    check_eq!(
        events_after(&*store, s, after).await?.len(),
        3,
        "the refused message records nothing"
    );
    check_invariants(&export(&*store, s).await?)
}

/// An `Earn` effect that would pass the balance limit is cut to what fits (its ledger row
/// holds what was added), and one at the limit moves nothing: a full balance never fails a
/// delivery Kick would then retry forever.
pub async fn an_earn_is_cut_at_the_balance_limit(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = kv(11, "alice");
    applied(&*store, s, delivery("new", vec![chatted(&alice)], vec![])).await?;
    let u = linked(&*store, s, 11).await?.id;
    let set = AdminSetPoints {
        channel_points: validate::MAX_BALANCE - 10,
        drop_points: None,
        description: None,
    };
    store.set_points(s, u, set).await?;
    let (effects, _) = applied(
        &*store,
        s,
        delivery("e-1", vec![earn(&alice, 25, PointSource::Chat)], vec![]),
    )
    .await?;
    check_eq!(
        balances(&effects[0])?.channel_points,
        validate::MAX_BALANCE,
        "cut to the limit"
    );
    let (effects, _) = applied(
        &*store,
        s,
        delivery("e-2", vec![earn(&alice, 25, PointSource::Chat)], vec![]),
    )
    .await?;
    check_eq!(
        balances(&effects[0])?.channel_points,
        validate::MAX_BALANCE,
        "nothing moves at the limit"
    );
    check!(
        store.delivery_seen(s, &DeliveryId("e-2".into())).await?,
        "the delivery at the limit is recorded"
    );
    let page = HistoryRequest {
        limit: 100,
        before: None,
    };
    let chat_rows: Vec<i64> = store
        .transaction_history(s, u, page)
        .await?
        .unwrap_or_default()
        .iter()
        .filter(|t| t.source == PointSource::Chat)
        .map(|t| t.amount)
        .collect();
    check_eq!(chat_rows, vec![10], "one ledger row, of what was added");
    check_invariants(&export(&*store, s).await?)
}
