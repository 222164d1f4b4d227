//! What each event and command plans.

use crate::dice::{EmptyDice, ScriptedDice};
use crate::event::{Channel, KickEvent};
use crate::plan::{Planned, plan};
use crate::reply::{Action, Reply};
use datastore::{
    AlertKind, DeliveryId, EconomyConfig, GoalId, KickViewer, PointSource, PowerupType, Step,
    Timestamp, validate,
};
use std::time::Duration;

const OWNER: i64 = 1;

fn alice() -> KickViewer {
    KickViewer::new(7, "alice")
}

fn at() -> Timestamp {
    Timestamp::from_millis(1_700_000_000_000).unwrap()
}

fn id() -> DeliveryId {
    DeliveryId("msg-1".into())
}

fn plan_with(config: &EconomyConfig, event: &KickEvent, rolls: &[u32]) -> (Planned, usize) {
    let channel = Channel {
        config,
        owner_kick_user_id: Some(OWNER),
    };
    let mut dice = ScriptedDice::new(rolls.iter().copied());
    let planned = plan(&channel, id(), event, &mut dice);
    planned
        .delivery
        .validate()
        .expect("every planned delivery is one the store accepts");
    (planned, dice.remaining())
}

fn chat_as(sender: KickViewer, content: &str) -> KickEvent {
    KickEvent::ChatMessage {
        sender,
        content: content.into(),
        sent_at: at(),
    }
}

/// Plans `content` from alice with the default economy and `rolls`; all rolls must be used.
fn chat(content: &str, rolls: &[u32]) -> Planned {
    let (planned, left) = plan_with(&EconomyConfig::default(), &chat_as(alice(), content), rolls);
    assert_eq!(left, 0, "{content}: every scripted roll is drawn");
    planned
}

fn chat_effects(viewer: &KickViewer, points: i64) -> Vec<Step> {
    let mut effects = vec![Step::SetLive {
        live: true,
        at: at(),
    }];
    if points > 0 {
        effects.push(Step::Earn {
            viewer: viewer.clone(),
            amount: points,
            source: PointSource::Chat,
            description: Some("chat message".into()),
        });
    }
    effects.push(Step::Chatted {
        viewer: viewer.clone(),
    });
    effects
}

fn cooldown(command: &str, secs: u64) -> Step {
    Step::Cooldown {
        viewer: alice(),
        command: command.into(),
        cooldown: Duration::from_secs(secs),
    }
}

fn action(p: &Planned) -> &Action {
    match &p.reply {
        Reply::Command(c) => &c.action,
        other => panic!("expected a command reply, got {other:?}"),
    }
}

fn text(p: &Planned) -> &str {
    match &p.reply {
        Reply::Text(t) => t,
        other => panic!("expected a fixed text, got {other:?}"),
    }
}

#[test]
fn a_chat_message_goes_live_earns_and_is_remembered() {
    let p = chat("hello chat", &[]);
    assert_eq!(p.delivery.id, id());
    assert_eq!(p.delivery.effects, chat_effects(&alice(), 25));
    assert!(p.delivery.command.is_empty());
    assert_eq!(p.reply, Reply::Silent);

    let config = EconomyConfig {
        chat_points: 0,
        ..EconomyConfig::default()
    };
    let (p, _) = plan_with(&config, &chat_as(alice(), "hi"), &[]);
    assert_eq!(
        p.delivery.effects,
        chat_effects(&alice(), 0),
        "0 switches the award off"
    );
}

#[test]
fn gamble_odds_at_their_boundaries() {
    for (roll, multiplier) in [(0, 5), (9, 5), (10, 2), (49, 2), (50, 0), (99, 0)] {
        for command in ["!gamble 100", "!roll 100"] {
            let p = chat(command, &[roll]);
            assert_eq!(p.delivery.effects, chat_effects(&alice(), 25));
            assert_eq!(
                p.delivery.command,
                vec![
                    cooldown("gamble", 30),
                    Step::Wager {
                        viewer: alice(),
                        stake: 100,
                        payout: 100 * multiplier,
                        source: PointSource::Gamble,
                        description: Some(format!("!gamble: rolled {roll}")),
                    }
                ],
                "{command} rolling {roll}"
            );
            assert_eq!(
                action(&p),
                &Action::Gamble {
                    stake: 100,
                    roll,
                    payout: 100 * multiplier
                }
            );
        }
    }
}

