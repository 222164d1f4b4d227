use super::points::points_changed;
use super::{ModelStore, State, Tenant, next};
use async_trait::async_trait;
use datastore::visible_change;
use datastore::{
    EventData, InventoryItem, InventoryRow, PointSource, PowerupConfig, PowerupConfigInput,
    PowerupConfigPatch, PowerupPurchase, PowerupStore, PowerupType, PurchaseId, PurchaseReceipt,
    Resource, StoreError, StoreResult, StreamerId, Timestamp, UserId, validate,
};

/// Records the `PowerupChanged` of a configuration write, if the public list shows the powerup
/// before or after it.
fn record_config(t: &mut Tenant, enabled_before: bool, after: &PowerupConfig, now: Timestamp) {
    let event = visible_change(
        enabled_before,
        Some(after.clone()),
        |c| c.enabled,
        |powerup| EventData::PowerupChanged {
            id: after.id,
            powerup,
        },
    );
    t.record(now, event);
}

#[async_trait]
impl PowerupStore for ModelStore {
    async fn list_enabled_powerups(&self, streamer: StreamerId) -> StoreResult<Vec<PowerupConfig>> {
        let st = self.state();
        let mut out: Vec<PowerupConfig> = st
            .tenant(streamer)
            .map(|t| t.powerups.values().filter(|p| p.enabled).cloned().collect())
            .unwrap_or_default();
        out.sort_by_key(|p| (p.cost, p.id));
        Ok(out)
    }

    async fn list_powerups(&self, streamer: StreamerId) -> StoreResult<Vec<PowerupConfig>> {
        Ok(self
            .state()
            .tenant(streamer)
            .map(|t| t.powerups.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn get_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
    ) -> StoreResult<Option<PowerupConfig>> {
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.powerups.get(&powerup).cloned()))
    }

    async fn upsert_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
        input: PowerupConfigInput,
    ) -> StoreResult<PowerupConfig> {
        input.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.owner(streamer)?;
        let created = t.powerups.get(&powerup).map_or(now, |p| p.created_at);
        let enabled_before = t.powerups.get(&powerup).is_some_and(|p| p.enabled);
        let c = input.into_config(powerup, created, now);
        t.powerups.insert(powerup, c.clone());
        record_config(t, enabled_before, &c, now);
        Ok(c)
    }

    async fn update_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
        patch: PowerupConfigPatch,
    ) -> StoreResult<PowerupConfig> {
        patch.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.tenant_for(streamer, Resource::Powerup)?;
        let current = t
            .powerups
            .get(&powerup)
            .ok_or(StoreError::not_found(Resource::Powerup))?;
        let enabled_before = current.enabled;
        let c = patch
            .apply_to(current)
            .into_config(powerup, current.created_at, now);
        t.powerups.insert(powerup, c.clone());
        record_config(t, enabled_before, &c, now);
        Ok(c)
    }

    async fn get_inventory(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<InventoryItem>>> {
        Ok(self.state().user_tenant_ref(streamer, user).map(|t| {
            t.inventory
                .values()
                .filter(|r| r.user_id == user)
                .map(|r| InventoryItem {
                    powerup: r.powerup,
                    quantity: r.quantity,
                })
                .collect()
        }))
    }

    async fn add_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
        quantity: i64,
    ) -> StoreResult<InventoryItem> {
        validate::in_range("quantity", quantity, 1, validate::MAX_QUANTITY)?;
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.user_tenant(streamer, user)?;
        let held = t.inventory.get(&(user, powerup)).map_or(0, |r| r.quantity);
        let total = held + quantity;
        validate::in_range("quantity", total, 0, validate::MAX_QUANTITY)?;
        t.inventory.insert(
            (user, powerup),
            InventoryRow {
                user_id: user,
                powerup,
                quantity: total,
            },
        );
        let username = t.users[&user].username.clone();
        t.record(
            now,
            [EventData::PowerupAdded {
                user_id: user,
                username,
                powerup,
                quantity,
                owned: total,
            }],
        );
        Ok(InventoryItem {
            powerup,
            quantity: total,
        })
    }

    async fn use_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
    ) -> StoreResult<InventoryItem> {
        let now = self.clock.now();
        let mut st = self.state();
        st.user_tenant(streamer, user)?.use_one(user, powerup, now)
    }

    async fn purchase_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
    ) -> StoreResult<PurchaseReceipt> {
        let now = self.clock.now();
        self.state().purchase(streamer, user, powerup, now)
    }
}

impl Tenant {
    /// Uses one of `user`'s `powerup`s (`use_powerup`).
    pub(super) fn use_one(
        &mut self,
        user: UserId,
        powerup: PowerupType,
        now: Timestamp,
    ) -> StoreResult<InventoryItem> {
        let owned = match self.inventory.get_mut(&(user, powerup)) {
            Some(r) if r.quantity > 0 => {
                r.quantity -= 1;
                r.quantity
            }
            _ => return Err(StoreError::NoPowerupLeft { powerup }),
        };
        let username = self.users[&user].username.clone();
        self.record(
            now,
            [EventData::PowerupUsed {
                user_id: user,
                username,
                powerup,
                owned,
            }],
        );
        Ok(InventoryItem {
            powerup,
            quantity: owned,
        })
    }
}

impl State {
    /// Buys one `powerup` for `user` (`purchase_powerup`): checks everything, then spends,
    /// adds and records.
    pub(super) fn purchase(
        &mut self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
        now: Timestamp,
    ) -> StoreResult<PurchaseReceipt> {
        let t = self.user_tenant(streamer, user)?;
        let config = t
            .powerups
            .get(&powerup)
            .ok_or(StoreError::not_found(Resource::Powerup))?;
        if !config.enabled {
            return Err(StoreError::PowerupDisabled { powerup });
        }
        let is_owner = t.users[&user]
            .username
            .eq_ignore_ascii_case(&t.streamer.username);
        let cost = if is_owner { 0 } else { config.cost };
        let balance = t.points_of(user).channel_points;
        if balance < cost {
            return Err(StoreError::InsufficientPoints {
                balance,
                required: cost,
            });
        }
        let quantity = t.inventory.get(&(user, powerup)).map_or(0, |r| r.quantity) + 1;
        validate::in_range("quantity", quantity, 0, validate::MAX_QUANTITY)?;

        // The spend's ledger row (none for a free purchase) and its PointsChanged.
        let spent = if cost > 0 {
            let description = Some(format!("powerup: {powerup}"));
            self.move_points(
                streamer,
                user,
                balance - cost,
                -cost,
                PointSource::Spend,
                description.clone(),
                now,
            );
            Some(points_changed(-cost, PointSource::Spend, description))
        } else {
            None
        };
        let id = PurchaseId(next(&mut self.ids.purchase));
        let t = self.user_tenant(streamer, user)?;
        t.inventory.insert(
            (user, powerup),
            InventoryRow {
                user_id: user,
                powerup,
                quantity,
            },
        );
        let purchase = PowerupPurchase {
            id,
            user_id: user,
            powerup,
            cost,
            purchased_at: now,
        };
        t.purchases.push(purchase.clone());
        let balances = t.balances(user);
        let bought = EventData::PowerupPurchased {
            user_id: user,
            username: balances.username.clone(),
            powerup,
            quantity: 1,
            owned: quantity,
        };
        let events: Vec<EventData> = spent.map(|f| f(balances)).into_iter().collect();
        t.record(now, events.into_iter().chain([bought]));
        Ok(PurchaseReceipt {
            purchase,
            quantity,
            points: t.points_of(user),
        })
    }
}
