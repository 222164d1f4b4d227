//! Credentials: making secrets, reading `Authorization: Bearer …`, and checking a route's
//! [`Access`] against the streamer in its path.
//!
//! Secrets leave the server once (when made) and are stored only as SHA-256 hashes
//! ([`SessionToken::hash`]). A streamer's admin key and a viewer's session are looked up under
//! the streamer named by the path, so under any other streamer's path they are simply not
//! found: the same 401 as no credentials at all.

use crate::error::ApiError;
use crate::routes::Access;
use crate::state::AppState;
use datastore::{SessionToken, Streamer, TokenHash, UserSession};
use warp::http::HeaderMap;
use warp::http::header::AUTHORIZATION;

/// The answer to a request without valid credentials.
pub const UNAUTHORIZED: ApiError = ApiError::Unauthorized("missing or invalid credentials");

/// Prefix of admin keys (so secret scanners and people can tell them apart).
pub const ADMIN_KEY_PREFIX: &str = "koa_";
/// Prefix of viewer session tokens.
pub const SESSION_PREFIX: &str = "kov_";

/// `prefix` followed by 64 hex digits of fresh randomness (256 bits).
pub fn new_secret(prefix: &str) -> Result<SessionToken, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        tracing::error!(error = %e, "the system random source failed");
        ApiError::Internal
    })?;
    Ok(SessionToken::new(format!("{prefix}{}", hex::encode(bytes))))
}

/// A verification code to type in chat: `len` characters from an alphabet without look-alikes.
pub fn new_code(len: usize) -> Result<String, ApiError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|e| {
        tracing::error!(error = %e, "the system random source failed");
        ApiError::Internal
    })?;
    // 256 is a multiple of the alphabet's 32 letters: no bias.
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// The bearer token of the request, if it has a well-formed one.
pub fn bearer(headers: &HeaderMap) -> Option<SessionToken> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 512)
        .then(|| SessionToken::new(token))
}

/// Checks `access` for a request: `Ok(Some(session))` for viewer routes, `Ok(None)` for the
/// others once the credentials are valid, [`UNAUTHORIZED`] otherwise.
pub async fn authorize(
    state: &AppState,
    access: Access,
    streamer: Option<&Streamer>,
    token: Option<SessionToken>,
) -> Result<Option<UserSession>, ApiError> {
    if access == Access::Public {
        return Ok(None);
    }
    let hash: TokenHash = token.ok_or(UNAUTHORIZED)?.hash();
    match access {
        Access::Public => Ok(None),
        Access::Operator => match state.operator_key {
            None => Err(ApiError::Unauthorized(
                "operator routes are disabled: start the server with KICKOVERLAY_OPERATOR_KEY set",
            )),
            Some(key) if key == hash => Ok(None),
            Some(_) => Err(UNAUTHORIZED),
        },
        Access::Admin => {
            let s = streamer.ok_or(ApiError::Internal)?.id;
            if state.store.check_admin_key(s, &hash).await?
                || state.store.get_streamer_session(s, &hash).await?.is_some()
            {
                Ok(None)
            } else {
                Err(UNAUTHORIZED)
            }
        }
        Access::Viewer => {
            let s = streamer.ok_or(ApiError::Internal)?.id;
            match state.store.get_user_session(s, &hash).await? {
                Some(session) => Ok(Some(session)),
                None => Err(UNAUTHORIZED),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_random_and_distinct() {
        let a = new_secret(ADMIN_KEY_PREFIX).unwrap();
        let b = new_secret(ADMIN_KEY_PREFIX).unwrap();
        assert!(a.expose().starts_with("koa_") && a.expose().len() == 68);
        assert_ne!(a.expose(), b.expose());
        let c = new_code(8).unwrap();
        assert_eq!(c.len(), 8);
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
    }

    #[test]
    fn only_well_formed_bearer_headers_count() {
        let mut h = HeaderMap::new();
        assert!(bearer(&h).is_none());
        h.insert(AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&h).unwrap().expose(), "abc");
        h.insert(AUTHORIZATION, "bearer   abc ".parse().unwrap());
        assert_eq!(bearer(&h).unwrap().expose(), "abc");
        for bad in ["Basic abc", "Bearer", "Bearer ", "abc"] {
            h.insert(AUTHORIZATION, bad.parse().unwrap());
            assert!(bearer(&h).is_none(), "{bad}");
        }
    }
}
