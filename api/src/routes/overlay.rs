//! What OBS browser sources display: settings, layouts and the theme.

use crate::handlers::overlay;
use crate::models::overlay::{SettingBody, ThemeDocument, ThemeView};
use crate::route::{Route, route};
use datastore::{LayoutInput, OverlayLayout, OverlaySetting};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/overlay/settings", Public, 200, "Every overlay setting, by key", overlay::settings, res: Vec<OverlaySetting>),
    route!(Put "/{streamer}/api/overlay/settings/{key}", Admin, 200, "Set an overlay setting (the description is kept when absent)", overlay::put_setting, req: SettingBody, res: OverlaySetting,
        body: r##"{"value": "#ff6600", "description": "accent colour"}"##),
    route!(Delete "/{streamer}/api/overlay/settings/{key}", Admin, 204, "Delete an overlay setting", overlay::delete_setting),
    route!(Get "/{streamer}/api/overlay/layouts", Public, 200, "Every layout", overlay::layouts, res: Vec<OverlayLayout>),
    route!(Get "/{streamer}/api/overlay/layouts/{id}", Public, 200, "One layout", overlay::layout, res: OverlayLayout),
    route!(Put "/{streamer}/api/overlay/layouts/{id}", Admin, 200, "Create or replace a layout", overlay::put_layout, req: LayoutInput, res: OverlayLayout,
        body: r#"{"name": "Main", "is_default": true, "layout": {"widgets": [{"kind": "goals", "x": 10, "y": 20}]}}"#),
    route!(Delete "/{streamer}/api/overlay/layouts/{id}", Admin, 204, "Delete a layout", overlay::delete_layout),
    route!(Get "/{streamer}/api/theme", Public, 200, "The theme (the default theme until one is set)", overlay::theme, res: ThemeView),
    route!(Put "/{streamer}/api/theme", Admin, 200, "Replace the theme document", overlay::put_theme, req: ThemeDocument, res: ThemeView,
        body: r##"{"primary": "#53fc18", "font": "Inter"}"##),
];
