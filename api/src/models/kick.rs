//! Kick's webhook: what a delivery's body looks like and what the server acknowledges.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Kick event payload, as Kick sends it: its shape depends on the `Kick-Event-Type` header
/// (`chat.message.sent`, `channel.followed`, `channel.subscription.new`, `.renewal`, `.gifts`,
/// `kicks.gifted`, `livestream.status.updated`, at `Kick-Event-Version` 1; Kick's developer
/// documentation lists the fields). Only the fields the economy uses are read; others are
/// ignored. Only its schema is used: the handler reads the body by its event type.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct KickEventBody {
    /// The channel the event happened on: its `user_id` names the streamer (the streamer's
    /// `kick_user_id`).
    pub broadcaster: KickUserRef,
    /// The event's own fields.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// A Kick user as a payload names them.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct KickUserRef {
    /// Kick's numeric user id.
    pub user_id: i64,
    /// Other fields (`username`, `channel_slug`, …).
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// What the webhook did with a delivery it answered 200 (so Kick does not send it again); a
/// delivery it refuses gets the usual error body with 400, 401 or 503.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WebhookAck {
    /// `applied`: done now; `duplicate`: done already (a redelivery), nothing changed;
    /// `ignored`: an event type, version or channel this server does not handle.
    pub outcome: WebhookOutcome,
    /// Why a delivery was ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// See [`WebhookAck::outcome`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookOutcome {
    /// Applied now.
    Applied,
    /// Applied already; nothing changed.
    Duplicate,
    /// Not handled; nothing changed.
    Ignored,
}
