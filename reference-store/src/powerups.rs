//! Powerups: each streamer's configuration, inventories and purchases.

use crate::convert::{Db, DbOptional, json_object, json_text, parse, ts};
use crate::events::record;
use crate::lookups::require_streamer;
use crate::points::move_points;
use crate::store::SqliteStore;
use crate::users::{joined_rows, points_from_row};
use async_trait::async_trait;
use datastore::visible_change;
use datastore::{
    EventData, InventoryItem, PointSource, PowerupConfig, PowerupConfigInput, PowerupConfigPatch,
    PowerupPurchase, PowerupStore, PowerupType, PurchaseId, PurchaseReceipt, Resource, StoreError,
    StoreResult, StreamerId, Timestamp, UserId, ViewerBalances, validate,
};
use rusqlite::{Connection, Row, params};
use serde_json::Value;

pub(crate) const CONFIG_COLUMNS: &str =
    "id, name, description, cost, emoji, effect, variables, enabled, created_at, updated_at";

pub(crate) fn config_from_row(r: &Row<'_>) -> rusqlite::Result<PowerupConfig> {
    Ok(PowerupConfig {
        id: parse(r, "id")?,
        name: r.get("name")?,
        description: r.get("description")?,
        cost: r.get("cost")?,
        emoji: r.get("emoji")?,
        effect: r.get("effect")?,
        variables: json_object(r, "variables")?,
        enabled: r.get("enabled")?,
        created_at: ts(r, "created_at")?,
        updated_at: ts(r, "updated_at")?,
    })
}

/// Creates or replaces one powerup's configuration (keeping its creation time).
pub fn insert_config(
    conn: &Connection,
    s: StreamerId,
    kind: PowerupType,
    c: &PowerupConfigInput,
    now: Timestamp,
) -> StoreResult<PowerupConfig> {
    conn.prepare_cached(&format!(
        "INSERT INTO powerup_config (streamer_id, id, name, description, cost, emoji, effect, \
         variables, enabled, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) \
         ON CONFLICT (streamer_id, id) DO UPDATE SET name = excluded.name, \
         description = excluded.description, cost = excluded.cost, emoji = excluded.emoji, \
         effect = excluded.effect, variables = excluded.variables, enabled = excluded.enabled, \
         updated_at = excluded.updated_at RETURNING {CONFIG_COLUMNS}"
    ))
    .db()?
    .query_row(
        params![
            s.0,
            kind.as_str(),
            c.name,
            c.description,
            c.cost,
            c.emoji,
            c.effect,
            json_text(&Value::Object(c.variables.clone())),
            c.enabled,
            now.as_millis()
        ],
        config_from_row,
    )
    .db()
}

/// The configurations `sql` selects (`?1` the streamer).
fn configs(c: &Connection, s: StreamerId, sql: &str) -> StoreResult<Vec<PowerupConfig>> {
    c.prepare_cached(sql)
        .db()?
        .query_map([s.0], config_from_row)
        .db()?
        .collect::<rusqlite::Result<_>>()
        .db()
}

/// A user of this streamer, by username, with how many of `kind` they hold (`None` when they
/// hold none): existence and quantity in one statement. `NotFound(User)` when the streamer has
/// no such user.
fn held(
    c: &Connection,
    s: StreamerId,
    u: UserId,
    kind: PowerupType,
) -> StoreResult<(String, Option<i64>)> {
    c.prepare_cached(
        "SELECT u.username, i.quantity FROM users u LEFT JOIN powerup_inventory i \
         ON i.streamer_id = u.streamer_id AND i.user_id = u.id AND i.powerup_type = ?3 \
         WHERE u.streamer_id = ?1 AND u.id = ?2",
    )
    .db()?
    .query_row(params![s.0, u.0, kind.as_str()], |r| {
        Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?))
    })
    .db_optional()?
    .ok_or(StoreError::not_found(Resource::User))
}

