//! Powerups: the shop's configuration and viewers' inventories.

use crate::call::{ApiResult, Call, found};
use crate::error::ApiError;
use crate::reply;
use datastore::{PowerupConfigInput, PowerupType};

/// The `{type}` parameter: an unknown powerup is not found.
fn kind(c: &Call) -> Result<PowerupType, ApiError> {
    c.param("type")?
        .parse()
        .map_err(|_| ApiError::NotFound("powerup".into()))
}

/// `GET /{streamer}/api/powerups`.
pub async fn list_enabled(c: Call) -> ApiResult {
    Ok(reply::ok(
        &c.store().list_enabled_powerups(c.streamer_id()?).await?,
    ))
}

/// `GET /{streamer}/api/admin/powerups`.
pub async fn list_all(c: Call) -> ApiResult {
    Ok(reply::ok(&c.store().list_powerups(c.streamer_id()?).await?))
}

/// `PUT /{streamer}/api/powerups/{type}`.
pub async fn configure(c: Call) -> ApiResult {
    let kind = kind(&c)?;
    let body: PowerupConfigInput = c.json()?;
    let config = c
        .store()
        .upsert_powerup(c.streamer_id()?, kind, body)
        .await?;
    Ok(reply::ok(&config))
}

/// `GET /{streamer}/api/users/{id}/powerups`.
pub async fn inventory(c: Call) -> ApiResult {
    let items = c
        .store()
        .get_inventory(c.streamer_id()?, c.user_id()?)
        .await?;
    Ok(reply::ok(&found(items, "user")?))
}

/// `POST /{streamer}/api/users/{id}/powerups/{type}/purchase`.
pub async fn purchase(c: Call) -> ApiResult {
    let (s, u, kind) = (c.streamer_id()?, c.user_id()?, kind(&c)?);
    Ok(reply::ok(&c.store().purchase_powerup(s, u, kind).await?))
}

/// `POST /{streamer}/api/users/{id}/powerups/{type}/use`.
pub async fn use_one(c: Call) -> ApiResult {
    let (s, u, kind) = (c.streamer_id()?, c.user_id()?, kind(&c)?);
    Ok(reply::ok(&c.store().use_powerup(s, u, kind).await?))
}
