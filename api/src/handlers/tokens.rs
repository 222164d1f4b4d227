//! OAuth tokens: written in full, read back as metadata only.

use crate::call::{ApiResult, Call, found};
use crate::models::tokens::{TokenBody, TokenMetadata};
use crate::reply;
use datastore::OAuthTokenInput;

/// `GET /{streamer}/api/tokens/{provider}`.
pub async fn get(c: Call) -> ApiResult {
    let t = c
        .store()
        .get_oauth_token(c.streamer_id()?, c.param("provider")?)
        .await?;
    Ok(reply::ok(&TokenMetadata::from(&found(t, "oauth token")?)))
}

/// `PUT /{streamer}/api/tokens/{provider}`.
pub async fn put(c: Call) -> ApiResult {
    let body: TokenBody = c.json()?;
    let input = OAuthTokenInput {
        provider: c.param("provider")?.to_owned(),
        access_token: body.access_token,
        refresh_token: body.refresh_token,
        expires_at: body.expires_at,
        scope: body.scope,
    };
    let t = c
        .store()
        .upsert_oauth_token(c.streamer_id()?, input)
        .await?;
    Ok(reply::ok(&TokenMetadata::from(&t)))
}

/// `DELETE /{streamer}/api/tokens/{provider}`.
pub async fn delete(c: Call) -> ApiResult {
    c.store()
        .delete_oauth_token(c.streamer_id()?, c.param("provider")?)
        .await?;
    Ok(reply::no_content())
}
