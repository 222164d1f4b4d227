//! The KickOverlay HTTP API: one warp server for the overlays, profile pages and admin
//! dashboards of many streamers.
//!
//! Every tenant route starts with the streamer's username (`/{streamer}/api/…`); the route
//! table in [`routes`] lists them all ([`route`] holds its types). A request runs through one filter ([`filters::api`])
//! that matches the route, resolves the streamer, checks the credentials ([`auth`]), reads
//! the body (at most 64 KiB, [`body`]) and calls the route's handler ([`handlers`]). Handlers
//! reach data only through [`datastore::DataStore`] ([`state::AppState`] holds it behind the
//! trait), so the server runs on any backend that passes the conformance suite; this crate
//! holds no SQL.
//!
//! # Isolation
//!
//! Another streamer's resource is answered exactly like a missing one: the store cannot tell
//! them apart (the `conformance` suite proves it), and every error body is built from the route
//! and the error kind alone ([`error::ApiError`]). An admin key or viewer session is looked up
//! under the streamer of the path, so anywhere else it is no credential at all (401).
//!
//! # Ids
//!
//! Numeric ids are shown as the store gives them. They come from one sequence per kind of row
//! shared by all streamers (see the `datastore` docs), so comparing two ids tells a streamer how
//! many rows of that kind the whole deployment created in between: a volume figure, never whose
//! or what. We accept that for now; a keyed permutation of ids at this layer would close it.

#![warn(missing_docs)]

pub mod accounts;
pub mod auth;
pub mod body;
pub mod call;
pub mod connections;
pub mod cors;
pub mod error;
pub mod export_json;
pub mod filters;
pub mod handlers;
pub mod housekeeping;
pub mod kick;
pub mod live;
pub mod models;
pub mod openapi;
pub mod rate_limit;
pub mod reply;
pub mod route;
pub mod routes;
pub mod server;
pub mod state;
pub mod strict_json;

pub use error::ApiError;
pub use server::{open_store, serve, shutdown_signal, state as app_state};
pub use state::AppState;