#[test]
fn the_gamble_asks_the_dice_for_a_roll_below_100() {
    // The script answers modulo the asked range: 150 reads as 50 only when asked for 0..100.
    let p = chat("!gamble 10", &[150]);
    assert!(matches!(
        action(&p),
        Action::Gamble {
            roll: 50,
            payout: 0,
            ..
        }
    ));
}

#[test]
fn coinflip_pays_double_half_the_time() {
    let won = chat("!coinflip 40", &[0]);
    assert_eq!(
        won.delivery.command,
        vec![
            cooldown("coinflip", 30),
            Step::Wager {
                viewer: alice(),
                stake: 40,
                payout: 80,
                source: PointSource::Gamble,
                description: Some("!coinflip: heads".into()),
            }
        ]
    );
    let lost = chat("!coinflip 40", &[1]);
    assert!(matches!(
        &lost.delivery.command[1],
        Step::Wager { payout: 0, .. }
    ));
    assert_eq!(
        action(&lost),
        &Action::Coinflip {
            stake: 40,
            won: false
        }
    );
}

#[test]
fn stake_bounds_come_from_the_configuration() {
    let mut config = EconomyConfig::default();
    config.commands.gamble_min = 100;
    config.commands.gamble_max = 200;
    let (p, left) = plan_with(&config, &chat_as(alice(), "!gamble 99"), &[0]);
    assert!(p.delivery.command.is_empty());
    assert_eq!(left, 1, "no roll is drawn for a refused stake");
    assert_eq!(
        text(&p),
        "@alice usage: !gamble <amount>, 100 to 200 points."
    );
    let (p, _) = plan_with(&config, &chat_as(alice(), "!gamble 200"), &[0]);
    assert_eq!(p.delivery.command.len(), 2);
    let (p, _) = plan_with(&config, &chat_as(alice(), "!gamble 201"), &[0]);
    assert!(p.delivery.command.is_empty());
}

#[test]
fn games_without_randomness_are_refused_and_other_commands_still_run() {
    let channel = Channel {
        config: &EconomyConfig::default(),
        owner_kick_user_id: Some(OWNER),
    };
    for content in ["!gamble 100", "!coinflip 100", "!accept"] {
        let p = plan(&channel, id(), &chat_as(alice(), content), &mut EmptyDice);
        assert_eq!(p.delivery.effects, chat_effects(&alice(), 25), "{content}");
        assert!(
            p.delivery.command.is_empty(),
            "{content}: not played, no cooldown taken"
        );
        assert_eq!(
            text(&p),
            "@alice the games are unavailable right now, try again in a moment",
            "{content}"
        );
    }
    // A command without dice never asks them.
    let p = plan(&channel, id(), &chat_as(alice(), "!points"), &mut EmptyDice);
    assert_eq!(action(&p), &Action::Points);
}

#[test]
fn malformed_commands_keep_the_chat_effects_and_explain_the_usage() {
    for (content, usage) in [
        (
            "!gamble lots",
            "usage: !gamble <amount>, 10 to 10,000 points.",
        ),
        (
            "!gamble 184467440737095516160",
            "usage: !gamble <amount>, 10 to 10,000 points.",
        ),
        (
            "!coinflip",
            "usage: !coinflip <amount>, 10 to 10,000 points.",
        ),
        (
            "!duel @bob 10",
            "usage: !duel @user <amount>, 50 to 5,000 points.",
        ),
        ("!duel @alice 100", "you cannot duel yourself."),
        (
            "!drop -buy rocket",
            "usage: !drop -buy TYPE, one of boost, ghost, magnet, powerdrop, shield, tnt.",
        ),
        (
            "!say id=brian",
            "usage: !say [id=VOICE] text, costs 500 points.",
        ),
    ] {
        let p = chat(content, &[]);
        assert_eq!(p.delivery.effects, chat_effects(&alice(), 25), "{content}");
        assert!(p.delivery.command.is_empty(), "{content}");
        assert_eq!(text(&p), format!("@alice {usage}"), "{content}");
    }
}

