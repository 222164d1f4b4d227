//! Users (a streamer's viewers).

use schemars::JsonSchema;
use serde::Deserialize;

/// `POST /{streamer}/api/users`: get or create by username.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// The Kick username (matched ignoring case).
    pub username: String,
}
