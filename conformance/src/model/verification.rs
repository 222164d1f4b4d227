use super::ModelStore;
use async_trait::async_trait;
use datastore::{
    NewVerificationCode, Resource, StoreError, StoreResult, StreamerId, VerificationCode,
    VerificationStore,
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
        if let Some((_, c)) = t
            .verification
            .iter_mut()
            .find(|(_, c)| matches(c, &new.username, &new.code))
        {
            c.expires_at = new.expires_at;
            return Ok(c.clone());
        }
        let c = VerificationCode {
            username: new.username,
            code: new.code,
            verified: false,
            created_at: now,
            expires_at: new.expires_at,
        };
        t.verification.push((seq, c.clone()));
        st.ids.verification = seq;
        Ok(c)
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
        let t = st.tenant_for(streamer, Resource::VerificationCode)?;
        let (_, c) = t
            .verification
            .iter_mut()
            .find(|(_, c)| matches(c, username, code) && c.expires_at > now)
            .ok_or(StoreError::not_found(Resource::VerificationCode))?;
        c.verified = true;
        Ok(c.clone())
    }

    async fn delete_verification_codes(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<u64> {
        let mut st = self.state();
        Ok(st.tenants.get_mut(&streamer).map_or(0, |t| {
            let before = t.verification.len();
            t.verification
                .retain(|(_, c)| !c.username.eq_ignore_ascii_case(username));
            (before - t.verification.len()) as u64
        }))
    }
}
