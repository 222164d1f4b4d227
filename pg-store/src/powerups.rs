//! Powerups: each streamer's configuration, inventories and purchases.
//!
//! Every write of a user's inventory first locks the user's row (`FOR NO KEY UPDATE`, as
//! [`locked_balance`] does for balances), so concurrent changes of one user's stock and
//! purchases (which also spend the user's channel points) queue behind each other.

use crate::convert::{get, json_object, json_text, parse, ts};
use crate::events::take_turns;
use crate::lookups::require_streamer;
use crate::points::{locked_balance, move_points, points_changed};
use crate::store::PgStore;
use crate::tx::Tx;
use async_trait::async_trait;
use datastore::visible_change;
use datastore::{
    EventData, InventoryItem, PointSource, PowerupConfig, PowerupConfigInput, PowerupConfigPatch,
    PowerupPurchase, PowerupStore, PowerupType, PurchaseId, PurchaseReceipt, Resource, StoreError,
    StoreResult, StreamerId, Timestamp, UserId, validate,
};
use serde_json::Value;
use tokio_postgres::Row;

/// Writes powerup `kind`'s configuration for streamer `s` (inserting or replacing it, keeping
/// its creation time) and returns it as stored.
pub(crate) async fn insert_config(
    tx: &Tx,
    s: StreamerId,
    kind: PowerupType,
    c: &PowerupConfigInput,
    now: Timestamp,
) -> StoreResult<PowerupConfig> {
    let row = tx
        .query_one(
            &format!(
                "INSERT INTO powerup_config (streamer_id, id, name, description, cost, emoji, \
                 effect, variables, enabled, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                 ON CONFLICT (streamer_id, id) DO UPDATE SET name = excluded.name, \
                 description = excluded.description, cost = excluded.cost, \
                 emoji = excluded.emoji, effect = excluded.effect, \
                 variables = excluded.variables, enabled = excluded.enabled, \
                 updated_at = excluded.updated_at RETURNING {CONFIG_COLUMNS}"
            ),
            &[
                &s.0,
                &kind.as_str(),
                &c.name,
                &c.description,
                &c.cost,
                &c.emoji,
                &c.effect,
                &json_text(&Value::Object(c.variables.clone())),
                &c.enabled,
                &now.as_millis(),
            ],
        )
        .await?;
    config_from_row(&row)
}

/// The columns [`config_from_row`] reads.
pub(crate) const CONFIG_COLUMNS: &str =
    "id, name, description, cost, emoji, effect, variables, enabled, created_at, updated_at";

/// A `powerup_config` row ([`CONFIG_COLUMNS`]).
pub(crate) fn config_from_row(r: &Row) -> StoreResult<PowerupConfig> {
    Ok(PowerupConfig {
        id: parse(r, "id")?,
        name: get(r, "name")?,
        description: get(r, "description")?,
        cost: get(r, "cost")?,
        emoji: get(r, "emoji")?,
        effect: get(r, "effect")?,
        variables: json_object(r, "variables")?,
        enabled: get(r, "enabled")?,
        created_at: ts(r, "created_at")?,
        updated_at: ts(r, "updated_at")?,
    })
}

/// Locks a user's row until the transaction ends, so that reads of the user's stock and
/// balance made after it (in later statements, which see what committed before the lock was
/// granted) stay true until this transaction writes. Every write of an inventory takes it
/// first (a purchase through [`locked_balance`], the same lock). Returns the user's username
/// (for the write's event); `NotFound(User)` when the streamer has no such user.
///
/// The lock is its own statement on purpose: a statement that both waits for a row lock and
/// reads other tables through a join returns those tables as they were before it waited.
async fn lock_user(tx: &Tx, s: StreamerId, u: UserId) -> StoreResult<String> {
    let row = tx
        .query_opt(
            "SELECT username FROM users WHERE streamer_id = $1 AND id = $2 FOR NO KEY UPDATE",
            &[&s.0, &u.0],
        )
        .await?
        .ok_or(StoreError::not_found(Resource::User))?;
    get(&row, "username")
}

