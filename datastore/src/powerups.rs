//! Powerups: each streamer's configuration, users' inventories and purchases.

use crate::clock::Timestamp;
use crate::error::{StoreError, StoreResult};
use crate::ids::{PurchaseId, StreamerId, UserId};
use crate::points::Points;
use crate::powerup_type::PowerupType;
use crate::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::str::FromStr;

impl FromStr for PowerupType {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PowerupType::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| StoreError::invalid("powerup", format!("unknown powerup {s:?}")))
    }
}

/// A streamer's configuration of one powerup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PowerupConfig {
    /// Which powerup.
    pub id: PowerupType,
    /// Shown in the shop.
    pub name: String,
    /// Shown in the shop.
    pub description: String,
    /// Channel points it costs.
    pub cost: i64,
    /// Shown in the shop and on the overlay.
    pub emoji: String,
    /// What it does, in words.
    pub effect: String,
    /// The gameplay numbers the overlay reads (a JSON object).
    pub variables: Map<String, Value>,
    /// Whether it can be bought.
    pub enabled: bool,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

/// A full powerup configuration, for create-or-replace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PowerupConfigInput {
    /// See [`PowerupConfig::name`].
    pub name: String,
    /// See [`PowerupConfig::description`].
    pub description: String,
    /// See [`PowerupConfig::cost`]; 0 to [`validate::MAX_AMOUNT`].
    pub cost: i64,
    /// See [`PowerupConfig::emoji`].
    pub emoji: String,
    /// See [`PowerupConfig::effect`].
    pub effect: String,
    /// See [`PowerupConfig::variables`].
    #[serde(default)]
    pub variables: Map<String, Value>,
    /// See [`PowerupConfig::enabled`].
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl PowerupConfigInput {
    /// The stored configuration of `id` with these values.
    pub fn into_config(
        self,
        id: PowerupType,
        created_at: Timestamp,
        updated_at: Timestamp,
    ) -> PowerupConfig {
        PowerupConfig {
            id,
            name: self.name,
            description: self.description,
            cost: self.cost,
            emoji: self.emoji,
            effect: self.effect,
            variables: self.variables,
            enabled: self.enabled,
            created_at,
            updated_at,
        }
    }

    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        validate::name("name", &self.name, validate::MAX_NAME_CHARS)?;
        validate::text(
            "description",
            &self.description,
            0,
            validate::MAX_TEXT_CHARS,
        )?;
        validate::in_range("cost", self.cost, 0, validate::MAX_AMOUNT)?;
        validate::name("emoji", &self.emoji, 16)?;
        validate::text("effect", &self.effect, 0, validate::MAX_TEXT_CHARS)?;
        validate::document("variables", &Value::Object(self.variables.clone()), true)
    }
}

/// Changes to a powerup configuration; absent fields are left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerupConfigPatch {
    /// See [`PowerupConfig::name`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// See [`PowerupConfig::description`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// See [`PowerupConfig::cost`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<i64>,
    /// See [`PowerupConfig::emoji`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    /// See [`PowerupConfig::effect`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    /// See [`PowerupConfig::variables`] (replaces the whole object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Map<String, Value>>,
    /// See [`PowerupConfig::enabled`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

impl PowerupConfigPatch {
    /// Refuses what the contract does not accept (each present field, as for
    /// [`PowerupConfigInput::validate`]).
    pub fn validate(&self) -> StoreResult<()> {
        if let Some(n) = &self.name {
            validate::name("name", n, validate::MAX_NAME_CHARS)?;
        }
        if let Some(d) = &self.description {
            validate::text("description", d, 0, validate::MAX_TEXT_CHARS)?;
        }
        if let Some(c) = self.cost {
            validate::in_range("cost", c, 0, validate::MAX_AMOUNT)?;
        }
        if let Some(e) = &self.emoji {
            validate::name("emoji", e, 16)?;
        }
        if let Some(e) = &self.effect {
            validate::text("effect", e, 0, validate::MAX_TEXT_CHARS)?;
        }
        if let Some(v) = &self.variables {
            validate::document("variables", &Value::Object(v.clone()), true)?;
        }
        Ok(())
    }

    /// `current` with this patch applied.
    pub fn apply_to(&self, current: &PowerupConfig) -> PowerupConfigInput {
        PowerupConfigInput {
            name: self.name.clone().unwrap_or_else(|| current.name.clone()),
            description: self
                .description
                .clone()
                .unwrap_or_else(|| current.description.clone()),
            cost: self.cost.unwrap_or(current.cost),
            emoji: self.emoji.clone().unwrap_or_else(|| current.emoji.clone()),
            effect: self
                .effect
                .clone()
                .unwrap_or_else(|| current.effect.clone()),
            variables: self
                .variables
                .clone()
                .unwrap_or_else(|| current.variables.clone()),
            enabled: self.enabled.unwrap_or(current.enabled),
        }
    }
}

