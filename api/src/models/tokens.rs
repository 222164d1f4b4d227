//! OAuth tokens: written in full, read back as metadata only.

use datastore::{OAuthToken, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// `PUT /{streamer}/api/tokens/{provider}`.
#[derive(Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Timestamp,
    /// The granted scopes.
    #[serde(default)]
    pub scope: Option<String>,
}

impl fmt::Debug for TokenBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenBody")
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// What the API tells about a stored token: never the token itself.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TokenMetadata {
    /// The provider.
    pub provider: String,
    /// Whether a refresh token is stored.
    pub has_refresh_token: bool,
    /// When the access token expires.
    pub expires_at: Timestamp,
    /// The granted scopes.
    pub scope: Option<String>,
    /// When it was first stored.
    pub created_at: Timestamp,
    /// When it was last replaced.
    pub updated_at: Timestamp,
}

impl From<&OAuthToken> for TokenMetadata {
    fn from(t: &OAuthToken) -> Self {
        TokenMetadata {
            provider: t.provider.clone(),
            has_refresh_token: t.refresh_token.is_some(),
            expires_at: t.expires_at,
            scope: t.scope.clone(),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}
