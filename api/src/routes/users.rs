//! A streamer's viewers.

use crate::handlers::users;
use crate::route::{Route, route};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/users/{id}", Public, 200, "A viewer", users::get),
    route!(Get "/{streamer}/api/users/by-name/{username}", Public, 200, "A viewer by username (ignoring case)", users::by_name),
    route!(Get "/{streamer}/api/admin/users", Admin, 200, "Every viewer with points, a page at a time", users::list,
        query: ["offset", "limit"]),
    route!(Post "/{streamer}/api/users", Admin, 201, "Get or create a viewer by username: 201 when new, 200 when known", users::create,
        body: r#"{"username": "Zoë"}"#, also: [200]),
    route!(Patch "/{streamer}/api/users/{id}", Admin, 200, "Edit a viewer's voice, drop image or country (null clears)", users::update,
        body: r#"{"voice_id": "en-GB-1", "country": "gb"}"#),
    route!(Delete "/{streamer}/api/users/{id}", Admin, 204, "Delete a viewer and everything of theirs", users::delete),
];
