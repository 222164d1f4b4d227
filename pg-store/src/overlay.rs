//! Overlay settings, layouts and the theme: [`OverlayStore`] on PostgreSQL, the row
//! conversions of `overlay_settings`, `overlay_layouts` and `theme_settings`, and
//! [`one_deleted`], the answer of a delete that must have removed one row.

use crate::convert::{get, json, json_text, ts};
use crate::lookups::require_streamer;
use crate::store::PgStore;
use async_trait::async_trait;
use datastore::overlay::validate_setting;
use datastore::{
    EventData, LayoutId, LayoutInput, OverlayLayout, OverlaySetting, OverlayStore, Resource,
    StoreError, StoreResult, StreamerId, Theme, validate,
};
use serde_json::Value;
use tokio_postgres::Row;

/// The columns [`setting_from_row`] reads.
pub(crate) const SETTING_COLUMNS: &str = "key, value, description, updated_at";

/// An `overlay_settings` row.
pub(crate) fn setting_from_row(r: &Row) -> StoreResult<OverlaySetting> {
    Ok(OverlaySetting {
        key: get(r, "key")?,
        value: get(r, "value")?,
        description: get(r, "description")?,
        updated_at: ts(r, "updated_at")?,
    })
}

/// The columns [`layout_from_row`] reads.
pub(crate) const LAYOUT_COLUMNS: &str = "id, name, is_default, layout, created_at, updated_at";

/// An `overlay_layouts` row.
pub(crate) fn layout_from_row(r: &Row) -> StoreResult<OverlayLayout> {
    Ok(OverlayLayout {
        id: LayoutId(get(r, "id")?),
        name: get(r, "name")?,
        is_default: get(r, "is_default")?,
        layout: json(r, "layout")?,
        created_at: ts(r, "created_at")?,
        updated_at: ts(r, "updated_at")?,
    })
}

/// The columns [`theme_from_row`] reads.
pub(crate) const THEME_COLUMNS: &str = "theme, updated_at";

/// A `theme_settings` row.
pub(crate) fn theme_from_row(r: &Row) -> StoreResult<Theme> {
    Ok(Theme {
        theme: json(r, "theme")?,
        updated_at: ts(r, "updated_at")?,
    })
}

/// The result of a `DELETE` of one row of a streamer: `NotFound(missing)` when it removed
/// nothing.
pub(crate) fn one_deleted(deleted: StoreResult<u64>, missing: Resource) -> StoreResult<()> {
    match deleted? {
        0 => Err(StoreError::not_found(missing)),
        _ => Ok(()),
    }
}

