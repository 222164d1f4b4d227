//! Overlay settings, layouts and the theme.

use crate::convert::{Db, DbOptional, delete_one, json, json_text, ts};
use crate::events::record;
use crate::lookups::require_streamer;
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::overlay::validate_setting;
use datastore::{
    EventData, LayoutId, LayoutInput, OverlayLayout, OverlaySetting, OverlayStore, Resource,
    StoreResult, StreamerId, Theme, validate,
};
use rusqlite::{Row, params};
use serde_json::Value;

pub(crate) const SETTING_COLUMNS: &str = "key, value, description, updated_at";

pub(crate) fn setting_from_row(r: &Row<'_>) -> rusqlite::Result<OverlaySetting> {
    Ok(OverlaySetting {
        key: r.get("key")?,
        value: r.get("value")?,
        description: r.get("description")?,
        updated_at: ts(r, "updated_at")?,
    })
}

pub(crate) const LAYOUT_COLUMNS: &str = "id, name, is_default, layout, created_at, updated_at";

pub(crate) fn layout_from_row(r: &Row<'_>) -> rusqlite::Result<OverlayLayout> {
    Ok(OverlayLayout {
        id: LayoutId(r.get("id")?),
        name: r.get("name")?,
        is_default: r.get("is_default")?,
        layout: json(r, "layout")?,
        created_at: ts(r, "created_at")?,
        updated_at: ts(r, "updated_at")?,
    })
}

pub(crate) fn theme_from_row(r: &Row<'_>) -> rusqlite::Result<Theme> {
    Ok(Theme {
        theme: json(r, "theme")?,
        updated_at: ts(r, "updated_at")?,
    })
}

