//! The streamer's own profile and admin key.

use super::{ApiResult, Call};
use crate::auth::{self, ADMIN_KEY_PREFIX};
use crate::error::ApiError;
use crate::models::streamers::{AdminKeyIssued, Profile};
use crate::reply;
use datastore::{DataStore, StreamerId};

/// Makes a fresh admin key for `streamer` and stores its hash, replacing the old key; answers
/// the key, to be shown once. The route, `kick-overlay streamer add` and `rotate-key` use it.
pub async fn issue_admin_key(
    store: &dyn DataStore,
    streamer: StreamerId,
) -> Result<String, ApiError> {
    let key = auth::new_secret(ADMIN_KEY_PREFIX)?;
    store.set_admin_key(streamer, &key.hash()).await?;
    Ok(key.expose().to_owned())
}

/// `GET /{streamer}/api/profile`.
pub async fn profile(c: Call) -> ApiResult {
    let s = c.streamer.clone().ok_or(ApiError::Internal)?;
    Ok(reply::ok(&Profile::from(s)))
}

/// `POST /{streamer}/api/admin-key/rotate`.
pub async fn rotate_key(c: Call) -> ApiResult {
    let admin_key = issue_admin_key(c.store(), c.streamer_id()?).await?;
    Ok(reply::ok(&AdminKeyIssued { admin_key }))
}
