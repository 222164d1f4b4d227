use super::{ModelStore, Tenant};
use async_trait::async_trait;
use datastore::{
    Cooldown, CooldownCheck, CooldownStore, StoreError, StoreResult, StreamerId, Timestamp, UserId,
    validate,
};
use std::time::Duration;

impl Tenant {
    /// The atomic check-and-set of `check_cooldown`, arguments already checked.
    pub(super) fn cooldown(
        &mut self,
        user: UserId,
        command: &str,
        cooldown: Duration,
        now: Timestamp,
    ) -> StoreResult<CooldownCheck> {
        let key = (user, command.to_owned());
        if let Some(c) = self.cooldowns.get(&key)
            && c.expires_at > now
        {
            return Ok(CooldownCheck::Active {
                remaining_ms: c.expires_at.saturating_since(now).as_millis() as u64,
            });
        }
        let expires_at = now
            .checked_add(cooldown)
            .ok_or_else(|| StoreError::invalid("cooldown", "ends after the year 9999"))?;
        self.cooldowns.insert(
            key,
            Cooldown {
                user_id: user,
                command: command.to_owned(),
                last_used_at: now,
                expires_at,
            },
        );
        Ok(CooldownCheck::Ready)
    }
}

#[async_trait]
impl CooldownStore for ModelStore {
    async fn check_cooldown(
        &self,
        streamer: StreamerId,
        user: UserId,
        command: &str,
        cooldown: Duration,
    ) -> StoreResult<CooldownCheck> {
        validate::command(command)?;
        validate::cooldown(cooldown)?;
        let now = self.clock.now();
        let mut st = self.state();
        st.user_tenant(streamer, user)?
            .cooldown(user, command, cooldown, now)
    }

    async fn purge_expired_cooldowns(&self, streamer: StreamerId) -> StoreResult<u64> {
        let now = self.clock.now();
        let mut st = self.state();
        Ok(st.tenants.get_mut(&streamer).map_or(0, |t| {
            let before = t.cooldowns.len();
            t.cooldowns.retain(|_, c| c.expires_at > now);
            (before - t.cooldowns.len()) as u64
        }))
    }
}