#[async_trait]
impl OverlayStore for SqliteStore {
    async fn get_overlay_setting(
        &self,
        streamer: StreamerId,
        key: &str,
    ) -> StoreResult<Option<OverlaySetting>> {
        let key = key.to_owned();
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {SETTING_COLUMNS} FROM overlay_settings WHERE streamer_id = ?1 AND key = ?2"
            ))
            .db()?
            .query_row(params![streamer.0, key], setting_from_row)
            .db_optional()
        })
        .await
    }

    async fn list_overlay_settings(
        &self,
        streamer: StreamerId,
    ) -> StoreResult<Vec<OverlaySetting>> {
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {SETTING_COLUMNS} FROM overlay_settings WHERE streamer_id = ?1 ORDER BY key"
            ))
            .db()?
            .query_map([streamer.0], setting_from_row)
            .db()?
            .collect::<rusqlite::Result<_>>()
            .db()
        })
        .await
    }

    async fn upsert_overlay_setting(
        &self,
        streamer: StreamerId,
        key: &str,
        value: &str,
        description: Option<&str>,
    ) -> StoreResult<OverlaySetting> {
        validate_setting(key, value, description)?;
        let (key, value) = (key.to_owned(), value.to_owned());
        let description = description.map(str::to_owned);
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            // Without a new description the old one stays.
            let setting = tx.prepare_cached(&format!(
                "INSERT INTO overlay_settings (streamer_id, key, value, description, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (streamer_id, key) DO UPDATE SET \
                 value = excluded.value, \
                 description = coalesce(excluded.description, overlay_settings.description), \
                 updated_at = excluded.updated_at RETURNING {SETTING_COLUMNS}"
            ))
            .db()?
            .query_row(
                params![streamer.0, key, value, description, now.as_millis()],
                setting_from_row,
            )
            .db()?;
            let changed = EventData::SettingChanged {
                key: setting.key.clone(),
                setting: Some(setting.clone()),
            };
            record(tx, streamer, now, &[changed])?;
            Ok(setting)
        })
        .await
    }

    async fn delete_overlay_setting(&self, streamer: StreamerId, key: &str) -> StoreResult<()> {
        let key = key.to_owned();
        self.write(streamer, move |tx, now| {
            delete_one(
                tx,
                "DELETE FROM overlay_settings WHERE streamer_id = ?1 AND key = ?2",
                params![streamer.0, key],
                Resource::OverlaySetting,
            )?;
            let changed = EventData::SettingChanged { key, setting: None };
            record(tx, streamer, now, &[changed])
        })
        .await
    }

    async fn get_layout(
        &self,
        streamer: StreamerId,
        id: &LayoutId,
    ) -> StoreResult<Option<OverlayLayout>> {
        let id = id.clone();
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {LAYOUT_COLUMNS} FROM overlay_layouts WHERE streamer_id = ?1 AND id = ?2"
            ))
            .db()?
            .query_row(params![streamer.0, id.0], layout_from_row)
            .db_optional()
        })
        .await
    }

    async fn list_layouts(&self, streamer: StreamerId) -> StoreResult<Vec<OverlayLayout>> {
        self.read(move |c, _| {
            c.prepare_cached(&format!(
                "SELECT {LAYOUT_COLUMNS} FROM overlay_layouts WHERE streamer_id = ?1 ORDER BY id"
            ))
            .db()?
            .query_map([streamer.0], layout_from_row)
            .db()?
            .collect::<rusqlite::Result<_>>()
            .db()
        })
        .await
    }

    async fn upsert_layout(
        &self,
        streamer: StreamerId,
        id: &LayoutId,
        layout: LayoutInput,
    ) -> StoreResult<OverlayLayout> {
        validate::key("id", id.as_str())?;
        layout.validate()?;
        let id = id.clone();
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            // The layouts whose default flag the write changes besides the written one.
            let mut others: Vec<OverlayLayout> = Vec::new();
            if layout.is_default {
                // The new default replaces the old one (the partial unique index allows one).
                others = tx
                    .prepare_cached(&format!(
                        "UPDATE overlay_layouts SET is_default = 0 \
                         WHERE streamer_id = ?1 AND is_default = 1 AND id <> ?2 \
                         RETURNING {LAYOUT_COLUMNS}"
                    ))
                    .db()?
                    .query_map(params![streamer.0, id.0], layout_from_row)
                    .db()?
                    .collect::<rusqlite::Result<_>>()
                    .db()?;
                others.sort_by(|a, b| a.id.0.cmp(&b.id.0));
            }
            // A name another layout of this streamer has fails the unique (streamer_id, name)
            // key: `Conflict(LayoutName)`, and the transaction undoes the line above.
            let written = tx
                .prepare_cached(&format!(
                    "INSERT INTO overlay_layouts (streamer_id, id, name, is_default, layout, \
                 created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) \
                 ON CONFLICT (streamer_id, id) DO UPDATE SET name = excluded.name, \
                 is_default = excluded.is_default, layout = excluded.layout, \
                 updated_at = excluded.updated_at RETURNING {LAYOUT_COLUMNS}"
                ))
                .db()?
                .query_row(
                    params![
                        streamer.0,
                        id.0,
                        layout.name,
                        layout.is_default,
                        json_text(&layout.layout),
                        now.as_millis()
                    ],
                    layout_from_row,
                )
                .db()?;
            // The written layout first, then the others by id.
            let events: Vec<EventData> = std::iter::once(&written)
                .chain(&others)
                .map(|l| EventData::LayoutChanged {
                    id: l.id.clone(),
                    layout: Some(l.clone()),
                })
                .collect();
            record(tx, streamer, now, &events)?;
            Ok(written)
        })
        .await
    }

    async fn delete_layout(&self, streamer: StreamerId, id: &LayoutId) -> StoreResult<()> {
        let id = id.clone();
        self.write(streamer, move |tx, now| {
            delete_one(
                tx,
                "DELETE FROM overlay_layouts WHERE streamer_id = ?1 AND id = ?2",
                params![streamer.0, id.0],
                Resource::Layout,
            )?;
            let changed = EventData::LayoutChanged { id, layout: None };
            record(tx, streamer, now, &[changed])
        })
        .await
    }

    async fn get_theme(&self, streamer: StreamerId) -> StoreResult<Option<Theme>> {
        self.read(move |c, _| {
            c.prepare_cached("SELECT theme, updated_at FROM theme_settings WHERE streamer_id = ?1")
                .db()?
                .query_row([streamer.0], theme_from_row)
                .db_optional()
        })
        .await
    }

    async fn set_theme(&self, streamer: StreamerId, theme: Value) -> StoreResult<Theme> {
        validate::document("theme", &theme, true)?;
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            let theme = tx
                .prepare_cached(
                "INSERT INTO theme_settings (streamer_id, theme, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (streamer_id) DO UPDATE SET theme = excluded.theme, \
                 updated_at = excluded.updated_at RETURNING theme, updated_at",
            )
            .db()?
            .query_row(
                params![streamer.0, json_text(&theme), now.as_millis()],
                theme_from_row,
            )
            .db()?;
            let changed = EventData::ThemeChanged {
                theme: theme.clone(),
            };
            record(tx, streamer, now, &[changed])?;
            Ok(theme)
        })
        .await
    }
}
