use super::{ModelStore, next};
use async_trait::async_trait;
use datastore::visible_change;
use datastore::{
    EventData, NewTip, Resource, StoreError, StoreResult, StreamerId, Tip, TipId, TipPatch,
    TipStore,
};

/// The `TipChanged` of a write that left `after` (`None`: deleted), when the public list shows
/// the tip before or after it.
fn tip_changed(id: TipId, enabled_before: bool, after: Option<&Tip>) -> Option<EventData> {
    visible_change(
        enabled_before,
        after.cloned(),
        |t| t.enabled,
        |tip| EventData::TipChanged { id, tip },
    )
}

fn in_order(tips: impl Iterator<Item = Tip>) -> Vec<Tip> {
    let mut out: Vec<Tip> = tips.collect();
    out.sort_by_key(|t| (t.sort_order, t.id));
    out
}

#[async_trait]
impl TipStore for ModelStore {
    async fn list_enabled_tips(&self, streamer: StreamerId) -> StoreResult<Vec<Tip>> {
        let st = self.state();
        Ok(st.tenant(streamer).map_or(vec![], |t| {
            in_order(t.tips.values().filter(|t| t.enabled).cloned())
        }))
    }

    async fn list_tips(&self, streamer: StreamerId) -> StoreResult<Vec<Tip>> {
        let st = self.state();
        Ok(st
            .tenant(streamer)
            .map_or(vec![], |t| in_order(t.tips.values().cloned())))
    }

    async fn get_tip(&self, streamer: StreamerId, tip: TipId) -> StoreResult<Option<Tip>> {
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.tips.get(&tip).cloned()))
    }

    async fn create_tip(&self, streamer: StreamerId, tip: NewTip) -> StoreResult<Tip> {
        tip.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        st.owner(streamer)?;
        let id = TipId(next(&mut st.ids.tip));
        let tip = Tip {
            id,
            content: tip.content,
            enabled: tip.enabled,
            sort_order: tip.sort_order,
            created_at: now,
        };
        let t = st.owner(streamer)?;
        t.tips.insert(id, tip.clone());
        t.record(now, tip_changed(id, false, Some(&tip)));
        Ok(tip)
    }

    async fn update_tip(
        &self,
        streamer: StreamerId,
        tip: TipId,
        patch: TipPatch,
    ) -> StoreResult<Tip> {
        patch.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.tenant_for(streamer, Resource::Tip)?;
        let current = t
            .tips
            .get_mut(&tip)
            .ok_or(StoreError::not_found(Resource::Tip))?;
        let enabled_before = current.enabled;
        *current = patch.apply_to(current);
        let updated = current.clone();
        t.record(now, tip_changed(tip, enabled_before, Some(&updated)));
        Ok(updated)
    }

    async fn delete_tip(&self, streamer: StreamerId, tip: TipId) -> StoreResult<()> {
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.tenant_for(streamer, Resource::Tip)?;
        let gone = t
            .tips
            .remove(&tip)
            .ok_or(StoreError::not_found(Resource::Tip))?;
        t.record(now, tip_changed(tip, gone.enabled, None));
        Ok(())
    }
}