#[test]
fn switched_off_commands_plan_nothing_and_say_nothing() {
    let mut config = EconomyConfig::default();
    config.commands.points.enabled = false;
    config.commands.gamble.enabled = false;
    config.commands.say.enabled = false;
    for content in ["!points", "!bal", "!gamble 100", "!gamble x", "!say hi"] {
        let (p, left) = plan_with(&config, &chat_as(alice(), content), &[3]);
        assert_eq!(p.delivery.effects, chat_effects(&alice(), 25), "{content}");
        assert!(p.delivery.command.is_empty(), "{content}");
        assert_eq!(p.reply, Reply::Silent, "{content}");
        assert_eq!(left, 1, "{content}: no roll drawn");
    }
    let (p, _) = plan_with(&config, &chat_as(alice(), "!stats"), &[]);
    assert_eq!(p.delivery.command, vec![cooldown("stats", 10)]);
}

#[test]
fn the_streamer_skips_cooldowns_and_speaks_free() {
    let owner = KickViewer::new(OWNER, "streamer");
    let config = EconomyConfig::default();
    let (p, _) = plan_with(&config, &chat_as(owner.clone(), "!gamble 100"), &[60]);
    assert_eq!(
        p.delivery.command,
        vec![Step::Wager {
            viewer: owner.clone(),
            stake: 100,
            payout: 0,
            source: PointSource::Gamble,
            description: Some("!gamble: rolled 60".into()),
        }]
    );
    let (p, _) = plan_with(&config, &chat_as(owner.clone(), "!points"), &[]);
    assert!(p.delivery.command.is_empty(), "a report needs no step");
    assert_eq!(action(&p), &Action::Points);
    let (p, _) = plan_with(&config, &chat_as(owner.clone(), "!say id=amy hello"), &[]);
    assert_eq!(
        p.delivery.command,
        vec![Step::Speak {
            viewer: owner,
            text: "hello".into(),
            voice: Some("amy".into()),
            cost: 0,
        }]
    );
    assert_eq!(action(&p), &Action::Say { cost: 0 });

    // Without a known owner nobody is exempt.
    let channel = Channel {
        config: &config,
        owner_kick_user_id: None,
    };
    let p = plan(
        &channel,
        id(),
        &chat_as(KickViewer::new(OWNER, "streamer"), "!points"),
        &mut ScriptedDice::default(),
    );
    assert_eq!(p.delivery.command.len(), 1);
}

#[test]
fn a_cooldown_of_zero_plans_no_cooldown_step() {
    let mut config = EconomyConfig::default();
    config.commands.gamble.cooldown_secs = 0;
    let (p, _) = plan_with(&config, &chat_as(alice(), "!gamble 10"), &[99]);
    assert_eq!(p.delivery.command.len(), 1);
    assert!(matches!(p.delivery.command[0], Step::Wager { .. }));
}

#[test]
fn reports_plan_only_their_cooldown() {
    for (content, key, secs, act) in [
        ("!points", "points", 10, Action::Points),
        ("!BAL", "points", 10, Action::Points),
        ("!stats", "stats", 10, Action::Stats),
        ("!dropstats", "dropstats", 10, Action::DropStats),
        ("!droptop", "droptop", 30, Action::DropTop),
        ("!drop -mine", "drop-mine", 5, Action::Mine),
        ("!drop -powerups", "drop-powerups", 5, Action::Shop),
    ] {
        let p = chat(content, &[]);
        assert_eq!(p.delivery.command, vec![cooldown(key, secs)], "{content}");
        assert_eq!(action(&p), &act, "{content}");
    }
}

