//! What each [`Step`] of a delivery does, on the delivery's working copy of the state.

use super::goals::goal_changed;
use super::kick_viewers::resolve;
use super::points::points_changed;
use super::{DuelRow, State, Tenant};
use datastore::{
    CooldownCheck, Duel, EventData, PointSource, Refusal, Resource, Step, StepResult, StoreError,
    StreamerId, Timestamp, UserId, validate,
};

/// A step that did not run: why, as a command reports it.
pub(super) struct Refused(pub(super) Refusal);

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused(Refusal::Store(e))
    }
}

impl Refused {
    /// The error an effect fails its delivery with ([`Refusal::into_effect_error`]).
    pub(super) fn into_error(self) -> StoreError {
        self.0.into_effect_error()
    }
}

type Ran = Result<StepResult, Refused>;

fn insufficient(balance: i64, required: i64) -> Refused {
    Refused(Refusal::Store(StoreError::InsufficientPoints {
        balance,
        required,
    }))
}

impl Tenant {
    fn balance(&self, u: UserId) -> i64 {
        self.points_of(u).channel_points
    }

    /// How a duel row is shown, with the parties' current names.
    pub(super) fn duel_view(&self, d: &DuelRow) -> Duel {
        let name = |u: UserId| {
            self.users
                .get(&u)
                .map_or_else(String::new, |x| x.username.clone())
        };
        Duel {
            challenger: d.challenger,
            challenger_name: name(d.challenger),
            opponent: d.opponent,
            opponent_name: name(d.opponent),
            stake: d.stake,
            expires_at: d.expires_at,
        }
    }

    /// Forgets expired duels (they count as absent anyway).
    fn drop_expired_duels(&mut self, now: Timestamp) {
        self.duels.retain(|d| d.expires_at > now);
    }

    /// Removes and shows the open duel `which` picks.
    fn close_duel(&mut self, now: Timestamp, which: impl Fn(&DuelRow) -> bool) -> Ran {
        self.drop_expired_duels(now);
        let i = self
            .duels
            .iter()
            .position(which)
            .ok_or(Refused(Refusal::NoDuel))?;
        let d = self.duels.remove(i);
        Ok(StepResult::Duel(self.duel_view(&d)))
    }
}

impl State {
    fn tenant_mut(&mut self, s: StreamerId) -> Result<&mut Tenant, Refused> {
        Ok(self.owner(s)?)
    }

    /// Moves `user`'s channel points by `amount` (checked already) with one ledger row and its
    /// `PointsChanged`.
    fn book(
        &mut self,
        s: StreamerId,
        user: UserId,
        amount: i64,
        source: PointSource,
        description: Option<String>,
        now: Timestamp,
    ) -> Result<(), Refused> {
        let balance = self.tenant_mut(s)?.balance(user) + amount;
        let event = points_changed(amount, source, description.clone());
        self.move_points(s, user, balance, amount, source, description, now);
        self.record_for(s, user, now, [event])?;
        Ok(())
    }

    fn balances(&mut self, s: StreamerId, u: UserId) -> Ran {
        Ok(StepResult::Balances(self.tenant_mut(s)?.balances(u)))
    }
}

