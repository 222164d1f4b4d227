//! Kick: deliveries applied exactly once, the live state, watch minutes, duels and the economy.
//!
//! A delivery runs on a copy of the whole state, kept only when the delivery commits: its
//! effects first (an error drops the copy), then its command on a second copy (a refusal goes
//! back to the state after the effects), then its id. The model's one lock makes every call
//! atomic, so two servers racing over a delivery or a minute cannot both apply it.

use super::ModelStore;
use super::kick_steps::run_step;
use async_trait::async_trait;
use datastore::{
    CommandOutcome, Delivery, DeliveryId, DeliveryOutcome, Duel, EconomyConfig, EventData,
    KickStore, PointSource, StoreResult, StreamState, StreamerId, Timestamp, User, WatchAward,
    WatchMinute, validate,
};

#[async_trait]
impl KickStore for ModelStore {
    async fn apply_delivery(
        &self,
        streamer: StreamerId,
        delivery: Delivery,
    ) -> StoreResult<DeliveryOutcome> {
        delivery.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        if st.owner(streamer)?.deliveries.contains_key(&delivery.id) {
            return Ok(DeliveryOutcome::Duplicate);
        }
        let mut work = st.clone();
        let mut effects = Vec::with_capacity(delivery.effects.len());
        for step in &delivery.effects {
            let result = run_step(&mut work, streamer, step, now).map_err(|r| r.into_error())?;
            effects.push(result);
        }
        let command = if delivery.command.is_empty() {
            None
        } else {
            let after_effects = work.clone();
            let mut results = Vec::with_capacity(delivery.command.len());
            let mut refused = None;
            for (i, step) in delivery.command.iter().enumerate() {
                match run_step(&mut work, streamer, step, now) {
                    Ok(r) => results.push(r),
                    Err(r) => {
                        refused = Some(CommandOutcome::Refused {
                            step: i,
                            refusal: r.0,
                        });
                        break;
                    }
                }
            }
            match refused {
                Some(outcome) => {
                    work = after_effects;
                    Some(outcome)
                }
                None => Some(CommandOutcome::Done { results }),
            }
        };
        work.owner(streamer)?.deliveries.insert(delivery.id, now);
        *st = work;
        Ok(DeliveryOutcome::Applied { effects, command })
    }

    async fn delivery_seen(&self, streamer: StreamerId, id: &DeliveryId) -> StoreResult<bool> {
        Ok(self
            .state()
            .tenant(streamer)
            .is_some_and(|t| t.deliveries.contains_key(id)))
    }

    async fn purge_deliveries(&self, streamer: StreamerId, before: Timestamp) -> StoreResult<u64> {
        let horizon = WatchMinute::purge_horizon(before, self.clock.now());
        let mut st = self.state();
        Ok(st.tenants.get_mut(&streamer).map_or(0, |t| {
            t.watch_minutes.retain(|m| *m >= horizon);
            let n = t.deliveries.len();
            t.deliveries.retain(|_, at| *at >= before);
            (n - t.deliveries.len()) as u64
        }))
    }

    async fn get_stream_state(&self, streamer: StreamerId) -> StoreResult<StreamState> {
        Ok(self.state().tenant(streamer).map_or(
            StreamState {
                live: false,
                changed_at: None,
            },
            |t| t.stream.clone(),
        ))
    }

    async fn award_watch_minute(
        &self,
        streamer: StreamerId,
        minute: WatchMinute,
    ) -> StoreResult<WatchAward> {
        let now = self.clock.now();
        minute.validate(now)?;
        let mut st = self.state();
        let t = st.owner(streamer)?;
        if !t.stream.live {
            return Ok(WatchAward::NotLive);
        }
        if t.watch_minutes.contains(&minute.minute) {
            return Ok(WatchAward::AlreadyAwarded);
        }
        let since = now.checked_sub(minute.window).unwrap_or(Timestamp::MIN);
        // Every recent chatter, by id; all balances checked before anything changes.
        // A chatter the award would push past the balance limit is left out.
        let chatters: Vec<_> = t
            .chatters
            .iter()
            .filter(|(u, at)| **at >= since && t.users.contains_key(u))
            .map(|(u, _)| *u)
            .filter(|u| {
                validate::add_to_balance("amount", t.points_of(*u).channel_points, minute.amount)
                    .is_ok()
            })
            .collect();
        let mut balances = Vec::with_capacity(chatters.len());
        for &u in &chatters {
            let current = t.points_of(u).channel_points;
            balances.push(validate::add_to_balance("amount", current, minute.amount)?);
        }
        t.watch_minutes.insert(minute.minute);
        for (&u, balance) in chatters.iter().zip(balances) {
            st.move_points(
                streamer,
                u,
                balance,
                minute.amount,
                PointSource::Watch,
                None,
                now,
            );
        }
        let t = st.owner(streamer)?;
        let viewers: Vec<_> = chatters.iter().map(|&u| t.balances(u)).collect();
        t.record(
            now,
            viewers.iter().map(|v| EventData::PointsChanged {
                viewer: v.clone(),
                amount: minute.amount,
                source: PointSource::Watch,
                description: None,
            }),
        );
        Ok(WatchAward::Awarded { viewers })
    }

    async fn list_duels(&self, streamer: StreamerId) -> StoreResult<Vec<Duel>> {
        let now = self.clock.now();
        Ok(self.state().tenant(streamer).map_or_else(Vec::new, |t| {
            t.duels
                .iter()
                .filter(|d| d.expires_at > now)
                .map(|d| t.duel_view(d))
                .collect()
        }))
    }

    async fn get_kick_viewer(
        &self,
        streamer: StreamerId,
        kick_user_id: i64,
    ) -> StoreResult<Option<User>> {
        Ok(self.state().tenant(streamer).and_then(|t| {
            t.kick_links
                .get(&kick_user_id)
                .and_then(|u| t.users.get(u))
                .cloned()
        }))
    }

    async fn get_economy_config(&self, streamer: StreamerId) -> StoreResult<EconomyConfig> {
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.economy.clone())
            .unwrap_or_default())
    }

    async fn set_economy_config(
        &self,
        streamer: StreamerId,
        config: EconomyConfig,
    ) -> StoreResult<EconomyConfig> {
        config.validate()?;
        let mut st = self.state();
        st.owner(streamer)?.economy = Some(config.clone());
        Ok(config)
    }
}
