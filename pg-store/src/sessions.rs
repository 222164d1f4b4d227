//! Viewer sessions, streamer (admin) sessions and streamer admin and overlay keys, stored by
//! hash only: [`SessionStore`] on PostgreSQL and the row conversions of `user_sessions`,
//! `streamer_sessions`, `admin_keys` and `overlay_keys`.

use crate::convert::{get, token_hash, ts};
use crate::lookups::{require_streamer, require_user};
use crate::overlay::one_deleted;
use crate::store::PgStore;
use async_trait::async_trait;
use datastore::{
    AdminKey, NewUserSession, OverlayKey, Resource, SessionStore, StoreResult, StreamerId,
    StreamerSession, Timestamp, TokenHash, UserId, UserSession,
};
use tokio_postgres::Row;

/// The columns [`user_session_from_row`] reads.
pub(crate) const USER_COLUMNS: &str = "token_hash, user_id, created_at, expires_at";

/// A `user_sessions` row.
pub(crate) fn user_session_from_row(r: &Row) -> StoreResult<UserSession> {
    Ok(UserSession {
        token_hash: token_hash(r, "token_hash")?,
        user_id: UserId(get(r, "user_id")?),
        created_at: ts(r, "created_at")?,
        expires_at: ts(r, "expires_at")?,
    })
}

/// The columns [`streamer_session_from_row`] reads.
pub(crate) const STREAMER_COLUMNS: &str = "token_hash, created_at, expires_at";

/// A `streamer_sessions` row.
pub(crate) fn streamer_session_from_row(r: &Row) -> StoreResult<StreamerSession> {
    Ok(StreamerSession {
        token_hash: token_hash(r, "token_hash")?,
        created_at: ts(r, "created_at")?,
        expires_at: ts(r, "expires_at")?,
    })
}

/// The columns [`admin_key_from_row`] reads.
pub(crate) const ADMIN_KEY_COLUMNS: &str = "key_hash, created_at";

/// An `admin_keys` row.
pub(crate) fn admin_key_from_row(r: &Row) -> StoreResult<AdminKey> {
    Ok(AdminKey {
        key_hash: token_hash(r, "key_hash")?,
        created_at: ts(r, "created_at")?,
    })
}

/// The columns [`overlay_key_from_row`] reads.
pub(crate) const OVERLAY_KEY_COLUMNS: &str = "key_hash, created_at";

/// An `overlay_keys` row.
pub(crate) fn overlay_key_from_row(r: &Row) -> StoreResult<OverlayKey> {
    Ok(OverlayKey {
        key_hash: token_hash(r, "key_hash")?,
        created_at: ts(r, "created_at")?,
    })
}

impl PgStore {
    /// Runs `sql`, which deletes a streamer's expired rows (`$1` the streamer, `$2` now on the
    /// store's clock); how many it deleted.
    async fn purge_sessions(&self, streamer: StreamerId, sql: &str) -> StoreResult<u64> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let purged = tx.execute(sql, &[&streamer.0, &now.as_millis()]).await;
        tx.finish(purged).await
    }

    /// The unexpired session `sql` selects (`$1` the streamer, `$2` the hash, `$3` now), as
    /// `from_row` reads it.
    async fn live_session<T>(
        &self,
        streamer: StreamerId,
        hash: &TokenHash,
        sql: &str,
        from_row: fn(&Row) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(sql, &[&streamer.0, &hash.0.as_slice(), &now.as_millis()])
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Deletes the session `sql` selects (`$1` the streamer, `$2` the hash); `NotFound(missing)`
    /// when there is none.
    async fn delete_session(
        &self,
        streamer: StreamerId,
        hash: &TokenHash,
        sql: &str,
        missing: Resource,
    ) -> StoreResult<()> {
        let tx = self.tenant(streamer).await?;
        let deleted = tx.execute(sql, &[&streamer.0, &hash.0.as_slice()]).await;
        tx.finish(one_deleted(deleted, missing)).await
    }
}

