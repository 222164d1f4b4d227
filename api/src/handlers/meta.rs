//! The server itself: health and the OpenAPI document.

use crate::call::{ApiResult, Call};
use crate::models::meta::{Health, HealthStatus};
use crate::reply;

/// `GET /api/health`: answers once the store can be read.
pub async fn health(c: Call) -> ApiResult {
    c.store().count_users(datastore::StreamerId(0)).await?;
    Ok(reply::ok(&Health {
        status: HealthStatus::Ok,
    }))
}

/// `GET /api/openapi.json`.
pub async fn openapi(c: Call) -> ApiResult {
    Ok(reply::ok(&*c.state.openapi))
}
