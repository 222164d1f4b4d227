//! Powerups: the shop's configuration and viewers' inventories.

use crate::handlers::powerups;
use crate::route::{Route, route};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/powerups", Public, 200, "The powerups on sale, cheapest first", powerups::list_enabled),
    route!(Get "/{streamer}/api/admin/powerups", Admin, 200, "Every powerup, enabled or not", powerups::list_all),
    route!(Put "/{streamer}/api/powerups/{type}", Admin, 200, "Configure one powerup (tnt, powerdrop, shield, magnet, ghost, boost)", powerups::configure,
        body: r#"{"name": "TNT", "description": "Blast the others away", "cost": 450, "emoji": "💣", "effect": "Pushes every other dropper away", "variables": {"explosionRadius": 2000}, "enabled": true}"#),
    route!(Get "/{streamer}/api/users/{id}/powerups", Public, 200, "A viewer's powerup inventory", powerups::inventory),
    route!(Post "/{streamer}/api/users/{id}/powerups/{type}/purchase", Admin, 200, "Buy one powerup for a viewer at its cost (the channel owner buys free)", powerups::purchase),
    route!(Post "/{streamer}/api/users/{id}/powerups/{type}/use", Admin, 200, "Use one of a viewer's powerups (409 when none is left)", powerups::use_one),
];
