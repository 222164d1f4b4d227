//! Faulty Kick operations: deliveries deduplicated, viewers linked, minutes recorded and
//! duels found across streamers, and two transaction bugs (a duel settled without its balance
//! check, a refused command not rolled back).

use super::{Fault as F, Faulty};
use async_trait::async_trait;
use datastore::*;

/// Every step of a delivery that names a viewer, with that viewer.
fn viewers(d: &Delivery) -> Vec<&KickViewer> {
    d.effects
        .iter()
        .chain(&d.command)
        .filter_map(|step| match step {
            Step::Earn { viewer, .. }
            | Step::Spend { viewer, .. }
            | Step::Wager { viewer, .. }
            | Step::Chatted { viewer }
            | Step::Cooldown { viewer, .. }
            | Step::BuyPowerup { viewer, .. }
            | Step::UsePowerup { viewer, .. }
            | Step::Speak { viewer, .. }
            | Step::Verify { viewer, .. } => Some(viewer),
            Step::Alert { viewer, .. } => viewer.as_ref(),
            Step::ChallengeDuel { challenger, .. } | Step::CancelDuel { challenger } => {
                Some(challenger)
            }
            Step::AcceptDuel { opponent, .. } | Step::DeclineDuel { opponent } => Some(opponent),
            Step::SetLive { .. } | Step::AdvanceGoal { .. } => None,
        })
        .collect()
}

/// Whether a watch minute's arguments are valid (the faulty paths run only for valid ones, so
/// the error of an invalid one is the store's own).
/// (Checked as of the minute itself: whether it is within reach of the clock is the store's to
/// say, and an awarded minute was.)
fn valid_minute(m: &WatchMinute) -> bool {
    m.validate(Timestamp::saturating_from_millis(
        m.minute.saturating_mul(60_000),
    ))
    .is_ok()
}

impl Faulty {
    /// The streamer a delivery for `s` lands in when the Kick link lookup misses its streamer
    /// predicate: the first other streamer that links a Kick user id of the delivery `s` does
    /// not link.
    async fn kick_owner(&self, s: StreamerId, d: &Delivery) -> StreamerId {
        for v in viewers(d) {
            if !matches!(
                self.inner.get_kick_viewer(s, v.kick_user_id).await,
                Ok(None)
            ) {
                continue;
            }
            for o in self.others(s).await {
                if matches!(
                    self.inner.get_kick_viewer(o, v.kick_user_id).await,
                    Ok(Some(_))
                ) {
                    return o;
                }
            }
        }
        s
    }

    /// A challenge that looks its opponent up under any streamer finds another streamer's
    /// viewer: imitated by giving `s` a viewer of that name first.
    async fn import_opponents(&self, s: StreamerId, d: &Delivery) {
        for step in d.effects.iter().chain(&d.command) {
            let Step::ChallengeDuel { opponent, .. } = step else {
                continue;
            };
            if !matches!(self.inner.get_user_by_username(s, opponent).await, Ok(None)) {
                continue;
            }
            for o in self.others(s).await {
                if matches!(
                    self.inner.get_user_by_username(o, opponent).await,
                    Ok(Some(_))
                ) {
                    let _ = self.inner.get_or_create_user(s, opponent).await;
                    break;
                }
            }
        }
    }

    /// After a command refused at `step`: keeps the steps before it, as a store without a
    /// savepoint would (they run again, as effects of a delivery of their own).
    async fn keep_partial_command(&self, s: StreamerId, d: &Delivery, step: usize) {
        if step == 0 {
            return;
        }
        let kept = Delivery {
            id: DeliveryId(format!("{}~kept", d.id.0)),
            effects: d.command[..step].to_vec(),
            command: vec![],
        };
        let _ = self.inner.apply_delivery(s, kept).await;
    }

