//! The operator's handlers.

use crate::accounts::create_streamer;
use crate::call::{ApiResult, Call};
use crate::error::ApiError;
use crate::models::streamers::StreamerCreated;
use crate::reply;
use datastore::{NewStreamer, StoreError};

/// `POST /api/streamers`.
pub async fn create(c: Call) -> ApiResult {
    let body: NewStreamer = c.json()?;
    let (streamer, admin_key) = create_streamer(c.store(), body).await?;
    Ok(reply::created(&StreamerCreated {
        streamer,
        admin_key,
    }))
}

/// `GET /api/streamers`.
pub async fn list(c: Call) -> ApiResult {
    Ok(reply::ok(&c.store().list_streamers().await?))
}

/// `DELETE /api/streamers/{streamer}`.
pub async fn delete(c: Call) -> ApiResult {
    let name = c.param("streamer")?;
    let streamer = c
        .store()
        .get_streamer_by_username(name)
        .await?
        .ok_or_else(|| ApiError::NotFound("streamer".into()))?;
    match c.store().delete_streamer(streamer.id).await {
        Ok(()) => {}
        Err(StoreError::NotFound { .. }) => return Err(ApiError::NotFound("streamer".into())),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(streamer = %streamer.username, "streamer deleted");
    Ok(reply::no_content())
}