#[test]
fn duels_challenge_accept_decline_and_cancel() {
    let p = chat("!duel @Bob 500", &[]);
    assert_eq!(
        p.delivery.command,
        vec![
            cooldown("duel", 10),
            Step::ChallengeDuel {
                challenger: alice(),
                opponent: "Bob".into(),
                stake: 500,
                expires_in: Duration::from_secs(60),
            }
        ]
    );
    for (roll, challenger_wins) in [(0, true), (1, false)] {
        let p = chat("!accept", &[roll]);
        assert_eq!(
            p.delivery.command,
            vec![
                cooldown("accept", 10),
                Step::AcceptDuel {
                    opponent: alice(),
                    challenger_wins
                }
            ]
        );
    }
    let p = chat("!decline", &[]);
    assert_eq!(
        p.delivery.command,
        vec![
            cooldown("decline", 10),
            Step::DeclineDuel { opponent: alice() }
        ]
    );
    let p = chat("!cancel", &[]);
    assert_eq!(
        p.delivery.command,
        vec![
            cooldown("cancel", 10),
            Step::CancelDuel {
                challenger: alice()
            }
        ]
    );

    let mut config = EconomyConfig::default();
    config.commands.duel_wait_secs = 999_999;
    let (p, _) = plan_with(&config, &chat_as(alice(), "!duel bob 50"), &[]);
    assert!(matches!(
        &p.delivery.command[1],
        Step::ChallengeDuel { expires_in, .. } if *expires_in == Duration::from_secs(3600)
    ));
}

#[test]
fn powerups_are_bought_and_used() {
    let p = chat("!drop -buy Magnet", &[]);
    assert_eq!(
        p.delivery.command,
        vec![
            cooldown("drop-buy", 5),
            Step::BuyPowerup {
                viewer: alice(),
                powerup: PowerupType::Magnet
            }
        ]
    );
    for p in PowerupType::ALL {
        let planned = chat(&format!("!{p}"), &[]);
        assert_eq!(
            planned.delivery.command,
            vec![
                cooldown(p.as_str(), 5),
                Step::UsePowerup {
                    viewer: alice(),
                    powerup: p
                }
            ]
        );
        assert_eq!(action(&planned), &Action::Use(p));
    }
}

#[test]
fn say_and_verify() {
    let p = chat("!say id=brian   good   game", &[]);
    assert_eq!(
        p.delivery.command,
        vec![
            cooldown("say", 30),
            Step::Speak {
                viewer: alice(),
                text: "good   game".into(),
                voice: Some("brian".into()),
                cost: 500,
            }
        ]
    );
    assert_eq!(action(&p), &Action::Say { cost: 500 });
    let p = chat("!say", &[]);
    assert!(
        p.delivery.command.is_empty(),
        "no text: nothing spent, nothing to refund"
    );
    let p = chat("!verify K3Y9", &[]);
    assert_eq!(
        p.delivery.command,
        vec![
            cooldown("verify", 5),
            Step::Verify {
                viewer: alice(),
                code: "K3Y9".into()
            }
        ]
    );
}

#[test]
fn unknown_commands_and_the_drop_game_are_left_alone() {
    for content in ["!drop", "!drop -join", "!queue", "!help", "!"] {
        let p = chat(content, &[]);
        assert_eq!(p.delivery.effects, chat_effects(&alice(), 25));
        assert!(p.delivery.command.is_empty());
        assert_eq!(p.reply, Reply::Silent, "{content}");
    }
}

#[test]
fn follows_advance_the_follower_goal() {
    let event = KickEvent::Follow { follower: alice() };
    let (p, _) = plan_with(&EconomyConfig::default(), &event, &[]);
    assert_eq!(
        p.delivery.effects,
        vec![
            Step::AdvanceGoal {
                goal: GoalId::new("followers"),
                by: 1
            },
            Step::Alert {
                kind: AlertKind::Follow,
                viewer: Some(alice()),
                amount: 1
            }
        ]
    );
    assert!(p.delivery.command.is_empty());
    assert_eq!(p.reply, Reply::Silent);
    let config = EconomyConfig {
        follower_goal: String::new(),
        ..EconomyConfig::default()
    };
    let (p, _) = plan_with(&config, &event, &[]);
    assert_eq!(
        p.delivery.effects.len(),
        1,
        "no goal configured: only the alert"
    );
}

