//! One [`Step`] of a Kick delivery, run inside the delivery's transaction by the same internal
//! functions the matching single operations use (points, powerups, cooldowns, goals,
//! verification), with the viewer resolved first.

use crate::cooldowns::check_cooldown;
use crate::duels;
use crate::goals::advance_goal;
use crate::kick_viewers::resolve;
use crate::points::{Booking, move_by};
use crate::powerups::{purchase_powerup, use_powerup};
use crate::stream_state::set_live;
use crate::users::update_user_profile;
use crate::verification::mark_verification_code_verified;
use crate::watch::chatted;
use datastore::{
    CooldownCheck, EventData, PointSource, ProfileUpdate, Refusal, Step, StepResult, StoreError,
    StreamerId, Timestamp,
};
use rusqlite::Connection;

/// Why a step did not run: refused (a command's refusal), or failed.
#[derive(Debug)]
pub(crate) enum Stop {
    /// A refusal of the step itself (cooling down, a duel pending, no duel).
    Refused(Refusal),
    /// A store error: a refusal for a command step unless the storage itself failed.
    Failed(StoreError),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Failed(e)
    }
}

/// A refusal from a function that answers `StoreResult<Result<T, Refusal>>`.
fn refused<T>(r: Result<T, Refusal>) -> Result<T, Stop> {
    r.map_err(Stop::Refused)
}

/// Runs one step for the streamer at `now`, adding the events it records to `events` (the
/// caller records them: a refused command's never are).
pub(crate) fn run(
    conn: &Connection,
    s: StreamerId,
    step: &Step,
    now: Timestamp,
    events: &mut Vec<EventData>,
) -> Result<StepResult, Stop> {
    let result = match step {
        Step::Earn {
            viewer,
            amount,
            source,
            description,
        } => {
            let user = resolve(conn, s, viewer, now)?;
            let booking = Booking {
                capped: true,
                ..Booking::earn(*amount, *source, description.clone())
            };
            let moved = move_by(conn, s, user.id, booking, now)?;
            events.extend(moved.event);
            StepResult::Balances(moved.viewer)
        }
        Step::Spend {
            viewer,
            amount,
            source,
            description,
        } => {
            let user = resolve(conn, s, viewer, now)?;
            let booking = Booking::spend(*amount, *source, description.clone());
            let moved = move_by(conn, s, user.id, booking, now)?;
            events.extend(moved.event);
            StepResult::Balances(moved.viewer)
        }
        Step::Wager {
            viewer,
            stake,
            payout,
            source,
            description,
        } => {
            let user = resolve(conn, s, viewer, now)?;
            let booking = Booking {
                amount: payout - stake,
                required: *stake,
                field: "payout",
                source: *source,
                description: description.clone(),
                capped: false,
            };
            let moved = move_by(conn, s, user.id, booking, now)?;
            events.extend(moved.event);
            StepResult::Balances(moved.viewer)
        }
        Step::Chatted { viewer } => {
            let user = resolve(conn, s, viewer, now)?;
            chatted(conn, s, user.id, now)?;
            StepResult::Viewer(user.id)
        }
        Step::SetLive { live, at } => {
            let set = set_live(conn, s, *live, *at)?;
            if set.changed {
                events.push(EventData::LiveChanged { live: set.live });
            }
            StepResult::Live(set.live)
        }
        Step::AdvanceGoal { goal, by } => {
            let (goal, changed) = advance_goal(conn, s, goal, *by, now)?;
            events.extend(changed);
            StepResult::Goal(goal)
        }
        Step::Alert {
            kind,
            viewer,
            amount,
        } => {
            let user = match viewer {
                Some(v) => Some(resolve(conn, s, v, now)?),
                None => None,
            };
            events.push(EventData::Alert {
                kind: *kind,
                user_id: user.as_ref().map(|u| u.id),
                username: user.map(|u| u.username),
                amount: *amount,
            });
            StepResult::Done
        }
        Step::Cooldown {
            viewer,
            command,
            cooldown,
        } => {
            let user = resolve(conn, s, viewer, now)?;
            match check_cooldown(conn, s, user.id, command, *cooldown, now)? {
                CooldownCheck::Ready => StepResult::Done,
                CooldownCheck::Active { remaining_ms } => {
                    return Err(Stop::Refused(Refusal::CoolingDown { remaining_ms }));
                }
            }
        }
        Step::BuyPowerup { viewer, powerup } => {
            let user = resolve(conn, s, viewer, now)?;
            let (receipt, recorded) = purchase_powerup(conn, s, user.id, *powerup, now)?;
            events.extend(recorded);
            StepResult::Purchase(receipt)
        }
        Step::UsePowerup { viewer, powerup } => {
            let user = resolve(conn, s, viewer, now)?;
            let (item, used) = use_powerup(conn, s, user.id, *powerup)?;
            events.push(used);
            StepResult::Inventory(item)
        }
        Step::ChallengeDuel {
            challenger,
            opponent,
            stake,
            expires_in,
        } => {
            let user = resolve(conn, s, challenger, now)?;
            let duel = duels::challenge(conn, s, &user, opponent, *stake, *expires_in, now)?;
            StepResult::Duel(refused(duel)?)
        }
        Step::AcceptDuel {
            opponent,
            challenger_wins,
        } => {
            let user = resolve(conn, s, opponent, now)?;
            refused(duels::accept(
                conn,
                s,
                &user,
                *challenger_wins,
                now,
                events,
            )?)?
        }
        Step::DeclineDuel { opponent } => {
            let user = resolve(conn, s, opponent, now)?;
            StepResult::Duel(refused(duels::decline(conn, s, &user, now)?)?)
        }
        Step::CancelDuel { challenger } => {
            let user = resolve(conn, s, challenger, now)?;
            StepResult::Duel(refused(duels::cancel(conn, s, &user, now)?)?)
        }
        Step::Speak {
            viewer,
            text,
            voice,
            cost,
        } => {
            let user = resolve(conn, s, viewer, now)?;
            let booking = Booking::spend(*cost, PointSource::Spend, None);
            let moved = move_by(conn, s, user.id, booking, now)?;
            if let Some(voice) = voice {
                let update = ProfileUpdate {
                    voice_id: Some(Some(voice.clone())),
                    ..ProfileUpdate::default()
                };
                update_user_profile(conn, s, user.id, &update, now)?;
            }
            events.extend(moved.event);
            events.push(EventData::SpeechQueued {
                user_id: user.id,
                username: user.username,
                text: text.clone(),
                voice: voice.clone(),
            });
            StepResult::Balances(moved.viewer)
        }
        Step::Verify { viewer, code } => {
            let user = resolve(conn, s, viewer, now)?;
            mark_verification_code_verified(conn, s, &user.username, code, now)?;
            StepResult::Done
        }
    };
    Ok(result)
}
