//! [`Faulty`]'s trait implementations: every method delegates, except where its fault bites.

use super::{Fault as F, Faulty};
use async_trait::async_trait;
use datastore::*;
use serde_json::Value;
use std::time::Duration;

#[async_trait]
impl StreamerStore for Faulty {
    async fn create_streamer(&self, new: NewStreamer) -> StoreResult<Streamer> {
        self.inner.create_streamer(new).await
    }
    async fn get_streamer(&self, id: StreamerId) -> StoreResult<Option<Streamer>> {
        self.inner.get_streamer(id).await
    }
    async fn get_streamer_by_username(&self, username: &str) -> StoreResult<Option<Streamer>> {
        self.inner.get_streamer_by_username(username).await
    }
    async fn get_streamer_by_kick_user_id(&self, k: i64) -> StoreResult<Option<Streamer>> {
        self.inner.get_streamer_by_kick_user_id(k).await
    }
    async fn update_streamer(&self, id: StreamerId, u: StreamerUpdate) -> StoreResult<Streamer> {
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
        self.inner.list_streamers().await
    }
    async fn delete_streamer(&self, id: StreamerId) -> StoreResult<()> {
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
        let s = if self.is(F::UserReadAnyTenant) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.get_user(s, u).await
    }
    async fn get_user_by_username(&self, s: StreamerId, n: &str) -> StoreResult<Option<User>> {
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
        let mut n = self.inner.count_users(s).await?;
        if self.is(F::CountIncludesOthers) {
            for o in self.others(s).await {
                n += self.inner.count_users(o).await?;
            }
        }
        Ok(n)
    }
}

