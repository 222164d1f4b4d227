//! Goals (followers, subscribers, …).

use crate::handlers::goals;
use crate::route::{Route, route};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/goals", Public, 200, "The enabled goals", goals::list_enabled),
    route!(Get "/{streamer}/api/admin/goals", Admin, 200, "Every goal", goals::list_all),
    route!(Put "/{streamer}/api/goals/{id}", Admin, 200, "Create or replace a goal", goals::put,
        body: r#"{"label": "Followers", "current_value": 120, "target_value": 500, "enabled": true}"#),
    route!(Patch "/{streamer}/api/goals/{id}/progress", Admin, 200, "Set a goal's progress", goals::progress,
        body: r#"{"current_value": 121}"#),
    route!(Delete "/{streamer}/api/goals/{id}", Admin, 204, "Delete a goal", goals::delete),
];
