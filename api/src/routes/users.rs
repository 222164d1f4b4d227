//! A streamer's viewers.

use crate::handlers::users;
use crate::models::users::CreateUser;
use crate::route::{Route, route};
use datastore::{Page, ProfileUpdate, User, UserWithPoints};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/users/{id}", Public, 200, "A viewer", users::get, res: User),
    route!(Get "/{streamer}/api/users/by-name/{username}", Public, 200, "A viewer by username (ignoring case)", users::by_name, res: User),
    route!(Get "/{streamer}/api/admin/users", Admin, 200, "Every viewer with points, a page at a time", users::list, res: Page<UserWithPoints>,
        query: ["offset", "limit"]),
    route!(Post "/{streamer}/api/users", Overlay, 201, "Get or create a viewer by username: 201 when new, 200 when known (the overlay key is enough)", users::create, req: CreateUser, res: User,
        body: r#"{"username": "Zoë"}"#, query: ["key"], also: [200]),
    route!(Patch "/{streamer}/api/users/{id}", Admin, 200, "Edit a viewer's voice, drop image or country (null clears)", users::update, req: ProfileUpdate, res: User,
        body: r#"{"voice_id": "en-GB-1", "country": "gb"}"#),
    route!(Delete "/{streamer}/api/users/{id}", Admin, 204, "Delete a viewer and everything of theirs", users::delete),
];
