//! The streamer's economy (what Kick's events pay, what chat commands cost) and the stream's
//! live state.

use crate::handlers::economy;
use crate::route::{Route, route};
use datastore::{EconomyConfig, StreamState};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/economy", Admin, 200, "The economy: points per chat message, watched minute, subscription, gift and Kick, the goals events advance, and each chat command's switch, cooldown and bounds (the defaults until set)", economy::get, res: EconomyConfig),
    route!(Put "/{streamer}/api/economy", Admin, 200, "Replace the economy (fields left out take their defaults)", economy::put, req: EconomyConfig, res: EconomyConfig,
        body: r#"{"chat_points": 10, "watch_points": 5, "subscription_points": 2000, "commands": {"gamble": {"enabled": false, "cooldown_secs": 30}, "say_cost": 250}}"#),
    route!(Get "/{streamer}/api/stream", Public, 200, "Whether the stream is live, as Kick's deliveries left it", economy::stream, res: StreamState),
];
