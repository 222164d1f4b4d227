//! OAuth tokens per provider.

use crate::convert::{Db, DbOptional, delete_one, ts};
use crate::lookups::require_streamer;
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::{OAuthToken, OAuthTokenInput, Resource, StoreResult, StreamerId, TokenStore};
use rusqlite::{Row, params};

pub(crate) const COLUMNS: &str =
    "provider, access_token, refresh_token, expires_at, scope, created_at, updated_at";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<OAuthToken> {
    Ok(OAuthToken {
        provider: r.get("provider")?,
        access_token: r.get("access_token")?,
        refresh_token: r.get("refresh_token")?,
        expires_at: ts(r, "expires_at")?,
        scope: r.get("scope")?,
        created_at: ts(r, "created_at")?,
        updated_at: ts(r, "updated_at")?,
    })
}

#[async_trait]
impl TokenStore for SqliteStore {
    async fn get_oauth_token(
        &self,
        streamer: StreamerId,
        provider: &str,
    ) -> StoreResult<Option<OAuthToken>> {
        let provider = provider.to_owned();
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM api_tokens WHERE streamer_id = ?1 AND provider = ?2"
            ))
            .db()?
            .query_row(params![streamer.0, provider], from_row)
            .db_optional()
        })
        .await
    }

    async fn upsert_oauth_token(
        &self,
        streamer: StreamerId,
        token: OAuthTokenInput,
    ) -> StoreResult<OAuthToken> {
        token.validate()?;
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            tx.prepare_cached(&format!(
                "INSERT INTO api_tokens (streamer_id, provider, access_token, refresh_token, \
                 expires_at, scope, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) \
                 ON CONFLICT (streamer_id, provider) DO UPDATE SET \
                 access_token = excluded.access_token, refresh_token = excluded.refresh_token, \
                 expires_at = excluded.expires_at, scope = excluded.scope, \
                 updated_at = excluded.updated_at RETURNING {COLUMNS}"
            ))
            .db()?
            .query_row(
                params![
                    streamer.0,
                    token.provider,
                    token.access_token,
                    token.refresh_token,
                    token.expires_at.as_millis(),
                    token.scope,
                    now.as_millis()
                ],
                from_row,
            )
            .db()
        })
        .await
    }

    async fn delete_oauth_token(&self, streamer: StreamerId, provider: &str) -> StoreResult<()> {
        let provider = provider.to_owned();
        self.write(streamer, move |tx, _| {
            delete_one(
                tx,
                "DELETE FROM api_tokens WHERE streamer_id = ?1 AND provider = ?2",
                params![streamer.0, provider],
                Resource::OAuthToken,
            )
        })
        .await
    }
}
