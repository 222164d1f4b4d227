//! Rotating tips.

use datastore::{NewTip, TipPatch};
use serde::Deserialize;

/// `POST /{streamer}/api/tips`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTipBody {
    /// The text.
    pub content: String,
    /// Whether overlays show it (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Its place in the rotation.
    #[serde(default)]
    pub sort_order: i64,
}

fn yes() -> bool {
    true
}

impl From<NewTipBody> for NewTip {
    fn from(b: NewTipBody) -> Self {
        NewTip {
            content: b.content,
            enabled: b.enabled,
            sort_order: b.sort_order,
        }
    }
}

/// `PUT /{streamer}/api/tips/{id}`: the fields to change.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TipPatchBody {
    /// The text.
    #[serde(default)]
    pub content: Option<String>,
    /// Whether overlays show it.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Its place in the rotation.
    #[serde(default)]
    pub sort_order: Option<i64>,
}

impl From<TipPatchBody> for TipPatch {
    fn from(b: TipPatchBody) -> Self {
        TipPatch {
            content: b.content,
            enabled: b.enabled,
            sort_order: b.sort_order,
        }
    }
}