#[async_trait]
impl SessionStore for PgStore {
    async fn create_user_session(
        &self,
        streamer: StreamerId,
        session: NewUserSession,
    ) -> StoreResult<UserSession> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let created = async {
            require_user(&tx, streamer, session.user_id).await?;
            // A hash this streamer already has fails the primary key: `Conflict(SessionToken)`.
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO user_sessions (streamer_id, token_hash, user_id, created_at, \
                         expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING {USER_COLUMNS}"
                    ),
                    &[
                        &streamer.0,
                        &session.token_hash.0.as_slice(),
                        &session.user_id.0,
                        &now.as_millis(),
                        &session.expires_at.as_millis(),
                    ],
                )
                .await?;
            user_session_from_row(&row)
        }
        .await;
        tx.finish(created).await
    }

    async fn get_user_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<Option<UserSession>> {
        self.live_session(
            streamer,
            token_hash,
            &format!(
                "SELECT {USER_COLUMNS} FROM user_sessions \
                 WHERE streamer_id = $1 AND token_hash = $2 AND expires_at > $3"
            ),
            user_session_from_row,
        )
        .await
    }

    async fn delete_user_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<()> {
        self.delete_session(
            streamer,
            token_hash,
            "DELETE FROM user_sessions WHERE streamer_id = $1 AND token_hash = $2",
            Resource::UserSession,
        )
        .await
    }

    async fn purge_expired_user_sessions(&self, streamer: StreamerId) -> StoreResult<u64> {
        self.purge_sessions(
            streamer,
            "DELETE FROM user_sessions WHERE streamer_id = $1 AND expires_at <= $2",
        )
        .await
    }

    async fn create_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
        expires_at: Timestamp,
    ) -> StoreResult<StreamerSession> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let created = async {
            require_streamer(&tx, streamer).await?;
            // A hash this streamer already has fails the primary key: `Conflict(SessionToken)`.
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO streamer_sessions (streamer_id, token_hash, created_at, \
                         expires_at) VALUES ($1, $2, $3, $4) RETURNING {STREAMER_COLUMNS}"
                    ),
                    &[
                        &streamer.0,
                        &token_hash.0.as_slice(),
                        &now.as_millis(),
                        &expires_at.as_millis(),
                    ],
                )
                .await?;
            streamer_session_from_row(&row)
        }
        .await;
        tx.finish(created).await
    }

    async fn get_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<Option<StreamerSession>> {
        self.live_session(
            streamer,
            token_hash,
            &format!(
                "SELECT {STREAMER_COLUMNS} FROM streamer_sessions \
                 WHERE streamer_id = $1 AND token_hash = $2 AND expires_at > $3"
            ),
            streamer_session_from_row,
        )
        .await
    }

    async fn delete_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<()> {
        self.delete_session(
            streamer,
            token_hash,
            "DELETE FROM streamer_sessions WHERE streamer_id = $1 AND token_hash = $2",
            Resource::StreamerSession,
        )
        .await
    }

    async fn purge_expired_streamer_sessions(&self, streamer: StreamerId) -> StoreResult<u64> {
        self.purge_sessions(
            streamer,
            "DELETE FROM streamer_sessions WHERE streamer_id = $1 AND expires_at <= $2",
        )
        .await
    }

    async fn set_admin_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<AdminKey> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let written = async {
            require_streamer(&tx, streamer).await?;
            // One row per streamer, keyed by it: a new key replaces the streamer's own row.
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO admin_keys (streamer_id, key_hash, created_at) \
                         VALUES ($1, $2, $3) ON CONFLICT (streamer_id) DO UPDATE SET \
                         key_hash = excluded.key_hash, created_at = excluded.created_at \
                         RETURNING {ADMIN_KEY_COLUMNS}"
                    ),
                    &[&streamer.0, &key_hash.0.as_slice(), &now.as_millis()],
                )
                .await?;
            admin_key_from_row(&row)
        }
        .await;
        tx.finish(written).await
    }

    async fn check_admin_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<bool> {
        let tx = self.tenant(streamer).await?;
        let found = tx
            .query_opt(
                "SELECT 1 FROM admin_keys WHERE streamer_id = $1 AND key_hash = $2",
                &[&streamer.0, &key_hash.0.as_slice()],
            )
            .await;
        Ok(tx.finish(found).await?.is_some())
    }

    async fn set_overlay_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<OverlayKey> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let written = async {
            require_streamer(&tx, streamer).await?;
            // One row per streamer, keyed by it: a new key replaces the streamer's own row.
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO overlay_keys (streamer_id, key_hash, created_at) \
                         VALUES ($1, $2, $3) ON CONFLICT (streamer_id) DO UPDATE SET \
                         key_hash = excluded.key_hash, created_at = excluded.created_at \
                         RETURNING {OVERLAY_KEY_COLUMNS}"
                    ),
                    &[&streamer.0, &key_hash.0.as_slice(), &now.as_millis()],
                )
                .await?;
            overlay_key_from_row(&row)
        }
        .await;
        tx.finish(written).await
    }

    async fn check_overlay_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<bool> {
        let tx = self.tenant(streamer).await?;
        let found = tx
            .query_opt(
                "SELECT 1 FROM overlay_keys WHERE streamer_id = $1 AND key_hash = $2",
                &[&streamer.0, &key_hash.0.as_slice()],
            )
            .await;
        Ok(tx.finish(found).await?.is_some())
    }
}
