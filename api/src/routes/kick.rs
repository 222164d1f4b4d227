//! Kick's webhook: the one root route a streamer's data changes through without a key (Kick's
//! signature is the credential; the payload names the streamer).

use crate::handlers::kick;
use crate::models::kick::{KickEventBody, WebhookAck};
use crate::route::{Route, route};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Post "/api/kick/webhook", Public, 200, "A Kick webhook delivery, verified by its Kick-Event-Signature (RSA-SHA256 over id, timestamp and body with Kick's public key; 401 when missing, wrong or outside the replay window) and applied exactly once to the streamer whose Kick user id is the broadcaster's; unknown event types, versions and channels are acknowledged and ignored; 503 when no key is configured or the store fails", kick::webhook, req: KickEventBody, res: WebhookAck,
        body: r#"{"broadcaster": {"user_id": 123456789, "username": "codingbutter"}, "sender": {"user_id": 987654321, "username": "viewer_one"}, "content": "!points", "created_at": "2026-01-14T16:08:06Z"}"#,
        also: [401, 503]),
];
