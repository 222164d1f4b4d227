//! Viewers proving who they are: chat verification codes and sessions.

use datastore::{Timestamp, User};
use serde::{Deserialize, Serialize};

/// `POST /{streamer}/api/verifications`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationRequest {
    /// The Kick username to prove.
    pub username: String,
}

/// A code to type in the streamer's chat.
#[derive(Debug, Clone, Serialize)]
pub struct VerificationIssued {
    /// The username it proves.
    pub username: String,
    /// The code.
    pub code: String,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// `POST /{streamer}/api/verifications/confirm` (the chat bot saw the code) and
/// `POST /{streamer}/api/sessions` (the viewer logs in with it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeProof {
    /// The username.
    pub username: String,
    /// The code.
    pub code: String,
}

/// A confirmed code.
#[derive(Debug, Clone, Serialize)]
pub struct VerificationConfirmed {
    /// The username.
    pub username: String,
    /// Always true.
    pub verified: bool,
    /// When the code stops working.
    pub expires_at: Timestamp,
}

/// A new viewer session: the only time the token is shown.
#[derive(Debug, Clone, Serialize)]
pub struct SessionIssued {
    /// The bearer token.
    pub token: String,
    /// The viewer.
    pub user: User,
    /// When the session ends.
    pub expires_at: Timestamp,
}
