//! Handlers, one module per domain. Each takes a [`Call`](crate::call::Call) (the matched
//! route's parameters, query, body, the resolved streamer and viewer) and answers a response
//! or an [`ApiError`](crate::error::ApiError). They reach data only through
//! [`datastore::DataStore`].

pub mod economy;
pub mod events;
pub mod goals;
pub mod kick;
pub mod meta;
pub mod operator;
pub mod overlay;
pub mod overlay_page;
pub mod points;
pub mod powerups;
pub mod reports;
pub mod streamer;
pub mod tips;
pub mod tokens;
pub mod users;
pub mod viewers;
