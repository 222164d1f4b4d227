//! Powerup configuration.

use datastore::PowerupConfigInput;
use serde::Deserialize;
use serde_json::{Map, Value};

/// `PUT /{streamer}/api/powerups/{type}`: the whole configuration of one powerup.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerupBody {
    /// Its name.
    pub name: String,
    /// What it does, for viewers.
    pub description: String,
    /// Its price in channel points.
    pub cost: i64,
    /// Its emoji.
    pub emoji: String,
    /// What it does, for the game.
    pub effect: String,
    /// Gameplay variables.
    #[serde(default)]
    pub variables: Map<String, Value>,
    /// Whether viewers can buy it (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl From<PowerupBody> for PowerupConfigInput {
    fn from(b: PowerupBody) -> Self {
        PowerupConfigInput {
            name: b.name,
            description: b.description,
            cost: b.cost,
            emoji: b.emoji,
            effect: b.effect,
            variables: b.variables,
            enabled: b.enabled,
        }
    }
}
