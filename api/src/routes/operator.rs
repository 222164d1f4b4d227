//! The operator's routes: streamers come and go.

use crate::handlers::operator;
use crate::models::streamers::StreamerCreated;
use crate::route::{Route, route};
use datastore::{NewStreamer, Streamer};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Post "/api/streamers", Operator, 201, "Create a streamer; the answer holds its admin key, shown once", operator::create, req: NewStreamer, res: StreamerCreated,
        body: r#"{"username": "codingbutter", "display_name": "Butters", "kick_user_id": 1234, "avatar_url": "https://files.kick.com/butters.png"}"#),
    route!(Get "/api/streamers", Operator, 200, "List every streamer", operator::list, res: Vec<Streamer>),
    route!(Delete "/api/streamers/{streamer}", Operator, 204, "Delete a streamer and all of its data", operator::delete),
];
