use super::{ModelStore, Tenant, next};
use async_trait::async_trait;
use datastore::{
    ConflictKind, NewStreamer, Resource, StoreError, StoreResult, Streamer, StreamerId,
    StreamerStore, StreamerUpdate, default_powerups,
};

#[async_trait]
impl StreamerStore for ModelStore {
    async fn create_streamer(&self, new: NewStreamer) -> StoreResult<Streamer> {
        new.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let taken = |f: &dyn Fn(&Streamer) -> bool| st.tenants.values().any(|t| f(&t.streamer));
        if taken(&|s| s.username.eq_ignore_ascii_case(&new.username)) {
            return Err(StoreError::conflict(ConflictKind::StreamerUsername));
        }
        if new.kick_user_id.is_some() && taken(&|s| s.kick_user_id == new.kick_user_id) {
            return Err(StoreError::conflict(ConflictKind::KickUserId));
        }
        let id = StreamerId(next(&mut st.ids.streamer));
        let streamer = Streamer {
            id,
            display_name: new.display_name.unwrap_or_else(|| new.username.clone()),
            username: new.username,
            kick_user_id: new.kick_user_id,
            avatar_url: new.avatar_url,
            created_at: now,
            updated_at: now,
        };
        let mut tenant = Tenant::new(streamer.clone());
        for (kind, c) in default_powerups() {
            tenant.powerups.insert(kind, c.into_config(kind, now, now));
        }
        st.tenants.insert(id, tenant);
        Ok(streamer)
    }

    async fn get_streamer(&self, id: StreamerId) -> StoreResult<Option<Streamer>> {
        Ok(self.state().tenant(id).map(|t| t.streamer.clone()))
    }

    async fn get_streamer_by_username(&self, username: &str) -> StoreResult<Option<Streamer>> {
        Ok(self
            .state()
            .tenants
            .values()
            .find(|t| t.streamer.username.eq_ignore_ascii_case(username))
            .map(|t| t.streamer.clone()))
    }

    async fn get_streamer_by_kick_user_id(
        &self,
        kick_user_id: i64,
    ) -> StoreResult<Option<Streamer>> {
        Ok(self
            .state()
            .tenants
            .values()
            .find(|t| t.streamer.kick_user_id == Some(kick_user_id))
            .map(|t| t.streamer.clone()))
    }

    async fn update_streamer(
        &self,
        id: StreamerId,
        update: StreamerUpdate,
    ) -> StoreResult<Streamer> {
        update.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        if !st.tenants.contains_key(&id) {
            return Err(StoreError::not_found(Resource::Streamer));
        }
        let others = || st.tenants.values().filter(|t| t.streamer.id != id);
        if let Some(name) = &update.username
            && others().any(|t| t.streamer.username.eq_ignore_ascii_case(name))
        {
            return Err(StoreError::conflict(ConflictKind::StreamerUsername));
        }
        if let Some(Some(k)) = update.kick_user_id
            && others().any(|t| t.streamer.kick_user_id == Some(k))
        {
            return Err(StoreError::conflict(ConflictKind::KickUserId));
        }
        let s = &mut st.owner(id)?.streamer;
        if let Some(v) = update.username {
            s.username = v;
        }
        if let Some(v) = update.display_name {
            s.display_name = v;
        }
        if let Some(v) = update.kick_user_id {
            s.kick_user_id = v;
        }
        if let Some(v) = update.avatar_url {
            s.avatar_url = v;
        }
        s.updated_at = now;
        Ok(s.clone())
    }

    async fn list_streamers(&self) -> StoreResult<Vec<Streamer>> {
        Ok(self
            .state()
            .tenants
            .values()
            .map(|t| t.streamer.clone())
            .collect())
    }

    async fn list_live_streamers(&self) -> StoreResult<Vec<StreamerId>> {
        Ok(self
            .state()
            .tenants
            .iter()
            .filter(|(_, t)| t.stream.live)
            .map(|(id, _)| *id)
            .collect())
    }

    async fn delete_streamer(&self, id: StreamerId) -> StoreResult<()> {
        self.state()
            .tenants
            .remove(&id)
            .map(|_| ())
            .ok_or(StoreError::not_found(Resource::Streamer))
    }
}
