//! Verification codes, keyed by username (the viewer may not be a user yet).

use crate::convert::{Db, DbOptional, ts};
use crate::expiry::purge;
use crate::lookups::require_streamer;
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::{
    MAX_FAILED_REDEMPTIONS, MAX_LIVE_CODES, NewVerificationCode, Redemption, Resource, StoreError,
    StoreResult, StreamerId, Timestamp, TokenHash, VerificationCode, VerificationStore,
};
use rusqlite::{Connection, Row, params};

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

/// Marks a username's unexpired code verified and returns it; `NotFound(VerificationCode)`
/// when there is none.
pub(crate) fn mark_verification_code_verified(
    conn: &Connection,
    streamer: StreamerId,
    username: &str,
    code: &str,
    now: Timestamp,
) -> StoreResult<VerificationCode> {
    conn.prepare_cached(&format!(
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
            tx.prepare_cached(
                "DELETE FROM verification_codes WHERE streamer_id = ?1 AND username = ?2 \
                 AND expires_at <= ?3",
            )
            .db()?
            .execute(params![streamer.0, new.username, now.as_millis()])
            .db()?;
            // The same username (ignoring case) and code again refreshes the expiry of the code
            // already issued, which keeps its place in the issue order and its secret hash.
            let issued = tx
                .prepare_cached(&format!(
                    "INSERT INTO verification_codes (streamer_id, username, code, secret_hash, \
                     created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT (streamer_id, username, code) DO UPDATE SET \
                     expires_at = excluded.expires_at RETURNING {COLUMNS}"
                ))
                .db()?
                .query_row(
                    params![
                        streamer.0,
                        new.username,
                        new.code,
                        &new.secret_hash.0[..],
                        now.as_millis(),
                        new.expires_at.as_millis()
                    ],
                    from_row,
                )
                .db()?;
            let live: i64 = tx
                .prepare_cached(
                    "SELECT count(*) FROM verification_codes WHERE streamer_id = ?1 \
                     AND username = ?2",
                )
                .db()?
                .query_row(params![streamer.0, new.username], |r| r.get(0))
                .db()?;
            let over = live - MAX_LIVE_CODES as i64;
            if over > 0 {
                // The oldest unconfirmed others first, then the oldest confirmed (a handful of
                // rows: at most one past the bound, sorted here rather than by a temp b-tree).
                let mut others: Vec<(bool, i64, String)> = tx
                    .prepare_cached(
                        "SELECT verified, id, code FROM verification_codes WHERE streamer_id = ?1 \
                         AND username = ?2 AND code <> ?3",
                    )
                    .db()?
                    .query_map(params![streamer.0, new.username, new.code], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .db()?
                    .collect::<Result<_, _>>()
                    .db()?;
                others.sort_unstable();
                let mut delete = tx
                    .prepare_cached(
                        "DELETE FROM verification_codes WHERE streamer_id = ?1 AND username = ?2 \
                         AND code = ?3",
                    )
                    .db()?;
                for (_, _, code) in others.into_iter().take(over as usize) {
                    delete
                        .execute(params![streamer.0, new.username, code])
                        .db()?;
                }
            }
            Ok(issued)
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
            mark_verification_code_verified(tx, streamer, &username, &code, now)
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

    async fn redeem_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
        secret_hash: &TokenHash,
    ) -> StoreResult<Redemption> {
        let (username, code, given) = (username.to_owned(), code.to_owned(), *secret_hash);
        self.write(streamer, move |tx, now| {
            let (verified, stored, failed): (bool, Option<Vec<u8>>, u32) = tx
                .prepare_cached(
                    "SELECT verified, secret_hash, failed_redemptions FROM \
                     verification_codes WHERE streamer_id = ?1 AND username = ?2 \
                     AND code = ?3 AND expires_at > ?4",
                )
                .db()?
                .query_row(params![streamer.0, username, code, now.as_millis()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .db_optional()?
                .ok_or(StoreError::not_found(Resource::VerificationCode))?;
            if stored.as_deref() != Some(&given.0[..]) {
                let failed = failed.saturating_add(1);
                let sql = if failed >= MAX_FAILED_REDEMPTIONS {
                    "DELETE FROM verification_codes WHERE streamer_id = ?1 AND username = ?2 \
                     AND code = ?3"
                } else {
                    "UPDATE verification_codes SET failed_redemptions = failed_redemptions + 1 \
                     WHERE streamer_id = ?1 AND username = ?2 AND code = ?3"
                };
                tx.prepare_cached(sql)
                    .db()?
                    .execute(params![streamer.0, username, code])
                    .db()?;
                return Ok(Redemption::WrongSecret {
                    attempts_left: MAX_FAILED_REDEMPTIONS.saturating_sub(failed),
                });
            }
            if !verified {
                return Ok(Redemption::NotConfirmed);
            }
            tx.prepare_cached(
                "DELETE FROM verification_codes WHERE streamer_id = ?1 AND username = ?2",
            )
            .db()?
            .execute(params![streamer.0, username])
            .db()?;
            Ok(Redemption::Redeemed)
        })
        .await
    }

    async fn purge_expired_verification_codes(&self, streamer: StreamerId) -> StoreResult<u64> {
        self.write_long(streamer, move |tx, now| {
            purge(
                tx,
                "DELETE FROM verification_codes WHERE streamer_id = ?1 AND expires_at <= ?2",
                streamer,
                now,
            )
        })
        .await
    }
}