#[async_trait]
impl PointStore for Faulty {
    async fn get_points(&self, s: StreamerId, u: UserId) -> StoreResult<Option<Points>> {
        let s = if self.is(F::PointsReadAnyTenant) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.get_points(s, u).await
    }
    async fn earn_points(&self, s: StreamerId, u: UserId, d: PointDelta) -> StoreResult<Points> {
        if self.is(F::ForeignUserErrorLeaks) && self.is_foreign(s, u).await {
            return Err(StoreError::invalid("user", "belongs to another streamer"));
        }
        let s = if self.is(F::EarnLandsInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.earn_points(s, u, d).await
    }
    async fn spend_points(&self, s: StreamerId, u: UserId, d: PointDelta) -> StoreResult<Points> {
        let s = if self.is(F::SpendLandsInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.spend_points(s, u, d).await
    }
    async fn set_points(&self, s: StreamerId, u: UserId, p: AdminSetPoints) -> StoreResult<Points> {
        let s = if self.is(F::AdminPointWritesLandInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.set_points(s, u, p).await
    }
    async fn add_drop_points(&self, s: StreamerId, u: UserId, d: NewDrop) -> StoreResult<Points> {
        let s = if self.is(F::AdminPointWritesLandInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.add_drop_points(s, u, d).await
    }
    async fn leaderboard(&self, s: StreamerId, limit: u32) -> StoreResult<Vec<LeaderboardEntry>> {
        let mut rows = self.inner.leaderboard(s, limit).await?;
        if self.is(F::LeaderboardIncludesOthers) {
            for o in self.others(s).await {
                rows.extend(self.inner.leaderboard(o, limit).await?);
            }
            rows.sort_by_key(|r| (-r.total_points, r.user_id));
            rows.truncate(limit as usize);
            for (i, r) in rows.iter_mut().enumerate() {
                r.rank = i as u32 + 1;
            }
        }
        Ok(rows)
    }
    async fn points_summary(
        &self,
        s: StreamerId,
        u: UserId,
    ) -> StoreResult<Option<Vec<SourceSummary>>> {
        let s = if self.is(F::HistoryAnyTenant) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.points_summary(s, u).await
    }
    async fn transaction_history(
        &self,
        s: StreamerId,
        u: UserId,
        p: HistoryRequest,
    ) -> StoreResult<Option<Vec<PointTransaction>>> {
        let s = if self.is(F::HistoryAnyTenant) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.transaction_history(s, u, p).await
    }
    async fn bulk_award(
        &self,
        s: StreamerId,
        names: &[String],
        d: PointDelta,
    ) -> StoreResult<BulkAward> {
        let r = self.inner.bulk_award(s, names, d.clone()).await?;
        if self.is(F::BulkAwardReachesOthers) {
            for o in self.others(s).await {
                for n in names {
                    if let Ok(Some(u)) = self.inner.get_user_by_username(o, n).await {
                        let _ = self.inner.earn_points(o, u.id, d.clone()).await;
                    }
                }
            }
        }
        Ok(r)
    }
}

#[async_trait]
impl PowerupStore for Faulty {
    async fn list_enabled_powerups(&self, s: StreamerId) -> StoreResult<Vec<PowerupConfig>> {
        self.inner.list_enabled_powerups(s).await
    }
    async fn list_powerups(&self, s: StreamerId) -> StoreResult<Vec<PowerupConfig>> {
        self.inner.list_powerups(s).await
    }
    async fn get_powerup(
        &self,
        s: StreamerId,
        p: PowerupType,
    ) -> StoreResult<Option<PowerupConfig>> {
        if self.is(F::PowerupReadFirstRow) && self.inner.get_streamer(s).await?.is_some() {
            for o in self.all_streamers().await {
                if let Ok(Some(x)) = self.inner.get_powerup(o, p).await {
                    return Ok(Some(x));
                }
            }
        }
        self.inner.get_powerup(s, p).await
    }
    async fn upsert_powerup(
        &self,
        s: StreamerId,
        p: PowerupType,
        c: PowerupConfigInput,
    ) -> StoreResult<PowerupConfig> {
        if self.is(F::PowerupConfigGlobal) {
            for o in self.others(s).await {
                let _ = self.inner.upsert_powerup(o, p, c.clone()).await;
            }
        }
        self.inner.upsert_powerup(s, p, c).await
    }
    async fn update_powerup(
        &self,
        s: StreamerId,
        p: PowerupType,
        c: PowerupConfigPatch,
    ) -> StoreResult<PowerupConfig> {
        if self.is(F::PowerupConfigGlobal) {
            for o in self.others(s).await {
                let _ = self.inner.update_powerup(o, p, c.clone()).await;
            }
        }
        self.inner.update_powerup(s, p, c).await
    }
    async fn get_inventory(
        &self,
        s: StreamerId,
        u: UserId,
    ) -> StoreResult<Option<Vec<InventoryItem>>> {
        let s = if self.is(F::InventoryReadAnyTenant) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.get_inventory(s, u).await
    }
    async fn add_powerup(
        &self,
        s: StreamerId,
        u: UserId,
        p: PowerupType,
        q: i64,
    ) -> StoreResult<InventoryItem> {
        let s = if self.is(F::InventoryWritesLandInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.add_powerup(s, u, p, q).await
    }
    async fn use_powerup(
        &self,
        s: StreamerId,
        u: UserId,
        p: PowerupType,
    ) -> StoreResult<InventoryItem> {
        let s = if self.is(F::InventoryWritesLandInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.use_powerup(s, u, p).await
    }
    async fn purchase_powerup(
        &self,
        s: StreamerId,
        u: UserId,
        p: PowerupType,
    ) -> StoreResult<PurchaseReceipt> {
        let s = if self.is(F::PurchaseLandsInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.purchase_powerup(s, u, p).await
    }
}

#[async_trait]
impl OverlayStore for Faulty {
    async fn get_overlay_setting(
        &self,
        s: StreamerId,
        key: &str,
    ) -> StoreResult<Option<OverlaySetting>> {
        if self.is(F::SettingReadFirstRow) && self.inner.get_streamer(s).await?.is_some() {
            for o in self.all_streamers().await {
                if let Ok(Some(x)) = self.inner.get_overlay_setting(o, key).await {
                    return Ok(Some(x));
                }
            }
        }
        let own = self.inner.get_overlay_setting(s, key).await?;
        if own.is_none() && self.is(F::SettingFallsBackToOthers) {
            for o in self.others(s).await {
                if let Ok(Some(x)) = self.inner.get_overlay_setting(o, key).await {
                    return Ok(Some(x));
                }
            }
        }
        Ok(own)
    }
    async fn list_overlay_settings(&self, s: StreamerId) -> StoreResult<Vec<OverlaySetting>> {
        self.inner.list_overlay_settings(s).await
    }
    async fn upsert_overlay_setting(
        &self,
        s: StreamerId,
        key: &str,
        value: &str,
        description: Option<&str>,
    ) -> StoreResult<OverlaySetting> {
        if self.is(F::SettingUpsertBorrowsDescription)
            && description.is_none()
            && matches!(self.inner.get_overlay_setting(s, key).await, Ok(None))
        {
            for o in self.others(s).await {
                if let Ok(Some(x)) = self.inner.get_overlay_setting(o, key).await
                    && x.description.is_some()
                {
                    return self
                        .inner
                        .upsert_overlay_setting(s, key, value, x.description.as_deref())
                        .await;
                }
            }
        }
        self.inner
            .upsert_overlay_setting(s, key, value, description)
            .await
    }
    async fn delete_overlay_setting(&self, s: StreamerId, key: &str) -> StoreResult<()> {
        let own = self.inner.delete_overlay_setting(s, key).await;
        if self.is(F::SettingDeleteGlobal) {
            let mut any = own.is_ok();
            for o in self.others(s).await {
                any |= self.inner.delete_overlay_setting(o, key).await.is_ok();
            }
            if any {
                return Ok(());
            }
        }
        own
    }
    async fn get_layout(&self, s: StreamerId, id: &LayoutId) -> StoreResult<Option<OverlayLayout>> {
        self.inner.get_layout(s, id).await
    }
    async fn list_layouts(&self, s: StreamerId) -> StoreResult<Vec<OverlayLayout>> {
        let mut own = self.inner.list_layouts(s).await?;
        if self.is(F::LayoutListIncludesOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_layouts(o).await?);
            }
        }
        Ok(own)
    }
    async fn upsert_layout(
        &self,
        s: StreamerId,
        id: &LayoutId,
        l: LayoutInput,
    ) -> StoreResult<OverlayLayout> {
        if self.is(F::LayoutDefaultClearedGlobally) && l.is_default {
            for o in self.others(s).await {
                for mut x in self.inner.list_layouts(o).await.unwrap_or_default() {
                    if x.is_default {
                        x.is_default = false;
                        let input = LayoutInput {
                            name: x.name,
                            is_default: false,
                            layout: x.layout,
                        };
                        let _ = self.inner.upsert_layout(o, &x.id, input).await;
                    }
                }
            }
        }
        self.inner.upsert_layout(s, id, l).await
    }
    async fn delete_layout(&self, s: StreamerId, id: &LayoutId) -> StoreResult<()> {
        self.inner.delete_layout(s, id).await
    }
    async fn get_theme(&self, s: StreamerId) -> StoreResult<Option<Theme>> {
        let own = self.inner.get_theme(s).await?;
        if own.is_none() && self.is(F::ThemeFallsBack) {
            for o in self.others(s).await {
                if let Ok(Some(t)) = self.inner.get_theme(o).await {
                    return Ok(Some(t));
                }
            }
        }
        Ok(own)
    }
    async fn set_theme(&self, s: StreamerId, theme: Value) -> StoreResult<Theme> {
        self.inner.set_theme(s, theme).await
    }
}

impl Faulty {
    /// `s` when it has the tip, else the streamer that does.
    async fn tip_owner(&self, s: StreamerId, t: TipId) -> StreamerId {
        if matches!(self.inner.get_tip(s, t).await, Ok(Some(_))) {
            return s;
        }
        for o in self.others(s).await {
            if matches!(self.inner.get_tip(o, t).await, Ok(Some(_))) {
                return o;
            }
        }
        s
    }

    /// `s` when it has the goal, else the first streamer that does.
    async fn goal_owner(&self, s: StreamerId, g: &GoalId) -> StreamerId {
        if matches!(self.inner.get_goal(s, g).await, Ok(Some(_))) {
            return s;
        }
        for o in self.others(s).await {
            if matches!(self.inner.get_goal(o, g).await, Ok(Some(_))) {
                return o;
            }
        }
        s
    }
}

#[async_trait]
impl TipStore for Faulty {
    async fn list_enabled_tips(&self, s: StreamerId) -> StoreResult<Vec<Tip>> {
        let mut own = self.inner.list_enabled_tips(s).await?;
        if self.is(F::TipsListIncludesOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_enabled_tips(o).await?);
            }
        }
        Ok(own)
    }
    async fn list_tips(&self, s: StreamerId) -> StoreResult<Vec<Tip>> {
        let mut own = self.inner.list_tips(s).await?;
        if self.is(F::TipsListIncludesOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_tips(o).await?);
            }
        }
        Ok(own)
    }
    async fn get_tip(&self, s: StreamerId, t: TipId) -> StoreResult<Option<Tip>> {
        if self.is(F::ForeignIdsForbidden) && self.tip_owner(s, t).await != s {
            return Err(StoreError::backend("forbidden"));
        }
        let s = if self.is(F::TipReadAnyTenant) {
            self.tip_owner(s, t).await
        } else {
            s
        };
        self.inner.get_tip(s, t).await
    }
    async fn create_tip(&self, s: StreamerId, t: NewTip) -> StoreResult<Tip> {
        self.inner.create_tip(s, t).await
    }
    async fn update_tip(&self, s: StreamerId, t: TipId, p: TipPatch) -> StoreResult<Tip> {
        let s = if self.is(F::TipWritesLandInOwner) {
            self.tip_owner(s, t).await
        } else {
            s
        };
        self.inner.update_tip(s, t, p).await
    }
    async fn delete_tip(&self, s: StreamerId, t: TipId) -> StoreResult<()> {
        let s = if self.is(F::TipWritesLandInOwner) {
            self.tip_owner(s, t).await
        } else {
            s
        };
        self.inner.delete_tip(s, t).await
    }
}

#[async_trait]
impl GoalStore for Faulty {
    async fn list_enabled_goals(&self, s: StreamerId) -> StoreResult<Vec<Goal>> {
        let mut own = self.inner.list_enabled_goals(s).await?;
        if self.is(F::GoalListsIncludeOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_enabled_goals(o).await?);
            }
        }
        Ok(own)
    }
    async fn list_goals(&self, s: StreamerId) -> StoreResult<Vec<Goal>> {
        let mut own = self.inner.list_goals(s).await?;
        if self.is(F::GoalListsIncludeOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_goals(o).await?);
            }
        }
        Ok(own)
    }
    async fn get_goal(&self, s: StreamerId, g: &GoalId) -> StoreResult<Option<Goal>> {
        let s = if self.is(F::GoalReadAnyTenant) {
            self.goal_owner(s, g).await
        } else {
            s
        };
        self.inner.get_goal(s, g).await
    }
    async fn upsert_goal(&self, s: StreamerId, g: &GoalId, i: GoalInput) -> StoreResult<Goal> {
        if self.is(F::GoalUpsertOverwritesOthers) {
            for o in self.others(s).await {
                if matches!(self.inner.get_goal(o, g).await, Ok(Some(_))) {
                    let _ = self.inner.upsert_goal(o, g, i.clone()).await;
                }
            }
        }
        self.inner.upsert_goal(s, g, i).await
    }
    async fn set_goal_progress(&self, s: StreamerId, g: &GoalId, v: i64) -> StoreResult<Goal> {
        let s = if self.is(F::GoalWritesLandInOwner) {
            self.goal_owner(s, g).await
        } else {
            s
        };
        self.inner.set_goal_progress(s, g, v).await
    }
    async fn delete_goal(&self, s: StreamerId, g: &GoalId) -> StoreResult<()> {
        let s = if self.is(F::GoalWritesLandInOwner) {
            self.goal_owner(s, g).await
        } else {
            s
        };
        self.inner.delete_goal(s, g).await
    }
}

