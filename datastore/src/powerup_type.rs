//! The six powerups of the drop game, as a type the errors, the ledger and the powerup
//! configuration all name.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The six powerups of the drop game. Declared in alphabetical order, so `Ord` is the order of
/// the names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PowerupType {
    /// Doubles sideways speed for a moment.
    Boost,
    /// Ignores collisions and explosions and wraps around the screen.
    Ghost,
    /// Pulls toward the platform centre.
    Magnet,
    /// Stops sideways motion and falls at triple gravity.
    Powerdrop,
    /// Immune to pushes for the drop.
    Shield,
    /// Pushes other droppers away.
    Tnt,
}

impl PowerupType {
    /// Every powerup, in name order.
    pub const ALL: [PowerupType; 6] = [
        PowerupType::Boost,
        PowerupType::Ghost,
        PowerupType::Magnet,
        PowerupType::Powerdrop,
        PowerupType::Shield,
        PowerupType::Tnt,
    ];

    /// The powerup's id as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            PowerupType::Boost => "boost",
            PowerupType::Ghost => "ghost",
            PowerupType::Magnet => "magnet",
            PowerupType::Powerdrop => "powerdrop",
            PowerupType::Shield => "shield",
            PowerupType::Tnt => "tnt",
        }
    }
}

impl fmt::Display for PowerupType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
