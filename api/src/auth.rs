//! Credentials: making secrets, reading `Authorization: Bearer …`, and checking a route's
//! [`Access`] against the streamer in its path.
//!
//! Secrets leave the server once (when made) and are stored only as SHA-256 hashes
//! ([`SessionToken::hash`]). A streamer's admin key and a viewer's session are looked up under
//! the streamer named by the path, so under any other streamer's path they are simply not
//! found: the same 401 as no credentials at all.

use crate::error::ApiError;
use crate::route::Access;
use crate::state::AppState;
use datastore::{SessionToken, Streamer, TokenHash, UserSession};
use sha2::{Digest, Sha256};
use warp::http::HeaderMap;
use warp::http::header::AUTHORIZATION;

/// The answer to a request without valid credentials for a route of `access`: it says what the
/// route expects, and is the same whether no key was sent, a wrong one, or one that exists
/// elsewhere (another streamer's), so it tells nothing about which keys exist.
pub fn unauthorized(access: Access) -> ApiError {
    ApiError::Unauthorized(match access {
        Access::Operator => {
            "this route needs the operator key: send `Authorization: Bearer <key>` with the \
             server's KICKOVERLAY_OPERATOR_KEY"
        }
        Access::Admin => {
            "this route needs the streamer's admin key or a dashboard session of this \
             streamer: send `Authorization: Bearer <key>`"
        }
        Access::Overlay => {
            "this route needs the streamer's overlay key (`?key=<key>` in the URL, or \
             `Authorization: Bearer <key>`) or its admin key"
        }
        Access::Viewer | Access::Public => {
            "this route needs a viewer session of this streamer: send `Authorization: Bearer \
             <token>` with the token `POST /{streamer}/api/sessions` gave"
        }
    })
}

/// The answer of every operator route on a server started without an operator key.
pub const OPERATOR_ROUTES_OFF: ApiError = ApiError::Unauthorized(
    "operator routes are disabled: start the server with KICKOVERLAY_OPERATOR_KEY set",
);

/// Prefix of admin keys (so secret scanners and people can tell them apart).
pub const ADMIN_KEY_PREFIX: &str = "koa_";
/// Prefix of overlay keys.
pub const OVERLAY_KEY_PREFIX: &str = "koo_";
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

/// Prefix of the login secret a viewer keeps while proving a username in chat.
pub const LOGIN_SECRET_PREFIX: &str = "kvl_";

/// The code to type in chat for a login `secret`: `len` characters of its SHA-256, from an
/// alphabet without look-alikes. The code is public (it goes to chat); the secret is not, and
/// cannot be worked back from the code, so someone reading chat cannot log in with it.
pub fn code_for(secret: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let digest = Sha256::digest(format!("kick-overlay chat code\n{secret}").as_bytes());
    // 256 is a multiple of the alphabet's 32 letters: no bias.
    digest
        .iter()
        .take(len)
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// The bearer token of the request, if it has a well-formed one.
pub fn bearer(headers: &HeaderMap) -> Option<SessionToken> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 512)
        .then(|| SessionToken::new(token))
}

/// The key a browser source sends in its URL (`?key=`), if the query has a usable one. Only
/// overlay routes read it, and only as an overlay key: an admin key in a URL opens nothing.
pub fn url_key(query: &[(String, String)]) -> Option<SessionToken> {
    query
        .iter()
        .find(|(n, _)| n == "key")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= 512)
        .map(SessionToken::new)
}

/// Checks `access` for a request: `Ok(Some(session))` for viewer routes, `Ok(None)` for the
/// others once the credentials are valid, [`unauthorized`] otherwise. `url_key` is the
/// [`url_key`] of the request, read by overlay routes only.
pub async fn authorize(
    state: &AppState,
    access: Access,
    streamer: Option<&Streamer>,
    token: Option<SessionToken>,
    url_key: Option<SessionToken>,
) -> Result<Option<UserSession>, ApiError> {
    if access == Access::Public {
        return Ok(None);
    }
    // Without an operator key the routes are off for everyone, whatever a request sends: the
    // answer is the same with a key, without one or with a made-up one.
    if access == Access::Operator && state.operator_key.is_none() {
        return Err(OPERATOR_ROUTES_OFF);
    }
    if access == Access::Overlay {
        let s = streamer.ok_or(ApiError::Internal)?.id;
        // A key in the URL is the overlay key or nothing, whatever the header says.
        if let Some(key) = url_key {
            return match state.store.check_overlay_key(s, &key.hash()).await? {
                true => Ok(None),
                false => Err(unauthorized(access)),
            };
        }
        let hash: TokenHash = token.ok_or(unauthorized(access))?.hash();
        return if state.store.check_overlay_key(s, &hash).await?
            || state.store.check_admin_key(s, &hash).await?
            || state.store.get_streamer_session(s, &hash).await?.is_some()
        {
            Ok(None)
        } else {
            Err(unauthorized(access))
        };
    }
    let hash: TokenHash = token.ok_or(unauthorized(access))?.hash();
    match access {
        Access::Public | Access::Overlay => Ok(None),
        Access::Operator => match state.operator_key {
            Some(key) if key == hash => Ok(None),
            _ => Err(unauthorized(access)),
        },
        Access::Admin => {
            let s = streamer.ok_or(ApiError::Internal)?.id;
            if state.store.check_admin_key(s, &hash).await?
                || state.store.get_streamer_session(s, &hash).await?.is_some()
            {
                Ok(None)
            } else {
                Err(unauthorized(access))
            }
        }
        Access::Viewer => {
            let s = streamer.ok_or(ApiError::Internal)?.id;
            match state.store.get_user_session(s, &hash).await? {
                Some(session) => Ok(Some(session)),
                None => Err(unauthorized(access)),
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
        let c = code_for(a.expose(), 8);
        assert_eq!(c, code_for(a.expose(), 8));
        assert_ne!(c, code_for(b.expose(), 8));
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
