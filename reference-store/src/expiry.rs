//! Deleting what has expired: one statement, scoped by streamer and bounded by now.

use crate::convert::Db;
use datastore::{StoreResult, StreamerId, Timestamp};

/// Runs `sql`, which deletes a streamer's expired rows (`?1` the streamer, `?2` now); how many
/// it deleted.
pub(crate) fn purge(
    tx: &rusqlite::Connection,
    sql: &str,
    streamer: StreamerId,
    now: Timestamp,
) -> StoreResult<u64> {
    let n = tx
        .prepare_cached(sql)
        .db()?
        .execute([streamer.0, now.as_millis()])
        .db()?;
    Ok(n as u64)
}