#[test]
fn subscriptions_pay_advance_and_thank() {
    for (renewal, amount, source, kind, thanks) in [
        (
            false,
            2_000,
            PointSource::Sub,
            AlertKind::Subscription,
            "Thank you for subscribing, @alice! +2,000 points.",
        ),
        (
            true,
            1_000,
            PointSource::Renewal,
            AlertKind::Renewal,
            "Thank you for renewing your subscription, @alice! +1,000 points.",
        ),
    ] {
        let event = KickEvent::Subscription {
            subscriber: alice(),
            renewal,
        };
        let (p, _) = plan_with(&EconomyConfig::default(), &event, &[]);
        assert_eq!(
            p.delivery.effects,
            vec![
                Step::Earn {
                    viewer: alice(),
                    amount,
                    source,
                    description: Some(
                        if renewal {
                            "subscription renewal"
                        } else {
                            "new subscription"
                        }
                        .into()
                    ),
                },
                Step::AdvanceGoal {
                    goal: GoalId::new("subscribers"),
                    by: 1
                },
                Step::Alert {
                    kind,
                    viewer: Some(alice()),
                    amount: 1
                }
            ]
        );
        assert_eq!(text(&p), thanks);
    }
    let mut config = EconomyConfig {
        subscription_points: 0,
        subscriber_goal: String::new(),
        ..EconomyConfig::default()
    };
    let event = KickEvent::Subscription {
        subscriber: alice(),
        renewal: false,
    };
    let (p, _) = plan_with(&config, &event, &[]);
    assert_eq!(p.delivery.effects.len(), 1, "only the alert");
    assert_eq!(text(&p), "Thank you for subscribing, @alice!");
    config.thank_in_chat = false;
    let (p, _) = plan_with(&config, &event, &[]);
    assert_eq!(p.reply, Reply::Silent);
}

#[test]
fn gifts_count_their_giftees() {
    let giftees: Vec<KickViewer> = (10..13)
        .map(|i| KickViewer::new(i, format!("g{i}")))
        .collect();
    let event = KickEvent::Gifts {
        gifter: Some(alice()),
        giftees,
    };
    let (p, _) = plan_with(&EconomyConfig::default(), &event, &[]);
    assert_eq!(
        p.delivery.effects,
        vec![
            Step::Earn {
                viewer: alice(),
                amount: 4_500,
                source: PointSource::Gift,
                description: Some("3 gifted subscriptions".into()),
            },
            Step::AdvanceGoal {
                goal: GoalId::new("subscribers"),
                by: 3
            },
            Step::Alert {
                kind: AlertKind::Gift,
                viewer: Some(alice()),
                amount: 3
            }
        ]
    );
    assert_eq!(
        text(&p),
        "Thank you @alice for gifting 3 subs! +4,500 points."
    );

    let event = KickEvent::Gifts {
        gifter: None,
        giftees: vec![],
    };
    let (p, _) = plan_with(&EconomyConfig::default(), &event, &[]);
    assert_eq!(
        p.delivery.effects,
        vec![
            Step::AdvanceGoal {
                goal: GoalId::new("subscribers"),
                by: 1
            },
            Step::Alert {
                kind: AlertKind::Gift,
                viewer: None,
                amount: 1
            }
        ],
        "an anonymous gift of none counts one and pays nobody"
    );
    assert_eq!(text(&p), "Thank you, anonymous gifter, for a sub!");
}

