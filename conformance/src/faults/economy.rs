//! Faulty points and powerup operations.

use super::{Fault as F, Faulty};
use async_trait::async_trait;
use datastore::*;

#[async_trait]
impl PointStore for Faulty {
    async fn get_points(&self, s: StreamerId, u: UserId) -> StoreResult<Option<Points>> {
        self.note("get_points");
        let s = if self.is(F::PointsReadAnyTenant) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.get_points(s, u).await
    }
    async fn earn_points(&self, s: StreamerId, u: UserId, d: PointDelta) -> StoreResult<Points> {
        self.note("earn_points");
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
        self.note("spend_points");
        let s = if self.is(F::SpendLandsInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.spend_points(s, u, d).await
    }
    async fn set_points(&self, s: StreamerId, u: UserId, p: AdminSetPoints) -> StoreResult<Points> {
        self.note("set_points");
        let s = if self.is(F::AdminPointWritesLandInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.set_points(s, u, p).await
    }
    async fn add_drop_points(&self, s: StreamerId, u: UserId, d: NewDrop) -> StoreResult<Points> {
        self.note("add_drop_points");
        let s = if self.is(F::AdminPointWritesLandInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.add_drop_points(s, u, d).await
    }
    async fn leaderboard(&self, s: StreamerId, limit: u32) -> StoreResult<Vec<LeaderboardEntry>> {
        self.note("leaderboard");
        let key = match self.fault {
            Some(F::LeaderboardCacheShared) => Some((None, limit)),
            Some(F::LeaderboardCacheStale) => Some((Some(s), limit)),
            _ => None,
        };
        if let Some(key) = key {
            let cached = self.boards.lock().unwrap().get(&key).cloned();
            if let Some(rows) = cached {
                return Ok(rows);
            }
            let rows = self.inner.leaderboard(s, limit).await?;
            self.boards.lock().unwrap().insert(key, rows.clone());
            return Ok(rows);
        }
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
    async fn drop_leaderboard(
        &self,
        s: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>> {
        self.note("drop_leaderboard");
        let mut rows = self.inner.drop_leaderboard(s, limit).await?;
        if self.is(F::DropLeaderboardIncludesOthers) {
            for o in self.others(s).await {
                rows.extend(self.inner.drop_leaderboard(o, limit).await?);
            }
            rows.sort_by_key(|r| (-r.drop_points, r.user_id));
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
        self.note("points_summary");
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
        self.note("transaction_history");
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
        self.note("bulk_award");
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
        self.note("list_enabled_powerups");
        let mut own = self.inner.list_enabled_powerups(s).await?;
        if self.is(F::PowerupListsIncludeOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_enabled_powerups(o).await?);
            }
        }
        Ok(own)
    }
    async fn list_powerups(&self, s: StreamerId) -> StoreResult<Vec<PowerupConfig>> {
        self.note("list_powerups");
        let mut own = self.inner.list_powerups(s).await?;
        if self.is(F::PowerupListsIncludeOthers) {
            for o in self.others(s).await {
                own.extend(self.inner.list_powerups(o).await?);
            }
        }
        Ok(own)
    }
    async fn get_powerup(
        &self,
        s: StreamerId,
        p: PowerupType,
    ) -> StoreResult<Option<PowerupConfig>> {
        self.note("get_powerup");
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
        self.note("upsert_powerup");
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
        self.note("update_powerup");
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
        self.note("get_inventory");
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
        self.note("add_powerup");
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
        self.note("use_powerup");
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
        self.note("purchase_powerup");
        if self.is(F::OwnerCheckAnyStreamer) {
            return self.purchase_free_for_namesakes(s, u, p).await;
        }
        if self.is(F::PurchaseCostFromFirstRow) {
            return self.purchase_at_first_rows_price(s, u, p).await;
        }
        let s = if self.is(F::PurchaseLandsInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.purchase_powerup(s, u, p).await
    }
}

impl Faulty {
    /// A purchase whose owner check asks "is there *a* streamer with this username?": a viewer
    /// named like another channel gets the powerup free (no charge, no purchase record).
    async fn purchase_free_for_namesakes(
        &self,
        s: StreamerId,
        u: UserId,
        p: PowerupType,
    ) -> StoreResult<PurchaseReceipt> {
        let name = match self.inner.get_user(s, u).await? {
            Some(user) => user.username,
            None => return self.inner.purchase_powerup(s, u, p).await,
        };
        let mut namesake = false;
        for o in self.others(s).await {
            if let Some(x) = self.inner.get_streamer(o).await? {
                namesake |= x.username.eq_ignore_ascii_case(&name);
            }
        }
        let config = self.inner.get_powerup(s, p).await?;
        if !namesake || !config.is_some_and(|c| c.enabled) {
            return self.inner.purchase_powerup(s, u, p).await;
        }
        let item = self.inner.add_powerup(s, u, p, 1).await?;
        let points = self.inner.get_points(s, u).await?.unwrap_or(Points::ZERO);
        Ok(PurchaseReceipt {
            purchase: PowerupPurchase {
                id: PurchaseId(0),
                user_id: u,
                powerup: p,
                cost: 0,
                purchased_at: Timestamp::MIN,
            },
            quantity: item.quantity,
            points,
        })
    }

    /// A purchase that prices the powerup from the first streamer's configuration row.
    async fn purchase_at_first_rows_price(
        &self,
        s: StreamerId,
        u: UserId,
        p: PowerupType,
    ) -> StoreResult<PurchaseReceipt> {
        let first = self.all_streamers().await.into_iter().next();
        let theirs = match first {
            Some(f) if f != s => self.inner.get_powerup(f, p).await?,
            _ => None,
        };
        let own = self.inner.get_powerup(s, p).await?;
        match (theirs, own) {
            (Some(t), Some(o)) if t.cost != o.cost => {
                let price = |cost| PowerupConfigPatch {
                    cost: Some(cost),
                    ..Default::default()
                };
                self.inner.update_powerup(s, p, price(t.cost)).await?;
                let r = self.inner.purchase_powerup(s, u, p).await;
                self.inner.update_powerup(s, p, price(o.cost)).await?;
                r
            }
            _ => self.inner.purchase_powerup(s, u, p).await,
        }
    }
}
