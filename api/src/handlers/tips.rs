//! Rotating tips.

use crate::call::{ApiResult, Call};
use crate::reply;
use datastore::TipId;
use datastore::{NewTip, TipPatch};

/// `GET /{streamer}/api/tips`.
pub async fn list_enabled(c: Call) -> ApiResult {
    Ok(reply::ok(
        &c.store().list_enabled_tips(c.streamer_id()?).await?,
    ))
}

/// `GET /{streamer}/api/admin/tips`.
pub async fn list_all(c: Call) -> ApiResult {
    Ok(reply::ok(&c.store().list_tips(c.streamer_id()?).await?))
}

/// `POST /{streamer}/api/tips`.
pub async fn create(c: Call) -> ApiResult {
    let body: NewTip = c.json()?;
    Ok(reply::created(
        &c.store().create_tip(c.streamer_id()?, body).await?,
    ))
}

/// `PUT /{streamer}/api/tips/{id}`.
pub async fn update(c: Call) -> ApiResult {
    let id = TipId(c.id_param("id")?);
    let body: TipPatch = c.json()?;
    Ok(reply::ok(
        &c.store().update_tip(c.streamer_id()?, id, body).await?,
    ))
}

/// `DELETE /{streamer}/api/tips/{id}`.
pub async fn delete(c: Call) -> ApiResult {
    let id = TipId(c.id_param("id")?);
    c.store().delete_tip(c.streamer_id()?, id).await?;
    Ok(reply::no_content())
}
