//! Planning: a Kick event becomes one [`Delivery`] (the event's effects and, for a chat
//! command, the command's steps) and the [`Reply`] to word once the store applied it.

use crate::command::{self, Command, Parsed};
use crate::dice::{Dice, NoRandomness};
use crate::event::{Channel, KickEvent};
use crate::reply::{Action, CommandReply, Reply};
use crate::text::points;
use datastore::kick::MAX_DUEL_WAIT;
use datastore::{AlertKind, Delivery, DeliveryId, GoalId, KickViewer, PointSource, Step, validate};
use std::time::Duration;

/// A planned delivery and what to say once it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Hand it to [`datastore::KickStore::apply_delivery`].
    pub delivery: Delivery,
    /// Word it with [`crate::reply_text`] and the outcome.
    pub reply: Reply,
}

/// Decides what an event does, drawing the games' randomness from `dice`.
///
/// Amounts come from the channel's [`datastore::EconomyConfig`]; an amount of 0 switches its
/// award off (no step). Products (points per Kick × Kicks, points per gift × gifts) are
/// computed without overflow and capped at [`validate::MAX_AMOUNT`], the most one step may
/// move. Every step is checked against the contract ([`Step::validate`]) before it is planned:
/// a step naming an unusable viewer (a non-positive Kick id, an invalid username) is left out
/// with a warning, and a command with such a step is dropped whole, so the delivery itself is
/// always accepted (given a valid id).
///
/// What each event and command plans is in the crate documentation.
pub fn plan(
    channel: &Channel<'_>,
    id: DeliveryId,
    event: &KickEvent,
    dice: &mut dyn Dice,
) -> Planned {
    let config = channel.config;
    let mut effects = Vec::new();
    let mut command = Vec::new();
    let mut reply = Reply::Silent;
    match event {
        KickEvent::ChatMessage {
            sender,
            content,
            sent_at,
        } => {
            push(
                &mut effects,
                Step::SetLive {
                    live: true,
                    at: *sent_at,
                },
            );
            if config.chat_points > 0 {
                push(
                    &mut effects,
                    earn(
                        sender,
                        config.chat_points,
                        PointSource::Chat,
                        "chat message",
                    ),
                );
            }
            push(
                &mut effects,
                Step::Chatted {
                    viewer: sender.clone(),
                },
            );
            match command::parse(content, sender, &config.commands) {
                Parsed::Ignored => {}
                Parsed::Usage(usage) => {
                    reply = Reply::Text(format!("@{} {usage}", sender.username));
                }
                Parsed::Run(cmd) => match command_steps(channel, sender, &cmd, dice) {
                    Err(e) => {
                        // Never a game on dice a viewer could foresee: this one is not played.
                        tracing::error!(error = %e, "a game was refused: the dice have no randomness");
                        reply = Reply::Text(format!(
                            "@{} the games are unavailable right now, try again in a moment",
                            sender.username
                        ));
                    }
                    Ok((steps, action)) => match steps.iter().try_for_each(Step::validate) {
                        Ok(()) => {
                            command = steps;
                            reply = Reply::Command(CommandReply {
                                sender: sender.clone(),
                                command: cmd.name().display(),
                                action,
                            });
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "a chat command was dropped: its steps are unusable");
                        }
                    },
                },
            }
        }
        KickEvent::Follow { follower } => {
            advance(&mut effects, &config.follower_goal, 1);
            push(
                &mut effects,
                Step::Alert {
                    kind: AlertKind::Follow,
                    viewer: Some(follower.clone()),
                    amount: 1,
                },
            );
        }
        KickEvent::Subscription {
            subscriber,
            renewal,
        } => {
            let (amount, source, kind, what) = if *renewal {
                (
                    config.renewal_points,
                    PointSource::Renewal,
                    AlertKind::Renewal,
                    "subscription renewal",
                )
            } else {
                (
                    config.subscription_points,
                    PointSource::Sub,
                    AlertKind::Subscription,
                    "new subscription",
                )
            };
            if amount > 0 {
                push(&mut effects, earn(subscriber, amount, source, what));
            }
            advance(&mut effects, &config.subscriber_goal, 1);
            push(
                &mut effects,
                Step::Alert {
                    kind,
                    viewer: Some(subscriber.clone()),
                    amount: 1,
                },
            );
            if config.thank_in_chat {
                let thanks = if *renewal {
                    "for renewing your subscription"
                } else {
                    "for subscribing"
                };
                reply = Reply::Text(format!(
                    "Thank you {thanks}, @{}!{}",
                    subscriber.username,
                    bonus(amount)
                ));
            }
        }
        KickEvent::Gifts { gifter, giftees } => {
            let count = i64::try_from(giftees.len())
                .unwrap_or(validate::MAX_AMOUNT)
                .clamp(1, validate::MAX_AMOUNT);
            let amount = capped_product(config.gift_points, count);
            if let Some(gifter) = gifter
                && amount > 0
            {
                let what = if count == 1 {
                    "1 gifted subscription".to_owned()
                } else {
                    format!("{count} gifted subscriptions")
                };
                push(&mut effects, earn(gifter, amount, PointSource::Gift, &what));
            }
            advance(&mut effects, &config.subscriber_goal, count);
            push(
                &mut effects,
                Step::Alert {
                    kind: AlertKind::Gift,
                    viewer: gifter.clone(),
                    amount: count,
                },
            );
            if config.thank_in_chat {
                let subs = if count == 1 {
                    "a sub".to_owned()
                } else {
                    format!("{} subs", points(count))
                };
                reply = Reply::Text(match gifter {
                    Some(g) => format!(
                        "Thank you @{} for gifting {subs}!{}",
                        g.username,
                        bonus(amount)
                    ),
                    None => format!("Thank you, anonymous gifter, for {subs}!"),
                });
            }
        }
        KickEvent::Kicks { sender, amount } => {
            if *amount > 0 {
                let kicks = (*amount).min(validate::MAX_AMOUNT);
                let award = capped_product(config.kick_points, *amount);
                if award > 0 {
                    let what = format!("{kicks} kicks");
                    push(&mut effects, earn(sender, award, PointSource::Tip, &what));
                }
                push(
                    &mut effects,
                    Step::Alert {
                        kind: AlertKind::Kicks,
                        viewer: Some(sender.clone()),
                        amount: kicks,
                    },
                );
            }
        }
        KickEvent::LiveStatus { live, at } => {
            push(
                &mut effects,
                Step::SetLive {
                    live: *live,
                    at: *at,
                },
            );
        }
    }
    Planned {
        delivery: Delivery {
            id,
            effects,
            command,
        },
        reply,
    }
}

