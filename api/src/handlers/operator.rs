//! The operator's handlers.

use super::streamer::issue_admin_key;
use super::{ApiResult, Call};
use crate::error::ApiError;
use crate::models::streamers::{CreateStreamer, StreamerCreated};
use crate::reply;
use datastore::{DataStore, NewStreamer, StoreError, Streamer};

/// Creates a streamer with a fresh admin key: the shared path of `POST /api/streamers` and
/// `kick-overlay streamer add`. Names of root routes are refused; should storing the key
/// fail, the streamer is removed again, so no streamer is left without a key.
pub async fn create_streamer(
    store: &dyn DataStore,
    new: NewStreamer,
) -> Result<(Streamer, String), ApiError> {
    new.validate()?;
    if crate::routes::reserved_names()
        .iter()
        .any(|n| n.eq_ignore_ascii_case(&new.username))
    {
        return Err(ApiError::invalid(
            "username",
            format!("{:?} is reserved for the server's own routes", new.username),
        ));
    }
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

/// `POST /api/streamers`.
pub async fn create(c: Call) -> ApiResult {
    let body: CreateStreamer = c.json()?;
    let (streamer, admin_key) = create_streamer(c.store(), body.into()).await?;
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
