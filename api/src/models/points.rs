//! Channel points, drops and bulk awards.

use datastore::{PointSource, Points, SourceSummary};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST /{streamer}/api/users/{id}/points`: a positive amount earns, a negative one spends.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointsChange {
    /// Points to add (positive) or spend (negative); never zero.
    pub amount: i64,
    /// Where they come from or go to.
    pub source: PointSource,
    /// A note for the ledger.
    #[serde(default)]
    pub description: Option<String>,
}

/// `POST /{streamer}/api/points/award`: one amount to many viewers (created when new).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Award {
    /// The viewers' usernames.
    pub usernames: Vec<String>,
    /// Points each receives (positive).
    pub amount: i64,
    /// Where they come from.
    pub source: PointSource,
    /// A note for the ledger.
    #[serde(default)]
    pub description: Option<String>,
}

/// `GET /{streamer}/api/users/{id}/points`: balances and the ledger summed by source.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PointsView {
    /// The balances.
    pub points: Points,
    /// The ledger by source.
    pub summary: Vec<SourceSummary>,
}
