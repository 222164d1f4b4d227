use super::ModelStore;
use async_trait::async_trait;
use datastore::{
    AdminKey, ConflictKind, NewUserSession, OverlayKey, Resource, SessionStore, StoreError,
    StoreResult, StreamerId, StreamerSession, Timestamp, TokenHash, UserSession,
};

#[async_trait]
impl SessionStore for ModelStore {
    async fn create_user_session(
        &self,
        streamer: StreamerId,
        session: NewUserSession,
    ) -> StoreResult<UserSession> {
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.user_tenant(streamer, session.user_id)?;
        if t.user_sessions.contains_key(&session.token_hash) {
            return Err(StoreError::conflict(ConflictKind::SessionToken));
        }
        let s = UserSession {
            token_hash: session.token_hash,
            user_id: session.user_id,
            created_at: now,
            expires_at: session.expires_at,
        };
        t.user_sessions.insert(s.token_hash, s.clone());
        Ok(s)
    }

    async fn get_user_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<Option<UserSession>> {
        let now = self.clock.now();
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.user_sessions.get(token_hash))
            .filter(|s| s.expires_at > now)
            .cloned())
    }

    async fn delete_user_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<()> {
        let mut st = self.state();
        st.tenant_for(streamer, Resource::UserSession)?
            .user_sessions
            .remove(token_hash)
            .map(|_| ())
            .ok_or(StoreError::not_found(Resource::UserSession))
    }

    async fn purge_expired_user_sessions(&self, streamer: StreamerId) -> StoreResult<u64> {
        let now = self.clock.now();
        let mut st = self.state();
        Ok(st.tenants.get_mut(&streamer).map_or(0, |t| {
            let before = t.user_sessions.len();
            t.user_sessions.retain(|_, s| s.expires_at > now);
            (before - t.user_sessions.len()) as u64
        }))
    }

    async fn create_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
        expires_at: Timestamp,
    ) -> StoreResult<StreamerSession> {
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.owner(streamer)?;
        if t.streamer_sessions.contains_key(token_hash) {
            return Err(StoreError::conflict(ConflictKind::SessionToken));
        }
        let s = StreamerSession {
            token_hash: *token_hash,
            created_at: now,
            expires_at,
        };
        t.streamer_sessions.insert(*token_hash, s.clone());
        Ok(s)
    }

    async fn get_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<Option<StreamerSession>> {
        let now = self.clock.now();
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.streamer_sessions.get(token_hash))
            .filter(|s| s.expires_at > now)
            .cloned())
    }

    async fn delete_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<()> {
        let mut st = self.state();
        st.tenant_for(streamer, Resource::StreamerSession)?
            .streamer_sessions
            .remove(token_hash)
            .map(|_| ())
            .ok_or(StoreError::not_found(Resource::StreamerSession))
    }

    async fn purge_expired_streamer_sessions(&self, streamer: StreamerId) -> StoreResult<u64> {
        let now = self.clock.now();
        let mut st = self.state();
        Ok(st.tenants.get_mut(&streamer).map_or(0, |t| {
            let before = t.streamer_sessions.len();
            t.streamer_sessions.retain(|_, s| s.expires_at > now);
            (before - t.streamer_sessions.len()) as u64
        }))
    }

    async fn set_admin_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<AdminKey> {
        let now = self.clock.now();
        let mut st = self.state();
        let key = AdminKey {
            key_hash: *key_hash,
            created_at: now,
        };
        st.owner(streamer)?.admin_key = Some(key.clone());
        Ok(key)
    }

    async fn check_admin_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<bool> {
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.admin_key.as_ref())
            .is_some_and(|k| k.key_hash == *key_hash))
    }

    async fn set_overlay_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<OverlayKey> {
        let now = self.clock.now();
        let mut st = self.state();
        let key = OverlayKey {
            key_hash: *key_hash,
            created_at: now,
        };
        st.owner(streamer)?.overlay_key = Some(key.clone());
        Ok(key)
    }

    async fn check_overlay_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<bool> {
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.overlay_key.as_ref())
            .is_some_and(|k| k.key_hash == *key_hash))
    }
}
