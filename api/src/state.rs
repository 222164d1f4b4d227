//! What every request can reach: the store, the clock, the operator key and Kick's settings.

use crate::rate_limit::CodeLimits;
use datastore::{Clock, DataStore, TokenHash};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// The server's shared state: cheap to clone, one per server.
#[derive(Clone)]
pub struct AppState {
    /// The store, behind the trait: any backend that passes the conformance suite.
    pub store: Arc<dyn DataStore>,
    /// The clock session and code expiries are computed with (the store's own clock).
    pub clock: Arc<dyn Clock>,
    /// The hash of the operator key; `None` disables the operator routes.
    pub operator_key: Option<TokenHash>,
    /// The OpenAPI document `GET /api/openapi.json` serves, built from the route table when
    /// the server starts.
    pub openapi: Arc<Value>,
    /// The rate limits on issuing verification codes.
    pub code_limits: Arc<CodeLimits>,
    /// Exports stream one at a time ([`crate::export_json`]): one keeps a core busy, and the
    /// others wait their turn rather than slow every other streamer's reads.
    pub exports: Arc<tokio::sync::Semaphore>,
    /// The live event streams of this process ([`crate::live`]).
    pub events: Arc<crate::live::EventHub>,
    /// The origins whose pages may use the protected routes ([`crate::cors`]).
    pub cors: crate::cors::origins::CorsOrigins,
    /// Kick's webhook: its public key, replay window, dice and chat replies ([`crate::kick`]).
    pub kick: Arc<crate::kick::settings::KickSettings>,
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("clock", &self.clock)
            .field("operator_key", &self.operator_key.map(|_| "<set>"))
            .finish_non_exhaustive()
    }
}
