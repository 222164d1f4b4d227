//! Viewer sessions, streamer (admin) sessions and streamer admin and overlay keys, stored by
//! hash only.

use crate::convert::{Db, DbOptional, delete_one, token_hash, ts};
use crate::expiry::purge;
use crate::lookups::require_streamer;
use crate::lookups::require_user;
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::{
    AdminKey, NewUserSession, OverlayKey, Resource, SessionStore, StoreResult, StreamerId,
    StreamerSession, Timestamp, TokenHash, UserId, UserSession,
};
use rusqlite::{Row, params};

pub(crate) const USER_COLUMNS: &str = "token_hash, user_id, created_at, expires_at";

pub(crate) fn user_session_from_row(r: &Row<'_>) -> rusqlite::Result<UserSession> {
    Ok(UserSession {
        token_hash: token_hash(r, "token_hash")?,
        user_id: UserId(r.get("user_id")?),
        created_at: ts(r, "created_at")?,
        expires_at: ts(r, "expires_at")?,
    })
}

pub(crate) const STREAMER_COLUMNS: &str = "token_hash, created_at, expires_at";

pub(crate) fn streamer_session_from_row(r: &Row<'_>) -> rusqlite::Result<StreamerSession> {
    Ok(StreamerSession {
        token_hash: token_hash(r, "token_hash")?,
        created_at: ts(r, "created_at")?,
        expires_at: ts(r, "expires_at")?,
    })
}

pub(crate) const ADMIN_KEY_COLUMNS: &str = "key_hash, created_at";

pub(crate) fn admin_key_from_row(r: &Row<'_>) -> rusqlite::Result<AdminKey> {
    Ok(AdminKey {
        key_hash: token_hash(r, "key_hash")?,
        created_at: ts(r, "created_at")?,
    })
}

