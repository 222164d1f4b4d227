//! Verification codes, keyed by username (the viewer may not be a user yet).

use crate::convert::{Db, DbOptional, ts};
use crate::lookups::require_streamer;
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::{
    NewVerificationCode, Resource, StoreError, StoreResult, StreamerId, VerificationCode,
    VerificationStore,
};
use rusqlite::{Row, params};

pub(crate) const COLUMNS: &str = "username, code, verified, created_at, expires_at";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<VerificationCode> {
    Ok(VerificationCode {
        username: r.get("username")?,
        code: r.get("code")?,
        verified: r.get("verified")?,
        created_at: ts(r, "created_at")?,
        expires_at: ts(r, "expires_at")?,
    })
}

#[async_trait]
impl VerificationStore for SqliteStore {
    async fn create_verification_code(
        &self,
        streamer: StreamerId,
        new: NewVerificationCode,
    ) -> StoreResult<VerificationCode> {
        new.validate()?;
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            // The same username (ignoring case) and code again refreshes the expiry of the code
            // already issued, which keeps its place in the issue order.
            tx.prepare_cached(&format!(
                "INSERT INTO verification_codes (streamer_id, username, code, created_at, \
                 expires_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (streamer_id, username, code) DO UPDATE SET \
                 expires_at = excluded.expires_at RETURNING {COLUMNS}"
            ))
            .db()?
            .query_row(
                params![
                    streamer.0,
                    new.username,
                    new.code,
                    now.as_millis(),
                    new.expires_at.as_millis()
                ],
                from_row,
            )
            .db()
        })
        .await
    }

    async fn get_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
    ) -> StoreResult<Option<VerificationCode>> {
        let (username, code) = (username.to_owned(), code.to_owned());
        self.read(move |c, now| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM verification_codes WHERE streamer_id = ?1 \
                 AND username = ?2 AND code = ?3 AND expires_at > ?4"
            ))
            .db()?
            .query_row(
                params![streamer.0, username, code, now.as_millis()],
                from_row,
            )
            .db_optional()
        })
        .await
    }

    async fn latest_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<Option<VerificationCode>> {
        let username = username.to_owned();
        self.read(move |c, now| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM verification_codes WHERE streamer_id = ?1 \
                 AND username = ?2 AND expires_at > ?3 ORDER BY id DESC LIMIT 1"
            ))
            .db()?
            .query_row(params![streamer.0, username, now.as_millis()], from_row)
            .db_optional()
        })
        .await
    }

    async fn mark_verification_code_verified(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
    ) -> StoreResult<VerificationCode> {
        let (username, code) = (username.to_owned(), code.to_owned());
        self.write(streamer, move |tx, now| {
            tx.prepare_cached(&format!(
                "UPDATE verification_codes SET verified = 1 WHERE streamer_id = ?1 \
                 AND username = ?2 AND code = ?3 AND expires_at > ?4 RETURNING {COLUMNS}"
            ))
            .db()?
            .query_row(
                params![streamer.0, username, code, now.as_millis()],
                from_row,
            )
            .db_optional()?
            .ok_or(StoreError::not_found(Resource::VerificationCode))
        })
        .await
    }

    async fn delete_verification_codes(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<u64> {
        let username = username.to_owned();
        self.write(streamer, move |tx, _| {
            let n = tx
                .prepare_cached(
                    "DELETE FROM verification_codes WHERE streamer_id = ?1 AND username = ?2",
                )
                .db()?
                .execute(params![streamer.0, username])
                .db()?;
            Ok(n as u64)
        })
        .await
    }
}
