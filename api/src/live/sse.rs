//! The Server-Sent Events wire format of the event stream.

use bytes::Bytes;
use datastore::{Event, EventId};

/// How long a browser waits before reconnecting a dropped stream, in milliseconds.
pub const RETRY_MS: u64 = 2000;

/// The first bytes of every stream: the reconnection delay.
pub fn preamble() -> Bytes {
    Bytes::from(format!("retry: {RETRY_MS}\n\n"))
}

/// One event: `id:` its id, `event:` its type, `data:` the event as JSON (one line).
pub fn event(e: &Event) -> Bytes {
    let json = serde_json::to_string(e).unwrap_or_else(|err| {
        tracing::error!(error = %err, "an event did not serialise");
        "{}".to_owned()
    });
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {json}\n\n",
        e.id,
        e.data.kind()
    ))
}

/// The `reset` event: what the reader missed is gone, so it reloads its data and goes on from
/// `last_id`.
pub fn reset(last_id: EventId) -> Bytes {
    Bytes::from(format!(
        "id: {last_id}\nevent: reset\ndata: {{\"last_id\":{last_id}}}\n\n"
    ))
}

/// The `ready` event: the stream now follows everything after `last_id` (what the client
/// missed, if it said where it was, has been sent). A client that reads its data after this
/// event misses nothing; its `id:` is where a reconnection goes on from.
pub fn ready(last_id: EventId) -> Bytes {
    Bytes::from(format!(
        "id: {last_id}\nevent: ready\ndata: {{\"last_id\":{last_id}}}\n\n"
    ))
}

/// A comment that keeps idle connections (and the proxies between) open.
pub fn keep_alive() -> Bytes {
    Bytes::from_static(b": keep-alive\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use datastore::{EventData, Timestamp, UserId};

    #[test]
    fn frames_are_one_line_per_field_and_end_with_a_blank_line() {
        let e = Event {
            id: EventId(7),
            at: Timestamp::from_millis(5).unwrap(),
            data: EventData::ViewerRemoved { user_id: UserId(3) },
        };
        let text = String::from_utf8(event(&e).to_vec()).unwrap();
        assert_eq!(
            text,
            "id: 7\nevent: viewer_removed\ndata: {\"id\":7,\"at\":\"1970-01-01T00:00:00.005Z\",\"type\":\"viewer_removed\",\"data\":{\"user_id\":3}}\n\n"
        );
        assert_eq!(
            &reset(EventId(9))[..],
            b"id: 9\nevent: reset\ndata: {\"last_id\":9}\n\n"
        );
    }
}