    /// After an accept refused because the loser no longer covers the stake: settles the duel
    /// anyway, as a store that skipped the balance check would (the loser pays what they have,
    /// the winner gets the whole stake, the duel closes).
    async fn settle_unchecked(&self, s: StreamerId, d: &Delivery, step: usize) {
        let Some(Step::AcceptDuel {
            opponent,
            challenger_wins,
        }) = d.command.get(step)
        else {
            return;
        };
        let Ok(Some(me)) = self.inner.get_user_by_username(s, &opponent.username).await else {
            return;
        };
        let Ok(duels) = self.inner.list_duels(s).await else {
            return;
        };
        let Some(duel) = duels.into_iter().find(|x| x.opponent == me.id) else {
            return;
        };
        let (loser, winner) = if *challenger_wins {
            (duel.opponent, duel.challenger)
        } else {
            (duel.challenger, duel.opponent)
        };
        let has = match self.inner.get_points(s, loser).await {
            Ok(Some(p)) => p.channel_points.min(duel.stake),
            _ => 0,
        };
        if has > 0 {
            let _ = self
                .inner
                .spend_points(s, loser, PointDelta::new(has, PointSource::Duel))
                .await;
        }
        let _ = self
            .inner
            .earn_points(s, winner, PointDelta::new(duel.stake, PointSource::Duel))
            .await;
        let close = Delivery {
            id: DeliveryId(format!("{}~settle", d.id.0)),
            effects: vec![],
            command: vec![Step::DeclineDuel {
                opponent: opponent.clone(),
            }],
        };
        let _ = self.inner.apply_delivery(s, close).await;
    }

    /// A live change that updates every streamer's flag (the UPDATE misses its streamer
    /// predicate): replayed under every other streamer.
    async fn spread_live(&self, s: StreamerId, d: &Delivery, command_ran: bool) {
        let steps = d.effects.iter().chain(if command_ran {
            d.command.iter()
        } else {
            [].iter()
        });
        let changes: Vec<Step> = steps
            .filter(|x| matches!(x, Step::SetLive { .. }))
            .cloned()
            .collect();
        if changes.is_empty() {
            return;
        }
        for o in self.others(s).await {
            let copy = Delivery {
                id: DeliveryId(format!("{}~live", d.id.0)),
                effects: changes.clone(),
                command: vec![],
            };
            let _ = self.inner.apply_delivery(o, copy).await;
        }
    }
}

