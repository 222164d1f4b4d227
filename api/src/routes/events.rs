//! The live event stream overlays listen to.

use crate::handlers::events;
use crate::route::{Route, route};
use datastore::Event;

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/events", Public, 200, "The streamer's events as Server-Sent Events (text/event-stream): what was missed after Last-Event-ID (header or ?last_event_id=), then each change as it commits", events::stream, sse: Event,
        query: ["last_event_id"], also: [503]),
];
