//! OAuth tokens per provider: [`TokenStore`] on PostgreSQL and the row conversion of
//! `api_tokens`.

use crate::convert::{get, ts};
use crate::lookups::require_streamer;
use crate::overlay::one_deleted;
use crate::store::PgStore;
use async_trait::async_trait;
use datastore::{OAuthToken, OAuthTokenInput, Resource, StoreResult, StreamerId, TokenStore};
use tokio_postgres::Row;

/// The columns [`from_row`] reads.
pub(crate) const COLUMNS: &str =
    "provider, access_token, refresh_token, expires_at, scope, created_at, updated_at";

/// An `api_tokens` row.
pub(crate) fn from_row(r: &Row) -> StoreResult<OAuthToken> {
    Ok(OAuthToken {
        provider: get(r, "provider")?,
        access_token: get(r, "access_token")?,
        refresh_token: get(r, "refresh_token")?,
        expires_at: ts(r, "expires_at")?,
        scope: get(r, "scope")?,
        created_at: ts(r, "created_at")?,
        updated_at: ts(r, "updated_at")?,
    })
}

#[async_trait]
impl TokenStore for PgStore {
    async fn get_oauth_token(
        &self,
        streamer: StreamerId,
        provider: &str,
    ) -> StoreResult<Option<OAuthToken>> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                &format!(
                    "SELECT {COLUMNS} FROM api_tokens WHERE streamer_id = $1 AND provider = $2"
                ),
                &[&streamer.0, &provider],
            )
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(from_row).transpose()
    }

    async fn upsert_oauth_token(
        &self,
        streamer: StreamerId,
        token: OAuthTokenInput,
    ) -> StoreResult<OAuthToken> {
        token.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let written = async {
            require_streamer(&tx, streamer).await?;
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO api_tokens (streamer_id, provider, access_token, \
                         refresh_token, expires_at, scope, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                         ON CONFLICT (streamer_id, provider) DO UPDATE SET \
                         access_token = excluded.access_token, \
                         refresh_token = excluded.refresh_token, \
                         expires_at = excluded.expires_at, scope = excluded.scope, \
                         updated_at = excluded.updated_at RETURNING {COLUMNS}"
                    ),
                    &[
                        &streamer.0,
                        &token.provider,
                        &token.access_token,
                        &token.refresh_token,
                        &token.expires_at.as_millis(),
                        &token.scope,
                        &now.as_millis(),
                    ],
                )
                .await?;
            from_row(&row)
        }
        .await;
        tx.finish(written).await
    }

    async fn delete_oauth_token(&self, streamer: StreamerId, provider: &str) -> StoreResult<()> {
        let tx = self.tenant(streamer).await?;
        let deleted = tx
            .execute(
                "DELETE FROM api_tokens WHERE streamer_id = $1 AND provider = $2",
                &[&streamer.0, &provider],
            )
            .await;
        tx.finish(one_deleted(deleted, Resource::OAuthToken)).await
    }
}
