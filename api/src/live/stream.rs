//! One client's event stream: what it missed, then what happens, in order, once.

use crate::live::hub::{EventHub, Refused, Subscription};
use crate::live::sse;
use crate::reply::Chunk;
use bytes::Bytes;
use datastore::{EventId, StreamerId};
use std::net::IpAddr;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc};

/// Why a stream ended early.
enum End {
    /// The client went away or stopped reading.
    Client,
    /// The store failed while catching up.
    Store,
}

/// Opens a stream of `streamer`'s events for a client at `address`: after `after` when the
/// client says where it was (`Last-Event-ID`), else from now. The returned receiver yields the
/// body's frames; the stream ends when the client goes, the store fails, or the server closes.
/// Refused beyond the hub's limits on streams.
pub fn open(
    hub: &Arc<EventHub>,
    streamer: StreamerId,
    after: Option<EventId>,
    address: Option<IpAddr>,
) -> Result<mpsc::Receiver<Chunk>, Refused> {
    let config = hub.config();
    // Join the broadcast before reading the store, so nothing committed in between is lost.
    let subscription = hub.subscribe(streamer, address)?;
    let (tx, rx) = mpsc::channel(config.client_frames.max(1));
    tokio::spawn(run(hub.clone(), streamer, after, subscription, tx));
    Ok(rx)
}

async fn run(
    hub: Arc<EventHub>,
    streamer: StreamerId,
    after: Option<EventId>,
    subscription: Subscription,
    tx: mpsc::Sender<Chunk>,
) {
    let Subscription {
        mut events,
        mut started,
        leave,
        place,
    } = subscription;
    let client = Client {
        hub: &hub,
        streamer,
        tx: &tx,
    };
    let result = async {
        client.send(sse::preamble()).await?;
        // The channel's reader takes its starting point first: every event after ours is then
        // one it reads and broadcasts.
        let _ = started.wait_for(|s| *s).await;
        let mut sent = match after {
            Some(after) => client.catch_up(after).await?,
            None => hub.latest(streamer).await.ok_or(End::Store)?,
        };
        client.send(sse::ready(sent)).await?;
        let mut keep_alive = tokio::time::interval(hub.config().keep_alive);
        keep_alive.reset();
        loop {
            tokio::select! {
                received = events.recv() => match received {
                    Ok(e) if e.id <= sent => {}
                    Ok(e) if e.id.0 == sent.0 + 1 => {
                        client.send(e.frame.clone()).await?;
                        sent = e.id;
                    }
                    // A hole (an event committed before this stream joined the broadcast), or
                    // the broadcast went on without this stream: the store has the rest.
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        sent = client.catch_up(sent).await?;
                    }
                    Err(broadcast::error::RecvError::Closed) => return Ok(()),
                },
                _ = keep_alive.tick() => client.send(sse::keep_alive()).await?,
                () = hub.closed() => return Ok(()),
                // The client hung up (the connection dropped the body): leave at once.
                () = client.tx.closed() => return Ok(()),
            }
        }
    }
    .await;
    if let Err(End::Store) = result {
        // Cut the body short: the browser reconnects with its last id and catches up.
        let _ = tx.try_send(Err(std::io::Error::other("the store failed")));
    }
    // Stop receiving before leaving, so the channel sees this stream gone when it is rung.
    drop(events);
    drop(leave);
    drop(place);
}

struct Client<'a> {
    hub: &'a Arc<EventHub>,
    streamer: StreamerId,
    tx: &'a mpsc::Sender<Chunk>,
}

impl Client<'_> {
    /// Queues a frame; `End::Client` when the client is gone or has not read for the send
    /// timeout (a client that stops reading never holds more than its queue).
    async fn send(&self, frame: Bytes) -> Result<(), End> {
        match tokio::time::timeout(self.hub.config().send_timeout, self.tx.send(Ok(frame))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::Client),
            Err(_) => {
                tracing::info!(streamer = %self.streamer, "dropped an event stream whose client stopped reading");
                Err(End::Client)
            }
        }
    }

    /// Sends what the store holds after `after`, a small page at a time; a `reset` when some
    /// of it was purged (a hole before or inside a page, or `after` from another history).
    /// Returns the last id sent.
    async fn catch_up(&self, mut after: EventId) -> Result<EventId, End> {
        let page_size = self.hub.config().catch_up_page.max(1);
        loop {
            let page = self
                .hub
                .store()
                .read_events(self.streamer, after, page_size)
                .await
                .map_err(|e| {
                    tracing::warn!(streamer = %self.streamer, error = %e, "cannot read missed events");
                    End::Store
                })?;
            let unbroken = page.continues_from(after)
                && page.events.windows(2).all(|w| w[1].id.0 == w[0].id.0 + 1);
            if !unbroken {
                self.send(sse::reset(page.last_id)).await?;
                return Ok(page.last_id);
            }
            let full = page.events.len() == page_size as usize;
            for e in &page.events {
                self.send(sse::event(e)).await?;
            }
            after = page.next_after(after);
            if !full {
                return Ok(after);
            }
        }
    }
}
