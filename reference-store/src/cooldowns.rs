//! Command cooldowns per user.

use crate::convert::{Db, DbOptional, ts};
use crate::expiry::purge;
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::{
    Cooldown, CooldownCheck, CooldownStore, Resource, StoreError, StoreResult, StreamerId,
    Timestamp, UserId, validate,
};
use rusqlite::{Connection, Row, params};
use std::time::Duration;

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Cooldown> {
    Ok(Cooldown {
        user_id: UserId(r.get("user_id")?),
        command: r.get("command")?,
        last_used_at: ts(r, "last_used_at")?,
        expires_at: ts(r, "expires_at")?,
    })
}

/// The atomic check-and-set of a user's cooldown of `command`: `Active` while it runs,
/// else `Ready` and it starts again now. `NotFound(User)` for a missing user.
pub(crate) fn check_cooldown(
    conn: &Connection,
    streamer: StreamerId,
    user: UserId,
    command: &str,
    cooldown: Duration,
    now: Timestamp,
) -> StoreResult<CooldownCheck> {
    // The user and their cooldown of this command, in one statement.
    let current: Option<i64> = conn
        .prepare_cached(
            "SELECT c.expires_at FROM users u LEFT JOIN command_cooldowns c \
             ON c.streamer_id = u.streamer_id AND c.user_id = u.id AND c.command = ?3 \
             WHERE u.streamer_id = ?1 AND u.id = ?2",
        )
        .db()?
        .query_row(params![streamer.0, user.0, command], |r| r.get(0))
        .db_optional()?
        .ok_or(StoreError::not_found(Resource::User))?;
    if let Some(ms) = current
        && ms > now.as_millis()
    {
        let remaining = Timestamp::saturating_from_millis(ms).saturating_since(now);
        return Ok(CooldownCheck::Active {
            remaining_ms: remaining.as_millis() as u64,
        });
    }
    let expires_at = now
        .checked_add(cooldown)
        .ok_or_else(|| StoreError::invalid("cooldown", "ends after the year 9999"))?;
    conn.prepare_cached(
        "INSERT INTO command_cooldowns (streamer_id, user_id, command, last_used_at, \
         expires_at) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (streamer_id, user_id, command) DO UPDATE SET \
         last_used_at = excluded.last_used_at, expires_at = excluded.expires_at",
    )
    .db()?
    .execute(params![
        streamer.0,
        user.0,
        command,
        now.as_millis(),
        expires_at.as_millis()
    ])
    .db()?;
    Ok(CooldownCheck::Ready)
}

#[async_trait]
impl CooldownStore for SqliteStore {
    async fn check_cooldown(
        &self,
        streamer: StreamerId,
        user: UserId,
        command: &str,
        cooldown: Duration,
    ) -> StoreResult<CooldownCheck> {
        validate::command(command)?;
        validate::cooldown(cooldown)?;
        let command = command.to_owned();
        self.write(streamer, move |tx, now| {
            check_cooldown(tx, streamer, user, &command, cooldown, now)
        })
        .await
    }

    async fn purge_expired_cooldowns(&self, streamer: StreamerId) -> StoreResult<u64> {
        self.write_long(streamer, move |tx, now| {
            purge(
                tx,
                "DELETE FROM command_cooldowns WHERE streamer_id = ?1 AND expires_at <= ?2",
                streamer,
                now,
            )
        })
        .await
    }
}