fn overlay_key_from_row(r: &Row<'_>) -> rusqlite::Result<OverlayKey> {
    Ok(OverlayKey {
        key_hash: token_hash(r, "key_hash")?,
        created_at: ts(r, "created_at")?,
    })
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_user_session(
        &self,
        streamer: StreamerId,
        session: NewUserSession,
    ) -> StoreResult<UserSession> {
        self.write(streamer, move |tx, now| {
            require_user(tx, streamer, session.user_id)?;
            // A hash this streamer already has fails the primary key: `Conflict(SessionToken)`.
            tx.prepare_cached(&format!(
                "INSERT INTO user_sessions (streamer_id, token_hash, user_id, created_at, \
                 expires_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING {USER_COLUMNS}"
            ))
            .db()?
            .query_row(
                params![
                    streamer.0,
                    session.token_hash.0,
                    session.user_id.0,
                    now.as_millis(),
                    session.expires_at.as_millis()
                ],
                user_session_from_row,
            )
            .db()
        })
        .await
    }

    async fn get_user_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<Option<UserSession>> {
        let hash = *token_hash;
        self.read_one(move |c, now| {
            c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM user_sessions \
                 WHERE streamer_id = ?1 AND token_hash = ?2 AND expires_at > ?3"
            ))
            .db()?
            .query_row(
                params![streamer.0, hash.0, now.as_millis()],
                user_session_from_row,
            )
            .db_optional()
        })
        .await
    }

    async fn delete_user_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<()> {
        let hash = *token_hash;
        self.write(streamer, move |tx, _| {
            delete_one(
                tx,
                "DELETE FROM user_sessions WHERE streamer_id = ?1 AND token_hash = ?2",
                params![streamer.0, hash.0],
                Resource::UserSession,
            )
        })
        .await
    }

    async fn purge_expired_user_sessions(&self, streamer: StreamerId) -> StoreResult<u64> {
        self.write_long(streamer, move |tx, now| {
            purge(
                tx,
                "DELETE FROM user_sessions WHERE streamer_id = ?1 AND expires_at <= ?2",
                streamer,
                now,
            )
        })
        .await
    }

    async fn create_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
        expires_at: Timestamp,
    ) -> StoreResult<StreamerSession> {
        let hash = *token_hash;
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            tx.prepare_cached(&format!(
                "INSERT INTO streamer_sessions (streamer_id, token_hash, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4) RETURNING {STREAMER_COLUMNS}"
            ))
            .db()?
            .query_row(
                params![streamer.0, hash.0, now.as_millis(), expires_at.as_millis()],
                streamer_session_from_row,
            )
            .db()
        })
        .await
    }

    async fn get_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<Option<StreamerSession>> {
        let hash = *token_hash;
        self.read_one(move |c, now| {
            c.prepare_cached(&format!(
                "SELECT {STREAMER_COLUMNS} FROM streamer_sessions \
                 WHERE streamer_id = ?1 AND token_hash = ?2 AND expires_at > ?3"
            ))
            .db()?
            .query_row(
                params![streamer.0, hash.0, now.as_millis()],
                streamer_session_from_row,
            )
            .db_optional()
        })
        .await
    }

    async fn delete_streamer_session(
        &self,
        streamer: StreamerId,
        token_hash: &TokenHash,
    ) -> StoreResult<()> {
        let hash = *token_hash;
        self.write(streamer, move |tx, _| {
            delete_one(
                tx,
                "DELETE FROM streamer_sessions WHERE streamer_id = ?1 AND token_hash = ?2",
                params![streamer.0, hash.0],
                Resource::StreamerSession,
            )
        })
        .await
    }

    async fn purge_expired_streamer_sessions(&self, streamer: StreamerId) -> StoreResult<u64> {
        self.write_long(streamer, move |tx, now| {
            purge(
                tx,
                "DELETE FROM streamer_sessions WHERE streamer_id = ?1 AND expires_at <= ?2",
                streamer,
                now,
            )
        })
        .await
    }

    async fn set_admin_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<AdminKey> {
        let hash = *key_hash;
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            // One row per streamer, keyed by it: a new key replaces the streamer's own row.
            tx.prepare_cached(&format!(
                "INSERT INTO admin_keys (streamer_id, key_hash, created_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (streamer_id) DO UPDATE SET key_hash = excluded.key_hash, \
                 created_at = excluded.created_at RETURNING {ADMIN_KEY_COLUMNS}"
            ))
            .db()?
            .query_row(
                params![streamer.0, hash.0, now.as_millis()],
                admin_key_from_row,
            )
            .db()
        })
        .await
    }

    async fn check_admin_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<bool> {
        let hash = *key_hash;
        self.read_one(move |c, _| {
            Ok(c.prepare_cached(
                "SELECT 1 FROM admin_keys WHERE streamer_id = ?1 AND key_hash = ?2",
            )
            .db()?
            .query_row(params![streamer.0, hash.0], |_| Ok(()))
            .db_optional()?
            .is_some())
        })
        .await
    }

    async fn set_overlay_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<OverlayKey> {
        let hash = *key_hash;
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            // One row per streamer, keyed by it, in a table of its own: a new key replaces the
            // streamer's own row and is never an admin key.
            tx.prepare_cached(
                "INSERT INTO overlay_keys (streamer_id, key_hash, created_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (streamer_id) DO UPDATE SET key_hash = excluded.key_hash, \
                 created_at = excluded.created_at RETURNING key_hash, created_at",
            )
            .db()?
            .query_row(
                params![streamer.0, hash.0, now.as_millis()],
                overlay_key_from_row,
            )
            .db()
        })
        .await
    }

    async fn check_overlay_key(
        &self,
        streamer: StreamerId,
        key_hash: &TokenHash,
    ) -> StoreResult<bool> {
        let hash = *key_hash;
        self.read_one(move |c, _| {
            Ok(c.prepare_cached(
                "SELECT 1 FROM overlay_keys WHERE streamer_id = ?1 AND key_hash = ?2",
            )
            .db()?
            .query_row(params![streamer.0, hash.0], |_| Ok(()))
            .db_optional()?
            .is_some())
        })
        .await
    }
}
