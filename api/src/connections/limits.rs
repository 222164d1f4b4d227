//! The connection limits of a server, and their defaults.

use std::time::Duration;

/// The connection limits of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest a client may take to send a request's head (and the longest a keep-alive
    /// connection stays idle).
    pub header_timeout: Duration,
    /// The longest a client may take to send a request's body once its head is read.
    pub body_timeout: Duration,
    /// The most connections open at once.
    pub max_connections: usize,
    /// How long requests in progress may run on after shutdown begins.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 4096,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}
