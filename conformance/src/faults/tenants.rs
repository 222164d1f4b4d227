//! Faulty streamer and user operations.

use super::{Fault as F, Faulty};
use async_trait::async_trait;
use datastore::*;

#[async_trait]
impl StreamerStore for Faulty {
    async fn create_streamer(&self, new: NewStreamer) -> StoreResult<Streamer> {
        self.note("create_streamer");
        self.inner.create_streamer(new).await
    }
    async fn get_streamer(&self, id: StreamerId) -> StoreResult<Option<Streamer>> {
        self.note("get_streamer");
        self.inner.get_streamer(id).await
    }
    async fn get_streamer_by_username(&self, username: &str) -> StoreResult<Option<Streamer>> {
        self.note("get_streamer_by_username");
        self.inner.get_streamer_by_username(username).await
    }
    async fn get_streamer_by_kick_user_id(&self, k: i64) -> StoreResult<Option<Streamer>> {
        self.note("get_streamer_by_kick_user_id");
        self.inner.get_streamer_by_kick_user_id(k).await
    }
    async fn update_streamer(&self, id: StreamerId, u: StreamerUpdate) -> StoreResult<Streamer> {
        self.note("update_streamer");
        if self.is(F::UpdateStreamerTouchesAll)
            && let Some(d) = &u.display_name
        {
            for o in self.others(id).await {
                let patch = StreamerUpdate {
                    display_name: Some(d.clone()),
                    ..Default::default()
                };
                let _ = self.inner.update_streamer(o, patch).await;
            }
        }
        self.inner.update_streamer(id, u).await
    }
    async fn list_streamers(&self) -> StoreResult<Vec<Streamer>> {
        self.note("list_streamers");
        self.inner.list_streamers().await
    }
    async fn list_live_streamers(&self) -> StoreResult<Vec<StreamerId>> {
        self.note("list_live_streamers");
        let live = self.inner.list_live_streamers().await?;
        if self.is(F::LiveListUncorrelated) && !live.is_empty() {
            return Ok(self.all_streamers().await);
        }
        Ok(live)
    }
    async fn delete_streamer(&self, id: StreamerId) -> StoreResult<()> {
        self.note("delete_streamer");
        if self.is(F::DeletedNamesakeInherits)
            && let Ok(Some(e)) = self.inner.export_streamer(id).await
        {
            let name = e.streamer.username.to_ascii_lowercase();
            self.graveyard
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((name, e.oauth_tokens));
        }
        if self.is(F::DeleteStreamerTakesSameNamedUsers)
            && let Ok(Some(e)) = self.inner.export_streamer(id).await
        {
            for o in self.others(id).await {
                for u in &e.users {
                    if let Ok(Some(v)) = self.inner.get_user_by_username(o, &u.username).await {
                        let _ = self.inner.delete_user(o, v.id).await;
                    }
                }
            }
        }
        self.inner.delete_streamer(id).await
    }
}

#[async_trait]
impl UserStore for Faulty {
    async fn get_or_create_user(&self, s: StreamerId, name: &str) -> StoreResult<UserLookup> {
        self.note("get_or_create_user");
        if self.is(F::UsernamesGlobal) {
            for o in self.others(s).await {
                if let Ok(Some(user)) = self.inner.get_user_by_username(o, name).await {
                    return Ok(UserLookup {
                        user,
                        created: false,
                    });
                }
            }
        }
        self.inner.get_or_create_user(s, name).await
    }
    async fn get_user(&self, s: StreamerId, u: UserId) -> StoreResult<Option<User>> {
        self.note("get_user");
        let s = if self.is(F::UserReadAnyTenant) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.get_user(s, u).await
    }
    async fn get_user_by_username(&self, s: StreamerId, n: &str) -> StoreResult<Option<User>> {
        self.note("get_user_by_username");
        let own = self.inner.get_user_by_username(s, n).await?;
        if own.is_none() && self.is(F::UsernameLookupAnyTenant) {
            for o in self.others(s).await {
                if let Ok(Some(u)) = self.inner.get_user_by_username(o, n).await {
                    return Ok(Some(u));
                }
            }
        }
        Ok(own)
    }
    async fn update_user_profile(
        &self,
        s: StreamerId,
        u: UserId,
        p: ProfileUpdate,
    ) -> StoreResult<User> {
        self.note("update_user_profile");
        if self.is(F::ForeignUserErrorLeaks) && self.is_foreign(s, u).await {
            return Err(StoreError::invalid("user", "belongs to another streamer"));
        }
        let s = if self.is(F::ProfileUpdateLandsInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.update_user_profile(s, u, p).await
    }
    async fn delete_user(&self, s: StreamerId, u: UserId) -> StoreResult<()> {
        self.note("delete_user");
        if self.is(F::ForeignUserErrorLeaks) && self.is_foreign(s, u).await {
            return Err(StoreError::invalid("user", "belongs to another streamer"));
        }
        let s = if self.is(F::UserDeleteLandsInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.delete_user(s, u).await
    }
    async fn list_users_with_points(
        &self,
        s: StreamerId,
        page: PageRequest,
    ) -> StoreResult<Page<UserWithPoints>> {
        self.note("list_users_with_points");
        let mut own = self.inner.list_users_with_points(s, page).await?;
        if self.is(F::UserListIncludesOthers) || self.is(F::PageTotalLeaks) {
            for o in self.others(s).await {
                let theirs = self.inner.list_users_with_points(o, page).await?;
                own.total += theirs.total;
                if self.is(F::UserListIncludesOthers) {
                    own.items.extend(theirs.items);
                }
            }
        }
        Ok(own)
    }
    async fn count_users(&self, s: StreamerId) -> StoreResult<u64> {
        self.note("count_users");
        let mut n = self.inner.count_users(s).await?;
        if self.is(F::CountIncludesOthers) {
            for o in self.others(s).await {
                n += self.inner.count_users(o).await?;
            }
        }
        Ok(n)
    }
}
