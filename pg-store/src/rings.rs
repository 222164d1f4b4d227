//! The wire form of the event doorbell's rings: the channel a deployment rings on, what a
//! ring says, and the batch a committed write sends them in. Shared by the writes that ring
//! (`tx.rs`, `events.rs`) and the listener (`doorbell.rs`), which import nothing of each other
//! through it.

use crate::migrations::quote_literal;
use datastore::StreamerId;

/// The longest name PostgreSQL takes for a channel, in bytes.
const MAX_CHANNEL: usize = 63;

/// The channel the writes of the deployment in `schema` ring on.
pub(crate) fn channel(schema: &str) -> String {
    let mut name = format!("kickoverlay_events.{schema}");
    // Schema names are ASCII, so any byte is a character boundary.
    name.truncate(MAX_CHANNEL);
    name
}

/// The payload of a ring for `streamer` of the deployment in `schema`.
pub(crate) fn ring(schema: &str, streamer: StreamerId) -> String {
    format!("{schema} {}", streamer.0)
}

/// The rings `(channel, payload)` of a committed write, as one simple-protocol batch: a
/// transaction of their own, with `synchronous_commit` off so that it does not wait for a flush
/// (a ring lost in a crash is covered by the listeners' timer).
pub(crate) fn ring_sql(rings: &[(String, String)]) -> String {
    let mut sql = "BEGIN; SET LOCAL synchronous_commit = off;".to_owned();
    for (channel, payload) in rings {
        sql.push_str(&format!(
            " SELECT pg_notify({}, {});",
            quote_literal(channel),
            quote_literal(payload)
        ));
    }
    sql.push_str(" COMMIT");
    sql
}

/// The streamer a ring's `payload` names, when it is a ring of the deployment in `schema`.
pub(crate) fn rung(schema: &str, payload: &str) -> Option<StreamerId> {
    let (from, id) = payload.split_once(' ')?;
    (from == schema).then_some(())?;
    id.parse().ok().map(StreamerId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_names_its_schema_and_channels_fit_postgresql() {
        let payload = ring("kickoverlay", StreamerId(42));
        assert_eq!(rung("kickoverlay", &payload), Some(StreamerId(42)));
        assert_eq!(rung("other", &payload), None);
        assert_eq!(rung("kickoverlay", "kickoverlay x"), None);
        assert_eq!(rung("kickoverlay", "kickoverlay42"), None);
        assert_eq!(channel("kickoverlay"), "kickoverlay_events.kickoverlay");
        let long = "s".repeat(63);
        assert_eq!(channel(&long).len(), MAX_CHANNEL);
        assert_ne!(channel("a"), channel("b"));
    }

    #[test]
    fn the_ring_batch_is_its_own_unflushed_transaction_with_quoted_literals() {
        let rings = [
            (channel("kickoverlay"), ring("kickoverlay", StreamerId(7))),
            ("it's".to_owned(), "a\\b".to_owned()),
        ];
        assert_eq!(
            ring_sql(&rings),
            "BEGIN; SET LOCAL synchronous_commit = off; \
             SELECT pg_notify(E'kickoverlay_events.kickoverlay', E'kickoverlay 7'); \
             SELECT pg_notify(E'it''s', E'a\\\\b'); COMMIT"
        );
    }
}
