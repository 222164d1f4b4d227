//! Viewers proving who they are: chat verification codes and sessions.

use datastore::{Timestamp, User};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST /{streamer}/api/verifications`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationRequest {
    /// The Kick username to prove.
    pub username: String,
}

/// A code to type in the streamer's chat, and the secret that logs in once it is confirmed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerificationIssued {
    /// The username it proves.
    pub username: String,
    /// The code to type in chat (public once typed).
    pub code: String,
    /// The login secret: keep it, never type it in chat; `POST …/sessions` needs it.
    pub login_secret: String,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// `POST /{streamer}/api/verifications/confirm`: the chat bot saw the code from that username.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeProof {
    /// The username.
    pub username: String,
    /// The code.
    pub code: String,
}

/// `POST /{streamer}/api/sessions`: the viewer logs in with the confirmed code and the secret
/// it was issued with.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogIn {
    /// The username.
    pub username: String,
    /// The confirmed code.
    pub code: String,
    /// The login secret from `POST …/verifications`.
    pub login_secret: String,
}

/// A confirmed code.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerificationConfirmed {
    /// The username.
    pub username: String,
    /// Always true.
    pub verified: bool,
    /// When the code stops working.
    pub expires_at: Timestamp,
}

/// A new viewer session: the only time the token is shown.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SessionIssued {
    /// The bearer token.
    pub token: String,
    /// The viewer.
    pub user: User,
    /// When the session ends.
    pub expires_at: Timestamp,
}