/// The configuration a new streamer starts with: the legacy app's six powerups.
pub fn default_powerups() -> Vec<(PowerupType, PowerupConfigInput)> {
    fn config(
        name: &str,
        cost: i64,
        emoji: &str,
        description: &str,
        effect: &str,
        vars: Value,
    ) -> PowerupConfigInput {
        PowerupConfigInput {
            name: name.to_owned(),
            description: description.to_owned(),
            cost,
            emoji: emoji.to_owned(),
            effect: effect.to_owned(),
            variables: match vars {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            enabled: true,
        }
    }
    vec![
        (
            PowerupType::Tnt,
            config(
                "TNT",
                500,
                "💣",
                "Blast the other droppers out of the way",
                "Pushes every other dropper away from the explosion",
                json!({"explosionRadius": 2000, "explosionForce": 1500, "explosionUpwardBoost": 400}),
            ),
        ),
        (
            PowerupType::Powerdrop,
            config(
                "Power Drop",
                300,
                "⚡",
                "Drop like a stone",
                "Stops sideways motion and falls at triple gravity",
                json!({"gravityMultiplier": 3}),
            ),
        ),
        (
            PowerupType::Shield,
            config(
                "Shield",
                400,
                "🛡️",
                "Nothing can push you around",
                "Makes the dropper immune to pushes for the drop",
                json!({"duration": 10000}),
            ),
        ),
        (
            PowerupType::Magnet,
            config(
                "Magnet",
                600,
                "🧲",
                "Get pulled toward the target",
                "Pulls the dropper toward the platform centre",
                json!({"pullStrength": 500, "duration": 3000}),
            ),
        ),
        (
            PowerupType::Ghost,
            config(
                "Ghost",
                750,
                "👻",
                "Pass through everything",
                "Ignores collisions and explosions and wraps around the screen",
                json!({"duration": 5000}),
            ),
        ),
        (
            PowerupType::Boost,
            config(
                "Speed Boost",
                250,
                "🚀",
                "Move sideways twice as fast",
                "Doubles sideways speed for a moment",
                json!({"speedMultiplier": 2, "duration": 3000}),
            ),
        ),
    ]
}

/// How many of one powerup a user holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InventoryItem {
    /// The powerup.
    pub powerup: PowerupType,
    /// How many; never negative, may be 0 once used up.
    pub quantity: i64,
}

/// An inventory row, as exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InventoryRow {
    /// Whose inventory.
    pub user_id: UserId,
    /// The powerup.
    pub powerup: PowerupType,
    /// How many.
    pub quantity: i64,
}

/// A recorded purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PowerupPurchase {
    /// Assigned by the store.
    pub id: PurchaseId,
    /// The buyer.
    pub user_id: UserId,
    /// What was bought.
    pub powerup: PowerupType,
    /// What it cost (0 for the streamer's own user).
    pub cost: i64,
    /// When.
    pub purchased_at: Timestamp,
}

/// Result of [`PowerupStore::purchase_powerup`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PurchaseReceipt {
    /// The recorded purchase.
    pub purchase: PowerupPurchase,
    /// How many of the powerup the buyer now holds.
    pub quantity: i64,
    /// The buyer's balances after paying.
    pub points: Points,
}

/// Powerups of one streamer.
///
/// Tenant rule for every method: configurations are per streamer (changing one streamer's TNT
/// changes no one else's), and a user id of another streamer behaves exactly like an id that
/// does not exist (`None`, or `NotFound(User)`), its inventory and points untouched.
#[async_trait]
pub trait PowerupStore: Send + Sync {
    /// The streamer's enabled powerups, by cost then id.
    async fn list_enabled_powerups(&self, streamer: StreamerId) -> StoreResult<Vec<PowerupConfig>>;

    /// All the streamer's powerups, by id.
    async fn list_powerups(&self, streamer: StreamerId) -> StoreResult<Vec<PowerupConfig>>;

    /// One powerup's configuration, or `None`.
    async fn get_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
    ) -> StoreResult<Option<PowerupConfig>>;

    /// Creates or replaces the configuration (keeping `created_at` on replace).
    ///
    /// Errors: `InvalidInput`; `NotFound(Streamer)` when the streamer does not exist.
    async fn upsert_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
        config: PowerupConfigInput,
    ) -> StoreResult<PowerupConfig>;

    /// Changes the given fields of an existing configuration.
    ///
    /// Errors: `NotFound(Powerup)`; `InvalidInput`.
    async fn update_powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
        patch: PowerupConfigPatch,
    ) -> StoreResult<PowerupConfig>;

    /// The user's inventory rows by powerup id (zero quantities included), or `None` for an
    /// unknown user.
    async fn get_inventory(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<InventoryItem>>>;

    /// Gives the user `quantity` (1 to [`validate::MAX_QUANTITY`] in all) more of a powerup.
    ///
    /// Errors: `NotFound(User)`; `InvalidInput`.
    async fn add_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
        quantity: i64,
    ) -> StoreResult<InventoryItem>;

    /// Uses one of the user's powerups, only when they hold at least one.
    ///
    /// Errors: `NoPowerupLeft` (nothing changes); `NotFound(User)`.
    async fn use_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
    ) -> StoreResult<InventoryItem>;

    /// Buys one powerup in one atomic step: spends its configured cost (with a `spend` ledger
    /// row when the cost is not zero), adds one to the inventory and records the purchase. The
    /// user whose username is the streamer's own (ignoring ASCII case) buys at cost 0, recorded
    /// so.
    ///
    /// Errors, checked in this order: `NotFound(User)`; `NotFound(Powerup)` when the streamer
    /// has no configuration for it (a streamer created through this contract has all six; a
    /// migrated one may lack some); `PowerupDisabled`; `InsufficientPoints`; `InvalidInput` when
    /// the quantity would pass [`validate::MAX_QUANTITY`]. Nothing changes on error.
    async fn purchase_powerup(
        &self,
        streamer: StreamerId,
        user: UserId,
        powerup: PowerupType,
    ) -> StoreResult<PurchaseReceipt>;
}
