//! Sessions: viewer logins, streamer (admin) logins and streamer admin keys, stored only as
//! hashes.

use crate::clock::Timestamp;
use crate::error::{StoreError, StoreResult};
use crate::ids::{StreamerId, UserId};
use async_trait::async_trait;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::fmt;

/// A session token as handed to a client: a secret that no store ever sees. Stores receive only
/// its [`TokenHash`]. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// Wraps a token received from (or generated for) a client.
    pub fn new(secret: impl Into<String>) -> Self {
        SessionToken(secret.into())
    }

    /// The secret, to send to the client once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 hash a store keeps in place of the token.
    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0.as_bytes()).into())
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// The SHA-256 of a [`SessionToken`]: what stores keep and look sessions up by. It serializes
/// as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    /// The hash as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> StoreResult<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out)
            .map_err(|_| StoreError::invalid("token_hash", "must be 64 hex digits"))?;
        Ok(TokenHash(out))
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({})", self.to_hex())
    }
}

impl Serialize for TokenHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for TokenHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        TokenHash::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// A viewer's login to a streamer's profile pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSession {
    /// The hash of the session token; unique within the streamer.
    pub token_hash: TokenHash,
    /// The logged-in user.
    pub user_id: UserId,
    /// When the session was created.
    pub created_at: Timestamp,
    /// After this instant the session is no longer returned.
    pub expires_at: Timestamp,
}

/// A session to create for a viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUserSession {
    /// The user logging in.
    pub user_id: UserId,
    /// The hash of the token given to the viewer.
    pub token_hash: TokenHash,
    /// See [`UserSession::expires_at`].
    pub expires_at: Timestamp,
}

/// A streamer's login to their dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamerSession {
    /// The hash of the session token; unique within the streamer.
    pub token_hash: TokenHash,
    /// When the session was created.
    pub created_at: Timestamp,
    /// After this instant the session is no longer returned.
    pub expires_at: Timestamp,
}

/// A streamer's admin key, as stored: its hash and when it was set.
///
/// The admin key is the streamer's bearer credential for the HTTP API. Like a session token,
/// the key itself never reaches a store: only its SHA-256 ([`SessionToken::hash`]) is kept.
/// A streamer has at most one; setting a new one replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminKey {
    /// The hash of the key.
    pub key_hash: TokenHash,
    /// When the key was set (the store's clock).
    pub created_at: Timestamp,
}

/// A streamer's overlay key, as stored: only its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverlayKey {
    /// The hash of the key.
    pub key_hash: TokenHash,
    /// When the key was set (the store's clock).
    pub created_at: Timestamp,
}

/// Viewer and streamer sessions of one streamer, and the streamer's admin and overlay keys.
///
/// Tenant rule for every method: a session is found only under the streamer it was created
/// for, so a token of one streamer presented under another is no session at all. Token hashes
/// are unique per streamer, never globally, so creating a session can never reveal another
/// streamer's. A session whose `expires_at` is not after the clock's now is expired. Likewise
/// an admin key opens only the streamer it was set for: the same hash may be any number of
/// streamers' keys, and setting one never touches, nor reveals, another streamer's.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Creates a viewer session.
    ///
    /// Errors: `NotFound(User)` (also for another streamer's user: no session can point at it);
    /// `Conflict(SessionToken)` when this streamer already has a session with the hash.
    async fn create_user_session(
        &self,
        streamer: StreamerId,
        session: NewUserSession,
    ) -> StoreResult<UserSession>;

    /// The unexpired viewer session with this token hash, or `None`.
    async fn get_user_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<Option<UserSession>>;

    /// Deletes a viewer session (expired or not).
    ///
    /// Errors: `NotFound(UserSession)`.
    async fn delete_user_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<()>;

    /// Deletes the streamer's expired viewer sessions; returns how many.
    async fn purge_expired_user_sessions(&self, streamer: StreamerId) -> StoreResult<u64>;

    /// Creates a streamer (admin) session.
    ///
    /// Errors: `NotFound(Streamer)`; `Conflict(SessionToken)`.
    async fn create_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
        expires_at: Timestamp,
    ) -> StoreResult<StreamerSession>;

    /// The unexpired streamer session with this token hash, or `None`.
    async fn get_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<Option<StreamerSession>>;

    /// Deletes a streamer session (expired or not).
    ///
    /// Errors: `NotFound(StreamerSession)`.
    async fn delete_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<()>;

    /// Deletes the streamer's expired streamer sessions; returns how many.
    async fn purge_expired_streamer_sessions(&self, streamer: StreamerId) -> StoreResult<u64>;

    /// Sets the streamer's admin key (its hash), replacing any previous key: the old key stops
    /// working at once. `NotFound(Streamer)` for a streamer that does not exist.
    async fn set_admin_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<AdminKey>;

    /// Whether `key_hash` is the streamer's current admin key: `false` for another streamer's
    /// key, for a streamer without a key and for a streamer that does not exist.
    async fn check_admin_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<bool>;

    /// Sets the streamer's overlay key (its hash), replacing any previous one: the old key stops
    /// working at once. The overlay key opens only the few writes a browser source makes, never
    /// what the admin key opens. `NotFound(Streamer)` for a streamer that does not exist.
    async fn set_overlay_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<OverlayKey>;

    /// Whether `key_hash` is the streamer's current overlay key: `false` for another streamer's
    /// key, for the streamer's admin key, for a streamer without an overlay key and for a
    /// streamer that does not exist.
    async fn check_overlay_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<bool>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_and_round_trip_as_hex() {
        let h = SessionToken::new("abc").hash();
        assert_eq!(
            h.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(TokenHash::from_hex(&h.to_hex()).unwrap(), h);
        assert!(TokenHash::from_hex("zz").is_err());
        assert_eq!(
            format!("{:?}", SessionToken::new("abc")),
            "SessionToken(<redacted>)"
        );
    }
}
