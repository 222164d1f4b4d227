//! Watch time: recent chatters (`chatters`, kept by deliveries) and the per-minute award to
//! them, given once per streamer and minute (`watch_minutes`).

use crate::convert::{Db, DbOptional};
use crate::events::record;
use crate::points::{Booking, move_by, user_balance};
use crate::stream_state::stream_state;
use datastore::{
    PointSource, StoreResult, StreamerId, Timestamp, UserId, WatchAward, WatchMinute, validate,
};
use rusqlite::{Connection, params};

/// Remembers that a viewer of the streamer chatted now.
pub(crate) fn chatted(
    conn: &Connection,
    s: StreamerId,
    u: UserId,
    now: Timestamp,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO chatters (streamer_id, user_id, last_chat_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (streamer_id, user_id) DO UPDATE SET last_chat_at = excluded.last_chat_at",
    )
    .db()?
    .execute(params![s.0, u.0, now.as_millis()])
    .db()?;
    Ok(())
}

/// Records the minute unless it is already recorded; whether it was new.
fn claim_minute(conn: &Connection, s: StreamerId, minute: i64) -> StoreResult<bool> {
    let claimed = conn
        .prepare_cached(
            "INSERT INTO watch_minutes (streamer_id, minute) VALUES (?1, ?2) \
             ON CONFLICT (streamer_id, minute) DO NOTHING RETURNING minute",
        )
        .db()?
        .query_row(params![s.0, minute], |_| Ok(()))
        .db_optional()?;
    Ok(claimed.is_some())
}

/// The viewers of the streamer who chatted at or after `since`, by id.
fn recent_chatters(conn: &Connection, s: StreamerId, since: i64) -> StoreResult<Vec<UserId>> {
    conn.prepare_cached(
        "SELECT user_id FROM chatters WHERE streamer_id = ?1 AND last_chat_at >= ?2 \
         ORDER BY user_id",
    )
    .db()?
    .query_map(params![s.0, since], |r| r.get(0).map(UserId))
    .db()?
    .collect::<rusqlite::Result<_>>()
    .db()
}

/// The watch award of one minute, inside the caller's transaction on an existing streamer:
/// nothing unless the stream is live and the minute new; then `amount` to each recent chatter
/// (a `watch` ledger row and a `PointsChanged` event each, by user id), any balance pushed out
/// of range failing the whole award.
pub(crate) fn award(
    conn: &Connection,
    s: StreamerId,
    minute: &WatchMinute,
    now: Timestamp,
) -> StoreResult<WatchAward> {
    if !stream_state(conn, s)?.live {
        return Ok(WatchAward::NotLive);
    }
    if !claim_minute(conn, s, minute.minute)? {
        return Ok(WatchAward::AlreadyAwarded);
    }
    let since = now
        .checked_sub(minute.window)
        .map_or(i64::MIN, Timestamp::as_millis);
    let mut viewers = Vec::new();
    let mut events = Vec::new();
    for user in recent_chatters(conn, s, since)? {
        // A chatter the award would push past the balance limit is left out.
        let balance = user_balance(conn, s, user)?.points.channel_points;
        if balance > validate::MAX_BALANCE - minute.amount {
            continue;
        }
        let booking = Booking::earn(minute.amount, PointSource::Watch, None);
        let moved = move_by(conn, s, user, booking, now)?;
        viewers.push(moved.viewer);
        events.extend(moved.event);
    }
    record(conn, s, now, &events)?;
    Ok(WatchAward::Awarded { viewers })
}
