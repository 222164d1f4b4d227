//! Goals (followers, subscribers, …).

use serde::Deserialize;

/// `PATCH /{streamer}/api/goals/{id}/progress`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressBody {
    /// The new progress.
    pub current_value: i64,
}
