//! OAuth tokens of the streamer's integrations.

use crate::handlers::tokens;
use crate::models::tokens::{TokenBody, TokenMetadata};
use crate::route::{Route, route};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/tokens/{provider}", Admin, 200, "A stored token's metadata (never the token)", tokens::get, res: TokenMetadata),
    route!(Put "/{streamer}/api/tokens/{provider}", Admin, 200, "Store or replace a provider's token; answers its metadata", tokens::put, req: TokenBody, res: TokenMetadata,
        body: r#"{"access_token": "kick-access-token", "refresh_token": "kick-refresh-token", "expires_at": "2026-12-31T00:00:00.000Z", "scope": "chat:write"}"#),
    route!(Delete "/{streamer}/api/tokens/{provider}", Admin, 204, "Delete a provider's token", tokens::delete),
];
