//! Reports: analytics and the full export of one streamer's data.

use crate::error::StoreResult;
use crate::export::{ExportSink, StreamerExport};
use crate::ids::StreamerId;
use crate::powerup_type::PowerupType;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Purchases of one powerup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

/// Reports over one streamer's data.
///
/// Tenant rule: every figure and every row comes from the given streamer's data only.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// The streamer's numbers (all zero for a streamer that owns nothing or does not exist).
    async fn analytics(&self, streamer: StreamerId) -> StoreResult<Analytics>;

    /// Everything the streamer owns, or `None` when the streamer does not exist.
    async fn export_streamer(&self, streamer: StreamerId) -> StoreResult<Option<StreamerExport>>;

    /// The export, part by part, into `sink`: exactly the rows [`ReportStore::export_streamer`]
    /// returns, in the same order ([`StreamerExport::into_parts`]), from one snapshot, without
    /// holding them all at once. `sink.put` is called only from a thread that may block (never
    /// from an async task's own thread), and after it answers `false` no further part is
    /// sent. Returns `false`, having sent nothing, when the streamer does not exist.
    async fn stream_export(
        &self,
        streamer: StreamerId,
        sink: Box<dyn ExportSink>,
    ) -> StoreResult<bool>;
}
