//! The streamer's own profile, admin key and overlay key.

use crate::handlers::streamer;
use crate::models::streamers::{AdminKeyIssued, OverlayKeyIssued, Profile};
use crate::route::{Route, route};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/profile", Public, 200, "The streamer's public profile", streamer::profile, res: Profile),
    route!(Post "/{streamer}/api/admin-key/rotate", Admin, 200, "Issue a new admin key; the old one stops working", streamer::rotate_key, res: AdminKeyIssued),
    route!(Post "/{streamer}/api/overlay-key/rotate", Admin, 200, "Issue a new overlay key for browser sources (?key= in their URLs); the old one stops working", streamer::rotate_overlay_key, res: OverlayKeyIssued),
];
