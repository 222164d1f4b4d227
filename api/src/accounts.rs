//! Streamer accounts: the names the server keeps for its own routes, a streamer's admin and
//! overlay keys,
//! and creating a streamer with its first key. `POST /api/streamers`, `kick-overlay streamer
//! add`, `rotate-key` and the legacy commands all go through here.

use crate::auth::{self, ADMIN_KEY_PREFIX, OVERLAY_KEY_PREFIX};
use crate::error::ApiError;
use datastore::{DataStore, NewStreamer, Streamer, StreamerId};

/// Names no streamer may take: the first path segments of the server's own routes (`api`; a
/// test of the route table names any route that starts with something missing here) and names
/// kept for routes to come.
pub const RESERVED_NAMES: &[&str] = &["api", "login", "callback", "public"];

/// Refuses a username that is one of [`RESERVED_NAMES`] (ignoring case).
pub fn refuse_reserved(username: &str) -> Result<(), ApiError> {
    if RESERVED_NAMES
        .iter()
        .any(|n| n.eq_ignore_ascii_case(username))
    {
        return Err(ApiError::invalid(
            "username",
            format!("{username:?} is reserved for the server's own routes"),
        ));
    }
    Ok(())
}

/// Makes a fresh admin key for `streamer` and stores its hash, replacing the old key; answers
/// the key, to be shown once.
pub async fn issue_admin_key(
    store: &dyn DataStore,
    streamer: StreamerId,
) -> Result<String, ApiError> {
    let key = auth::new_secret(ADMIN_KEY_PREFIX)?;
    store.set_admin_key(streamer, &key.hash()).await?;
    Ok(key.expose().to_owned())
}

/// Makes a fresh overlay key for `streamer` and stores its hash, replacing the old one; answers
/// the key, to be shown once.
pub async fn issue_overlay_key(
    store: &dyn DataStore,
    streamer: StreamerId,
) -> Result<String, ApiError> {
    let key = auth::new_secret(OVERLAY_KEY_PREFIX)?;
    store.set_overlay_key(streamer, &key.hash()).await?;
    Ok(key.expose().to_owned())
}

/// Creates a streamer with a fresh admin key. Reserved names are refused; should storing the
/// key fail, the streamer is removed again, so no streamer is left without a key.
pub async fn create_streamer(
    store: &dyn DataStore,
    new: NewStreamer,
) -> Result<(Streamer, String), ApiError> {
    new.validate()?;
    refuse_reserved(&new.username)?;
    let streamer = store.create_streamer(new).await?;
    match issue_admin_key(store, streamer.id).await {
        Ok(key) => {
            tracing::info!(streamer = %streamer.username, "streamer created");
            Ok((streamer, key))
        }
        Err(e) => {
            if let Err(undo) = store.delete_streamer(streamer.id).await {
                tracing::error!(error = %undo, streamer = %streamer.username, "could not remove a streamer whose key failed");
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names_are_refused_in_any_case() {
        for name in ["api", "API", "Login", "callback", "public"] {
            assert!(refuse_reserved(name).is_err(), "{name}");
        }
        assert!(refuse_reserved("apis").is_ok());
        assert!(refuse_reserved("codingbutter").is_ok());
    }
}