/// Whether powerup `kind` of streamer `s` is on sale (enabled), its configuration locked until
/// the transaction ends: what a configuration write must know to decide its event. `false`
/// when there is no configuration. A statement of its own, before the write: the locked row
/// is read as it is once the lock is granted.
async fn locked_enabled(tx: &Tx, s: StreamerId, kind: PowerupType) -> StoreResult<bool> {
    let row = tx
        .query_opt(
            "SELECT enabled FROM powerup_config WHERE streamer_id = $1 AND id = $2 FOR UPDATE",
            &[&s.0, &kind.as_str()],
        )
        .await?;
    row.map_or(Ok(false), |r| get(&r, "enabled"))
}

/// The `PowerupChanged` of a configuration write that left `after`, when the public list shows
/// the powerup before or after it.
fn config_changed(enabled_before: bool, after: PowerupConfig) -> Option<EventData> {
    let id = after.id;
    visible_change(
        enabled_before,
        Some(after),
        |c| c.enabled,
        |powerup| EventData::PowerupChanged { id, powerup },
    )
}

/// How many of `kind` a user holds (0 without an inventory row).
async fn held(tx: &Tx, s: StreamerId, u: UserId, kind: PowerupType) -> StoreResult<i64> {
    let row = tx
        .query_opt(
            "SELECT quantity FROM powerup_inventory WHERE user_id = $2 AND powerup_type = $3 \
             AND streamer_id = $1", // equivalent mutant: user ids are global and every caller has just locked this user under this streamer
            &[&s.0, &u.0, &kind.as_str()],
        )
        .await?;
    row.map_or(Ok(0), |r| get(&r, "quantity"))
}

/// Sets how many of `kind` a user holds, creating the inventory row when missing. The caller
/// holds the user's lock ([`lock_user`] or [`locked_balance`]).
async fn store_quantity(
    tx: &Tx,
    s: StreamerId,
    u: UserId,
    kind: PowerupType,
    quantity: i64,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO powerup_inventory (streamer_id, user_id, powerup_type, quantity) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (streamer_id, user_id, powerup_type) \
         DO UPDATE SET quantity = excluded.quantity",
        &[&s.0, &u.0, &kind.as_str(), &quantity],
    )
    .await?;
    Ok(())
}

impl PgStore {
    /// The configurations `sql` selects (`$1` the streamer).
    async fn configs(&self, s: StreamerId, sql: &str) -> StoreResult<Vec<PowerupConfig>> {
        let tx = self.tenant(s).await?;
        let rows = tx.query(sql, &[&s.0]).await;
        let rows = tx.finish(rows).await?;
        rows.iter().map(config_from_row).collect()
    }
}

#[async_trait]
impl PowerupStore for PgStore {
    async fn list_enabled_powerups(&self, streamer: StreamerId) -> StoreResult<Vec<PowerupConfig>> {
        self.configs(
            streamer,
            &format!(
                "SELECT {CONFIG_COLUMNS} FROM powerup_config \
                 WHERE streamer_id = $1 AND enabled ORDER BY cost, id"
            ),
        )
        .await
    }

    async fn list_powerups(&self, streamer: StreamerId) -> StoreResult<Vec<PowerupConfig>> {
        self.configs(
            streamer,
            &format!(
                "SELECT {CONFIG_COLUMNS} FROM powerup_config WHERE streamer_id = $1 ORDER BY id"
            ),
        )
        .await
    }

