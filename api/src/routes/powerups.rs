//! Powerups: the shop's configuration and viewers' inventories.

use crate::handlers::powerups;
use crate::route::{Route, route};
use datastore::{InventoryItem, PowerupConfig, PowerupConfigInput, PurchaseReceipt};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/powerups", Public, 200, "The powerups on sale, cheapest first", powerups::list_enabled, res: Vec<PowerupConfig>),
    route!(Get "/{streamer}/api/admin/powerups", Admin, 200, "Every powerup, enabled or not", powerups::list_all, res: Vec<PowerupConfig>),
    route!(Put "/{streamer}/api/powerups/{type}", Admin, 200, "Configure one powerup (tnt, powerdrop, shield, magnet, ghost, boost)", powerups::configure, req: PowerupConfigInput, res: PowerupConfig,
        body: r#"{"name": "TNT", "description": "Blast the others away", "cost": 450, "emoji": "💣", "effect": "Pushes every other dropper away", "variables": {"explosionRadius": 2000}, "enabled": true}"#),
    route!(Get "/{streamer}/api/users/{id}/powerups", Public, 200, "A viewer's powerup inventory", powerups::inventory, res: Vec<InventoryItem>),
    route!(Post "/{streamer}/api/users/{id}/powerups/{type}/purchase", Admin, 200, "Buy one powerup for a viewer at its cost (the channel owner buys free)", powerups::purchase, res: PurchaseReceipt),
    route!(Post "/{streamer}/api/users/{id}/powerups/{type}/use", Overlay, 200, "Use one of a viewer's powerups (409 when none is left; the overlay key is enough)", powerups::use_one, res: InventoryItem,
        query: ["key"]),
];
