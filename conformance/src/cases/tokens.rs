//! OAuth tokens.

use super::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq, check_err};
use datastore::*;
use std::time::Duration;

/// A token is created, replaced (keeping `created_at`), returned even once expired, deleted;
/// and its secrets never appear in `Debug` output.
pub async fn oauth_tokens_upsert_replace_and_delete(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let created = h.clock().now();
    let soon = created
        .checked_add(Duration::from_secs(60))
        .unwrap_or(created);
    let input = OAuthTokenInput {
        provider: "kick".into(),
        access_token: "secret-access".into(),
        refresh_token: Some("secret-refresh".into()),
        expires_at: soon,
        scope: Some("chat:write".into()),
    };
    let t = store.upsert_oauth_token(s, input.clone()).await?;
    check_eq!(
        t,
        OAuthToken {
            provider: "kick".into(),
            access_token: "secret-access".into(),
            refresh_token: Some("secret-refresh".into()),
            expires_at: soon,
            scope: Some("chat:write".into()),
            created_at: created,
            updated_at: created,
        },
        "created"
    );
    let shown = format!("{t:?} {input:?}");
    check!(
        !shown.contains("secret-access") && !shown.contains("secret-refresh"),
        "Debug shows a secret: {shown}"
    );
    h.clock().advance(Duration::from_secs(3600));
    check_eq!(
        store.get_oauth_token(s, "kick").await?,
        Some(t.clone()),
        "an expired token is still returned (its refresh token may work)"
    );
    let replaced = store
        .upsert_oauth_token(
            s,
            OAuthTokenInput {
                access_token: "new".into(),
                refresh_token: None,
                ..input.clone()
            },
        )
        .await?;
    check_eq!(
        replaced,
        OAuthToken {
            access_token: "new".into(),
            refresh_token: None,
            updated_at: h.clock().now(),
            ..t
        },
        "replaced, created_at kept"
    );
    check_eq!(
        store.get_oauth_token(s, "twitch").await?,
        None,
        "another provider"
    );
    let r = store
        .upsert_oauth_token(
            s,
            OAuthTokenInput {
                access_token: "".into(),
                ..input.clone()
            },
        )
        .await;
    check!(
        matches!(r, Err(StoreError::InvalidInput { .. })),
        "an empty token: {r:?}"
    );
    let r = store
        .upsert_oauth_token(
            s,
            OAuthTokenInput {
                provider: "no spaces".into(),
                ..input
            },
        )
        .await;
    check!(
        matches!(r, Err(StoreError::InvalidInput { .. })),
        "a bad provider: {r:?}"
    );
    store.delete_oauth_token(s, "kick").await?;
    check_eq!(store.get_oauth_token(s, "kick").await?, None, "deleted");
    check_err!(
        store.delete_oauth_token(s, "kick").await,
        StoreError::not_found(Resource::OAuthToken),
        "twice"
    );
    Ok(())
}
