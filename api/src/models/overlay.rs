//! Overlay settings, layouts and the theme.

use datastore::{Theme, Timestamp, default_theme};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `PUT /{streamer}/api/overlay/settings/{key}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingBody {
    /// The value.
    pub value: String,
    /// A description (kept when absent).
    #[serde(default)]
    pub description: Option<String>,
}

/// `PUT /{streamer}/api/theme`: the theme document, any JSON object.
pub type ThemeDocument = serde_json::Map<String, Value>;

/// `GET /{streamer}/api/theme`: the streamer's theme, or the default theme
/// ([`datastore::default_theme`]) until one is set, as the legacy app answered.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ThemeView {
    /// The theme document (a JSON object).
    #[schemars(with = "serde_json::Map<String, Value>")]
    pub theme: Value,
    /// Whether this is the default theme (the streamer has not set one).
    pub is_default: bool,
    /// When it was last set (`null` for the default).
    pub updated_at: Option<Timestamp>,
}

impl From<Option<Theme>> for ThemeView {
    fn from(t: Option<Theme>) -> Self {
        match t {
            Some(t) => ThemeView {
                theme: t.theme,
                is_default: false,
                updated_at: Some(t.updated_at),
            },
            None => ThemeView {
                theme: default_theme(),
                is_default: true,
                updated_at: None,
            },
        }
    }
}