    async fn get_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
    ) -> StoreResult<Option<PowerupConfig>> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                &format!(
                    "SELECT {CONFIG_COLUMNS} FROM powerup_config \
                     WHERE streamer_id = $1 AND id = $2"
                ),
                &[&streamer.0, &powerup.as_str()],
            )
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(config_from_row).transpose()
    }

    async fn upsert_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
        input: PowerupConfigInput,
    ) -> StoreResult<PowerupConfig> {
        input.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            require_streamer(&tx, streamer).await?;
            // Writes that may create this configuration take turns, so each finds the one
            // before it (whether it was on sale decides the event).
            take_turns(&tx, &format!("powerup {} {powerup}", streamer.0)).await?;
            let enabled_before = locked_enabled(&tx, streamer, powerup).await?;
            let config = insert_config(&tx, streamer, powerup, &input, now).await?;
            self.record(
                &tx,
                streamer,
                now,
                config_changed(enabled_before, config.clone()),
            )
            .await?;
            Ok(config)
        }
        .await;
        tx.finish(out).await
    }

    async fn update_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
        patch: PowerupConfigPatch,
    ) -> StoreResult<PowerupConfig> {
        patch.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let variables = patch.variables.map(|v| json_text(&Value::Object(v)));
        let out = async {
            // Whether it was on sale matters only to a patch that takes it off sale: otherwise
            // it is on sale after the write when it was before.
            let enabled_before = match patch.enabled {
                Some(false) => locked_enabled(&tx, streamer, powerup).await?,
                _ => false,
            };
            let row = tx
                .query_opt(
                    &format!(
                        "UPDATE powerup_config SET name = coalesce($3, name), \
                     description = coalesce($4, description), cost = coalesce($5, cost), \
                     emoji = coalesce($6, emoji), effect = coalesce($7, effect), \
                     variables = coalesce($8, variables), enabled = coalesce($9, enabled), \
                     updated_at = $10 WHERE streamer_id = $1 AND id = $2 \
                     RETURNING {CONFIG_COLUMNS}"
                    ),
                    &[
                        &streamer.0,
                        &powerup.as_str(),
                        &patch.name,
                        &patch.description,
                        &patch.cost,
                        &patch.emoji,
                        &patch.effect,
                        &variables,
                        &patch.enabled,
                        &now.as_millis(),
                    ],
                )
                .await?
                .ok_or(StoreError::not_found(Resource::Powerup))?;
            let config = config_from_row(&row)?;
            self.record(
                &tx,
                streamer,
                now,
                config_changed(enabled_before, config.clone()),
            )
            .await?;
            Ok(config)
        }
        .await;
        tx.finish(out).await
    }

    async fn get_inventory(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<InventoryItem>>> {
        let tx = self.tenant(streamer).await?;
        // One row per held powerup, or one row of NULLs for a user holding none; no row for
        // an unknown user.
        let rows = tx
            .query(
                "SELECT i.powerup_type, i.quantity FROM users u LEFT JOIN powerup_inventory i \
                 ON i.streamer_id = u.streamer_id AND i.user_id = u.id \
                 WHERE u.streamer_id = $1 AND u.id = $2 ORDER BY i.powerup_type",
                &[&streamer.0, &user.0],
            )
            .await;
        let rows = tx.finish(rows).await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            if get::<Option<&str>>(r, "powerup_type")?.is_some() {
                items.push(InventoryItem {
                    powerup: parse(r, "powerup_type")?,
                    quantity: get(r, "quantity")?,
                });
            }
        }
        Ok(Some(items))
    }

    async fn add_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
        quantity: i64,
    ) -> StoreResult<InventoryItem> {
        validate::in_range("quantity", quantity, 1, validate::MAX_QUANTITY)?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            let username = lock_user(&tx, streamer, user).await?;
            let total = held(&tx, streamer, user, powerup).await? + quantity;
            validate::in_range("quantity", total, 0, validate::MAX_QUANTITY)?;
            store_quantity(&tx, streamer, user, powerup, total).await?;
            let event = EventData::PowerupAdded {
                user_id: user,
                username,
                powerup,
                quantity,
                owned: total,
            };
            self.record(&tx, streamer, now, [event]).await?;
            Ok(InventoryItem {
                powerup,
                quantity: total,
            })
        }
        .await;
        tx.finish(out).await
    }

    async fn use_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
    ) -> StoreResult<InventoryItem> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            let (item, event) = use_one(&tx, streamer, user, powerup).await?;
            self.record(&tx, streamer, now, [event]).await?;
            Ok(item)
        }
        .await;
        tx.finish(out).await
    }

    async fn purchase_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
    ) -> StoreResult<PurchaseReceipt> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            let (receipt, events) = purchase(&tx, streamer, user, powerup, now).await?;
            self.record(&tx, streamer, now, events).await?;
            Ok(receipt)
        }
        .await;
        tx.finish(out).await
    }
}

