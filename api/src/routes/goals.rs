//! Goals (followers, subscribers, …).

use crate::handlers::goals;
use crate::models::goals::ProgressBody;
use crate::route::{Route, route};
use datastore::{Goal, GoalInput};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/goals", Public, 200, "The enabled goals", goals::list_enabled, res: Vec<Goal>),
    route!(Get "/{streamer}/api/admin/goals", Admin, 200, "Every goal", goals::list_all, res: Vec<Goal>),
    route!(Put "/{streamer}/api/goals/{id}", Admin, 200, "Create or replace a goal", goals::put, req: GoalInput, res: Goal,
        body: r#"{"label": "Followers", "current_value": 120, "target_value": 500, "enabled": true}"#),
    route!(Patch "/{streamer}/api/goals/{id}/progress", Admin, 200, "Set a goal's progress", goals::progress, req: ProgressBody, res: Goal,
        body: r#"{"current_value": 121}"#),
    route!(Delete "/{streamer}/api/goals/{id}", Admin, 204, "Delete a goal", goals::delete),
];
