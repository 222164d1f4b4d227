use super::ModelStore;
use async_trait::async_trait;
use datastore::{
    MAX_FAILED_REDEMPTIONS, MAX_LIVE_CODES, NewVerificationCode, Redemption, Resource, StoreError,
    StoreResult, StreamerId, TokenHash, VerificationCode, VerificationStore,
};

fn matches(c: &VerificationCode, username: &str, code: &str) -> bool {
    c.username.eq_ignore_ascii_case(username) && c.code == code
}

#[async_trait]
impl VerificationStore for ModelStore {
    async fn create_verification_code(
        &self,
        streamer: StreamerId,
        new: NewVerificationCode,
    ) -> StoreResult<VerificationCode> {
        new.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let seq = st.ids.verification + 1;
        let t = st.owner(streamer)?;
        forget_where(t, |_, c| {
            c.username.eq_ignore_ascii_case(&new.username) && c.expires_at <= now
        });
        let (issued_seq, issued) = if let Some((seq, c)) = t
            .verification
            .iter_mut()
            .find(|(_, c)| matches(c, &new.username, &new.code))
        {
            c.expires_at = new.expires_at;
            (*seq, c.clone())
        } else {
            let c = VerificationCode {
                username: new.username.clone(),
                code: new.code,
                verified: false,
                created_at: now,
                expires_at: new.expires_at,
            };
            t.verification.push((seq, c.clone()));
            t.code_secrets.insert(seq, (new.secret_hash, 0));
            st.ids.verification = seq;
            (seq, c)
        };
        let t = st.owner(streamer)?;
        let mut others: Vec<(bool, u64)> = t
            .verification
            .iter()
            .filter(|(s, c)| *s != issued_seq && c.username.eq_ignore_ascii_case(&new.username))
            .map(|(s, c)| (c.verified, *s))
            .collect();
        // The oldest unconfirmed first, then the oldest confirmed.
        others.sort();
        let over = (others.len() + 1).saturating_sub(MAX_LIVE_CODES);
        let dropped: Vec<u64> = others.iter().take(over).map(|(_, s)| *s).collect();
        forget_where(t, |s, _| dropped.contains(&s));
        Ok(issued)
    }

    async fn get_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
    ) -> StoreResult<Option<VerificationCode>> {
        let now = self.clock.now();
        Ok(self.state().tenant(streamer).and_then(|t| {
            t.verification
                .iter()
                .map(|(_, c)| c)
                .find(|c| matches(c, username, code) && c.expires_at > now)
                .cloned()
        }))
    }

    async fn latest_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<Option<VerificationCode>> {
        let now = self.clock.now();
        Ok(self.state().tenant(streamer).and_then(|t| {
            t.verification
                .iter()
                .filter(|(_, c)| c.username.eq_ignore_ascii_case(username) && c.expires_at > now)
                .max_by_key(|(seq, _)| *seq)
                .map(|(_, c)| c.clone())
        }))
    }

    async fn mark_verification_code_verified(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
    ) -> StoreResult<VerificationCode> {
        let now = self.clock.now();
        let mut st = self.state();
        st.tenant_for(streamer, Resource::VerificationCode)?
            .mark_verified(username, code, now)
    }

    async fn delete_verification_codes(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<u64> {
        let mut st = self.state();
        Ok(st.tenants.get_mut(&streamer).map_or(0, |t| {
            forget_where(t, |_, c| c.username.eq_ignore_ascii_case(username))
        }))
    }

    async fn redeem_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
        secret_hash: &TokenHash,
    ) -> StoreResult<Redemption> {
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.tenant_for(streamer, Resource::VerificationCode)?;
        let (seq, verified) = t
            .verification
            .iter()
            .find(|(_, c)| matches(c, username, code) && c.expires_at > now)
            .map(|(s, c)| (*s, c.verified))
            .ok_or(StoreError::not_found(Resource::VerificationCode))?;
        let (stored, failed) = t
            .code_secrets
            .get(&seq)
            .copied()
            .unwrap_or((TokenHash([0; 32]), 0));
        if stored != *secret_hash {
            let failed = failed.saturating_add(1);
            if failed >= MAX_FAILED_REDEMPTIONS {
                forget_where(t, |s, _| s == seq);
            } else {
                t.code_secrets.insert(seq, (stored, failed));
            }
            return Ok(Redemption::WrongSecret {
                attempts_left: MAX_FAILED_REDEMPTIONS.saturating_sub(failed),
            });
        }
        if !verified {
            return Ok(Redemption::NotConfirmed);
        }
        forget_where(t, |_, c| c.username.eq_ignore_ascii_case(username));
        Ok(Redemption::Redeemed)
    }

    async fn purge_expired_verification_codes(&self, streamer: StreamerId) -> StoreResult<u64> {
        let now = self.clock.now();
        let mut st = self.state();
        Ok(st
            .tenants
            .get_mut(&streamer)
            .map_or(0, |t| forget_where(t, |_, c| c.expires_at <= now)))
    }
}

impl super::Tenant {
    /// Marks the unexpired code `code` of `username` verified (`mark_verification_code_verified`).
    pub(super) fn mark_verified(
        &mut self,
        username: &str,
        code: &str,
        now: datastore::Timestamp,
    ) -> StoreResult<VerificationCode> {
        let (_, c) = self
            .verification
            .iter_mut()
            .find(|(_, c)| matches(c, username, code) && c.expires_at > now)
            .ok_or(StoreError::not_found(Resource::VerificationCode))?;
        c.verified = true;
        Ok(c.clone())
    }
}

/// Deletes the codes `doomed` picks (by issue number and code), with their secrets; how many.
fn forget_where(t: &mut super::Tenant, doomed: impl Fn(u64, &VerificationCode) -> bool) -> u64 {
    let gone: Vec<u64> = t
        .verification
        .iter()
        .filter(|(s, c)| doomed(*s, c))
        .map(|(s, _)| *s)
        .collect();
    t.verification.retain(|(s, _)| !gone.contains(s));
    for s in &gone {
        t.code_secrets.remove(s);
    }
    gone.len() as u64
}
