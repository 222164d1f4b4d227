//! The streamer's own profile and admin key.

use crate::accounts::issue_admin_key;
use crate::call::{ApiResult, Call};
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
    let admin_key = issue_admin_key(c.store(), c.streamer_id()?).await?;
    Ok(reply::ok(&AdminKeyIssued { admin_key }))
}
