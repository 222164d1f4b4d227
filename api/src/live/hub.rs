//! The per-streamer channels of one server process, their bells, and the limits on streams.

use crate::live::sse;
use bytes::Bytes;
use datastore::{DataStore, EventId, StreamerId};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{Notify, broadcast, watch};

/// The tunables of the event streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveConfig {
    /// How often an idle stream sends a keep-alive comment.
    pub keep_alive: Duration,
    /// Events a streamer's channel holds for streams that are behind; a stream further behind
    /// reads what it missed from the store instead.
    pub channel_events: usize,
    /// Frames queued for one client; a client that does not read them within
    /// [`LiveConfig::send_timeout`] is dropped (its browser reconnects and catches up).
    pub client_frames: usize,
    /// How long a frame may wait for a client that does not read.
    pub send_timeout: Duration,
    /// Events a stream reads from the store at a time while it catches up (what a stalled
    /// client can make the server hold, with its queue).
    pub catch_up_page: u32,
    /// The most streams open at once on this server (each holds a connection: the rest are
    /// kept for other requests).
    pub max_streams: usize,
    /// The most streams one client address may hold open.
    pub max_streams_per_address: usize,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            keep_alive: Duration::from_secs(15),
            channel_events: 256,
            client_frames: 16,
            send_timeout: Duration::from_secs(10),
            catch_up_page: 32,
            max_streams: 2048,
            max_streams_per_address: 32,
        }
    }
}

/// An event as the channel broadcasts it: its id and its frame, formatted once for every
/// stream.
#[derive(Debug)]
pub struct Framed {
    /// The event's id.
    pub id: EventId,
    /// Its Server-Sent Events frame.
    pub frame: Bytes,
}

/// One streamer's channel: the events broadcast to its streams, the bell that says new ones
/// were committed, and whether its reader has taken its starting point.
#[derive(Debug)]
pub(crate) struct Channel {
    pub(crate) events: broadcast::Sender<Arc<Framed>>,
    bell: Notify,
    started: watch::Sender<bool>,
}

/// The streams of one server process, by streamer.
pub struct EventHub {
    store: Arc<dyn DataStore>,
    channels: Mutex<HashMap<StreamerId, Arc<Channel>>>,
    open: Mutex<OpenStreams>,
    closing: watch::Sender<bool>,
    config: LiveConfig,
}

#[derive(Debug, Default)]
struct OpenStreams {
    total: usize,
    by_address: HashMap<Option<IpAddr>, usize>,
}

impl std::fmt::Debug for EventHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventHub")
            .field("open_channels", &self.open_channels())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Why a stream was not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The server holds as many streams as it may.
    #[error("the server holds as many event streams as it may")]
    Full,
    /// This client address holds as many streams as it may.
    #[error("this address holds as many event streams as it may")]
    AddressFull,
}

/// What a new stream gets: the events broadcast from now on, a signal that the channel's
/// reader has its starting point, and guards that let the channel and the stream's place go
/// when the stream ends.
#[derive(Debug)]
pub struct Subscription {
    pub(crate) events: broadcast::Receiver<Arc<Framed>>,
    pub(crate) started: watch::Receiver<bool>,
    pub(crate) leave: Leave,
    pub(crate) place: Place,
}

/// Rings the channel's bell when a stream ends, so that a channel nobody watches is closed.
#[derive(Debug)]
pub(crate) struct Leave(Arc<Channel>);

impl Drop for Leave {
    fn drop(&mut self) {
        self.0.bell.notify_one();
    }
}

/// A stream's place in the limits, given back when it ends.
#[derive(Debug)]
pub(crate) struct Place {
    hub: std::sync::Weak<EventHub>,
    address: Option<IpAddr>,
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some(hub) = self.hub.upgrade() {
            let mut open = hub.open.lock().unwrap_or_else(PoisonError::into_inner);
            open.total = open.total.saturating_sub(1);
            if let Some(n) = open.by_address.get_mut(&self.address) {
                *n -= 1;
                if *n == 0 {
                    open.by_address.remove(&self.address);
                }
            }
        }
    }
}

impl EventHub {
    /// A hub reading from `store`.
    pub fn new(store: Arc<dyn DataStore>, config: LiveConfig) -> Arc<Self> {
        Arc::new(EventHub {
            store,
            channels: Mutex::new(HashMap::new()),
            open: Mutex::new(OpenStreams::default()),
            closing: watch::channel(false).0,
            config,
        })
    }

    /// The tunables.
    pub fn config(&self) -> LiveConfig {
        self.config
    }

    /// The store the hub reads.
    pub(crate) fn store(&self) -> &Arc<dyn DataStore> {
        &self.store
    }

