//! The server itself: health and the OpenAPI document.

use crate::call::{ApiResult, Call};
use crate::reply;
use serde_json::json;

/// `GET /api/health`: answers once the store can be read.
pub async fn health(c: Call) -> ApiResult {
    c.store().count_users(datastore::StreamerId(0)).await?;
    Ok(reply::ok(&json!({"status": "ok"})))
}

/// `GET /api/openapi.json`.
pub async fn openapi(c: Call) -> ApiResult {
    Ok(reply::ok(&*c.state.openapi))
}
