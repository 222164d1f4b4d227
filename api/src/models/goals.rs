//! Goals (followers, subscribers, …).

use schemars::JsonSchema;
use serde::Deserialize;

/// `PATCH /{streamer}/api/goals/{id}/progress`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressBody {
    /// The new progress.
    pub current_value: i64,
}