    /// Says that `streamer` may have new events: its channel, if any stream watches it, reads
    /// them. Cheap when nobody watches.
    pub fn ring(&self, streamer: StreamerId) {
        let channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = channels.get(&streamer) {
            c.bell.notify_one();
        }
    }

    /// Rings every channel: notifications may have been missed (a doorbell reconnected).
    pub fn ring_all(&self) {
        let channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        for c in channels.values() {
            c.bell.notify_one();
        }
    }

    /// How many streamers have a channel open (streams watching them).
    pub fn open_channels(&self) -> usize {
        self.channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// How many streams are open.
    pub fn open_streams(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }

    /// Ends every stream: the server is shutting down.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Completes once [`EventHub::close`] was called.
    pub(crate) async fn closed(&self) {
        let mut rx = self.closing.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }

    /// Takes a place for a stream of `address`, within the limits.
    fn take_place(self: &Arc<Self>, address: Option<IpAddr>) -> Result<Place, Refused> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.total >= self.config.max_streams {
            return Err(Refused::Full);
        }
        let mine = open.by_address.entry(address).or_insert(0);
        if *mine >= self.config.max_streams_per_address {
            return Err(Refused::AddressFull);
        }
        *mine += 1;
        open.total += 1;
        Ok(Place {
            hub: Arc::downgrade(self),
            address,
        })
    }

    /// Joins `streamer`'s channel for a client at `address`, opening the channel (and its
    /// reader) when it is the first stream; refused beyond the limits.
    pub fn subscribe(
        self: &Arc<Self>,
        streamer: StreamerId,
        address: Option<IpAddr>,
    ) -> Result<Subscription, Refused> {
        let place = self.take_place(address)?;
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = channels.get(&streamer) {
            return Ok(Subscription {
                events: c.events.subscribe(),
                started: c.started.subscribe(),
                leave: Leave(c.clone()),
                place,
            });
        }
        let channel = Arc::new(Channel {
            events: broadcast::channel(self.config.channel_events.max(1)).0,
            bell: Notify::new(),
            started: watch::channel(false).0,
        });
        let events = channel.events.subscribe();
        let started = channel.started.subscribe();
        channels.insert(streamer, channel.clone());
        drop(channels);
        tokio::spawn(self.clone().read_for(streamer, channel.clone()));
        Ok(Subscription {
            events,
            started,
            leave: Leave(channel),
            place,
        })
    }

    /// Closes `streamer`'s channel if `channel` is it and nobody watches it any more.
    fn leave_if_unwatched(&self, streamer: StreamerId, channel: &Arc<Channel>) -> bool {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        let unwatched = channel.events.receiver_count() == 0;
        if unwatched
            && channels
                .get(&streamer)
                .is_some_and(|c| Arc::ptr_eq(c, channel))
        {
            channels.remove(&streamer);
        }
        unwatched
    }

    /// The channel's reader: takes its starting point (before any of its streams takes
    /// theirs: they wait for `started`), then on each ring reads the streamer's new events once
    /// and broadcasts them, formatted once; ends when nobody watches or the server closes.
    async fn read_for(self: Arc<Self>, streamer: StreamerId, channel: Arc<Channel>) {
        // A store that fails here leaves the reader at the start: it then reads (and streams
        // skip) what is kept, which is slower but loses nothing.
        let mut cursor = self.latest(streamer).await.unwrap_or(EventId::START);
        channel.started.send_replace(true);
        let page = self.config.catch_up_page.max(1);
        loop {
            tokio::select! {
                () = channel.bell.notified() => {}
                () = self.closed() => return,
            }
            if self.leave_if_unwatched(streamer, &channel) {
                return;
            }
            loop {
                match self.store.read_events(streamer, cursor, page).await {
                    Ok(read) => {
                        let full = read.events.len() == page as usize;
                        for e in read.events {
                            cursor = e.id;
                            let framed = Framed {
                                id: e.id,
                                frame: sse::event(&e),
                            };
                            // No receiver left is not an error: the next ring closes the
                            // channel.
                            let _ = channel.events.send(Arc::new(framed));
                        }
                        if !full {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(streamer = %streamer, error = %e, "cannot read new events; trying again");
                        // Ring again after a pause, so the events are read without waiting
                        // for the streamer's next write.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        channel.bell.notify_one();
                        break;
                    }
                }
            }
        }
    }

    /// The streamer's latest event id, or `None` when the store failed.
    pub(crate) async fn latest(&self, streamer: StreamerId) -> Option<EventId> {
        match self.store.read_events(streamer, EventId(i64::MAX), 1).await {
            Ok(page) => Some(page.last_id),
            Err(e) => {
                tracing::warn!(streamer = %streamer, error = %e, "cannot read the latest event id");
                None
            }
        }
    }
}
