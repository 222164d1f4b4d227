//! Analytics and the export.

use crate::call::{ApiResult, Call, found};
use crate::error::ApiError;
use crate::models::tokens::TokenMetadata;
use crate::reply;
use serde_json::Value;

/// `GET /{streamer}/api/analytics`.
pub async fn analytics(c: Call) -> ApiResult {
    Ok(reply::ok(&c.store().analytics(c.streamer_id()?).await?))
}

/// `GET /{streamer}/api/export`: the store's export without credentials: OAuth tokens as
/// their metadata, sessions and the admin key without their hashes.
pub async fn export(c: Call) -> ApiResult {
    let e = found(
        c.store().export_streamer(c.streamer_id()?).await?,
        "streamer",
    )?;
    let tokens: Vec<TokenMetadata> = e.oauth_tokens.iter().map(TokenMetadata::from).collect();
    let mut doc = serde_json::to_value(&e).map_err(|err| {
        tracing::error!(error = %err, "an export did not serialise");
        ApiError::Internal
    })?;
    if let Value::Object(m) = &mut doc {
        m.insert(
            "oauth_tokens".into(),
            serde_json::to_value(tokens).map_err(|_| ApiError::Internal)?,
        );
        for sessions in ["user_sessions", "streamer_sessions"] {
            if let Some(Value::Array(rows)) = m.get_mut(sessions) {
                for row in rows {
                    if let Value::Object(r) = row {
                        r.remove("token_hash");
                    }
                }
            }
        }
        if let Some(Value::Object(k)) = m.get_mut("admin_key") {
            k.remove("key_hash");
        }
    }
    Ok(reply::ok(&doc))
}