/// Uses one of user `u`'s `powerup`s (`use_powerup`), inside the caller's transaction: the
/// inventory line after it and its `PowerupUsed`, for the caller to record.
pub(crate) async fn use_one(
    tx: &Tx,
    s: StreamerId,
    u: UserId,
    powerup: PowerupType,
) -> StoreResult<(InventoryItem, EventData)> {
    let username = lock_user(tx, s, u).await?;
    let owned = match held(tx, s, u, powerup).await? {
        q if q > 0 => q - 1,
        _ => return Err(StoreError::NoPowerupLeft { powerup }),
    };
    store_quantity(tx, s, u, powerup, owned).await?;
    let event = EventData::PowerupUsed {
        user_id: u,
        username,
        powerup,
        owned,
    };
    Ok((
        InventoryItem {
            powerup,
            quantity: owned,
        },
        event,
    ))
}

/// Buys one `powerup` for user `u` (`purchase_powerup`; the streamer's own account buys free),
/// inside the caller's transaction: the receipt and its events (`PointsChanged` when it cost
/// something, then `PowerupPurchased`), for the caller to record.
pub(crate) async fn purchase(
    tx: &Tx,
    s: StreamerId,
    u: UserId,
    powerup: PowerupType,
    now: Timestamp,
) -> StoreResult<(PurchaseReceipt, Vec<EventData>)> {
    // The buyer's balance, their row locked (`NotFound(User)` first, as every backend
    // checks): balance and stock stay as read until this transaction ends.
    let (username, before) = locked_balance(tx, s, u).await?;
    // Whether they are the streamer, their stock and the powerup's price, at once.
    let row = tx
        .query_one(
            "SELECT u.username_key = streamers.username_key AS is_owner, \
             i.quantity, c.cost, c.enabled FROM users u \
             JOIN streamers ON streamers.id = $1 \
             LEFT JOIN powerup_inventory i ON i.streamer_id = u.streamer_id \
             AND i.user_id = u.id AND i.powerup_type = $3 \
             LEFT JOIN powerup_config c ON c.streamer_id = u.streamer_id AND c.id = $3 \
             WHERE u.streamer_id = $1 AND u.id = $2", // equivalent mutant: user ids are global and this user was just locked under this streamer
            &[&s.0, &u.0, &powerup.as_str()],
        )
        .await?;
    let is_owner: bool = get(&row, "is_owner")?;
    let held: Option<i64> = get(&row, "quantity")?;
    let cost: Option<i64> = get(&row, "cost")?;
    let enabled: Option<bool> = get(&row, "enabled")?;
    let (Some(cost), Some(enabled)) = (cost, enabled) else {
        return Err(StoreError::not_found(Resource::Powerup));
    };
    if !enabled {
        return Err(StoreError::PowerupDisabled { powerup });
    }
    let cost = if is_owner { 0 } else { cost };
    if before.channel_points < cost {
        return Err(StoreError::InsufficientPoints {
            balance: before.channel_points,
            required: cost,
        });
    }
    let quantity = held.unwrap_or(0) + 1;
    validate::in_range("quantity", quantity, 0, validate::MAX_QUANTITY)?;
    let description = format!("powerup: {powerup}");
    let mut events = Vec::with_capacity(2);
    let points = if cost > 0 {
        let after = move_points(
            tx,
            s,
            u,
            &before,
            before.channel_points - cost,
            -cost,
            PointSource::Spend,
            Some(&description),
            now,
        )
        .await?;
        events.push(points_changed(
            u,
            &username,
            &after,
            -cost,
            PointSource::Spend,
            Some(&description),
        ));
        after
    } else {
        before
    };
    let purchase = tx
        .query_one(
            "INSERT INTO powerup_purchases (streamer_id, user_id, powerup_type, cost, \
             purchased_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&s.0, &u.0, &powerup.as_str(), &cost, &now.as_millis()],
        )
        .await?;
    let purchase = PurchaseId(get(&purchase, "id")?);
    store_quantity(tx, s, u, powerup, quantity).await?;
    events.push(EventData::PowerupPurchased {
        user_id: u,
        username,
        powerup,
        quantity: 1,
        owned: quantity,
    });
    let receipt = PurchaseReceipt {
        purchase: PowerupPurchase {
            id: purchase,
            user_id: u,
            powerup,
            cost,
            purchased_at: now,
        },
        quantity,
        points,
    };
    Ok((receipt, events))
}