/// Runs one step of a delivery for streamer `s` (which exists), its arguments checked.
pub(super) fn run_step(st: &mut State, s: StreamerId, step: &Step, now: Timestamp) -> Ran {
    match step {
        Step::Earn {
            viewer,
            amount,
            source,
            description,
        } => {
            let u = resolve(st, s, viewer, now)?;
            // Cut to what fits under the limit; nothing moves at the limit.
            let current = st.tenant_mut(s)?.balance(u);
            let amount = (*amount).min(validate::MAX_BALANCE - current);
            if amount > 0 {
                st.book(s, u, amount, *source, description.clone(), now)?;
            }
            st.balances(s, u)
        }
        Step::Spend {
            viewer,
            amount,
            source,
            description,
        } => {
            let u = resolve(st, s, viewer, now)?;
            let current = st.tenant_mut(s)?.balance(u);
            if current < *amount {
                return Err(insufficient(current, *amount));
            }
            st.book(s, u, -amount, *source, description.clone(), now)?;
            st.balances(s, u)
        }
        Step::Wager {
            viewer,
            stake,
            payout,
            source,
            description,
        } => {
            let u = resolve(st, s, viewer, now)?;
            let current = st.tenant_mut(s)?.balance(u);
            if current < *stake {
                return Err(insufficient(current, *stake));
            }
            let change = payout - stake;
            validate::add_to_balance("payout", current, change)?;
            if change != 0 {
                st.book(s, u, change, *source, description.clone(), now)?;
            }
            st.balances(s, u)
        }
        Step::Chatted { viewer } => {
            let u = resolve(st, s, viewer, now)?;
            st.tenant_mut(s)?.chatters.insert(u, now);
            Ok(StepResult::Viewer(u))
        }
        Step::SetLive { live, at } => {
            let t = st.tenant_mut(s)?;
            // Offline wins a tie of stamps, whatever the order of arrival.
            if t.stream
                .changed_at
                .is_none_or(|c| *at > c || (*at == c && !*live))
            {
                let before = t.stream.live;
                t.stream.live = *live;
                t.stream.changed_at = Some(*at);
                if before != *live {
                    t.record(now, [EventData::LiveChanged { live: *live }]);
                }
            }
            Ok(StepResult::Live(t.stream.live))
        }
        Step::AdvanceGoal { goal, by } => {
            let t = st.tenant_mut(s)?;
            let Some(g) = t.goals.get_mut(goal) else {
                return Ok(StepResult::Goal(None));
            };
            let enabled_before = g.enabled;
            g.current_value = g
                .current_value
                .saturating_add(*by)
                .min(validate::MAX_BALANCE);
            g.updated_at = now;
            let g = g.clone();
            t.record(now, goal_changed(goal, enabled_before, Some(&g)));
            Ok(StepResult::Goal(Some(g)))
        }
        Step::Alert {
            kind,
            viewer,
            amount,
        } => {
            let who = match viewer {
                Some(v) => Some(resolve(st, s, v, now)?),
                None => None,
            };
            let t = st.tenant_mut(s)?;
            let username = who.and_then(|u| t.users.get(&u).map(|x| x.username.clone()));
            t.record(
                now,
                [EventData::Alert {
                    kind: *kind,
                    user_id: who,
                    username,
                    amount: *amount,
                }],
            );
            Ok(StepResult::Done)
        }
        Step::Cooldown {
            viewer,
            command,
            cooldown,
        } => {
            let u = resolve(st, s, viewer, now)?;
            match st.tenant_mut(s)?.cooldown(u, command, *cooldown, now)? {
                CooldownCheck::Ready => Ok(StepResult::Done),
                CooldownCheck::Active { remaining_ms } => {
                    Err(Refused(Refusal::CoolingDown { remaining_ms }))
                }
            }
        }
        Step::BuyPowerup { viewer, powerup } => {
            let u = resolve(st, s, viewer, now)?;
            Ok(StepResult::Purchase(st.purchase(s, u, *powerup, now)?))
        }
        Step::UsePowerup { viewer, powerup } => {
            let u = resolve(st, s, viewer, now)?;
            Ok(StepResult::Inventory(
                st.tenant_mut(s)?.use_one(u, *powerup, now)?,
            ))
        }
        Step::ChallengeDuel {
            challenger,
            opponent,
            stake,
            expires_in,
        } => {
            let c = resolve(st, s, challenger, now)?;
            let t = st.tenant_mut(s)?;
            t.drop_expired_duels(now);
            let o = t
                .users
                .values()
                .find(|u| u.id != c && u.username.eq_ignore_ascii_case(opponent))
                .map(|u| u.id)
                .ok_or(StoreError::not_found(Resource::User))?;
            if t.duels.iter().any(|d| {
                [d.challenger, d.opponent]
                    .iter()
                    .any(|x| *x == c || *x == o)
            }) {
                return Err(Refused(Refusal::DuelPending));
            }
            let balance = t.balance(c);
            if balance < *stake {
                return Err(insufficient(balance, *stake));
            }
            let expires_at = now
                .checked_add(*expires_in)
                .ok_or_else(|| StoreError::invalid("expires_in", "ends after the year 9999"))?;
            let row = DuelRow {
                challenger: c,
                opponent: o,
                stake: *stake,
                expires_at,
            };
            let shown = t.duel_view(&row);
            t.duels.push(row);
            Ok(StepResult::Duel(shown))
        }
        Step::AcceptDuel {
            opponent,
            challenger_wins,
        } => {
            let o = resolve(st, s, opponent, now)?;
            let t = st.tenant_mut(s)?;
            t.drop_expired_duels(now);
            let i = t
                .duels
                .iter()
                .position(|d| d.opponent == o)
                .ok_or(Refused(Refusal::NoDuel))?;
            let d = t.duels[i].clone();
            let (loser, winner) = if *challenger_wins {
                (o, d.challenger)
            } else {
                (d.challenger, o)
            };
            // Both must cover the stake, the challenger checked first, whoever wins.
            for party in [d.challenger, o] {
                let balance = t.balance(party);
                if balance < d.stake {
                    return Err(insufficient(balance, d.stake));
                }
            }
            validate::add_to_balance("stake", t.balance(winner), d.stake)?;
            let shown = t.duel_view(&d);
            t.duels.remove(i);
            st.book(s, loser, -d.stake, PointSource::Duel, None, now)?;
            st.book(s, winner, d.stake, PointSource::Duel, None, now)?;
            let t = st.tenant_mut(s)?;
            Ok(StepResult::DuelSettled {
                duel: shown,
                winner,
                challenger: t.balances(d.challenger),
                opponent: t.balances(o),
            })
        }
        Step::DeclineDuel { opponent } => {
            let o = resolve(st, s, opponent, now)?;
            st.tenant_mut(s)?.close_duel(now, |d| d.opponent == o)
        }
        Step::CancelDuel { challenger } => {
            let c = resolve(st, s, challenger, now)?;
            st.tenant_mut(s)?.close_duel(now, |d| d.challenger == c)
        }
        Step::Speak {
            viewer,
            text,
            voice,
            cost,
        } => {
            let u = resolve(st, s, viewer, now)?;
            if *cost > 0 {
                let current = st.tenant_mut(s)?.balance(u);
                if current < *cost {
                    return Err(insufficient(current, *cost));
                }
                st.book(s, u, -cost, PointSource::Spend, None, now)?;
            }
            let t = st.tenant_mut(s)?;
            let Some(user) = t.users.get_mut(&u) else {
                return Err(StoreError::not_found(Resource::User).into());
            };
            if let Some(v) = voice {
                user.voice_id = Some(v.clone());
                user.updated_at = now;
            }
            let username = user.username.clone();
            t.record(
                now,
                [EventData::SpeechQueued {
                    user_id: u,
                    username,
                    text: text.clone(),
                    voice: voice.clone(),
                }],
            );
            st.balances(s, u)
        }
        Step::Verify { viewer, code } => {
            let u = resolve(st, s, viewer, now)?;
            let t = st.tenant_mut(s)?;
            let name = t
                .users
                .get(&u)
                .map_or_else(String::new, |x| x.username.clone());
            t.mark_verified(&name, code, now)?;
            Ok(StepResult::Done)
        }
    }
}