/// Whether this streamer's configuration of `kind` is enabled (`false` when there is none):
/// what a write that may disable it needs to know of before.
fn powerup_enabled(c: &Connection, s: StreamerId, kind: PowerupType) -> StoreResult<bool> {
    Ok(
        c.prepare_cached("SELECT enabled FROM powerup_config WHERE streamer_id = ?1 AND id = ?2")
            .db()?
            .query_row(params![s.0, kind.as_str()], |r| r.get::<_, bool>(0))
            .db_optional()?
            .unwrap_or(false),
    )
}

/// The event of a write that left `kind`'s configuration as `after`.
fn config_changed(
    kind: PowerupType,
    enabled_before: bool,
    after: &PowerupConfig,
) -> Option<EventData> {
    visible_change(
        enabled_before,
        Some(after.clone()),
        |c| c.enabled,
        |powerup| EventData::PowerupChanged { id: kind, powerup },
    )
}

fn store_quantity(
    c: &Connection,
    s: StreamerId,
    u: UserId,
    kind: PowerupType,
    quantity: i64,
) -> StoreResult<()> {
    let values = params![s.0, u.0, kind.as_str(), quantity];
    // A held powerup has a row: an UPDATE is cheaper than an upsert's failed INSERT.
    let updated = c
        .prepare_cached(
            "UPDATE powerup_inventory SET quantity = ?4 \
             WHERE streamer_id = ?1 AND user_id = ?2 AND powerup_type = ?3", // equivalent mutant: user ids are global and every caller has just read this user under this streamer
        )
        .db()?
        .execute(values)
        .db()?;
    if updated == 0 {
        c.prepare_cached(
            "INSERT INTO powerup_inventory (streamer_id, user_id, powerup_type, quantity) \
             VALUES (?1, ?2, ?3, ?4)",
        )
        .db()?
        .execute(values)
        .db()?;
    }
    Ok(())
}

/// Uses one of a user's powerups: the inventory line after it and its `PowerupUsed` event
/// (`NoPowerupLeft` when they hold none, `NotFound(User)` for a missing user).
pub(crate) fn use_powerup(
    tx: &Connection,
    streamer: StreamerId,
    user: UserId,
    powerup: PowerupType,
) -> StoreResult<(InventoryItem, EventData)> {
    match held(tx, streamer, user, powerup)? {
        (username, Some(q)) if q > 0 => {
            store_quantity(tx, streamer, user, powerup, q - 1)?;
            let used = EventData::PowerupUsed {
                user_id: user,
                username,
                powerup,
                owned: q - 1,
            };
            let item = InventoryItem {
                powerup,
                quantity: q - 1,
            };
            Ok((item, used))
        }
        _ => Err(StoreError::NoPowerupLeft { powerup }),
    }
}

