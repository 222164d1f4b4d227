//! Goals (followers, subscribers, …).

use datastore::GoalInput;
use serde::Deserialize;

/// `PUT /{streamer}/api/goals/{id}`: create or replace.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalBody {
    /// The label overlays show.
    pub label: String,
    /// Progress so far.
    #[serde(default)]
    pub current_value: i64,
    /// The target.
    pub target_value: i64,
    /// Whether overlays show it (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl From<GoalBody> for GoalInput {
    fn from(b: GoalBody) -> Self {
        GoalInput {
            label: b.label,
            current_value: b.current_value,
            target_value: b.target_value,
            enabled: b.enabled,
        }
    }
}

/// `PATCH /{streamer}/api/goals/{id}/progress`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressBody {
    /// The new progress.
    pub current_value: i64,
}