#[async_trait]
impl TokenStore for Faulty {
    async fn get_oauth_token(&self, s: StreamerId, p: &str) -> StoreResult<Option<OAuthToken>> {
        let own = self.inner.get_oauth_token(s, p).await?;
        if own.is_none() && self.is(F::OAuthTokenAnyTenant) {
            for o in self.others(s).await {
                if let Ok(Some(t)) = self.inner.get_oauth_token(o, p).await {
                    return Ok(Some(t));
                }
            }
        }
        Ok(own)
    }
    async fn upsert_oauth_token(
        &self,
        s: StreamerId,
        t: OAuthTokenInput,
    ) -> StoreResult<OAuthToken> {
        self.inner.upsert_oauth_token(s, t).await
    }
    async fn delete_oauth_token(&self, s: StreamerId, p: &str) -> StoreResult<()> {
        let own = self.inner.delete_oauth_token(s, p).await;
        if self.is(F::OAuthDeleteGlobal) {
            for o in self.others(s).await {
                let _ = self.inner.delete_oauth_token(o, p).await;
            }
        }
        own
    }
}

#[async_trait]
impl SessionStore for Faulty {
    async fn create_user_session(
        &self,
        s: StreamerId,
        n: NewUserSession,
    ) -> StoreResult<UserSession> {
        let s = if self.is(F::SessionCreateLandsInOwner) {
            self.owner_of(s, n.user_id).await
        } else {
            s
        };
        self.inner.create_user_session(s, n).await
    }
    async fn get_user_session(
        &self,
        s: StreamerId,
        h: &TokenHash,
    ) -> StoreResult<Option<UserSession>> {
        let own = self.inner.get_user_session(s, h).await?;
        if own.is_none() && self.is(F::UserSessionAnyTenant) {
            for o in self.others(s).await {
                if let Ok(Some(x)) = self.inner.get_user_session(o, h).await {
                    return Ok(Some(x));
                }
            }
        }
        Ok(own)
    }
    async fn delete_user_session(&self, s: StreamerId, h: &TokenHash) -> StoreResult<()> {
        let own = self.inner.delete_user_session(s, h).await;
        if own.is_err() && self.is(F::SessionDeleteAnyTenant) {
            for o in self.others(s).await {
                if self.inner.delete_user_session(o, h).await.is_ok() {
                    return Ok(());
                }
            }
        }
        own
    }
    async fn purge_expired_user_sessions(&self, s: StreamerId) -> StoreResult<u64> {
        let mut n = self.inner.purge_expired_user_sessions(s).await?;
        if self.is(F::PurgeAllTenants) {
            for o in self.others(s).await {
                n += self.inner.purge_expired_user_sessions(o).await?;
            }
        }
        Ok(n)
    }
    async fn create_streamer_session(
        &self,
        s: StreamerId,
        h: &TokenHash,
        e: Timestamp,
    ) -> StoreResult<StreamerSession> {
        if self.is(F::SessionHashGlobal) {
            for o in self.others(s).await {
                let exported = self.inner.export_streamer(o).await.ok().flatten();
                if exported.is_some_and(|x| x.streamer_sessions.iter().any(|y| y.token_hash == *h))
                {
                    return Err(StoreError::conflict(ConflictKind::SessionToken));
                }
            }
        }
        self.inner.create_streamer_session(s, h, e).await
    }
    async fn get_streamer_session(
        &self,
        s: StreamerId,
        h: &TokenHash,
    ) -> StoreResult<Option<StreamerSession>> {
        let own = self.inner.get_streamer_session(s, h).await?;
        if own.is_none() && self.is(F::StreamerSessionAnyTenant) {
            for o in self.others(s).await {
                if let Ok(Some(x)) = self.inner.get_streamer_session(o, h).await {
                    return Ok(Some(x));
                }
            }
        }
        Ok(own)
    }
    async fn delete_streamer_session(&self, s: StreamerId, h: &TokenHash) -> StoreResult<()> {
        let own = self.inner.delete_streamer_session(s, h).await;
        if own.is_err() && self.is(F::SessionDeleteAnyTenant) {
            for o in self.others(s).await {
                if self.inner.delete_streamer_session(o, h).await.is_ok() {
                    return Ok(());
                }
            }
        }
        own
    }
    async fn purge_expired_streamer_sessions(&self, s: StreamerId) -> StoreResult<u64> {
        let mut n = self.inner.purge_expired_streamer_sessions(s).await?;
        if self.is(F::PurgeAllTenants) {
            for o in self.others(s).await {
                n += self.inner.purge_expired_streamer_sessions(o).await?;
            }
        }
        Ok(n)
    }
}