#[async_trait]
impl KickStore for Faulty {
    async fn apply_delivery(&self, s: StreamerId, d: Delivery) -> StoreResult<DeliveryOutcome> {
        self.note("apply_delivery");
        if self.is(F::DeliveryDedupeGlobal) && d.validate().is_ok() {
            for o in self.others(s).await {
                if matches!(self.inner.delivery_seen(o, &d.id).await, Ok(true)) {
                    return Ok(DeliveryOutcome::Duplicate);
                }
            }
        }
        let s = if self.is(F::KickLinkAcrossTenants) {
            self.kick_owner(s, &d).await
        } else {
            s
        };
        if self.is(F::DuelOpponentAnyTenant) {
            self.import_opponents(s, &d).await;
        }
        let out = self.inner.apply_delivery(s, d.clone()).await?;
        if let DeliveryOutcome::Applied { command, .. } = &out {
            let refused = match command {
                Some(CommandOutcome::Refused { step, refusal }) => Some((*step, refusal)),
                _ => None,
            };
            if self.is(F::CommandNotRolledBack)
                && let Some((step, _)) = refused
            {
                self.keep_partial_command(s, &d, step).await;
            }
            if self.is(F::DuelSettleUnchecked)
                && let Some((step, Refusal::Store(StoreError::InsufficientPoints { .. }))) = refused
            {
                self.settle_unchecked(s, &d, step).await;
            }
            if self.is(F::LiveStateSetGlobal) {
                self.spread_live(s, &d, refused.is_none()).await;
            }
        }
        Ok(out)
    }
    async fn delivery_seen(&self, s: StreamerId, id: &DeliveryId) -> StoreResult<bool> {
        self.note("delivery_seen");
        let own = self.inner.delivery_seen(s, id).await?;
        if !own && self.is(F::DeliverySeenAnyTenant) {
            for o in self.others(s).await {
                if self.inner.delivery_seen(o, id).await? {
                    return Ok(true);
                }
            }
        }
        Ok(own)
    }
    async fn purge_deliveries(&self, s: StreamerId, before: Timestamp) -> StoreResult<u64> {
        self.note("purge_deliveries");
        let mut n = self.inner.purge_deliveries(s, before).await?;
        if self.is(F::PurgeDeliveriesAllTenants) {
            for o in self.others(s).await {
                n += self.inner.purge_deliveries(o, before).await?;
            }
        }
        Ok(n)
    }
    async fn get_stream_state(&self, s: StreamerId) -> StoreResult<StreamState> {
        self.note("get_stream_state");
        if self.is(F::StreamStateFirstRow) {
            // `SELECT live, changed_at FROM stream_state LIMIT 1`: the oldest row, anyone's.
            for o in self.all_streamers().await {
                let state = self.inner.get_stream_state(o).await?;
                if state.changed_at.is_some() {
                    return Ok(state);
                }
            }
        }
        self.inner.get_stream_state(s).await
    }
    async fn award_watch_minute(&self, s: StreamerId, m: WatchMinute) -> StoreResult<WatchAward> {
        self.note("award_watch_minute");
        if self.is(F::WatchMinuteGlobal)
            && valid_minute(&m)
            && matches!(self.inner.get_stream_state(s).await, Ok(st) if st.live)
            && self
                .minutes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(&m.minute)
        {
            return Ok(WatchAward::AlreadyAwarded);
        }
        let out = self.inner.award_watch_minute(s, m.clone()).await?;
        if let WatchAward::Awarded { viewers } = &out {
            if self.is(F::WatchMinuteGlobal) {
                self.minutes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(m.minute);
            }
            if self.is(F::WatchAwardReachesNamesakes) {
                for o in self.others(s).await {
                    for v in viewers {
                        if let Ok(Some(u)) = self.inner.get_user_by_username(o, &v.username).await {
                            let _ = self
                                .inner
                                .earn_points(o, u.id, PointDelta::new(m.amount, PointSource::Watch))
                                .await;
                        }
                    }
                }
            }
        }
        Ok(out)
    }
    async fn list_duels(&self, s: StreamerId) -> StoreResult<Vec<Duel>> {
        self.note("list_duels");
        let mut own = self.inner.list_duels(s).await?;
        if self.is(F::DuelsListIncludeOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_duels(o).await?);
            }
        }
        Ok(own)
    }
    async fn get_kick_viewer(&self, s: StreamerId, k: i64) -> StoreResult<Option<User>> {
        self.note("get_kick_viewer");
        let own = self.inner.get_kick_viewer(s, k).await?;
        if own.is_none() && self.is(F::KickViewerReadAnyTenant) {
            for o in self.others(s).await {
                if let Some(u) = self.inner.get_kick_viewer(o, k).await? {
                    return Ok(Some(u));
                }
            }
        }
        Ok(own)
    }
    async fn get_economy_config(&self, s: StreamerId) -> StoreResult<EconomyConfig> {
        self.note("get_economy_config");
        let own = self.inner.get_economy_config(s).await?;
        if own == EconomyConfig::default() && self.is(F::EconomyConfigFallsBack) {
            for o in self.others(s).await {
                let theirs = self.inner.get_economy_config(o).await?;
                if theirs != own {
                    return Ok(theirs);
                }
            }
        }
        Ok(own)
    }
    async fn set_economy_config(
        &self,
        s: StreamerId,
        c: EconomyConfig,
    ) -> StoreResult<EconomyConfig> {
        self.note("set_economy_config");
        if self.is(F::EconomyConfigSetGlobal) && c.validate().is_ok() {
            for o in self.others(s).await {
                let _ = self.inner.set_economy_config(o, c.clone()).await;
            }
        }
        self.inner.set_economy_config(s, c).await
    }
}
