//! Events: read and purged here; recorded by the other domain modules' writes through
//! [`record`], inside their own transaction, as their last step.
//!
//! A streamer's events live in `events`, keyed by `(streamer_id, id)`; the latest id it has
//! recorded lives in `event_sequences`, so a purge never resets it. A write takes its ids with
//! one upsert of the counter and inserts its events with them: the write lock every write
//! holds from its first statement (`BEGIN IMMEDIATE`) makes the ids dense and committed in
//! order, and a write that fails rolls its savepoint back, counter included.

use crate::convert::{Db, DbOptional, bad_value, ts_at};
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::{
    Event, EventData, EventId, EventPage, EventRetention, EventStore, StoreResult, StreamerId,
    Timestamp, UserId, validate_event_limit,
};
use rusqlite::{Connection, Row, params};

/// An event from a row of `id, kind, payload, created_at`.
fn from_row(r: &Row<'_>) -> rusqlite::Result<Event> {
    let kind: String = r.get(1)?;
    let payload: String = r.get(2)?;
    Ok(Event {
        id: EventId(r.get(0)?),
        at: ts_at(r, 3, "created_at")?,
        data: EventData::from_stored(&kind, &payload).map_err(|e| bad_value("payload", e))?,
    })
}

/// Records `events` for `streamer`, in order, stamped `now`, with the streamer's next ids: the
/// last step of a write, inside its transaction, once nothing else can fail. Nothing at all
/// for no events (the counter is not touched).
pub(crate) fn record(
    conn: &Connection,
    streamer: StreamerId,
    now: Timestamp,
    events: &[EventData],
) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let n = events.len() as i64;
    // One statement takes all n ids: the counter's new value is the last of them.
    let last: i64 = conn
        .prepare_cached(
            "INSERT INTO event_sequences (streamer_id, last_id) VALUES (?1, ?2) \
             ON CONFLICT (streamer_id) DO UPDATE SET last_id = last_id + excluded.last_id \
             RETURNING last_id",
        )
        .db()?
        .query_row(params![streamer.0, n], |r| r.get(0))
        .db()?;
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO events (streamer_id, id, kind, payload, created_at, user_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .db()?;
    for (id, event) in (last - n + 1..).zip(events) {
        insert
            .execute(params![
                streamer.0,
                id,
                event.kind(),
                event.payload_json(),
                now.as_millis(),
                event.viewer().map(|u| u.0)
            ])
            .db()?;
    }
    Ok(())
}

/// Rewrites every event of `streamer` that names `user` into `ViewerRemoved` for them, ids and
/// times kept: the step of deleting a viewer that takes their name out of the event log. Runs
/// in the deletion's transaction, before it records its own event.
pub(crate) fn forget_viewer(
    conn: &Connection,
    streamer: StreamerId,
    user: UserId,
) -> StoreResult<()> {
    let removed = EventData::ViewerRemoved { user_id: user };
    conn.prepare_cached(
        "UPDATE events SET kind = ?3, payload = ?4, user_id = NULL \
         WHERE streamer_id = ?1 AND user_id = ?2", // equivalent mutant: user ids are global and the caller has just deleted this user under this streamer, so only its events name them
    )
    .db()?
    .execute(params![
        streamer.0,
        user.0,
        removed.kind(),
        removed.payload_json()
    ])
    .db()?;
    Ok(())
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn read_events(
        &self,
        streamer: StreamerId,
        after: EventId,
        limit: u32,
    ) -> StoreResult<EventPage> {
        validate_event_limit(limit)?;
        // One read transaction: the page and the latest id from the same snapshot.
        self.read(move |c, _| {
            let last_id = c
                .prepare_cached("SELECT last_id FROM event_sequences WHERE streamer_id = ?1")
                .db()?
                .query_row([streamer.0], |r| r.get(0))
                .db_optional()?
                .map_or(EventId::START, EventId);
            let events = c
                .prepare_cached(
                    "SELECT id, kind, payload, created_at FROM events \
                     WHERE streamer_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                )
                .db()?
                .query_map(params![streamer.0, after.0, limit], from_row)
                .db()?
                .collect::<rusqlite::Result<_>>()
                .db()?;
            Ok(EventPage { events, last_id })
        })
        .await
    }

    async fn purge_events(
        &self,
        streamer: StreamerId,
        retention: EventRetention,
    ) -> StoreResult<u64> {
        retention.validate()?;
        self.write_long(streamer, move |tx, now| {
            // Older than `now - max_age` (no such instant: none is too old by age).
            let cutoff = now
                .checked_sub(retention.max_age)
                .map_or(i64::MIN, Timestamp::as_millis);
            // The newest event past the `max_count` newest: it and every older one go.
            let past_count: i64 = tx
                .prepare_cached(
                    "SELECT id FROM events WHERE streamer_id = ?1 \
                     ORDER BY id DESC LIMIT 1 OFFSET ?2",
                )
                .db()?
                .query_row(params![streamer.0, retention.max_count], |r| r.get(0))
                .db_optional()?
                .unwrap_or(0);
            let purged = tx
                .prepare_cached(
                    "DELETE FROM events WHERE streamer_id = ?1 AND (created_at < ?2 OR id <= ?3)",
                )
                .db()?
                .execute(params![streamer.0, cutoff, past_count])
                .db()?;
            Ok(purged as u64)
        })
        .await
    }
}
