//! Faulty overlay, tip and goal operations.

use super::{Fault as F, Faulty};
use async_trait::async_trait;
use datastore::*;
use serde_json::Value;

#[async_trait]
impl OverlayStore for Faulty {
    async fn get_overlay_setting(
        &self,
        s: StreamerId,
        key: &str,
    ) -> StoreResult<Option<OverlaySetting>> {
        self.note("get_overlay_setting");
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
        self.note("list_overlay_settings");
        let mut own = self.inner.list_overlay_settings(s).await?;
        if self.is(F::SettingsListIncludesOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_overlay_settings(o).await?);
            }
        }
        Ok(own)
    }
    async fn upsert_overlay_setting(
        &self,
        s: StreamerId,
        key: &str,
        value: &str,
        description: Option<&str>,
    ) -> StoreResult<OverlaySetting> {
        self.note("upsert_overlay_setting");
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
        self.note("delete_overlay_setting");
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
        self.note("get_layout");
        let own = self.inner.get_layout(s, id).await?;
        if own.is_none() && self.is(F::LayoutReadAnyTenant) {
            for o in self.others(s).await {
                if let Ok(Some(x)) = self.inner.get_layout(o, id).await {
                    return Ok(Some(x));
                }
            }
        }
        Ok(own)
    }
    async fn list_layouts(&self, s: StreamerId) -> StoreResult<Vec<OverlayLayout>> {
        self.note("list_layouts");
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
        self.note("upsert_layout");
        if self.is(F::LayoutNameUniqueGlobally) {
            for o in self.others(s).await {
                let taken = self.inner.list_layouts(o).await.unwrap_or_default();
                if taken.iter().any(|x| x.name.eq_ignore_ascii_case(&l.name)) {
                    return Err(StoreError::conflict(ConflictKind::LayoutName));
                }
            }
        }
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
        self.note("delete_layout");
        let own = self.inner.delete_layout(s, id).await;
        if self.is(F::LayoutDeleteGlobal) {
            for o in self.others(s).await {
                let _ = self.inner.delete_layout(o, id).await;
            }
        }
        own
    }
    async fn get_theme(&self, s: StreamerId) -> StoreResult<Option<Theme>> {
        self.note("get_theme");
        if self.is(F::ThemeReadFirstRow) && self.inner.get_streamer(s).await?.is_some() {
            for o in self.all_streamers().await {
                if let Ok(Some(t)) = self.inner.get_theme(o).await {
                    return Ok(Some(t));
                }
            }
        }
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
        self.note("set_theme");
        if self.is(F::SetThemeGlobal) {
            for o in self.others(s).await {
                let _ = self.inner.set_theme(o, theme.clone()).await;
            }
        }
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
        self.note("list_enabled_tips");
        let mut own = self.inner.list_enabled_tips(s).await?;
        if self.is(F::TipsListIncludesOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_enabled_tips(o).await?);
            }
        }
        Ok(own)
    }
    async fn list_tips(&self, s: StreamerId) -> StoreResult<Vec<Tip>> {
        self.note("list_tips");
        let mut own = self.inner.list_tips(s).await?;
        if self.is(F::TipsListIncludesOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_tips(o).await?);
            }
        }
        Ok(own)
    }
    async fn get_tip(&self, s: StreamerId, t: TipId) -> StoreResult<Option<Tip>> {
        self.note("get_tip");
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
        self.note("create_tip");
        let tip = self.inner.create_tip(s, t).await?;
        if !self.is(F::RacyLastInsertId) {
            return Ok(tip);
        }
        // INSERT, then read "the last inserted id" of a connection shared with other tasks.
        *self.last_tip.lock().unwrap_or_else(|e| e.into_inner()) = Some(tip.id);
        // The window in which another streamer's insert moves "the last id": wide enough that
        // concurrent creations land in it even on a loaded machine (a few yields did not).
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let last = *self.last_tip.lock().unwrap_or_else(|e| e.into_inner());
        Ok(Tip {
            id: last.unwrap_or(tip.id),
            ..tip
        })
    }
    async fn update_tip(&self, s: StreamerId, t: TipId, p: TipPatch) -> StoreResult<Tip> {
        self.note("update_tip");
        let s = if self.is(F::TipWritesLandInOwner) {
            self.tip_owner(s, t).await
        } else {
            s
        };
        self.inner.update_tip(s, t, p).await
    }
    async fn delete_tip(&self, s: StreamerId, t: TipId) -> StoreResult<()> {
        self.note("delete_tip");
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
        self.note("list_enabled_goals");
        let mut own = self.inner.list_enabled_goals(s).await?;
        if self.is(F::GoalListsIncludeOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_enabled_goals(o).await?);
            }
        }
        Ok(own)
    }
    async fn list_goals(&self, s: StreamerId) -> StoreResult<Vec<Goal>> {
        self.note("list_goals");
        let mut own = self.inner.list_goals(s).await?;
        if self.is(F::GoalListsIncludeOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_goals(o).await?);
            }
        }
        Ok(own)
    }
    async fn get_goal(&self, s: StreamerId, g: &GoalId) -> StoreResult<Option<Goal>> {
        self.note("get_goal");
        let s = if self.is(F::GoalReadAnyTenant) {
            self.goal_owner(s, g).await
        } else {
            s
        };
        self.inner.get_goal(s, g).await
    }
    async fn upsert_goal(&self, s: StreamerId, g: &GoalId, i: GoalInput) -> StoreResult<Goal> {
        self.note("upsert_goal");
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
        self.note("set_goal_progress");
        let s = if self.is(F::GoalWritesLandInOwner) {
            self.goal_owner(s, g).await
        } else {
            s
        };
        self.inner.set_goal_progress(s, g, v).await
    }
    async fn delete_goal(&self, s: StreamerId, g: &GoalId) -> StoreResult<()> {
        self.note("delete_goal");
        let s = if self.is(F::GoalWritesLandInOwner) {
            self.goal_owner(s, g).await
        } else {
            s
        };
        self.inner.delete_goal(s, g).await
    }
}
