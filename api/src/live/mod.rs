//! Live events: each streamer's [`datastore::Event`]s pushed to the overlays watching them.
//!
//! One [`hub::EventHub`] per server keeps a channel per streamer that has at least one open
//! stream. A write answered by this process rings the streamer's bell ([`hub::EventHub::ring`]);
//! on PostgreSQL, a commit by any process rings it through the database's doorbell
//! (`LISTEN`/`NOTIFY`). The channel then reads the new events from the store once and
//! broadcasts them to every stream of that streamer in this process ([`stream`]), so the store
//! is read once per change and per process, never once per client. A stream that falls behind
//! the broadcast, or sees a hole in the ids, reads what it missed from the store; one whose
//! place was purged gets a `reset` ([`sse`]).

pub mod hub;
pub mod sse;
pub mod stream;

pub use hub::{EventHub, LiveConfig};