#[async_trait]
impl OverlayStore for PgStore {
    async fn get_overlay_setting(
        &self,
        streamer: StreamerId,
        key: &str,
    ) -> StoreResult<Option<OverlaySetting>> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                &format!(
                    "SELECT {SETTING_COLUMNS} FROM overlay_settings \
                     WHERE streamer_id = $1 AND key = $2"
                ),
                &[&streamer.0, &key],
            )
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(setting_from_row).transpose()
    }

    async fn list_overlay_settings(
        &self,
        streamer: StreamerId,
    ) -> StoreResult<Vec<OverlaySetting>> {
        let tx = self.tenant(streamer).await?;
        let rows = tx
            .query(
                &format!(
                    "SELECT {SETTING_COLUMNS} FROM overlay_settings WHERE streamer_id = $1 \
                     ORDER BY key"
                ),
                &[&streamer.0],
            )
            .await;
        let rows = tx.finish(rows).await?;
        rows.iter().map(setting_from_row).collect()
    }

    async fn upsert_overlay_setting(
        &self,
        streamer: StreamerId,
        key: &str,
        value: &str,
        description: Option<&str>,
    ) -> StoreResult<OverlaySetting> {
        validate_setting(key, value, description)?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let written = async {
            require_streamer(&tx, streamer).await?;
            // Without a new description the old one stays.
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO overlay_settings (streamer_id, key, value, description, \
                         updated_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (streamer_id, key) DO UPDATE SET value = excluded.value, \
                         description = coalesce(excluded.description, overlay_settings.description), \
                         updated_at = excluded.updated_at RETURNING {SETTING_COLUMNS}"
                    ),
                    &[&streamer.0, &key, &value, &description, &now.as_millis()],
                )
                .await?;
            let setting = setting_from_row(&row)?;
            let event = EventData::SettingChanged {
                key: key.to_owned(),
                setting: Some(setting.clone()),
            };
            self.record(&tx, streamer, now, [event]).await?;
            Ok(setting)
        }
        .await;
        tx.finish(written).await
    }

    async fn delete_overlay_setting(&self, streamer: StreamerId, key: &str) -> StoreResult<()> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let deleted = async {
            let deleted = tx
                .execute(
                    "DELETE FROM overlay_settings WHERE streamer_id = $1 AND key = $2",
                    &[&streamer.0, &key],
                )
                .await;
            one_deleted(deleted, Resource::OverlaySetting)?;
            let event = EventData::SettingChanged {
                key: key.to_owned(),
                setting: None,
            };
            self.record(&tx, streamer, now, [event]).await
        }
        .await;
        tx.finish(deleted).await
    }

    async fn get_layout(
        &self,
        streamer: StreamerId,
        id: &LayoutId,
    ) -> StoreResult<Option<OverlayLayout>> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                &format!(
                    "SELECT {LAYOUT_COLUMNS} FROM overlay_layouts \
                     WHERE streamer_id = $1 AND id = $2"
                ),
                &[&streamer.0, &id.as_str()],
            )
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(layout_from_row).transpose()
    }

    async fn list_layouts(&self, streamer: StreamerId) -> StoreResult<Vec<OverlayLayout>> {
        let tx = self.tenant(streamer).await?;
        let rows = tx
            .query(
                &format!(
                    "SELECT {LAYOUT_COLUMNS} FROM overlay_layouts WHERE streamer_id = $1 \
                     ORDER BY id"
                ),
                &[&streamer.0],
            )
            .await;
        let rows = tx.finish(rows).await?;
        rows.iter().map(layout_from_row).collect()
    }

    async fn upsert_layout(
        &self,
        streamer: StreamerId,
        id: &LayoutId,
        layout: LayoutInput,
    ) -> StoreResult<OverlayLayout> {
        validate::key("id", id.as_str())?;
        layout.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let written = async {
            let mut cleared = Vec::new();
            if layout.is_default {
                // Moving the default is a read-then-write over the streamer's layouts (which one
                // is the default now?) that a row lock cannot cover when there is none yet: the
                // streamer's own row, locked, queues the default moves of one streamer behind
                // each other, so two of them never both insert a default. The lock does not
                // conflict with the key-share locks of other writes' foreign-key checks.
                tx.query_opt(
                    "SELECT 1 FROM streamers WHERE streamers.id = $1 FOR NO KEY UPDATE",
                    &[&streamer.0],
                )
                .await?
                .ok_or(StoreError::not_found(Resource::Streamer))?;
                // The new default replaces the old one (the partial unique index allows one).
                cleared = tx
                    .query(
                        &format!(
                            "UPDATE overlay_layouts SET is_default = false \
                             WHERE streamer_id = $1 AND is_default AND id <> $2 \
                             RETURNING {LAYOUT_COLUMNS}"
                        ),
                        &[&streamer.0, &id.as_str()],
                    )
                    .await?;
            } else {
                require_streamer(&tx, streamer).await?;
            }
            // A name another layout of this streamer has (ignoring ASCII case) fails the unique
            // index `overlay_layouts_name`: `Conflict(LayoutName)`, and the rollback undoes the
            // statement above.
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO overlay_layouts (streamer_id, id, name, is_default, layout, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
                         ON CONFLICT (streamer_id, id) DO UPDATE SET name = excluded.name, \
                         is_default = excluded.is_default, layout = excluded.layout, \
                         updated_at = excluded.updated_at RETURNING {LAYOUT_COLUMNS}"
                    ),
                    &[
                        &streamer.0,
                        &id.as_str(),
                        &layout.name,
                        &layout.is_default,
                        &json_text(&layout.layout),
                        &now.as_millis(),
                    ],
                )
                .await?;
            let written = layout_from_row(&row)?;
            // The written layout first, then each other one whose default flag it cleared, by
            // id (the index allows one, but the order is the contract's either way).
            let mut others = cleared
                .iter()
                .map(layout_from_row)
                .collect::<StoreResult<Vec<_>>>()?;
            others.sort_by(|a, b| a.id.cmp(&b.id));
            let events =
                std::iter::once(written.clone())
                    .chain(others)
                    .map(|l| EventData::LayoutChanged {
                        id: l.id.clone(),
                        layout: Some(l),
                    });
            self.record(&tx, streamer, now, events).await?;
            Ok(written)
        }
        .await;
        tx.finish(written).await
    }

    async fn delete_layout(&self, streamer: StreamerId, id: &LayoutId) -> StoreResult<()> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let deleted = async {
            let deleted = tx
                .execute(
                    "DELETE FROM overlay_layouts WHERE streamer_id = $1 AND id = $2",
                    &[&streamer.0, &id.as_str()],
                )
                .await;
            one_deleted(deleted, Resource::Layout)?;
            let event = EventData::LayoutChanged {
                id: id.clone(),
                layout: None,
            };
            self.record(&tx, streamer, now, [event]).await
        }
        .await;
        tx.finish(deleted).await
    }

    async fn get_theme(&self, streamer: StreamerId) -> StoreResult<Option<Theme>> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                &format!("SELECT {THEME_COLUMNS} FROM theme_settings WHERE streamer_id = $1"),
                &[&streamer.0],
            )
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(theme_from_row).transpose()
    }

    async fn set_theme(&self, streamer: StreamerId, theme: Value) -> StoreResult<Theme> {
        validate::document("theme", &theme, true)?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let written = async {
            require_streamer(&tx, streamer).await?;
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO theme_settings (streamer_id, theme, updated_at) \
                         VALUES ($1, $2, $3) ON CONFLICT (streamer_id) DO UPDATE SET \
                         theme = excluded.theme, updated_at = excluded.updated_at \
                         RETURNING {THEME_COLUMNS}"
                    ),
                    &[&streamer.0, &json_text(&theme), &now.as_millis()],
                )
                .await?;
            let theme = theme_from_row(&row)?;
            let event = EventData::ThemeChanged {
                theme: theme.clone(),
            };
            self.record(&tx, streamer, now, [event]).await?;
            Ok(theme)
        }
        .await;
        tx.finish(written).await
    }
}
