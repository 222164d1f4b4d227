//! The JSON shapes only the API has: request bodies that are not a `datastore` input type (a
//! signed points change, a bulk award by usernames, a setting's value, a viewer's login), and
//! responses that are not a `datastore` type (a token's metadata, a public profile, a theme
//! or its default). Where a body is exactly a contract input (a goal, a layout, a tip, a
//! powerup's configuration, a profile change, a new streamer, a drop, balances to set), the
//! handler reads the `datastore` type itself, which refuses unknown fields too, so there is one
//! definition of it. Every body refuses unknown fields: a misspelt field is a 400, not
//! silently ignored.

pub mod export;
pub mod goals;
pub mod kick;
pub mod meta;
pub mod overlay;
pub mod points;
pub mod streamers;
pub mod tokens;
pub mod users;
pub mod viewers;