/// The steps of a parsed command (a cooldown first unless the sender is the streamer or the
/// cooldown is 0) and what its answer needs to know; an error when a game's dice fail.
fn command_steps(
    channel: &Channel<'_>,
    sender: &KickViewer,
    cmd: &Command,
    dice: &mut dyn Dice,
) -> Result<(Vec<Step>, Action), NoRandomness> {
    let config = &channel.config.commands;
    let owner = channel.is_owner(sender);
    let name = cmd.name();
    let mut steps = Vec::new();
    let cooldown_secs = name.config(config).cooldown_secs;
    if !owner && cooldown_secs > 0 {
        steps.push(Step::Cooldown {
            viewer: sender.clone(),
            command: name.key().to_owned(),
            cooldown: Duration::from_secs(cooldown_secs).min(validate::MAX_COOLDOWN),
        });
    }
    let viewer = || sender.clone();
    let action = match cmd {
        Command::Points => Action::Points,
        Command::Stats => Action::Stats,
        Command::DropStats => Action::DropStats,
        Command::DropTop => Action::DropTop,
        Command::Mine => Action::Mine,
        Command::Shop => Action::Shop,
        Command::Gamble { stake } => {
            let roll = dice.below(100)?;
            let multiplier = match roll {
                0..10 => 5,
                10..50 => 2,
                _ => 0,
            };
            let payout = stake.saturating_mul(multiplier);
            steps.push(Step::Wager {
                viewer: viewer(),
                stake: *stake,
                payout,
                source: PointSource::Gamble,
                description: Some(format!("!gamble: rolled {roll}")),
            });
            Action::Gamble {
                stake: *stake,
                roll,
                payout,
            }
        }
        Command::Coinflip { stake } => {
            let won = dice.below(2)? == 0;
            steps.push(Step::Wager {
                viewer: viewer(),
                stake: *stake,
                payout: if won { stake.saturating_mul(2) } else { 0 },
                source: PointSource::Gamble,
                description: Some(format!(
                    "!coinflip: {}",
                    if won { "heads" } else { "tails" }
                )),
            });
            Action::Coinflip { stake: *stake, won }
        }
        Command::Duel { opponent, stake } => {
            let wait = config.duel_wait_secs.clamp(1, MAX_DUEL_WAIT.as_secs());
            steps.push(Step::ChallengeDuel {
                challenger: viewer(),
                opponent: opponent.clone(),
                stake: *stake,
                expires_in: Duration::from_secs(wait),
            });
            Action::Challenge {
                opponent: opponent.clone(),
                stake: *stake,
                wait_secs: wait,
            }
        }
        Command::Accept => {
            steps.push(Step::AcceptDuel {
                opponent: viewer(),
                challenger_wins: dice.below(2)? == 0,
            });
            Action::Accept
        }
        Command::Decline => {
            steps.push(Step::DeclineDuel { opponent: viewer() });
            Action::Decline
        }
        Command::Cancel => {
            steps.push(Step::CancelDuel {
                challenger: viewer(),
            });
            Action::Cancel
        }
        Command::Buy(p) => {
            steps.push(Step::BuyPowerup {
                viewer: viewer(),
                powerup: *p,
            });
            Action::Buy(*p)
        }
        Command::Use(p) => {
            steps.push(Step::UsePowerup {
                viewer: viewer(),
                powerup: *p,
            });
            Action::Use(*p)
        }
        Command::Say { text, voice } => {
            let cost = if owner {
                0
            } else {
                config.say_cost.clamp(0, validate::MAX_AMOUNT)
            };
            steps.push(Step::Speak {
                viewer: viewer(),
                text: text.clone(),
                voice: voice.clone(),
                cost,
            });
            Action::Say { cost }
        }
        Command::Verify { code } => {
            steps.push(Step::Verify {
                viewer: viewer(),
                code: code.clone(),
            });
            Action::Verify
        }
    };
    Ok((steps, action))
}

