//! What each [`Step`] of a delivery does, inside the delivery's transaction: the same
//! statements as the matching single operation (through the helpers of the points, powerups,
//! cooldowns, goals and verification modules), with the viewer resolved first. A step returns
//! its result and adds the events it records to the delivery's list, which the delivery records
//! once, last, when it commits.

use crate::cooldowns;
use crate::duels::{self, Party};
use crate::goals;
use crate::kick_viewers::resolve;
use crate::points::{locked_balance, move_points, points_changed};
use crate::powerups;
use crate::stream_state;
use crate::tx::Tx;
use crate::verification;
use datastore::{
    CooldownCheck, EventData, PointSource, Refusal, Step, StepResult, StoreError, StoreResult,
    StreamerId, Timestamp, UserId, ViewerBalances, validate,
};

/// A step that did not run.
#[derive(Debug)]
pub(crate) enum Refused {
    /// Refused by a rule: a command reports it and changes nothing.
    Refusal(Refusal),
    /// The storage failed: the whole delivery fails.
    Failed(StoreError),
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Backend { .. } => Refused::Failed(e),
            e => Refused::Refusal(Refusal::Store(e)),
        }
    }
}

impl Refused {
    /// The error an effect fails its delivery with ([`Refusal::into_effect_error`]).
    pub(crate) fn into_error(self) -> StoreError {
        match self {
            Refused::Failed(e) => e,
            Refused::Refusal(r) => r.into_effect_error(),
        }
    }
}

/// A duel step's answer, as a step's.
fn duel_step(ran: duels::Ran, events: &mut Vec<EventData>) -> Result<StepResult, Refused> {
    match ran? {
        Ok((result, more)) => {
            events.extend(more);
            Ok(result)
        }
        Err(refusal) => Err(Refused::Refusal(refusal)),
    }
}

/// Moves user `u`'s channel points by `amount` (positive or negative; `field` names the
/// argument a balance out of range blames) with one ledger row, its lock held: the balances
/// after it, with its `PointsChanged` added to `events`. `need` is what the balance must cover
/// first (`InsufficientPoints` otherwise); 0 for none. A `capped` gain is cut to what fits
/// under [`validate::MAX_BALANCE`] instead of refused (a Kick earn never fails its delivery).
#[allow(clippy::too_many_arguments)]
async fn book(
    tx: &Tx,
    s: StreamerId,
    u: UserId,
    need: i64,
    amount: i64,
    capped: bool,
    field: &str,
    source: PointSource,
    description: Option<&str>,
    now: Timestamp,
    events: &mut Vec<EventData>,
) -> StoreResult<ViewerBalances> {
    let (username, before) = locked_balance(tx, s, u).await?;
    if before.channel_points < need {
        return Err(StoreError::InsufficientPoints {
            balance: before.channel_points,
            required: need,
        });
    }
    let amount = match capped {
        true => amount.min(validate::MAX_BALANCE.saturating_sub(before.channel_points)),
        false => amount,
    };
    let balance = validate::add_to_balance(field, before.channel_points, amount)?;
    let after = if amount == 0 {
        before
    } else {
        let after =
            move_points(tx, s, u, &before, balance, amount, source, description, now).await?;
        events.push(points_changed(
            u,
            &username,
            &after,
            amount,
            source,
            description,
        ));
        after
    };
    Ok(ViewerBalances::of(u, username, &after))
}

