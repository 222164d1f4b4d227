//! Reports: analytics and the full export of one streamer's data.

use crate::cooldowns::Cooldown;
use crate::error::StoreResult;
use crate::goals::Goal;
use crate::ids::StreamerId;
use crate::overlay::{OverlayLayout, OverlaySetting, Theme};
use crate::points::{DropRecord, PointTransaction, UserPoints};
use crate::powerup_type::PowerupType;
use crate::powerups::{InventoryRow, PowerupConfig, PowerupPurchase};
use crate::sessions::{AdminKey, StreamerSession, UserSession};
use crate::streamers::Streamer;
use crate::tips::Tip;
use crate::tokens::OAuthToken;
use crate::users::User;
use crate::verification::VerificationCode;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Purchases of one powerup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseStats {
    /// The powerup.
    pub powerup: PowerupType,
    /// How many were bought.
    pub purchases: u64,
    /// The points they cost in all.
    pub points_spent: i64,
}

/// A streamer's numbers, for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analytics {
    /// How many users.
    pub users: u64,
    /// The sum of every user's channel points (saturating at `i64::MAX`).
    pub channel_points: i64,
    /// The sum of every user's drop points (saturating at `i64::MAX`).
    pub drop_points: i64,
    /// Recorded drops.
    pub drops: u64,
    /// Recorded perfect drops.
    pub perfect_drops: u64,
    /// Purchases by powerup id, only powerups bought at least once.
    pub purchases: Vec<PurchaseStats>,
}

/// Everything one streamer owns. Each list is in a fixed order (by id or key, as noted), so two
/// exports of the same data are equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamerExport {
    /// The streamer.
    pub streamer: Streamer,
    /// By id.
    pub users: Vec<User>,
    /// Balance rows by user id (users who never had points have none).
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
    /// By token hash.
    pub user_sessions: Vec<UserSession>,
    /// By token hash.
    pub streamer_sessions: Vec<StreamerSession>,
    /// The admin key (its hash), when set.
    pub admin_key: Option<AdminKey>,
    /// In the order they were first issued.
    pub verification_codes: Vec<VerificationCode>,
    /// By provider.
    pub oauth_tokens: Vec<OAuthToken>,
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

/// Reports over one streamer's data.
///
/// Tenant rule: every figure and every row comes from the given streamer's data only.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// The streamer's numbers (all zero for a streamer that owns nothing or does not exist).
    async fn analytics(&self, streamer: StreamerId) -> StoreResult<Analytics>;

    /// Everything the streamer owns, or `None` when the streamer does not exist.
    async fn export_streamer(&self, streamer: StreamerId) -> StoreResult<Option<StreamerExport>>;
}
