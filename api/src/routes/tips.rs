//! Rotating tips.

use crate::handlers::tips;
use crate::route::{Route, route};
use datastore::{NewTip, Tip, TipPatch};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/tips", Public, 200, "The enabled tips, in rotation order", tips::list_enabled, res: Vec<Tip>),
    route!(Get "/{streamer}/api/admin/tips", Admin, 200, "Every tip", tips::list_all, res: Vec<Tip>),
    route!(Post "/{streamer}/api/tips", Admin, 201, "Add a tip", tips::create, req: NewTip, res: Tip,
        body: r#"{"content": "Type !drop to play", "enabled": true, "sort_order": 10}"#),
    route!(Put "/{streamer}/api/tips/{id}", Admin, 200, "Change a tip's text, state or place (absent fields stay)", tips::update, req: TipPatch, res: Tip,
        body: r#"{"enabled": false}"#),
    route!(Delete "/{streamer}/api/tips/{id}", Admin, 204, "Delete a tip", tips::delete),
];
