//! A streamer's economy (what Kick's events pay, what chat commands cost) and the stream's live
//! state.

use crate::call::{ApiResult, Call};
use crate::reply;
use datastore::EconomyConfig;

/// `GET /{streamer}/api/economy`.
pub async fn get(c: Call) -> ApiResult {
    Ok(reply::ok(
        &c.store().get_economy_config(c.streamer_id()?).await?,
    ))
}

/// `PUT /{streamer}/api/economy`.
pub async fn put(c: Call) -> ApiResult {
    let body: EconomyConfig = c.json()?;
    let config = c.store().set_economy_config(c.streamer_id()?, body).await?;
    Ok(reply::ok(&config))
}

/// `GET /{streamer}/api/stream`.
pub async fn stream(c: Call) -> ApiResult {
    Ok(reply::ok(
        &c.store().get_stream_state(c.streamer_id()?).await?,
    ))
}
