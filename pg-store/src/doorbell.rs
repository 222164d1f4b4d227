//! The event doorbell: how a server learns, at once, that another process (or itself) recorded
//! a streamer's events, without polling every streamer's events.
//!
//! A write that records events remembers its streamer (its `Tx` does); once the write has
//! committed, and never when it rolls back, it rings: `pg_notify` naming the streamer, sent on
//! the same connection as a transaction of its own that does not wait for its commit to reach
//! the disk (`ring_sql`). The ring stays out of the write's transaction because PostgreSQL
//! holds one database-wide lock from just before a notifying transaction commits until its
//! commit is flushed: a `pg_notify` inside every write would make all writes that record
//! events commit one at a time, across all streamers, instead of sharing flushes. A ring that
//! fails is logged and the write still succeeds.
//!
//! So a ring can be lost (the process stops between the commit and the ring, the ring fails, or
//! its unflushed transaction is lost in a crash), and it can arrive a moment after the events
//! are readable. A listener must not depend on every ring: the server also reads all watched
//! streamers' events on a timer (`ring_from` in the api's `server` module).
//!
//! A server listens with [`PgStore::event_doorbell`] on a connection of its own (outside the
//! pool: a pooled connection is reset between operations, and `LISTEN` must stay in force) and
//! reads each streamer's new events when its bell rings. A ring carries only a streamer id:
//! what changed is read from the events, under the streamer, like any read.
//!
//! Deployments in different schemas of one database never ring each other: the channel is
//! named after the schema, and each notification's payload names the schema again (a channel
//! name is cut at 63 bytes, so two long schema names could share one), which the listener
//! checks.

use crate::connect_error::ConnectError;
use crate::migrations::{describe, quote_ident};
use crate::rings::{channel, rung};
use crate::store::PgStore;
use datastore::StreamerId;
use std::future::poll_fn;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_postgres::tls::NoTlsStream;
use tokio_postgres::{AsyncMessage, Client, Config, Connection, NoTls, Socket};

/// How many rings wait for the receiver before the doorbell stops queueing them and rings
/// [`Doorbell::Everyone`] once instead.
const QUEUE: usize = 1024;

/// The first wait before reconnecting, and the longest.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(100), Duration::from_secs(10));

/// What the doorbell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doorbell {
    /// A transaction that recorded events of this streamer has committed (rung just after its
    /// commit: the events are readable).
    Streamer(StreamerId),
    /// Rings may have been missed (the doorbell has just connected or reconnected, or its
    /// receiver fell too far behind): any streamer may have new events.
    Everyone,
}

/// The rings of one deployment's writes, from [`PgStore::event_doorbell`]. Dropping it stops
/// listening and closes its connection.
#[derive(Debug)]
pub struct EventDoorbell {
    rings: mpsc::Receiver<Doorbell>,
    task: tokio::task::JoinHandle<()>,
}

impl EventDoorbell {
    /// The next ring, in the order the rings were sent (each just after its write committed).
    /// Rings can be lost (see the module docs): read on a timer too. The first is always
    /// [`Doorbell::Everyone`]; another follows each reconnection. `None` never comes while the
    /// doorbell lives (it keeps reconnecting).
    pub async fn recv(&mut self) -> Option<Doorbell> {
        self.rings.recv().await
    }
}

impl Drop for EventDoorbell {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Listening = (Client, Connection<Socket, NoTlsStream>);

impl PgStore {
    /// Starts listening for the rings of this deployment's writes (every process serving its
    /// schema, this one included) on a connection of its own, as the server's login. Returns
    /// once listening; after that it reconnects by itself, with backoff, whenever its
    /// connection drops, and rings [`Doorbell::Everyone`] each time it is listening again.
    /// `Unreachable` when it cannot connect the first time.
    pub async fn event_doorbell(&self) -> Result<EventDoorbell, ConnectError> {
        let listener = Listener {
            config: self.listen_config().clone(),
            schema: self.schema().to_owned(),
        };
        let (client, connection) =
            listener
                .listen()
                .await
                .map_err(|reason| ConnectError::Unreachable {
                    which: "server",
                    reason,
                })?;
        let (sender, rings) = mpsc::channel(QUEUE);
        let task = tokio::spawn(listener.run(sender, client, connection));
        Ok(EventDoorbell { rings, task })
    }
}

/// The doorbell's task: where it connects and what it listens for.
struct Listener {
    config: Config,
    schema: String,
}

impl Listener {
    /// A new connection, listening.
    async fn listen(&self) -> Result<Listening, String> {
        let (client, mut connection) =
            self.config.connect(NoTls).await.map_err(|e| describe(&e))?;
        {
            let sql = format!("LISTEN {}", quote_ident(&channel(&self.schema)));
            let listen = client.batch_execute(&sql);
            tokio::pin!(listen);
            // The connection runs only while it is polled: poll it until `LISTEN` is answered.
            loop {
                tokio::select! {
                    done = &mut listen => {
                        done.map_err(|e| describe(&e))?;
                        break;
                    }
                    message = poll_fn(|cx| connection.poll_message(cx)) => match message {
                        Some(Ok(_)) => {}
                        Some(Err(e)) => return Err(describe(&e)),
                        None => return Err("the connection closed".to_owned()),
                    },
                }
            }
        }
        Ok((client, connection))
    }

    /// Forwards rings to `rings` until the receiver is gone, reconnecting whenever the
    /// connection drops.
    async fn run(
        self,
        rings: mpsc::Sender<Doorbell>,
        client: Client,
        connection: Connection<Socket, NoTlsStream>,
    ) {
        let mut listening = Some((client, connection));
        let mut backoff = BACKOFF.0;
        loop {
            let Some((client, mut connection)) = listening.take() else {
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = rings.closed() => return,
                }
                match self.listen().await {
                    Ok(l) => {
                        listening = Some(l);
                        backoff = BACKOFF.0;
                        tracing::info!(schema = %self.schema, "the event doorbell is listening again");
                    }
                    Err(reason) => {
                        backoff = (backoff * 2).min(BACKOFF.1);
                        tracing::warn!(schema = %self.schema, %reason, "the event doorbell cannot reconnect");
                    }
                }
                continue;
            };
            // Rings may have been missed before this connection listened: `Everyone` first.
            // While it waits for room, single rings are not queued (it covers them).
            let mut missed = true;
            let reason = loop {
                tokio::select! {
                    permit = rings.reserve(), if missed => match permit {
                        Ok(permit) => {
                            permit.send(Doorbell::Everyone);
                            missed = false;
                        }
                        Err(_) => return,
                    },
                    message = poll_fn(|cx| connection.poll_message(cx)) => match message {
                        Some(Ok(AsyncMessage::Notification(n))) => {
                            let Some(streamer) = rung(&self.schema, n.payload()) else {
                                continue;
                            };
                            if missed {
                                continue;
                            }
                            match rings.try_send(Doorbell::Streamer(streamer)) {
                                Ok(()) => {}
                                Err(mpsc::error::TrySendError::Full(_)) => missed = true,
                                Err(mpsc::error::TrySendError::Closed(_)) => return,
                            }
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => break describe(&e),
                        None => break "the connection closed".to_owned(),
                    },
                    _ = rings.closed() => return,
                }
            };
            drop(client);
            tracing::warn!(schema = %self.schema, %reason, "the event doorbell lost its connection; reconnecting");
        }
    }
}
