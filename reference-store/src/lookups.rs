//! The existence checks writes begin with: does this streamer, or this user of this streamer,
//! exist? Every domain module uses them; they use nothing but the row conversions.

use crate::convert::{Db, DbOptional};
use datastore::{Resource, StoreError, StoreResult, StreamerId, UserId};
use rusqlite::Connection;

/// `NotFound(Streamer)` unless the streamer exists: the first check of every write that
/// creates a row the streamer owns.
pub(crate) fn require_streamer(conn: &Connection, s: StreamerId) -> StoreResult<()> {
    conn.prepare_cached("SELECT 1 FROM streamers WHERE streamers.id = ?1")
        .db()?
        .query_row([s.0], |_| Ok(()))
        .db_optional()?
        .ok_or(StoreError::not_found(Resource::Streamer))
}

/// Whether this streamer has this user: the check of writes that address a user without
/// reading any of their rows.
pub(crate) fn require_user(conn: &Connection, s: StreamerId, u: UserId) -> StoreResult<()> {
    conn.prepare_cached("SELECT 1 FROM users WHERE streamer_id = ?1 AND id = ?2")
        .db()?
        .query_row([s.0, u.0], |_| Ok(()))
        .db_optional()?
        .ok_or(StoreError::not_found(Resource::User))
}
