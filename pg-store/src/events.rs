//! Events: recorded by the other domain modules' writes through [`PgStore::record`], inside
//! their own transaction, as their last step; read and purged here ([`EventStore`]).
//!
//! A streamer's events are numbered by its row of `event_sequences`, which purging never
//! touches, so a page's `last_id` still tells a reader what was purged. A write takes its ids
//! with one upsert of that row and holds the row's lock until it commits, so two writes of one
//! streamer take their ids in turn and commit in id order: a reader of "after `n`" can never
//! miss an event that commits later with a smaller id. The counter is the last row a write
//! locks (every other row it locks, it locked before), so two writes waiting for each other's
//! counter or rows can never wait in a cycle.
//!
//! Recording also asks the write's `Tx` to ring the deployment's doorbell for the streamer once
//! the write has committed (outside its transaction): see the `doorbell` module.

use crate::convert::{get, ts};
use crate::rings::{channel, ring};
use crate::store::PgStore;
use crate::tx::Tx;
use async_trait::async_trait;
use datastore::events::validate_event_limit;
use datastore::{
    Event, EventData, EventId, EventPage, EventRetention, EventStore, StoreError, StoreResult,
    StreamerId, Timestamp, UserId,
};
use tokio_postgres::Row;

impl PgStore {
    /// Records `events` for `streamer`, in order, stamped `at`, with the streamer's next ids,
    /// and has `tx` ring its doorbell after committing: the last step of a write, in its
    /// transaction, once everything else has succeeded. No events: nothing at all (the counter
    /// is not touched, no ring).
    pub(crate) async fn record(
        &self,
        tx: &Tx,
        streamer: StreamerId,
        at: Timestamp,
        events: impl IntoIterator<Item = EventData>,
    ) -> StoreResult<()> {
        let events: Vec<EventData> = events.into_iter().collect();
        if events.is_empty() {
            return Ok(());
        }
        let n = events.len() as i64;
        // All n ids at once: the counter's new value is the last of them.
        let counter = tx
            .query_one(
                "INSERT INTO event_sequences (streamer_id, last_id) VALUES ($1, $2) \
                 ON CONFLICT (streamer_id) DO UPDATE \
                 SET last_id = event_sequences.last_id + excluded.last_id \
                 RETURNING last_id",
                &[&streamer.0, &n],
            )
            .await?;
        tx.ring_after_commit(channel(self.schema()), ring(self.schema(), streamer));
        let last: i64 = get(&counter, "last_id")?;
        let kinds: Vec<&str> = events.iter().map(EventData::kind).collect();
        let payloads: Vec<String> = events.iter().map(EventData::payload_json).collect();
        let viewers: Vec<Option<i64>> = events.iter().map(|e| e.viewer().map(|u| u.0)).collect();
        tx.execute(
            "INSERT INTO events (streamer_id, id, kind, payload, created_at, user_id) \
             SELECT $1, $2 + e.ord, e.kind, e.payload, $3, e.user_id \
             FROM unnest($4::text[], $5::text[], $6::bigint[]) \
             WITH ORDINALITY AS e(kind, payload, user_id, ord)",
            &[
                &streamer.0,
                &(last - n),
                &at.as_millis(),
                &kinds,
                &payloads,
                &viewers,
            ],
        )
        .await?;
        Ok(())
    }
}

/// Rewrites every event of `streamer` that names `user` into `ViewerRemoved` for them, ids and
/// times kept: the step of deleting a viewer that takes their name out of the event log. Runs
/// in the deletion's transaction, after the user's row is deleted (every write that records an
/// event naming the user locks that row first, so none is still to commit) and before the
/// deletion records its own event (the counter stays the last row locked).
pub(crate) async fn forget_viewer(tx: &Tx, streamer: StreamerId, user: UserId) -> StoreResult<()> {
    let removed = EventData::ViewerRemoved { user_id: user };
    tx.execute(
        "UPDATE events SET kind = $3, payload = $4, user_id = NULL \
         WHERE streamer_id = $1 AND user_id = $2", // equivalent mutant: user ids are global and the caller has just deleted this user under this streamer, so only its events name them
        &[
            &streamer.0,
            &user.0,
            &removed.kind(),
            &removed.payload_json(),
        ],
    )
    .await?;
    Ok(())
}

/// Makes the writes that may create one row take turns, each until its transaction ends: an
/// advisory lock keyed by `key` (which names the row). A write that must know the row's state
/// before it (to decide its event) locks the row to read it; when there is no row yet, there
/// is nothing to lock, and two such writes would each find none and then write over the
/// other's insert. Taken before the row's lock, by every write that may create the row.
pub(crate) async fn take_turns(tx: &Tx, key: &str) -> StoreResult<()> {
    tx.execute(
        "SELECT pg_advisory_xact_lock(2, hashtext($1::text))",
        &[&key],
    )
    .await?;
    Ok(())
}

/// The columns [`from_row`] reads.
const COLUMNS: &str = "id, kind, payload, created_at";

/// An `events` row.
fn from_row(r: &Row) -> StoreResult<Event> {
    let kind: &str = get(r, "kind")?;
    let payload: &str = get(r, "payload")?;
    let data = EventData::from_stored(kind, payload).map_err(|e| {
        tracing::error!(kind, error = %e, "a stored event is invalid");
        StoreError::backend(format!("a stored {kind} event is invalid: {e}"))
    })?;
    Ok(Event {
        id: EventId(get(r, "id")?),
        at: ts(r, "created_at")?,
        data,
    })
}

#[async_trait]
impl EventStore for PgStore {
    async fn read_events(
        &self,
        streamer: StreamerId,
        after: EventId,
        limit: u32,
    ) -> StoreResult<EventPage> {
        validate_event_limit(limit)?;
        // The page and the latest id from one snapshot, so the page never holds an event past
        // the `last_id` it reports.
        let tx = self.snapshot(streamer).await?;
        let page = async {
            let last = tx
                .query_opt(
                    "SELECT last_id FROM event_sequences WHERE streamer_id = $1",
                    &[&streamer.0],
                )
                .await?;
            let last_id = match last {
                Some(r) => get(&r, "last_id")?,
                None => 0,
            };
            let rows = tx
                .query(
                    &format!(
                        "SELECT {COLUMNS} FROM events WHERE streamer_id = $1 AND id > $2 \
                         ORDER BY id LIMIT $3"
                    ),
                    &[&streamer.0, &after.0, &i64::from(limit)],
                )
                .await?;
            Ok(EventPage {
                events: rows.iter().map(from_row).collect::<StoreResult<_>>()?,
                last_id: EventId(last_id),
            })
        }
        .await;
        tx.finish(page).await
    }

    async fn purge_events(
        &self,
        streamer: StreamerId,
        retention: EventRetention,
    ) -> StoreResult<u64> {
        retention.validate()?;
        let now = self.now();
        let max_age = i64::try_from(retention.max_age.as_millis()).unwrap_or(i64::MAX);
        let cutoff = now.as_millis().saturating_sub(max_age);
        let tx = self.tenant(streamer).await?;
        // Too old, or older than the `max_count`th newest event kept (the subquery finds its
        // id; none when fewer are kept, and `id <= NULL` deletes nothing).
        let purged = tx
            .execute(
                "DELETE FROM events d WHERE d.streamer_id = $1 AND (d.created_at < $2 \
                 OR d.id <= (SELECT k.id FROM events k WHERE k.streamer_id = $1 \
                 ORDER BY k.id DESC OFFSET $3 LIMIT 1))",
                &[&streamer.0, &cutoff, &i64::from(retention.max_count)],
            )
            .await;
        tx.finish(purged).await
    }
}
