//! The streamer's own profile, admin key and overlay key.

use crate::accounts::{issue_admin_key, issue_overlay_key};
use crate::call::{ApiResult, Call};
use crate::error::ApiError;
use crate::models::streamers::{AdminKeyIssued, OverlayKeyIssued, Profile};
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

/// `POST /{streamer}/api/overlay-key/rotate`.
pub async fn rotate_overlay_key(c: Call) -> ApiResult {
    let overlay_key = issue_overlay_key(c.store(), c.streamer_id()?).await?;
    Ok(reply::ok(&OverlayKeyIssued { overlay_key }))
}
