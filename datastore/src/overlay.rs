//! Overlay configuration: key/value settings, layouts and the theme.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::ids::{LayoutId, StreamerId};
use crate::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One key/value setting the overlays read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OverlaySetting {
    /// Unique within the streamer ([`validate::key`]).
    pub key: String,
    /// The value, as text (at most [`validate::MAX_SETTING_VALUE_BYTES`] bytes).
    pub value: String,
    /// What the setting does.
    pub description: Option<String>,
    /// When it was last written.
    pub updated_at: Timestamp,
}

/// An overlay layout: a JSON document the overlay renders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OverlayLayout {
    /// Unique within the streamer ([`validate::key`]).
    pub id: LayoutId,
    /// Shown in the dashboard; unique within the streamer ignoring ASCII case.
    pub name: String,
    /// At most one layout of a streamer is the default.
    pub is_default: bool,
    /// The layout document (a JSON object).
    #[cfg_attr(feature = "schema", schemars(with = "serde_json::Map<String, Value>"))]
    pub layout: Value,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last written.
    pub updated_at: Timestamp,
}

/// A layout to create or replace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LayoutInput {
    /// See [`OverlayLayout::name`].
    pub name: String,
    /// See [`OverlayLayout::is_default`].
    #[serde(default)]
    pub is_default: bool,
    /// See [`OverlayLayout::layout`].
    #[cfg_attr(feature = "schema", schemars(with = "serde_json::Map<String, Value>"))]
    pub layout: Value,
}

impl LayoutInput {
    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        validate::name("name", &self.name, validate::MAX_NAME_CHARS)?;
        validate::document("layout", &self.layout, true)
    }
}

/// A streamer's theme: one JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Theme {
    /// The theme document (a JSON object).
    #[cfg_attr(feature = "schema", schemars(with = "serde_json::Map<String, Value>"))]
    pub theme: Value,
    /// When it was last set.
    pub updated_at: Timestamp,
}

/// The theme a streamer has until it sets one: the legacy app's default theme document, with
/// its keys (`siteName`, `siteNameAccent`, `brandColor`, `brandColorForeground`, `darkMode`,
/// `lightMode`, `borderRadius`, `chromaKeyColor`). The API answers it for a streamer without a
/// theme, as the legacy app did; the store keeps no row for it.
pub fn default_theme() -> Value {
    json!({
        "siteName": "Kick",
        "siteNameAccent": "Overlay",
        "brandColor": "#53fc18",
        "brandColorForeground": "#0b0e0f",
        "darkMode": {
            "background": "#0b0e0f",
            "foreground": "#f4f4f5",
            "card": "#191b1f",
            "muted": "#24272c",
            "mutedForeground": "#a1a1aa",
            "border": "#2f3238"
        },
        "lightMode": {
            "background": "#ffffff",
            "foreground": "#0b0e0f",
            "card": "#f4f4f5",
            "muted": "#e4e4e7",
            "mutedForeground": "#52525b",
            "border": "#d4d4d8"
        },
        "borderRadius": "0.75rem",
        "chromaKeyColor": "#00ff00"
    })
}

/// Overlay settings, layouts and theme of one streamer.
///
/// Tenant rule for every method: keys, layout ids and layout names are unique per streamer,
/// never globally, so the same key under two streamers is two rows; a method only ever reads or writes the
/// given streamer's rows, and another streamer's row is indistinguishable from a missing one.
#[async_trait]
pub trait OverlayStore: Send + Sync {
    /// The setting, or `None`.
    async fn get_overlay_setting(
        &self,
        streamer: StreamerId,
        key: &str,
    ) -> StoreResult<Option<OverlaySetting>>;

    /// All the streamer's settings, by key.
    async fn list_overlay_settings(&self, streamer: StreamerId)
    -> StoreResult<Vec<OverlaySetting>>;

    /// Creates or replaces a setting. A `None` description keeps the existing one.
    ///
    /// Errors: `InvalidInput`; `NotFound(Streamer)` when the streamer does not exist.
    async fn upsert_overlay_setting(
        &self,
        streamer: StreamerId,
        key: &str,
        value: &str,
        description: Option<&str>,
    ) -> StoreResult<OverlaySetting>;

    /// Deletes a setting.
    ///
    /// Errors: `NotFound(OverlaySetting)`.
    async fn delete_overlay_setting(&self, streamer: StreamerId, key: &str) -> StoreResult<()>;

    /// The layout, or `None`.
    async fn get_layout(
        &self,
        streamer: StreamerId,
        id: &LayoutId,
    ) -> StoreResult<Option<OverlayLayout>>;

    /// All the streamer's layouts, by id.
    async fn list_layouts(&self, streamer: StreamerId) -> StoreResult<Vec<OverlayLayout>>;

    /// Creates or replaces a layout (keeping `created_at` on replace). When it is the default,
    /// the streamer's other layouts stop being default; other streamers' defaults stay.
    ///
    /// Errors: `InvalidInput`; `NotFound(Streamer)` when the streamer does not exist;
    /// `Conflict(LayoutName)` when another layout of this streamer has the name (ignoring ASCII
    /// case; other streamers' names never conflict). Nothing changes on error.
    async fn upsert_layout(
        &self,
        streamer: StreamerId,
        id: &LayoutId,
        layout: LayoutInput,
    ) -> StoreResult<OverlayLayout>;

    /// Deletes a layout (leaving no default if it was the default).
    ///
    /// Errors: `NotFound(Layout)`.
    async fn delete_layout(&self, streamer: StreamerId, id: &LayoutId) -> StoreResult<()>;

    /// The streamer's theme, or `None` when never set.
    async fn get_theme(&self, streamer: StreamerId) -> StoreResult<Option<Theme>>;

    /// Sets the streamer's theme (a JSON object).
    ///
    /// Errors: `InvalidInput`; `NotFound(Streamer)` when the streamer does not exist.
    async fn set_theme(&self, streamer: StreamerId, theme: Value) -> StoreResult<Theme>;
}

/// Checks an overlay setting before it is written.
pub fn validate_setting(key: &str, value: &str, description: Option<&str>) -> StoreResult<()> {
    validate::key("key", key)?;
    if value.len() > validate::MAX_SETTING_VALUE_BYTES {
        return Err(crate::error::StoreError::invalid(
            "value",
            format!(
                "must be at most {} bytes",
                validate::MAX_SETTING_VALUE_BYTES
            ),
        ));
    }
    validate::text("value", value, 0, usize::MAX)?;
    validate::optional_text("description", description, validate::MAX_TEXT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_theme_has_the_legacy_themes_keys() {
        let theme = default_theme();
        for key in [
            "siteName",
            "siteNameAccent",
            "brandColor",
            "brandColorForeground",
            "darkMode",
            "lightMode",
            "borderRadius",
            "chromaKeyColor",
        ] {
            assert!(theme.get(key).is_some(), "the default theme lacks {key}");
        }
        assert!(theme["darkMode"].is_object() && theme["lightMode"].is_object());
        assert!(validate::document("theme", &theme, true).is_ok());
    }
}
