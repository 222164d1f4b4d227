use super::{ModelStore, next};
use async_trait::async_trait;
use datastore::{
    EventData, Page, PageRequest, ProfileUpdate, Resource, StoreError, StoreResult, StreamerId,
    User, UserId, UserLookup, UserStore, UserWithPoints, validate,
};

#[async_trait]
impl UserStore for ModelStore {
    async fn get_or_create_user(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<UserLookup> {
        validate::username(username)?;
        let now = self.clock.now();
        let mut st = self.state();
        let id = UserId(st.ids.user + 1);
        let t = st.owner(streamer)?;
        if let Some(u) = t.user_by_name(username) {
            return Ok(UserLookup {
                user: u.clone(),
                created: false,
            });
        }
        let user = User {
            id,
            streamer_id: streamer,
            username: username.to_owned(),
            voice_id: None,
            drop_image: None,
            country: None,
            created_at: now,
            updated_at: now,
        };
        t.users.insert(id, user.clone());
        next(&mut st.ids.user);
        Ok(UserLookup {
            user,
            created: true,
        })
    }

    async fn get_user(&self, streamer: StreamerId, user: UserId) -> StoreResult<Option<User>> {
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.users.get(&user).cloned()))
    }

    async fn get_user_by_username(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<Option<User>> {
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.user_by_name(username).cloned()))
    }

    async fn update_user_profile(
        &self,
        streamer: StreamerId,
        user: UserId,
        update: ProfileUpdate,
    ) -> StoreResult<User> {
        let update = update.validated()?;
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.user_tenant(streamer, user)?;
        let u = t
            .users
            .get_mut(&user)
            .ok_or(StoreError::not_found(Resource::User))?;
        if let Some(v) = update.voice_id {
            u.voice_id = v;
        }
        if let Some(v) = update.drop_image {
            u.drop_image = v;
        }
        if let Some(v) = update.country {
            u.country = v;
        }
        u.updated_at = now;
        let u = u.clone();
        t.record(now, [EventData::ViewerChanged { user: u.clone() }]);
        Ok(u)
    }

    async fn delete_user(&self, streamer: StreamerId, user: UserId) -> StoreResult<()> {
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.user_tenant(streamer, user)?;
        t.users.remove(&user);
        t.points.remove(&user);
        t.ledger.retain(|_, r| r.user_id != user);
        t.inventory.retain(|(u, _), _| *u != user);
        t.purchases.retain(|r| r.user_id != user);
        t.drops.retain(|r| r.user_id != user);
        t.cooldowns.retain(|(u, _), _| *u != user);
        t.user_sessions.retain(|_, r| r.user_id != user);
        t.kick_links.retain(|_, u| *u != user);
        t.chatters.remove(&user);
        t.duels
            .retain(|d| d.challenger != user && d.opponent != user);
        t.forget_viewer(user);
        t.record(now, [EventData::ViewerRemoved { user_id: user }]);
        Ok(())
    }

    async fn list_users_with_points(
        &self,
        streamer: StreamerId,
        page: PageRequest,
    ) -> StoreResult<Page<UserWithPoints>> {
        validate::limit(page.limit)?;
        let st = self.state();
        let Some(t) = st.tenant(streamer) else {
            return Ok(Page {
                items: vec![],
                total: 0,
            });
        };
        let items = t
            .users
            .values()
            .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
            .take(page.limit as usize)
            .map(|u| UserWithPoints {
                user: u.clone(),
                points: t.points_of(u.id),
            })
            .collect();
        Ok(Page {
            items,
            total: t.users.len() as u64,
        })
    }

    async fn count_users(&self, streamer: StreamerId) -> StoreResult<u64> {
        Ok(self
            .state()
            .tenant(streamer)
            .map_or(0, |t| t.users.len() as u64))
    }
}
