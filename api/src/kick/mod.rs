//! Kick drives the economy: the signed webhook's verification and payloads, the games' dice,
//! the bot's chat replies, and the per-minute watch award.
//!
//! A delivery to `POST /api/kick/webhook` ([`crate::handlers::kick`]) is checked in this order:
//! the body's size (like every route); the signature ([`signature`]) over the message id, the
//! timestamp and the raw body with Kick's public key (401 when missing or wrong); the timestamp
//! within the replay window ([`settings`], 401 outside it); the event's type and version and
//! its JSON ([`payload`]: 400 for a handled event that does not fit, 200 and ignored for one
//! not handled); the broadcaster, which names the streamer (200 and ignored when none has that
//! Kick user id). Then the streamer's economy plans the delivery (`economy::plan`, with the
//! dice of [`dice`]), the store applies it exactly once, the event streams are rung, and the
//! reply goes to the queue of [`replies`]. [`watch`] awards watch time every minute.

pub mod dice;
pub mod payload;
pub mod replies;
pub mod settings;
pub mod signature;
pub mod watch;
