//! Whether a streamer's stream is live (`stream_states`): set by deliveries, read by the
//! watch award and by the operator's list of live streamers.

use crate::convert::{Db, DbOptional, ts};
use datastore::{StoreResult, StreamState, StreamerId, Timestamp};
use rusqlite::{Connection, params};

/// The streamer's stream state: not live, never changed, until a delivery sets it.
pub(crate) fn stream_state(conn: &Connection, s: StreamerId) -> StoreResult<StreamState> {
    let stored = conn
        .prepare_cached("SELECT live, changed_at FROM stream_states WHERE streamer_id = ?1")
        .db()?
        .query_row([s.0], |r| {
            Ok(StreamState {
                live: r.get("live")?,
                changed_at: Some(ts(r, "changed_at")?),
            })
        })
        .db_optional()?;
    Ok(stored.unwrap_or(StreamState {
        live: false,
        changed_at: None,
    }))
}

/// What a live change did: the flag after it, and whether it changed the flag.
pub(crate) struct LiveSet {
    /// The flag as it stands after the change.
    pub(crate) live: bool,
    /// Whether the flag differs from before (a stream never set counts as not live).
    pub(crate) changed: bool,
}

/// Sets the live flag as of `at`, unless a change stamped later is already applied (or one
/// stamped the same when this one goes live: offline wins a tie).
pub(crate) fn set_live(
    conn: &Connection,
    s: StreamerId,
    live: bool,
    at: Timestamp,
) -> StoreResult<LiveSet> {
    let current = stream_state(conn, s)?;
    if current
        .changed_at
        .is_some_and(|changed| at < changed || (at == changed && live))
    {
        return Ok(LiveSet {
            live: current.live,
            changed: false,
        });
    }
    conn.prepare_cached(
        "INSERT INTO stream_states (streamer_id, live, changed_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (streamer_id) DO UPDATE SET live = excluded.live, \
         changed_at = excluded.changed_at",
    )
    .db()?
    .execute(params![s.0, live, at.as_millis()])
    .db()?;
    Ok(LiveSet {
        live,
        changed: live != current.live,
    })
}

/// The streamers whose stream is live, by id. Every statement on tenant data names its
/// streamer, this operator's listing too: the streamers, then each one's state by its key
/// (a point read each, inside the caller's one read transaction).
pub(crate) fn live_streamers(conn: &Connection) -> StoreResult<Vec<StreamerId>> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM streamers ORDER BY id")
        .db()?
        .query_map([], |r| r.get(0))
        .db()?
        .collect::<rusqlite::Result<_>>()
        .db()?;
    let mut live = Vec::new();
    for id in ids.into_iter().map(StreamerId) {
        if stream_state(conn, id)?.live {
            live.push(id);
        }
    }
    Ok(live)
}
