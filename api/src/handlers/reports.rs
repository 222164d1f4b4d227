//! Analytics and the export.

use crate::call::{ApiResult, Call};
use crate::error::ApiError;
use crate::export_json;
use crate::reply;

/// `GET /{streamer}/api/analytics`.
pub async fn analytics(c: Call) -> ApiResult {
    Ok(reply::ok(&c.store().analytics(c.streamer_id()?).await?))
}

/// `GET /{streamer}/api/export`: the store's export without credentials, streamed as it is
/// read ([`crate::export_json`]).
pub async fn export(c: Call) -> ApiResult {
    let state = &c.state;
    let chunks =
        export_json::start(state.store.clone(), c.streamer_id()?, state.exports.clone()).await?;
    let chunks = chunks.ok_or_else(|| ApiError::NotFound("streamer".into()))?;
    Ok(reply::streamed("application/json", chunks))
}
