//! The connection layer under the routes: how sockets are accepted, bounded and closed.
//!
//! warp's own server holds a socket for as long as its client likes, accepts until the process
//! runs out of file descriptors, and waits for every connection before it exits. This layer
//! serves the same warp filter over hyper with the limits a public server needs ([`Limits`]):
//!
//! - a request's head must arrive within [`Limits::header_timeout`] (this also closes a
//!   keep-alive connection idle that long), and its body within [`Limits::body_timeout`]
//!   (408, then the connection is closed);
//! - at most [`Limits::max_connections`] sockets are open, kept below the process's file
//!   limit ([`files`]); when all are taken, a new client replaces the connection that has
//!   waited longest without a request in progress ([`registry`]), so sockets that trickle their
//!   headers cannot lock well-behaved clients out;
//! - every body (at most [`crate::body::MAX_BODY_BYTES`]) is read before the request is routed,
//!   so an early answer (401, 404) leaves the connection usable; a body too large to read is
//!   answered with `Connection: close` ([`request`]);
//! - on shutdown the listener closes, connections with no request in progress close (idle
//!   ones, and heads not yet complete), requests in progress get [`Limits::shutdown_grace`]
//!   to finish (answered with `Connection: close`), and whatever is left is then closed.

pub mod files;
pub mod limits;
pub mod registry;
pub mod request;

pub use limits::Limits;
pub use request::{ClientAddr, Routes};

use registry::Registry;
use request::Front;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How a [`serve`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// Connections still open when the grace ran out, closed without their answer.
    pub cut: usize,
}

/// Serves `routes` on `listener` within `limits` until `shutdown` completes, then closes as
/// described in the module docs.
pub async fn serve(
    listener: TcpListener,
    routes: impl Routes,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> Stopped {
    let registry = Arc::new(Registry::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut refused_logged = false;
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, addr)) => match registry.admit() {
                    Some(slot) => {
                        refused_logged = false;
                        let front = Front::new(routes.clone(), addr, slot.activity(), limits);
                        tasks.spawn(connection(stream, front, slot, limits, stop_rx.clone()));
                    }
                    None => {
                        if !refused_logged {
                            tracing::warn!(
                                max = limits.max_connections,
                                "every connection is busy with a request: refusing new ones"
                            );
                            refused_logged = true;
                        }
                    }
                },
                Err(e) => {
                    // Out of file descriptors (or a client gone before it was accepted): wait
                    // for connections to close rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let open = tasks.len();
    if open > 0 {
        tracing::info!(
            open,
            grace_s = limits.shutdown_grace.as_secs_f64(),
            "waiting for requests in progress"
        );
    }
    let deadline = tokio::time::sleep(limits.shutdown_grace);
    let mut deadline = std::pin::pin!(deadline);
    let mut cut = 0;
    loop {
        tokio::select! {
            () = &mut deadline => {
                cut = tasks.len();
                tasks.abort_all();
                while tasks.join_next().await.is_some() {}
                break;
            }
            next = tasks.join_next() => if next.is_none() { break },
        }
    }
    if cut > 0 {
        tracing::warn!(
            cut,
            "closed connections still open when the shutdown grace ran out"
        );
    }
    Stopped { cut }
}

/// One connection, until it ends, is replaced by a newer client, or outlives shutdown.
async fn connection<S: Routes>(
    stream: tokio::net::TcpStream,
    front: Front<S>,
    slot: registry::Slot,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), front);
    let mut conn = std::pin::pin!(conn);
    let replaced = tokio::select! {
        r = conn.as_mut() => return log_end(r),
        () = slot.replaced() => true,
        _ = stop.wait_for(|stopping| *stopping) => false,
    };
    if replaced {
        // Replaced by a newer client: a request that reached the routes still gets its answer
        // (dropping it could lose the answer to a write that was done).
        if !slot.activity().past_its_body() {
            return;
        }
        conn.as_mut().graceful_shutdown();
        tokio::select! {
            r = conn.as_mut() => return log_end(r),
            _ = stop.wait_for(|stopping| *stopping) => {}
        }
    }
    // No request in progress (idle, or a head not yet complete): nothing to finish.
    if !slot.activity().in_progress() {
        return;
    }
    conn.as_mut().graceful_shutdown();
    tokio::select! {
        r = conn.as_mut() => log_end(r),
        () = slot.replaced() => {}
    }
}

fn log_end(r: Result<(), hyper::Error>) {
    if let Err(e) = r {
        // A timeout or a client that went away: the client's problem, not the server's.
        tracing::debug!(error = %e, "connection ended");
    }
}