#[async_trait]
impl VerificationStore for Faulty {
    async fn create_verification_code(
        &self,
        s: StreamerId,
        c: NewVerificationCode,
    ) -> StoreResult<VerificationCode> {
        self.inner.create_verification_code(s, c).await
    }
    async fn get_verification_code(
        &self,
        s: StreamerId,
        u: &str,
        c: &str,
    ) -> StoreResult<Option<VerificationCode>> {
        let own = self.inner.get_verification_code(s, u, c).await?;
        if own.is_none() && self.is(F::CodeReadAnyTenant) {
            for o in self.others(s).await {
                if let Ok(Some(x)) = self.inner.get_verification_code(o, u, c).await {
                    return Ok(Some(x));
                }
            }
        }
        Ok(own)
    }
    async fn latest_verification_code(
        &self,
        s: StreamerId,
        u: &str,
    ) -> StoreResult<Option<VerificationCode>> {
        let own = self.inner.latest_verification_code(s, u).await?;
        if own.is_none() && self.is(F::CodeReadAnyTenant) {
            for o in self.others(s).await {
                if let Ok(Some(x)) = self.inner.latest_verification_code(o, u).await {
                    return Ok(Some(x));
                }
            }
        }
        Ok(own)
    }
    async fn mark_verification_code_verified(
        &self,
        s: StreamerId,
        u: &str,
        c: &str,
    ) -> StoreResult<VerificationCode> {
        let own = self.inner.mark_verification_code_verified(s, u, c).await;
        if own.is_err() && self.is(F::MarkVerifiedAnyTenant) {
            for o in self.others(s).await {
                if let Ok(x) = self.inner.mark_verification_code_verified(o, u, c).await {
                    return Ok(x);
                }
            }
        }
        own
    }
    async fn delete_verification_codes(&self, s: StreamerId, u: &str) -> StoreResult<u64> {
        let mut n = self.inner.delete_verification_codes(s, u).await?;
        if self.is(F::DeleteCodesGlobal) {
            for o in self.others(s).await {
                n += self.inner.delete_verification_codes(o, u).await?;
            }
        }
        Ok(n)
    }
}

#[async_trait]
impl CooldownStore for Faulty {
    async fn check_cooldown(
        &self,
        s: StreamerId,
        u: UserId,
        c: &str,
        d: Duration,
    ) -> StoreResult<CooldownCheck> {
        let s = if self.is(F::CooldownLandsInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.check_cooldown(s, u, c, d).await
    }
}

#[async_trait]
impl ReportStore for Faulty {
    async fn analytics(&self, s: StreamerId) -> StoreResult<Analytics> {
        let mut a = self.inner.analytics(s).await?;
        if self.is(F::AnalyticsAllTenants) {
            for o in self.others(s).await {
                let b = self.inner.analytics(o).await?;
                a.users += b.users;
                a.channel_points += b.channel_points;
            }
        }
        Ok(a)
    }
    async fn export_streamer(&self, s: StreamerId) -> StoreResult<Option<StreamerExport>> {
        let mut e = self.inner.export_streamer(s).await?;
        if self.is(F::ExportIncludesOthers)
            && let Some(e) = e.as_mut()
        {
            for o in self.others(s).await {
                e.tips.extend(self.inner.list_tips(o).await?);
            }
        }
        Ok(e)
    }
}
