//! Verification codes: a viewer proves a username by typing a code in chat.

use crate::clock::Timestamp;
use crate::error::{StoreError, StoreResult};
use crate::ids::StreamerId;
use crate::sessions::TokenHash;
use crate::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A verification code issued for a username.
///
/// Codes are keyed by username, not by user: the viewer may not be a user yet. A username and
/// code pair is unique within the streamer, the username compared ignoring ASCII case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VerificationCode {
    /// The username the code was issued for, as first given.
    pub username: String,
    /// The code (ASCII letters and digits).
    pub code: String,
    /// Whether the chat bot saw the code typed by that username.
    pub verified: bool,
    /// When it was first issued.
    pub created_at: Timestamp,
    /// After this instant the code is no longer returned.
    pub expires_at: Timestamp,
}

/// The most unexpired codes one username holds at once (per streamer). Issuing another drops
/// the oldest unconfirmed one (the oldest of all when every one is confirmed).
pub const MAX_LIVE_CODES: usize = 5;

/// Redemptions with a wrong secret after which a code is deleted.
pub const MAX_FAILED_REDEMPTIONS: u32 = 5;

/// A code to issue (or refresh).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVerificationCode {
    /// See [`VerificationCode::username`] ([`validate::username`]).
    pub username: String,
    /// See [`VerificationCode::code`].
    pub code: String,
    /// The hash of the login secret issued with the code: the only secret that redeems it
    /// ([`VerificationStore::redeem_verification_code`]). Stored, never returned.
    pub secret_hash: TokenHash,
    /// See [`VerificationCode::expires_at`].
    pub expires_at: Timestamp,
}

/// What [`VerificationStore::redeem_verification_code`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Redemption {
    /// The secret is the one issued with the code and the code was confirmed: every code of
    /// the username is deleted (the code is spent).
    Redeemed,
    /// The secret is right but the code is not confirmed yet; nothing changed.
    NotConfirmed,
    /// The secret is not the one issued with the code. The failure is counted; at the
    /// [`MAX_FAILED_REDEMPTIONS`]th the code is deleted.
    WrongSecret {
        /// Failures left before the code is deleted (0: it is deleted now).
        attempts_left: u32,
    },
}

impl NewVerificationCode {
    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        validate::username(&self.username)?;
        validate_code(&self.code)
    }
}

/// A code: 1 to [`validate::MAX_CODE_CHARS`] ASCII letters and digits.
pub fn validate_code(code: &str) -> StoreResult<()> {
    if code.is_empty()
        || code.len() > validate::MAX_CODE_CHARS
        || !code.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(StoreError::invalid(
            "code",
            format!(
                "must be 1 to {} ASCII letters and digits",
                validate::MAX_CODE_CHARS
            ),
        ));
    }
    Ok(())
}

/// Verification codes of one streamer.
///
/// Tenant rule for every method: a code is found, verified or deleted only under the streamer
/// it was issued by; the same username and code may be issued by two streamers independently.
/// A code whose `expires_at` is not after the clock's now is expired.
#[async_trait]
pub trait VerificationStore: Send + Sync {
    /// Issues a code. Issuing the same username (ignoring ASCII case) and code again refreshes
    /// its expiry and changes nothing else (its secret hash stays the first one's). The
    /// username's expired codes are deleted, and it keeps at most [`MAX_LIVE_CODES`]: past
    /// that, the oldest unconfirmed code is deleted (the oldest of all when all are confirmed).
    ///
    /// Errors: `InvalidInput`; `NotFound(Streamer)` when the streamer does not exist.
    async fn create_verification_code(
        &self,
        streamer: StreamerId,
        code: NewVerificationCode,
    ) -> StoreResult<VerificationCode>;

    /// The unexpired code for this username and code, or `None`.
    async fn get_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
    ) -> StoreResult<Option<VerificationCode>>;

    /// The newest (last issued) unexpired code for this username, or `None`.
    async fn latest_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<Option<VerificationCode>>;

    /// Marks an unexpired code verified and returns it.
    ///
    /// Errors: `NotFound(VerificationCode)` (also when expired).
    async fn mark_verification_code_verified(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
    ) -> StoreResult<VerificationCode>;

    /// Deletes every code of this username (ignoring ASCII case); returns how many.
    async fn delete_verification_codes(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<u64>;

    /// Redeems the unexpired code for this username and code with `secret_hash`, atomically
    /// ([`Redemption`]): of concurrent redemptions of one code, at most one is `Redeemed`.
    ///
    /// Errors: `NotFound(VerificationCode)` when there is no such unexpired code (also once it
    /// has been redeemed, or deleted after too many wrong secrets).
    async fn redeem_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
        secret_hash: &TokenHash,
    ) -> StoreResult<Redemption>;

    /// Deletes the streamer's expired codes; returns how many.
    async fn purge_expired_verification_codes(&self, streamer: StreamerId) -> StoreResult<u64>;
}
