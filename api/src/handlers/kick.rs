//! `POST /api/kick/webhook`: Kick's signed deliveries drive the economy.
//!
//! The checks run in this order, so nothing is read, parsed or written for a delivery that is
//! not Kick's: Kick's public key configured (else 503); the `Kick-Event-Message-Id`,
//! `Kick-Event-Message-Timestamp` and `Kick-Event-Signature` headers present and the signature
//! valid over `{id}.{timestamp}.{raw body}` (else 401); the timestamp within the replay window
//! of the server's clock (else 401: the proof is stale); the id a valid delivery id (else 400);
//! the event's type and version handled (else 200, ignored) and its body of the event's shape
//! (else 400, naming what is wrong); the broadcaster a streamer's Kick user id (else 200,
//! ignored). Then the streamer's economy plans the delivery and the store applies it exactly
//! once (200, `applied`; a redelivery is 200, `duplicate`, changing nothing). A store failure
//! is 503, which Kick retries.
//!
//! The write runs to its end on a task of its own (a client that hangs up does not cut it
//! short), rings the streamer's event streams, and queues the bot's reply; replies are sent
//! off the request path and never undo the data.

use crate::call::{ApiResult, Call};
use crate::error::ApiError;
use crate::kick::payload::{self, Parsed, PayloadError};
use crate::kick::replies::ChatMessage;
use crate::models::kick::{WebhookAck, WebhookOutcome};
use crate::reply;
use crate::state::AppState;
use datastore::{DeliveryId, DeliveryOutcome, StoreError, Streamer, Timestamp};
use economy::{Channel, KickEvent};

/// The delivery's id header (Kick's idempotency key).
pub const MESSAGE_ID: &str = "Kick-Event-Message-Id";
/// The delivery's timestamp header (RFC 3339).
pub const MESSAGE_TIMESTAMP: &str = "Kick-Event-Message-Timestamp";
/// The signature header (base64).
pub const SIGNATURE: &str = "Kick-Event-Signature";
/// The event type header.
pub const EVENT_TYPE: &str = "Kick-Event-Type";
/// The event version header.
pub const EVENT_VERSION: &str = "Kick-Event-Version";

fn ack(outcome: WebhookOutcome, reason: Option<&str>) -> warp::reply::Response {
    reply::ok(&WebhookAck {
        outcome,
        reason: reason.map(str::to_owned),
    })
}

/// A store error on the webhook: a failing store is 503 (Kick retries the delivery), the rest
/// as everywhere.
fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Backend { message } => {
            tracing::error!(%message, "the store failed on a Kick delivery; answered 503 for Kick to retry");
            ApiError::Unavailable("the store is unavailable; the delivery was not applied".into())
        }
        other => other.into(),
    }
}

