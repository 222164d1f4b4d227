//! The export document `GET /{streamer}/api/export` answers: the store's
//! [`datastore::StreamerExport`] without credentials ([`crate::export_json`] writes it). These
//! types only describe it (its OpenAPI schema); a test checks them against real exports.

use crate::models::tokens::TokenMetadata;
use datastore::{
    Cooldown, DropRecord, Goal, InventoryRow, OverlayLayout, OverlaySetting, PointTransaction,
    PowerupConfig, PowerupPurchase, Streamer, Theme, Timestamp, Tip, User, UserId, UserPoints,
    VerificationCode,
};
use schemars::JsonSchema;

/// Everything a streamer owns, in the order of [`datastore::EXPORT_SECTIONS`].
#[derive(Debug, Clone, JsonSchema)]
pub struct ExportDocument {
    /// The streamer.
    pub streamer: Streamer,
    /// By id.
    pub users: Vec<User>,
    /// Balance rows by user id.
    pub points: Vec<UserPoints>,
    /// The ledger, by id.
    pub transactions: Vec<PointTransaction>,
    /// By user id, then powerup id.
    pub inventory: Vec<InventoryRow>,
    /// By id.
    pub purchases: Vec<PowerupPurchase>,
    /// By id.
    pub drops: Vec<DropRecord>,
    /// By user id, then command.
    pub cooldowns: Vec<Cooldown>,
    /// Viewer sessions, without their token hashes.
    pub user_sessions: Vec<ExportedUserSession>,
    /// Dashboard sessions, without their token hashes.
    pub streamer_sessions: Vec<ExportedStreamerSession>,
    /// When the admin key was set (never the key or its hash), when one is.
    pub admin_key: Option<ExportedAdminKey>,
    /// In the order they were first issued.
    pub verification_codes: Vec<VerificationCode>,
    /// OAuth tokens as their metadata, by provider.
    pub oauth_tokens: Vec<TokenMetadata>,
    /// By id.
    pub powerups: Vec<PowerupConfig>,
    /// By key.
    pub overlay_settings: Vec<OverlaySetting>,
    /// By id.
    pub layouts: Vec<OverlayLayout>,
    /// The theme, when set.
    pub theme: Option<Theme>,
    /// By id.
    pub tips: Vec<Tip>,
    /// By id.
    pub goals: Vec<Goal>,
}

/// A viewer session in the export.
#[derive(Debug, Clone, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportedUserSession {
    /// The logged-in viewer.
    pub user_id: UserId,
    /// When the session was created.
    pub created_at: Timestamp,
    /// When it ends.
    pub expires_at: Timestamp,
}

/// A dashboard session in the export.
#[derive(Debug, Clone, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportedStreamerSession {
    /// When the session was created.
    pub created_at: Timestamp,
    /// When it ends.
    pub expires_at: Timestamp,
}

/// The admin key in the export: when it was set.
#[derive(Debug, Clone, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportedAdminKey {
    /// When the key was set.
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_has_the_export_sections() {
        let schema = schemars::schema_for!(ExportDocument);
        let mut names: Vec<&str> = schema
            .get("properties")
            .and_then(|p| p.as_object())
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        let mut sections: Vec<&str> = datastore::EXPORT_SECTIONS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        sections.sort_unstable();
        assert_eq!(names, sections);
    }
}