/// Buys one powerup for a user (free for the streamer's own account): the receipt, and the
/// events to record (the spend's `PointsChanged` when it cost anything, then
/// `PowerupPurchased`).
pub(crate) fn purchase_powerup(
    tx: &Connection,
    streamer: StreamerId,
    user: UserId,
    powerup: PowerupType,
    now: Timestamp,
) -> StoreResult<(PurchaseReceipt, Vec<EventData>)> {
    // The buyer, whether they are the streamer, their balance and their stock, at once.
    let buyer = tx
        .prepare_cached(
            "SELECT u.username = s.username AS is_owner, p.channel_points, p.drop_points, \
             p.total_drops, p.last_updated, i.quantity, u.username \
             FROM users u JOIN streamers s ON s.id = u.streamer_id \
             LEFT JOIN user_points p ON p.streamer_id = u.streamer_id AND p.user_id = u.id \
             LEFT JOIN powerup_inventory i ON i.streamer_id = u.streamer_id \
             AND i.user_id = u.id AND i.powerup_type = ?3 \
             WHERE u.streamer_id = ?1 AND u.id = ?2",
        )
        .db()?
        .query_row(params![streamer.0, user.0, powerup.as_str()], |r| {
            Ok((
                r.get::<_, bool>("is_owner")?,
                points_from_row(r)?,
                r.get::<_, Option<i64>>("quantity")?.unwrap_or(0),
                r.get::<_, String>("username")?,
            ))
        })
        .db_optional()?;
    let Some((is_owner, before, held, username)) = buyer else {
        return Err(StoreError::not_found(Resource::User));
    };
    let (cost, enabled) = tx
        .prepare_cached(
            "SELECT cost, enabled FROM powerup_config WHERE streamer_id = ?1 AND id = ?2",
        )
        .db()?
        .query_row(params![streamer.0, powerup.as_str()], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?))
        })
        .db_optional()?
        .ok_or(StoreError::not_found(Resource::Powerup))?;
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
    let quantity = held + 1;
    validate::in_range("quantity", quantity, 0, validate::MAX_QUANTITY)?;
    // The spend's ledger row (none for a free purchase) and its event first.
    let mut events = Vec::with_capacity(2);
    let points = if cost > 0 {
        let description = format!("powerup: {powerup}");
        let after = move_points(
            tx,
            streamer,
            user,
            &before,
            before.channel_points - cost,
            -cost,
            PointSource::Spend,
            Some(&description),
            now,
        )?;
        events.push(EventData::PointsChanged {
            viewer: ViewerBalances::of(user, username.clone(), &after),
            amount: -cost,
            source: PointSource::Spend,
            description: Some(description),
        });
        after
    } else {
        before
    };
    let purchase = tx
        .prepare_cached(
            "INSERT INTO powerup_purchases (streamer_id, user_id, powerup_type, cost, \
             purchased_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )
        .db()?
        .query_row(
            params![streamer.0, user.0, powerup.as_str(), cost, now.as_millis()],
            |r| r.get(0),
        )
        .db()?;
    store_quantity(tx, streamer, user, powerup, quantity)?;
    events.push(EventData::PowerupPurchased {
        user_id: user,
        username,
        powerup,
        quantity: 1,
        owned: quantity,
    });
    Ok((
        PurchaseReceipt {
            purchase: PowerupPurchase {
                id: PurchaseId(purchase),
                user_id: user,
                powerup,
                cost,
                purchased_at: now,
            },
            quantity,
            points,
        },
        events,
    ))
}

#[async_trait]
impl PowerupStore for SqliteStore {
    async fn list_enabled_powerups(&self, streamer: StreamerId) -> StoreResult<Vec<PowerupConfig>> {
        self.read(move |c, _| {
            configs(
                c,
                streamer,
                "SELECT id, name, description, cost, emoji, effect, variables, enabled, \
                 created_at, updated_at FROM powerup_config \
                 WHERE streamer_id = ?1 AND enabled = 1 ORDER BY cost, id",
            )
        })
        .await
    }

    async fn list_powerups(&self, streamer: StreamerId) -> StoreResult<Vec<PowerupConfig>> {
        self.read(move |c, _| {
            configs(
                c,
                streamer,
                "SELECT id, name, description, cost, emoji, effect, variables, enabled, \
                 created_at, updated_at FROM powerup_config WHERE streamer_id = ?1 ORDER BY id",
            )
        })
        .await
    }

