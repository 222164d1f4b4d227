use super::{ModelStore, next};
use async_trait::async_trait;
use datastore::{
    NewTip, Resource, StoreError, StoreResult, StreamerId, Tip, TipId, TipPatch, TipStore,
};

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
        st.owner(streamer)?.tips.insert(id, tip.clone());
        Ok(tip)
    }

    async fn update_tip(
        &self,
        streamer: StreamerId,
        tip: TipId,
        patch: TipPatch,
    ) -> StoreResult<Tip> {
        patch.validate()?;
        let mut st = self.state();
        let t = st.tenant_for(streamer, Resource::Tip)?;
        let current = t
            .tips
            .get_mut(&tip)
            .ok_or(StoreError::not_found(Resource::Tip))?;
        *current = patch.apply_to(current);
        Ok(current.clone())
    }

    async fn delete_tip(&self, streamer: StreamerId, tip: TipId) -> StoreResult<()> {
        let mut st = self.state();
        st.tenant_for(streamer, Resource::Tip)?
            .tips
            .remove(&tip)
            .map(|_| ())
            .ok_or(StoreError::not_found(Resource::Tip))
    }
}
