//! Command cooldowns per user.
//!
//! A check that finds the command ready starts its cooldown in the same conditional upsert,
//! so of concurrent checks exactly one is `Ready`: the others wait on its row and then find
//! it active.

use crate::convert::{get, ts};
use crate::store::PgStore;
use crate::tx::Tx;
use async_trait::async_trait;
use datastore::{
    Cooldown, CooldownCheck, CooldownStore, Resource, StoreError, StoreResult, StreamerId,
    Timestamp, UserId, validate,
};
use std::time::Duration;
use tokio_postgres::Row;

/// A `command_cooldowns` row (`user_id, command, last_used_at, expires_at`).
pub(crate) fn from_row(r: &Row) -> StoreResult<Cooldown> {
    Ok(Cooldown {
        user_id: UserId(get(r, "user_id")?),
        command: get(r, "command")?,
        last_used_at: ts(r, "last_used_at")?,
        expires_at: ts(r, "expires_at")?,
    })
}

/// What a check that did not start the cooldown found: `NotFound(User)` for an unknown user,
/// `Active` while the cooldown runs, and otherwise `ready` (the cooldown has ended but a new
/// one cannot start).
async fn current(
    tx: &Tx,
    s: StreamerId,
    u: UserId,
    command: &str,
    now: Timestamp,
    ready: impl FnOnce() -> StoreResult<CooldownCheck>,
) -> StoreResult<CooldownCheck> {
    // The user and their cooldown of this command, in one statement.
    let row = tx
        .query_opt(
            "SELECT c.expires_at FROM users u LEFT JOIN command_cooldowns c \
             ON c.streamer_id = u.streamer_id AND c.user_id = u.id AND c.command = $3 \
             WHERE u.streamer_id = $1 AND u.id = $2",
            &[&s.0, &u.0, &command],
        )
        .await?
        .ok_or(StoreError::not_found(Resource::User))?;
    match get::<Option<i64>>(&row, "expires_at")? {
        Some(ms) if ms > now.as_millis() => {
            let remaining = Timestamp::saturating_from_millis(ms).saturating_since(now);
            Ok(CooldownCheck::Active {
                remaining_ms: remaining.as_millis() as u64,
            })
        }
        _ => ready(),
    }
}

/// The atomic check-and-set of a command cooldown (`check_cooldown`, arguments checked), inside
/// the caller's transaction: `Ready` having started it, or `Active`.
pub(crate) async fn check(
    tx: &Tx,
    s: StreamerId,
    u: UserId,
    command: &str,
    cooldown: Duration,
    now: Timestamp,
) -> StoreResult<CooldownCheck> {
    let Some(expires_at) = now.checked_add(cooldown) else {
        // No cooldown can start: report an active one, or refuse the length.
        return current(tx, s, u, command, now, || {
            Err(StoreError::invalid("cooldown", "ends after the year 9999"))
        })
        .await;
    };
    // Starts the cooldown when the user exists and has none running, in one statement.
    // A conflicting row stays locked even when the condition fails, so what `current`
    // reads next is that row as it will stay until this transaction ends.
    let started = tx
        .query_opt(
            "INSERT INTO command_cooldowns (streamer_id, user_id, command, last_used_at, \
             expires_at) SELECT $1, u.id, $3::text, $4::bigint, $5::bigint FROM users u \
             WHERE u.streamer_id = $1 AND u.id = $2 \
             ON CONFLICT (streamer_id, user_id, command) DO UPDATE SET \
             last_used_at = excluded.last_used_at, expires_at = excluded.expires_at \
             WHERE command_cooldowns.expires_at <= excluded.last_used_at \
             RETURNING expires_at",
            &[
                &s.0,
                &u.0,
                &command,
                &now.as_millis(),
                &expires_at.as_millis(),
            ],
        )
        .await?;
    if started.is_some() {
        return Ok(CooldownCheck::Ready);
    }
    current(tx, s, u, command, now, || {
        Err(StoreError::backend(
            "a cooldown neither started nor found running",
        ))
    })
    .await
}

#[async_trait]
impl CooldownStore for PgStore {
    async fn check_cooldown(
        &self,
        streamer: StreamerId,
        user: UserId,
        command: &str,
        cooldown: Duration,
    ) -> StoreResult<CooldownCheck> {
        validate::command(command)?;
        validate::cooldown(cooldown)?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = check(&tx, streamer, user, command, cooldown, now).await;
        tx.finish(out).await
    }

    async fn purge_expired_cooldowns(&self, streamer: StreamerId) -> StoreResult<u64> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let n = tx
            .execute(
                "DELETE FROM command_cooldowns WHERE streamer_id = $1 AND expires_at <= $2",
                &[&streamer.0, &now.as_millis()],
            )
            .await;
        tx.finish(n).await
    }
}
