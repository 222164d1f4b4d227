//! Verification codes, keyed by username (the viewer may not be a user yet). Usernames compare
//! without ASCII case (`fold`), codes exactly.
//!
//! Issuing takes a transaction-scoped advisory lock on (streamer, folded username), so
//! concurrent issues for one username queue and the bound of [`MAX_LIVE_CODES`] holds.
//! Redeeming locks the code's row (`FOR UPDATE`), so of concurrent redemptions one wins and
//! the others find the code gone (or see the failures counted before theirs).

use crate::convert::{get, ts};
use crate::lookups::require_streamer;
use crate::store::PgStore;
use crate::tx::Tx;
use async_trait::async_trait;
use datastore::{
    MAX_FAILED_REDEMPTIONS, MAX_LIVE_CODES, NewVerificationCode, Redemption, Resource, StoreError,
    StoreResult, StreamerId, Timestamp, TokenHash, VerificationCode, VerificationStore,
};
use tokio_postgres::Row;

/// The columns [`from_row`] reads.
pub(crate) const COLUMNS: &str = "username, code, verified, created_at, expires_at";

/// A `verification_codes` row ([`COLUMNS`]).
pub(crate) fn from_row(r: &Row) -> StoreResult<VerificationCode> {
    Ok(VerificationCode {
        username: get(r, "username")?,
        code: get(r, "code")?,
        verified: get(r, "verified")?,
        created_at: ts(r, "created_at")?,
        expires_at: ts(r, "expires_at")?,
    })
}

/// Marks the unexpired code `code` of `username` verified (`mark_verification_code_verified`),
/// inside the caller's transaction; `NotFound(VerificationCode)` when there is none.
pub(crate) async fn mark_verified(
    tx: &Tx,
    s: StreamerId,
    username: &str,
    code: &str,
    now: Timestamp,
) -> StoreResult<VerificationCode> {
    let row = tx
        .query_opt(
            &format!(
                "UPDATE verification_codes SET verified = true WHERE streamer_id = $1 \
                 AND username_key = fold($2) AND code = $3 AND expires_at > $4 \
                 RETURNING {COLUMNS}"
            ),
            &[&s.0, &username, &code, &now.as_millis()],
        )
        .await?;
    row.as_ref()
        .map(from_row)
        .transpose()?
        .ok_or(StoreError::not_found(Resource::VerificationCode))
}