#[test]
fn kicks_pay_per_kick_capped_at_the_largest_amount() {
    let event = KickEvent::Kicks {
        sender: alice(),
        amount: 5,
    };
    let (p, _) = plan_with(&EconomyConfig::default(), &event, &[]);
    assert_eq!(
        p.delivery.effects,
        vec![
            Step::Earn {
                viewer: alice(),
                amount: 500,
                source: PointSource::Tip,
                description: Some("5 kicks".into()),
            },
            Step::Alert {
                kind: AlertKind::Kicks,
                viewer: Some(alice()),
                amount: 5
            }
        ]
    );
    assert_eq!(p.reply, Reply::Silent);

    let event = KickEvent::Kicks {
        sender: alice(),
        amount: i64::MAX,
    };
    let (p, _) = plan_with(&EconomyConfig::default(), &event, &[]);
    assert!(matches!(
        &p.delivery.effects[..],
        [
            Step::Earn { amount: a, .. },
            Step::Alert { amount: k, .. }
        ] if *a == validate::MAX_AMOUNT && *k == validate::MAX_AMOUNT
    ));
    let config = EconomyConfig {
        kick_points: 0,
        ..EconomyConfig::default()
    };
    let event = KickEvent::Kicks {
        sender: alice(),
        amount: 3,
    };
    let (p, _) = plan_with(&config, &event, &[]);
    assert_eq!(p.delivery.effects.len(), 1, "only the alert");
    for amount in [0, -4, i64::MIN] {
        let event = KickEvent::Kicks {
            sender: alice(),
            amount,
        };
        let (p, _) = plan_with(&EconomyConfig::default(), &event, &[]);
        assert!(p.delivery.effects.is_empty(), "{amount}");
    }
}

#[test]
fn gift_products_are_capped_too() {
    let config = EconomyConfig {
        gift_points: validate::MAX_AMOUNT,
        ..EconomyConfig::default()
    };
    let event = KickEvent::Gifts {
        gifter: Some(alice()),
        giftees: vec![alice(), alice()],
    };
    let (p, _) = plan_with(&config, &event, &[]);
    assert!(
        matches!(&p.delivery.effects[0], Step::Earn { amount, .. } if *amount == validate::MAX_AMOUNT)
    );
}

#[test]
fn live_status_sets_the_flag() {
    for live in [true, false] {
        let event = KickEvent::LiveStatus { live, at: at() };
        let (p, _) = plan_with(&EconomyConfig::default(), &event, &[]);
        assert_eq!(p.delivery.effects, vec![Step::SetLive { live, at: at() }]);
        assert_eq!(p.reply, Reply::Silent);
    }
}

#[test]
fn an_unusable_sender_leaves_only_what_needs_nobody() {
    let ghost = KickViewer::new(0, "ghost");
    let (p, left) = plan_with(
        &EconomyConfig::default(),
        &chat_as(ghost.clone(), "!gamble 100"),
        &[0],
    );
    assert_eq!(
        p.delivery.effects,
        vec![Step::SetLive {
            live: true,
            at: at()
        }]
    );
    assert!(p.delivery.command.is_empty());
    assert_eq!(p.reply, Reply::Silent);
    assert_eq!(left, 0);
    let bad_name = KickViewer::new(5, " padded");
    let (p, _) = plan_with(
        &EconomyConfig::default(),
        &KickEvent::Follow { follower: bad_name },
        &[],
    );
    assert_eq!(
        p.delivery.effects.len(),
        1,
        "the goal advances, the alert is left out"
    );
}

#[test]
fn misconfigured_amounts_never_make_an_unusable_delivery() {
    let mut config = EconomyConfig {
        chat_points: i64::MAX,
        ..EconomyConfig::default()
    };
    config.commands.say_cost = i64::MAX;
    config.commands.gamble_max = i64::MAX;
    config.commands.gamble.cooldown_secs = u64::MAX;
    let (p, _) = plan_with(&config, &chat_as(alice(), "!say hi"), &[]);
    assert!(
        matches!(&p.delivery.command[1], Step::Speak { cost, .. } if *cost == validate::MAX_AMOUNT)
    );
    // The largest stake the store accepts still pays 5× within the wager limit.
    let (p, _) = plan_with(&config, &chat_as(alice(), "!gamble 1000000000"), &[0]);
    assert!(matches!(
        &p.delivery.command[..],
        [Step::Cooldown { cooldown, .. }, Step::Wager { payout, .. }]
            if *cooldown == validate::MAX_COOLDOWN && *payout == 5 * validate::MAX_AMOUNT
    ));
}
