//! The per-streamer channels of one server process, and their bells.

use datastore::{DataStore, Event, EventId, MAX_EVENT_PAGE, StreamerId};
use std::collections::HashMap;
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
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            keep_alive: Duration::from_secs(15),
            channel_events: 256,
            client_frames: 64,
            send_timeout: Duration::from_secs(30),
        }
    }
}

/// One streamer's channel: the events broadcast to its streams, and the bell that says new
/// ones were committed.
#[derive(Debug)]
pub(crate) struct Channel {
    pub(crate) events: broadcast::Sender<Arc<Event>>,
    bell: Notify,
}

/// The streams of one server process, by streamer.
pub struct EventHub {
    store: Arc<dyn DataStore>,
    channels: Mutex<HashMap<StreamerId, Arc<Channel>>>,
    closing: watch::Sender<bool>,
    config: LiveConfig,
}

impl std::fmt::Debug for EventHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventHub")
            .field("open_channels", &self.open_channels())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What a new stream gets: the events broadcast from now on, and a guard that lets the
/// channel go when the stream ends.
#[derive(Debug)]
pub struct Subscription {
    pub(crate) events: broadcast::Receiver<Arc<Event>>,
    pub(crate) leave: Leave,
}

/// Rings the channel's bell when a stream ends, so that a channel nobody watches is closed.
#[derive(Debug)]
pub(crate) struct Leave(Arc<Channel>);

impl Drop for Leave {
    fn drop(&mut self) {
        self.0.bell.notify_one();
    }
}

impl EventHub {
    /// A hub reading from `store`.
    pub fn new(store: Arc<dyn DataStore>, config: LiveConfig) -> Arc<Self> {
        Arc::new(EventHub {
            store,
            channels: Mutex::new(HashMap::new()),
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

    /// Ends every stream: the server is shutting down.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Completes once [`EventHub::close`] was called.
    pub(crate) async fn closed(&self) {
        let mut rx = self.closing.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }

    /// Whether [`EventHub::close`] was called.
    pub fn is_closed(&self) -> bool {
        *self.closing.borrow()
    }

    /// Joins `streamer`'s channel, opening it (and its reader) when it is the first stream.
    pub fn subscribe(self: &Arc<Self>, streamer: StreamerId) -> Subscription {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = channels.get(&streamer) {
            return Subscription {
                events: c.events.subscribe(),
                leave: Leave(c.clone()),
            };
        }
        let channel = Arc::new(Channel {
            events: broadcast::channel(self.config.channel_events.max(1)).0,
            bell: Notify::new(),
        });
        let events = channel.events.subscribe();
        channels.insert(streamer, channel.clone());
        drop(channels);
        tokio::spawn(self.clone().read_for(streamer, channel.clone()));
        Subscription {
            events,
            leave: Leave(channel),
        }
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

    /// The channel's reader: on each ring, reads the streamer's new events once and
    /// broadcasts them; ends when nobody watches or the server closes.
    async fn read_for(self: Arc<Self>, streamer: StreamerId, channel: Arc<Channel>) {
        let mut cursor = match self.latest(streamer).await {
            Some(id) => id,
            None => {
                // The store failed: streams catch up from the store themselves on the next
                // ring, so start from the beginning of what is kept.
                EventId::START
            }
        };
        loop {
            tokio::select! {
                () = channel.bell.notified() => {}
                () = self.closed() => return,
            }
            if self.leave_if_unwatched(streamer, &channel) {
                return;
            }
            loop {
                match self
                    .store
                    .read_events(streamer, cursor, MAX_EVENT_PAGE)
                    .await
                {
                    Ok(page) => {
                        let full = page.events.len() == MAX_EVENT_PAGE as usize;
                        for e in page.events {
                            cursor = e.id;
                            // No receiver left is not an error: the next ring closes the
                            // channel.
                            let _ = channel.events.send(Arc::new(e));
                        }
                        if !full {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(streamer = %streamer, error = %e, "cannot read new events");
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