#[async_trait]
impl VerificationStore for PgStore {
    async fn create_verification_code(
        &self,
        streamer: StreamerId,
        new: NewVerificationCode,
    ) -> StoreResult<VerificationCode> {
        new.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            require_streamer(&tx, streamer).await?;
            // One issue per (streamer, username) at a time, until this transaction ends.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(fold($2), $1))",
                &[&streamer.0, &new.username],
            )
            .await?;
            tx.execute(
                "DELETE FROM verification_codes WHERE streamer_id = $1 \
                 AND username_key = fold($2) AND expires_at <= $3",
                &[&streamer.0, &new.username, &now.as_millis()],
            )
            .await?;
            // The same username (ignoring case) and code again refreshes the expiry of the code
            // already issued, which keeps its place in the issue order and its secret hash.
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO verification_codes (streamer_id, username, code, \
                         secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (streamer_id, username_key, code) DO UPDATE SET \
                         expires_at = excluded.expires_at RETURNING id, {COLUMNS}"
                    ),
                    &[
                        &streamer.0,
                        &new.username,
                        &new.code,
                        &&new.secret_hash.0[..],
                        &now.as_millis(),
                        &new.expires_at.as_millis(),
                    ],
                )
                .await?;
            let issued = from_row(&row)?;
            let issued_id: i64 = get(&row, "id")?;
            // Past the bound, the oldest unconfirmed others go first, then the oldest confirmed.
            tx.execute(
                "WITH mine AS (SELECT c.id, c.verified FROM verification_codes c \
                 WHERE c.streamer_id = $1 AND c.username_key = fold($2)), \
                 doomed AS (SELECT id FROM mine WHERE id <> $3 ORDER BY verified, id \
                 LIMIT greatest((SELECT count(*) FROM mine) - $4, 0)) \
                 DELETE FROM verification_codes d WHERE d.id IN (SELECT id FROM doomed) \
                 AND d.streamer_id = $1", // equivalent mutant: ids are global and `doomed` holds only this streamer's codes
                &[
                    &streamer.0,
                    &new.username,
                    &issued_id,
                    &(MAX_LIVE_CODES as i64),
                ],
            )
            .await?;
            Ok(issued)
        }
        .await;
        tx.finish(out).await
    }

    async fn get_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
    ) -> StoreResult<Option<VerificationCode>> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                &format!(
                    "SELECT {COLUMNS} FROM verification_codes WHERE streamer_id = $1 \
                     AND username_key = fold($2) AND code = $3 AND expires_at > $4"
                ),
                &[&streamer.0, &username, &code, &now.as_millis()],
            )
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(from_row).transpose()
    }

    async fn latest_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<Option<VerificationCode>> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                &format!(
                    "SELECT {COLUMNS} FROM verification_codes WHERE streamer_id = $1 \
                     AND username_key = fold($2) AND expires_at > $3 ORDER BY id DESC LIMIT 1"
                ),
                &[&streamer.0, &username, &now.as_millis()],
            )
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(from_row).transpose()
    }

    async fn mark_verification_code_verified(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
    ) -> StoreResult<VerificationCode> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let code = mark_verified(&tx, streamer, username, code, now).await;
        tx.finish(code).await
    }

    async fn delete_verification_codes(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<u64> {
        let tx = self.tenant(streamer).await?;
        let n = tx
            .execute(
                "DELETE FROM verification_codes WHERE streamer_id = $1 \
                 AND username_key = fold($2)",
                &[&streamer.0, &username],
            )
            .await;
        tx.finish(n).await
    }

    async fn redeem_verification_code(
        &self,
        streamer: StreamerId,
        username: &str,
        code: &str,
        secret_hash: &TokenHash,
    ) -> StoreResult<Redemption> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            // The code's row, locked: a concurrent redemption waits here and then finds the
            // code as this one leaves it (gone, or with this failure counted).
            let row = tx
                .query_opt(
                    "SELECT id, verified, secret_hash, failed_redemptions FROM \
                     verification_codes WHERE streamer_id = $1 AND username_key = fold($2) \
                     AND code = $3 AND expires_at > $4 FOR UPDATE",
                    &[&streamer.0, &username, &code, &now.as_millis()],
                )
                .await?
                .ok_or(StoreError::not_found(Resource::VerificationCode))?;
            let id: i64 = get(&row, "id")?;
            let verified: bool = get(&row, "verified")?;
            let stored: Option<&[u8]> = get(&row, "secret_hash")?;
            let failed: i64 = get(&row, "failed_redemptions")?;
            if stored != Some(&secret_hash.0[..]) {
                let failed = u32::try_from(failed).unwrap_or(u32::MAX).saturating_add(1);
                let sql = if failed >= MAX_FAILED_REDEMPTIONS {
                    "DELETE FROM verification_codes WHERE id = $2 AND streamer_id = $1" // equivalent mutant: ids are global and this code was just locked under this streamer
                } else {
                    "UPDATE verification_codes SET failed_redemptions = failed_redemptions + 1 \
                     WHERE id = $2 AND streamer_id = $1" // equivalent mutant: ids are global and this code was just locked under this streamer
                };
                tx.execute(sql, &[&streamer.0, &id]).await?;
                return Ok(Redemption::WrongSecret {
                    attempts_left: MAX_FAILED_REDEMPTIONS.saturating_sub(failed),
                });
            }
            if !verified {
                return Ok(Redemption::NotConfirmed);
            }
            tx.execute(
                "DELETE FROM verification_codes WHERE streamer_id = $1 \
                 AND username_key = fold($2)",
                &[&streamer.0, &username],
            )
            .await?;
            Ok(Redemption::Redeemed)
        }
        .await;
        tx.finish(out).await
    }

    async fn purge_expired_verification_codes(&self, streamer: StreamerId) -> StoreResult<u64> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let n = tx
            .execute(
                "DELETE FROM verification_codes WHERE streamer_id = $1 AND expires_at <= $2",
                &[&streamer.0, &now.as_millis()],
            )
            .await;
        tx.finish(n).await
    }
}
