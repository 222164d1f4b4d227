//! Channel points, drops and bulk awards.

use datastore::{AdminSetPoints, NewDrop, PointSource, Points, PowerupType, SourceSummary};
use serde::{Deserialize, Serialize};

/// `POST /{streamer}/api/users/{id}/points`: a positive amount earns, a negative one spends.
#[derive(Debug, Clone, Deserialize)]
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

/// `PUT /{streamer}/api/users/{id}/points`: the admin sets balances.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetPoints {
    /// The new channel points.
    pub channel_points: i64,
    /// The new drop points (unchanged when absent).
    #[serde(default)]
    pub drop_points: Option<i64>,
    /// A note for the ledger.
    #[serde(default)]
    pub description: Option<String>,
}

impl From<SetPoints> for AdminSetPoints {
    fn from(s: SetPoints) -> Self {
        AdminSetPoints {
            channel_points: s.channel_points,
            drop_points: s.drop_points,
            description: s.description,
        }
    }
}

/// `POST /{streamer}/api/users/{id}/drops`: one drop game result.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropResult {
    /// The score.
    pub score: i64,
    /// A perfect landing.
    #[serde(default)]
    pub is_perfect: bool,
    /// The powerup used, if any.
    #[serde(default)]
    pub powerup_used: Option<PowerupType>,
}

impl From<DropResult> for NewDrop {
    fn from(d: DropResult) -> Self {
        NewDrop {
            score: d.score,
            is_perfect: d.is_perfect,
            powerup_used: d.powerup_used,
        }
    }
}

/// `POST /{streamer}/api/points/award`: one amount to many viewers (created when new).
#[derive(Debug, Clone, Deserialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct PointsView {
    /// The balances.
    pub points: Points,
    /// The ledger by source.
    pub summary: Vec<SourceSummary>,
}
