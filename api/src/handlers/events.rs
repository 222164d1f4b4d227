//! The event stream of a streamer's overlays.

use crate::call::{ApiResult, Call};
use crate::error::ApiError;
use crate::live::hub::Refused;
use crate::live::stream;
use crate::reply;
use datastore::EventId;
use warp::http::{HeaderValue, header};

/// The `Last-Event-ID` header's name.
const LAST_EVENT_ID: &str = "last-event-id";

/// `GET /{streamer}/api/events`: Server-Sent Events, from where the client was
/// (`Last-Event-ID`, or `?last_event_id=` for clients that cannot set headers), else from now.
pub async fn stream(c: Call) -> ApiResult {
    let header = match c.headers.get(LAST_EVENT_ID) {
        Some(v) => Some(
            v.to_str()
                .map_err(|_| ApiError::invalid("Last-Event-ID", "must be an event id"))?
                .to_owned(),
        ),
        None => None,
    };
    let query = c
        .query
        .iter()
        .find(|(n, _)| n == "last_event_id")
        .map(|(_, v)| v.clone());
    let after = match header.or(query) {
        None => None,
        // An empty id is what a browser sends when no event had an id yet.
        Some(raw) if raw.trim().is_empty() => Some(EventId::START),
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(n) if n >= 0 => Some(EventId(n)),
            _ => {
                return Err(ApiError::invalid(
                    "last_event_id",
                    "must be a non-negative event id",
                ));
            }
        },
    };
    let hub = &c.state.events;
    let frames = stream::open(hub, c.streamer_id()?, after, c.client).map_err(|refused| {
        tracing::warn!(reason = %refused, "refused an event stream");
        ApiError::Busy {
            what: match refused {
                Refused::Full => "this server's event streams",
                Refused::AddressFull => "this address's event streams",
            },
            retry_after_s: 30,
        }
    })?;
    let mut r = reply::streamed("text/event-stream", frames);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Tells a buffering proxy (nginx) to pass frames on as they come.
    r.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(r)
}
