//! Events: [`EventStore`] on PostgreSQL (reading and purging a streamer's events) and the row
//! conversion of `events`.
//!
//! A streamer's events are numbered by its row of `event_sequences`, which purging never
//! touches, so a page's `last_id` still tells a reader what was purged.

use crate::convert::{get, ts};
use crate::store::PgStore;
use async_trait::async_trait;
use datastore::events::validate_event_limit;
use datastore::{
    Event, EventData, EventId, EventPage, EventRetention, EventStore, StoreError, StoreResult,
    StreamerId,
};
use tokio_postgres::Row;

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