/// Adds `step` when the contract accepts it; otherwise logs why and leaves it out.
fn push(steps: &mut Vec<Step>, step: Step) {
    match step.validate() {
        Ok(()) => steps.push(step),
        Err(e) => tracing::warn!(error = %e, ?step, "an event's step was left out: it is unusable"),
    }
}

fn earn(viewer: &KickViewer, amount: i64, source: PointSource, what: &str) -> Step {
    Step::Earn {
        viewer: viewer.clone(),
        amount: amount.min(validate::MAX_AMOUNT),
        source,
        description: Some(what.to_owned()),
    }
}

/// Advances the goal named `goal` by `by`, unless no goal is configured.
fn advance(steps: &mut Vec<Step>, goal: &str, by: i64) {
    if !goal.is_empty() {
        push(
            steps,
            Step::AdvanceGoal {
                goal: GoalId::new(goal),
                by,
            },
        );
    }
}

/// `per × count`, capped at [`validate::MAX_AMOUNT`]; 0 when either is not positive.
fn capped_product(per: i64, count: i64) -> i64 {
    if per <= 0 || count <= 0 {
        return 0;
    }
    per.checked_mul(count)
        .map_or(validate::MAX_AMOUNT, |n| n.min(validate::MAX_AMOUNT))
}

/// ` +2,000 points.` for a thank-you, or nothing when no points were given.
fn bonus(amount: i64) -> String {
    if amount > 0 {
        format!(" +{} points.", points(amount.min(validate::MAX_AMOUNT)))
    } else {
        String::new()
    }
}
