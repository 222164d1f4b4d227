use super::ModelStore;
use async_trait::async_trait;
use datastore::overlay::validate_setting;
use datastore::{
    ConflictKind, EventData, LayoutId, LayoutInput, OverlayLayout, OverlaySetting, OverlayStore,
    Resource, StoreError, StoreResult, StreamerId, Theme, validate,
};
use serde_json::Value;

#[async_trait]
impl OverlayStore for ModelStore {
    async fn get_overlay_setting(
        &self,
        streamer: StreamerId,
        key: &str,
    ) -> StoreResult<Option<OverlaySetting>> {
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.settings.get(key).cloned()))
    }

    async fn list_overlay_settings(
        &self,
        streamer: StreamerId,
    ) -> StoreResult<Vec<OverlaySetting>> {
        Ok(self
            .state()
            .tenant(streamer)
            .map(|t| t.settings.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn upsert_overlay_setting(
        &self,
        streamer: StreamerId,
        key: &str,
        value: &str,
        description: Option<&str>,
    ) -> StoreResult<OverlaySetting> {
        validate_setting(key, value, description)?;
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.owner(streamer)?;
        let description = match description {
            Some(d) => Some(d.to_owned()),
            None => t.settings.get(key).and_then(|s| s.description.clone()),
        };
        let s = OverlaySetting {
            key: key.to_owned(),
            value: value.to_owned(),
            description,
            updated_at: now,
        };
        t.settings.insert(key.to_owned(), s.clone());
        t.record(
            now,
            [EventData::SettingChanged {
                key: key.to_owned(),
                setting: Some(s.clone()),
            }],
        );
        Ok(s)
    }

    async fn delete_overlay_setting(&self, streamer: StreamerId, key: &str) -> StoreResult<()> {
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.tenant_for(streamer, Resource::OverlaySetting)?;
        t.settings
            .remove(key)
            .ok_or(StoreError::not_found(Resource::OverlaySetting))?;
        t.record(
            now,
            [EventData::SettingChanged {
                key: key.to_owned(),
                setting: None,
            }],
        );
        Ok(())
    }

    async fn get_layout(
        &self,
        streamer: StreamerId,
        id: &LayoutId,
    ) -> StoreResult<Option<OverlayLayout>> {
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.layouts.get(id).cloned()))
    }

    async fn list_layouts(&self, streamer: StreamerId) -> StoreResult<Vec<OverlayLayout>> {
        Ok(self
            .state()
            .tenant(streamer)
            .map(|t| t.layouts.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn upsert_layout(
        &self,
        streamer: StreamerId,
        id: &LayoutId,
        layout: LayoutInput,
    ) -> StoreResult<OverlayLayout> {
        validate::key("id", id.as_str())?;
        layout.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.owner(streamer)?;
        if t.layouts
            .values()
            .any(|l| &l.id != id && l.name.eq_ignore_ascii_case(&layout.name))
        {
            return Err(StoreError::conflict(ConflictKind::LayoutName));
        }
        // The other layouts whose default flag this write clears, by id.
        let mut cleared = Vec::new();
        if layout.is_default {
            for l in t.layouts.values_mut() {
                if l.is_default && &l.id != id {
                    cleared.push(l.id.clone());
                }
                l.is_default = false;
            }
        }
        let created_at = t.layouts.get(id).map_or(now, |l| l.created_at);
        let l = OverlayLayout {
            id: id.clone(),
            name: layout.name,
            is_default: layout.is_default,
            layout: layout.layout,
            created_at,
            updated_at: now,
        };
        t.layouts.insert(id.clone(), l.clone());
        // The written layout first, then each other layout whose default flag changed.
        let mut events = vec![EventData::LayoutChanged {
            id: id.clone(),
            layout: Some(l.clone()),
        }];
        events.extend(cleared.into_iter().map(|other| EventData::LayoutChanged {
            layout: t.layouts.get(&other).cloned(),
            id: other,
        }));
        t.record(now, events);
        Ok(l)
    }

    async fn delete_layout(&self, streamer: StreamerId, id: &LayoutId) -> StoreResult<()> {
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.tenant_for(streamer, Resource::Layout)?;
        t.layouts
            .remove(id)
            .ok_or(StoreError::not_found(Resource::Layout))?;
        t.record(
            now,
            [EventData::LayoutChanged {
                id: id.clone(),
                layout: None,
            }],
        );
        Ok(())
    }

    async fn get_theme(&self, streamer: StreamerId) -> StoreResult<Option<Theme>> {
        Ok(self.state().tenant(streamer).and_then(|t| t.theme.clone()))
    }

    async fn set_theme(&self, streamer: StreamerId, theme: Value) -> StoreResult<Theme> {
        validate::document("theme", &theme, true)?;
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.owner(streamer)?;
        let theme = Theme {
            theme,
            updated_at: now,
        };
        t.theme = Some(theme.clone());
        t.record(
            now,
            [EventData::ThemeChanged {
                theme: theme.clone(),
            }],
        );
        Ok(theme)
    }
}
