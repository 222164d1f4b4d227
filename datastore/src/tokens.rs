//! OAuth tokens: each streamer's credentials for Kick (one row per provider).

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::ids::StreamerId;
use crate::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A streamer's OAuth token for one provider. `Debug` never prints the secrets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthToken {
    /// The provider (`kick`), unique within the streamer.
    pub provider: String,
    /// The access token (a secret).
    pub access_token: String,
    /// The refresh token (a secret).
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Timestamp,
    /// The scopes granted.
    pub scope: Option<String>,
    /// When the row was created.
    pub created_at: Timestamp,
    /// When the row was last replaced.
    pub updated_at: Timestamp,
}

impl fmt::Debug for OAuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthToken")
            .field("provider", &self.provider)
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// A token to create or replace. `Debug` never prints the secrets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthTokenInput {
    /// See [`OAuthToken::provider`] ([`validate::key`]).
    pub provider: String,
    /// See [`OAuthToken::access_token`].
    pub access_token: String,
    /// See [`OAuthToken::refresh_token`].
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// See [`OAuthToken::expires_at`].
    pub expires_at: Timestamp,
    /// See [`OAuthToken::scope`].
    #[serde(default)]
    pub scope: Option<String>,
}

impl fmt::Debug for OAuthTokenInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokenInput")
            .field("provider", &self.provider)
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl OAuthTokenInput {
    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        validate::key("provider", &self.provider)?;
        validate::name(
            "access_token",
            &self.access_token,
            validate::MAX_TOKEN_CHARS,
        )?;
        if let Some(r) = &self.refresh_token {
            validate::name("refresh_token", r, validate::MAX_TOKEN_CHARS)?;
        }
        validate::optional_text("scope", self.scope.as_deref(), validate::MAX_TOKEN_CHARS)
    }
}

/// OAuth tokens of one streamer.
///
/// Tenant rule for every method: providers are per streamer; one streamer's token is never
/// returned, replaced or deleted through another streamer's id.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// The token for the provider (expired or not: the refresh token may still work), or
    /// `None`.
    async fn get_oauth_token(
        &self,
        streamer: StreamerId,
        provider: &str,
    ) -> StoreResult<Option<OAuthToken>>;

    /// Creates or replaces the token for its provider (keeping `created_at` on replace).
    ///
    /// Errors: `InvalidInput`; `NotFound(Streamer)` when the streamer does not exist.
    async fn upsert_oauth_token(
        &self,
        streamer: StreamerId,
        token: OAuthTokenInput,
    ) -> StoreResult<OAuthToken>;

    /// Deletes the token for the provider.
    ///
    /// Errors: `NotFound(OAuthToken)`.
    async fn delete_oauth_token(&self, streamer: StreamerId, provider: &str) -> StoreResult<()>;
}
