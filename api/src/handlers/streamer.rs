//! The streamer's own profile and admin key.

use super::{ApiResult, Call};
use crate::auth::{self, ADMIN_KEY_PREFIX};
use crate::error::ApiError;
use crate::models::streamers::{AdminKeyIssued, Profile};
use crate::reply;

/// `GET /{streamer}/api/profile`.
pub async fn profile(c: Call) -> ApiResult {
    let s = c.streamer.clone().ok_or(ApiError::Internal)?;
    Ok(reply::ok(&Profile::from(s)))
}

/// `POST /{streamer}/api/admin-key/rotate`.
pub async fn rotate_key(c: Call) -> ApiResult {
    let key = auth::new_secret(ADMIN_KEY_PREFIX)?;
    c.store()
        .set_admin_key(c.streamer_id()?, &key.hash())
        .await?;
    Ok(reply::ok(&AdminKeyIssued {
        admin_key: key.expose().to_owned(),
    }))
}
