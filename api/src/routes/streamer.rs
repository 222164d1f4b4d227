//! The streamer's own profile and admin key.

use crate::handlers::streamer;
use crate::route::{Route, route};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/profile", Public, 200, "The streamer's public profile", streamer::profile),
    route!(Post "/{streamer}/api/admin-key/rotate", Admin, 200, "Issue a new admin key; the old one stops working", streamer::rotate_key),
];