/// `POST /api/kick/webhook`.
pub async fn webhook(c: Call) -> ApiResult {
    let settings = c.state.kick.clone();
    let Some(key) = &settings.public_key else {
        return Err(ApiError::Unavailable(
            "Kick's public key is not configured (--kick-public-key or \
             KICKOVERLAY_KICK_PUBLIC_KEY): no delivery can be verified"
                .into(),
        ));
    };
    let header = |name: &str| {
        c.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let (Some(id), Some(stamp), Some(signature)) = (
        header(MESSAGE_ID),
        header(MESSAGE_TIMESTAMP),
        header(SIGNATURE),
    ) else {
        return Err(ApiError::Unauthorized(
            "a Kick delivery needs the Kick-Event-Message-Id, Kick-Event-Message-Timestamp and \
             Kick-Event-Signature headers",
        ));
    };
    if let Err(e) = key.verify(id, stamp, &c.body, signature) {
        // At warn: a wrong key configured shows here first, while Kick keeps getting 401s.
        tracing::warn!(error = %e, delivery = id, "a Kick delivery's signature was refused (401)");
        return Err(ApiError::Unauthorized(
            "the Kick-Event-Signature does not verify with Kick's public key",
        ));
    }
    let sent_at: Timestamp = stamp.parse().map_err(|_| {
        ApiError::Unauthorized("the Kick-Event-Message-Timestamp is not an RFC 3339 time")
    })?;
    let now = c.state.clock.now();
    let window = settings.replay_window;
    let too_old = sent_at.checked_add(window).is_some_and(|t| t < now);
    let too_new = now.checked_add(window).is_some_and(|t| sent_at > t);
    if too_old || too_new {
        tracing::info!(%sent_at, %now, "a Kick delivery outside the replay window was refused");
        return Err(ApiError::Unauthorized(
            "the Kick-Event-Message-Timestamp is outside the replay window around the server's \
             clock (--kick-replay-window-secs): a stale or replayed delivery",
        ));
    }
    let delivery = DeliveryId(id.to_owned());
    if let Err(e) = delivery.validate() {
        tracing::warn!(error = %e, "a signed Kick delivery with an unusable id was refused (400)");
        return Err(e.into());
    }
    let (Some(event_type), Some(version)) = (header(EVENT_TYPE), header(EVENT_VERSION)) else {
        tracing::warn!(
            delivery = id,
            "a signed Kick delivery without its type or version headers was refused (400)"
        );
        return Err(ApiError::invalid(
            "headers",
            "a Kick delivery needs the Kick-Event-Type and Kick-Event-Version headers",
        ));
    };
    let parsed = payload::parse(event_type, version, &c.body, sent_at).map_err(|e| {
        tracing::warn!(
            delivery = id,
            event_type,
            version,
            error = %e,
            "a signed Kick delivery whose body does not fit its event was refused (400)"
        );
        match e {
            PayloadError::Malformed(m) => ApiError::MalformedJson(m),
            shape @ PayloadError::Shape { .. } => ApiError::InvalidBody(shape.to_string()),
        }
    })?;
    let Parsed::Event {
        broadcaster_user_id,
        event,
    } = parsed
    else {
        tracing::info!(
            event_type,
            version,
            "a Kick event of a type or version this server does not handle was acknowledged \
             and ignored"
        );
        return Ok(ack(
            WebhookOutcome::Ignored,
            Some("this server does not handle this event type or version"),
        ));
    };
    // From here the delivery runs to its end on a task of its own, even when Kick hangs up,
    // then rings the streamer's streams.
    let state = c.state.clone();
    let event_type = event_type.to_owned();
    let write = tokio::spawn(async move {
        let streamer = state
            .store
            .get_streamer_by_kick_user_id(broadcaster_user_id)
            .await
            .map_err(store_error)?;
        let Some(streamer) = streamer else {
            tracing::info!(
                broadcaster_user_id,
                event_type,
                "a Kick event for a channel no streamer has was acknowledged and ignored"
            );
            return Ok(ack(
                WebhookOutcome::Ignored,
                Some("no streamer has this broadcaster's Kick user id"),
            ));
        };
        let answer = apply(&state, &streamer, delivery, &event).await;
        state.events.ring(streamer.id);
        answer
    });
    write.await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "a Kick delivery's task failed");
        Err(ApiError::Internal)
    })
}

/// Plans and applies one delivery for `streamer`, and queues the bot's reply.
async fn apply(
    state: &AppState,
    streamer: &Streamer,
    id: DeliveryId,
    event: &KickEvent,
) -> ApiResult {
    let store = &*state.store;
    let config = store
        .get_economy_config(streamer.id)
        .await
        .map_err(store_error)?;
    let channel = Channel {
        config: &config,
        owner_kick_user_id: streamer.kick_user_id,
    };
    let mut dice = state.kick.dice.for_delivery(&id);
    let planned = economy::plan(&channel, id, event, &mut *dice);
    let outcome = store
        .apply_delivery(streamer.id, planned.delivery)
        .await
        .map_err(store_error)?;
    if let DeliveryOutcome::Duplicate = outcome {
        return Ok(ack(WebhookOutcome::Duplicate, None));
    }
    if !planned.reply.is_silent()
        && let Some(broadcaster_user_id) = streamer.kick_user_id
        && let Some(content) =
            economy::reply_text(store, streamer.id, &planned.reply, &outcome).await
    {
        state.kick.replies.push(ChatMessage {
            streamer: streamer.id,
            broadcaster_user_id,
            content,
        });
    }
    Ok(ack(WebhookOutcome::Applied, None))
}
