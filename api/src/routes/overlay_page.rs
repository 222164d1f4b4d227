//! The overlay page itself: what a streamer pastes into OBS as a browser source.

use crate::handlers::overlay_page;
use crate::route::{Route, route};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/overlay", Public, 200, "The overlay page for an OBS browser source (text/html): leaderboard, goals, tips and recent events, live from the event stream", overlay_page::page, html: String),
];