    async fn get_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
    ) -> StoreResult<Option<PowerupConfig>> {
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {CONFIG_COLUMNS} FROM powerup_config WHERE streamer_id = ?1 AND id = ?2"
            ))
            .db()?
            .query_row(params![streamer.0, powerup.as_str()], config_from_row)
            .db_optional()
        })
        .await
    }

    async fn upsert_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
        input: PowerupConfigInput,
    ) -> StoreResult<PowerupConfig> {
        input.validate()?;
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            // Before matters only to a write that leaves it disabled.
            let enabled_before = !input.enabled && powerup_enabled(tx, streamer, powerup)?;
            let after = insert_config(tx, streamer, powerup, &input, now)?;
            let changed = config_changed(powerup, enabled_before, &after);
            record(tx, streamer, now, changed.as_slice())?;
            Ok(after)
        })
        .await
    }

    async fn update_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
        patch: PowerupConfigPatch,
    ) -> StoreResult<PowerupConfig> {
        patch.validate()?;
        self.write(streamer, move |tx, now| {
            // Before matters only to a write that disables it; one that leaves the flag alone
            // finds it as it was.
            let enabled_before = match patch.enabled {
                Some(false) => Some(powerup_enabled(tx, streamer, powerup)?),
                _ => None,
            };
            let after = tx
                .prepare_cached(&format!(
                    "UPDATE powerup_config SET name = coalesce(?3, name), \
                 description = coalesce(?4, description), cost = coalesce(?5, cost), \
                 emoji = coalesce(?6, emoji), effect = coalesce(?7, effect), \
                 variables = coalesce(?8, variables), enabled = coalesce(?9, enabled), \
                 updated_at = ?10 WHERE streamer_id = ?1 AND id = ?2 RETURNING {CONFIG_COLUMNS}"
                ))
                .db()?
                .query_row(
                    params![
                        streamer.0,
                        powerup.as_str(),
                        patch.name,
                        patch.description,
                        patch.cost,
                        patch.emoji,
                        patch.effect,
                        patch.variables.map(|v| json_text(&Value::Object(v))),
                        patch.enabled,
                        now.as_millis()
                    ],
                    config_from_row,
                )
                .db_optional()?
                .ok_or(StoreError::not_found(Resource::Powerup))?;
            let changed = config_changed(powerup, enabled_before.unwrap_or(after.enabled), &after);
            record(tx, streamer, now, changed.as_slice())?;
            Ok(after)
        })
        .await
    }

    async fn get_inventory(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<InventoryItem>>> {
        self.read(move |c, _| {
            joined_rows(
                c,
                "SELECT i.powerup_type, i.quantity FROM users u LEFT JOIN powerup_inventory i \
                 ON i.streamer_id = u.streamer_id AND i.user_id = u.id \
                 WHERE u.streamer_id = ?1 AND u.id = ?2 ORDER BY i.powerup_type",
                [streamer.0, user.0],
                "powerup_type",
                |r| {
                    Ok(InventoryItem {
                        powerup: parse(r, "powerup_type")?,
                        quantity: r.get("quantity")?,
                    })
                },
            )
        })
        .await
    }

    async fn add_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
        quantity: i64,
    ) -> StoreResult<InventoryItem> {
        validate::in_range("quantity", quantity, 1, validate::MAX_QUANTITY)?;
        self.write(streamer, move |tx, now| {
            let (username, before) = held(tx, streamer, user, powerup)?;
            let total = before.unwrap_or(0) + quantity;
            validate::in_range("quantity", total, 0, validate::MAX_QUANTITY)?;
            store_quantity(tx, streamer, user, powerup, total)?;
            let added = EventData::PowerupAdded {
                user_id: user,
                username,
                powerup,
                quantity,
                owned: total,
            };
            record(tx, streamer, now, &[added])?;
            Ok(InventoryItem {
                powerup,
                quantity: total,
            })
        })
        .await
    }

    async fn use_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
    ) -> StoreResult<InventoryItem> {
        self.write(streamer, move |tx, now| {
            let (item, used) = use_powerup(tx, streamer, user, powerup)?;
            record(tx, streamer, now, &[used])?;
            Ok(item)
        })
        .await
    }

    async fn purchase_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
    ) -> StoreResult<PurchaseReceipt> {
        self.write(streamer, move |tx, now| {
            let (receipt, events) = purchase_powerup(tx, streamer, user, powerup, now)?;
            record(tx, streamer, now, &events)?;
            Ok(receipt)
        })
        .await
    }
}