/// Runs one step of a delivery for streamer `s` (which exists), its arguments checked; the
/// events it records are added to `events`.
pub(crate) async fn run_step(
    tx: &Tx,
    s: StreamerId,
    step: &Step,
    now: Timestamp,
    events: &mut Vec<EventData>,
) -> Result<StepResult, Refused> {
    Ok(match step {
        Step::Earn {
            viewer,
            amount,
            source,
            description,
        } => {
            let u = resolve(tx, s, viewer, now).await?.id;
            let d = description.as_deref();
            let b = book(
                tx, s, u, 0, *amount, true, "amount", *source, d, now, events,
            )
            .await?;
            StepResult::Balances(b)
        }
        Step::Spend {
            viewer,
            amount,
            source,
            description,
        } => {
            let u = resolve(tx, s, viewer, now).await?.id;
            let d = description.as_deref();
            let b = book(
                tx, s, u, *amount, -amount, false, "amount", *source, d, now, events,
            )
            .await?;
            StepResult::Balances(b)
        }
        Step::Wager {
            viewer,
            stake,
            payout,
            source,
            description,
        } => {
            let u = resolve(tx, s, viewer, now).await?.id;
            let d = description.as_deref();
            let change = payout - stake;
            let b = book(
                tx, s, u, *stake, change, false, "payout", *source, d, now, events,
            )
            .await?;
            StepResult::Balances(b)
        }
        Step::Chatted { viewer } => {
            let u = resolve(tx, s, viewer, now).await?.id;
            tx.execute(
                "INSERT INTO chatters (streamer_id, user_id, last_chat_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (streamer_id, user_id) DO UPDATE \
                 SET last_chat_at = excluded.last_chat_at",
                &[&s.0, &u.0, &now.as_millis()],
            )
            .await?;
            StepResult::Viewer(u)
        }
        Step::SetLive { live, at } => {
            let set = stream_state::set_live(tx, s, *live, *at).await?;
            if set.changed {
                events.push(EventData::LiveChanged { live: set.live });
            }
            StepResult::Live(set.live)
        }
        Step::AdvanceGoal { goal, by } => {
            let (goal, event) = goals::advance(tx, s, goal, *by, now).await?;
            events.extend(event);
            StepResult::Goal(goal)
        }
        Step::Alert {
            kind,
            viewer,
            amount,
        } => {
            let who = match viewer {
                Some(v) => Some(resolve(tx, s, v, now).await?),
                None => None,
            };
            events.push(EventData::Alert {
                kind: *kind,
                user_id: who.as_ref().map(|v| v.id),
                username: who.map(|v| v.username),
                amount: *amount,
            });
            StepResult::Done
        }
        Step::Cooldown {
            viewer,
            command,
            cooldown,
        } => {
            let u = resolve(tx, s, viewer, now).await?.id;
            match cooldowns::check(tx, s, u, command, *cooldown, now).await? {
                CooldownCheck::Ready => StepResult::Done,
                CooldownCheck::Active { remaining_ms } => {
                    return Err(Refused::Refusal(Refusal::CoolingDown { remaining_ms }));
                }
            }
        }
        Step::BuyPowerup { viewer, powerup } => {
            let u = resolve(tx, s, viewer, now).await?.id;
            let (receipt, more) = powerups::purchase(tx, s, u, *powerup, now).await?;
            events.extend(more);
            StepResult::Purchase(receipt)
        }
        Step::UsePowerup { viewer, powerup } => {
            let u = resolve(tx, s, viewer, now).await?.id;
            let (item, event) = powerups::use_one(tx, s, u, *powerup).await?;
            events.push(event);
            StepResult::Inventory(item)
        }
        Step::ChallengeDuel {
            challenger,
            opponent,
            stake,
            expires_in,
        } => {
            let c = resolve(tx, s, challenger, now).await?.id;
            let ran = duels::challenge(tx, s, c, opponent, *stake, *expires_in, now).await;
            duel_step(ran, events)?
        }
        Step::AcceptDuel {
            opponent,
            challenger_wins,
        } => {
            let o = resolve(tx, s, opponent, now).await?.id;
            duel_step(duels::accept(tx, s, o, *challenger_wins, now).await, events)?
        }
        Step::DeclineDuel { opponent } => {
            let o = resolve(tx, s, opponent, now).await?.id;
            duel_step(duels::close(tx, s, Party::Opponent, o, now).await, events)?
        }
        Step::CancelDuel { challenger } => {
            let c = resolve(tx, s, challenger, now).await?.id;
            duel_step(duels::close(tx, s, Party::Challenger, c, now).await, events)?
        }
        Step::Speak {
            viewer,
            text,
            voice,
            cost,
        } => {
            let u = resolve(tx, s, viewer, now).await?.id;
            let mut spent = Vec::new();
            let b = book(
                tx,
                s,
                u,
                *cost,
                -cost,
                false,
                "cost",
                PointSource::Spend,
                None,
                now,
                &mut spent,
            )
            .await?;
            events.extend(spent);
            if let Some(v) = voice {
                tx.execute(
                    "UPDATE users SET voice_id = $3, updated_at = $4 WHERE id = $2 AND streamer_id = $1", // equivalent mutant: user ids are global and this viewer was just resolved under this streamer
                    &[&s.0, &u.0, v, &now.as_millis()],
                )
                .await?;
            }
            events.push(EventData::SpeechQueued {
                user_id: u,
                username: b.username.clone(),
                text: text.clone(),
                voice: voice.clone(),
            });
            StepResult::Balances(b)
        }
        Step::Verify { viewer, code } => {
            let v = resolve(tx, s, viewer, now).await?;
            verification::mark_verified(tx, s, &v.username, code, now).await?;
            StepResult::Done
        }
    })
}
