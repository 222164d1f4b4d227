//! What OBS browser sources display: settings, layouts and the theme.

use crate::call::{ApiResult, Call, found};
use crate::models::overlay::{SettingBody, ThemeView};
use crate::reply;
use datastore::{LayoutId, LayoutInput};
use serde_json::Value;

/// `GET /{streamer}/api/overlay/settings`.
pub async fn settings(c: Call) -> ApiResult {
    Ok(reply::ok(
        &c.store().list_overlay_settings(c.streamer_id()?).await?,
    ))
}

/// `PUT /{streamer}/api/overlay/settings/{key}`.
pub async fn put_setting(c: Call) -> ApiResult {
    let body: SettingBody = c.json()?;
    let setting = c
        .store()
        .upsert_overlay_setting(
            c.streamer_id()?,
            c.param("key")?,
            &body.value,
            body.description.as_deref(),
        )
        .await?;
    Ok(reply::ok(&setting))
}

/// `DELETE /{streamer}/api/overlay/settings/{key}`.
pub async fn delete_setting(c: Call) -> ApiResult {
    c.store()
        .delete_overlay_setting(c.streamer_id()?, c.param("key")?)
        .await?;
    Ok(reply::no_content())
}

/// `GET /{streamer}/api/overlay/layouts`.
pub async fn layouts(c: Call) -> ApiResult {
    Ok(reply::ok(&c.store().list_layouts(c.streamer_id()?).await?))
}

fn layout_id(c: &Call) -> Result<LayoutId, crate::error::ApiError> {
    Ok(LayoutId::new(c.param("id")?))
}

/// `GET /{streamer}/api/overlay/layouts/{id}`.
pub async fn layout(c: Call) -> ApiResult {
    let l = c
        .store()
        .get_layout(c.streamer_id()?, &layout_id(&c)?)
        .await?;
    Ok(reply::ok(&found(l, "layout")?))
}

/// `PUT /{streamer}/api/overlay/layouts/{id}`.
pub async fn put_layout(c: Call) -> ApiResult {
    let body: LayoutInput = c.json()?;
    let l = c
        .store()
        .upsert_layout(c.streamer_id()?, &layout_id(&c)?, body)
        .await?;
    Ok(reply::ok(&l))
}

/// `DELETE /{streamer}/api/overlay/layouts/{id}`.
pub async fn delete_layout(c: Call) -> ApiResult {
    c.store()
        .delete_layout(c.streamer_id()?, &layout_id(&c)?)
        .await?;
    Ok(reply::no_content())
}

/// `GET /{streamer}/api/theme`.
pub async fn theme(c: Call) -> ApiResult {
    let t = c.store().get_theme(c.streamer_id()?).await?;
    Ok(reply::ok(&ThemeView::from(t)))
}

/// `PUT /{streamer}/api/theme`.
pub async fn put_theme(c: Call) -> ApiResult {
    let body: Value = c.json()?;
    let t = c.store().set_theme(c.streamer_id()?, body).await?;
    Ok(reply::ok(&ThemeView::from(Some(t))))
}
