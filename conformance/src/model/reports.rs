use super::ModelStore;
use async_trait::async_trait;
use datastore::{
    Analytics, ExportSink, PowerupType, PurchaseStats, ReportStore, StoreResult, StreamerExport,
    StreamerId,
};
use std::collections::BTreeMap;

#[async_trait]
impl ReportStore for ModelStore {
    async fn analytics(&self, streamer: StreamerId) -> StoreResult<Analytics> {
        let st = self.state();
        let Some(t) = st.tenant(streamer) else {
            return Ok(Analytics {
                users: 0,
                channel_points: 0,
                drop_points: 0,
                drops: 0,
                perfect_drops: 0,
                purchases: vec![],
            });
        };
        let mut purchases: BTreeMap<PowerupType, PurchaseStats> = BTreeMap::new();
        for p in &t.purchases {
            let e = purchases.entry(p.powerup).or_insert(PurchaseStats {
                powerup: p.powerup,
                purchases: 0,
                points_spent: 0,
            });
            e.purchases += 1;
            e.points_spent += p.cost;
        }
        Ok(Analytics {
            users: t.users.len() as u64,
            channel_points: t
                .points
                .values()
                .fold(0i64, |sum, p| sum.saturating_add(p.channel_points)),
            drop_points: t
                .points
                .values()
                .fold(0i64, |sum, p| sum.saturating_add(p.drop_points)),
            drops: t.drops.len() as u64,
            perfect_drops: t.drops.iter().filter(|d| d.is_perfect).count() as u64,
            purchases: purchases.into_values().collect(),
        })
    }

    async fn export_streamer(&self, streamer: StreamerId) -> StoreResult<Option<StreamerExport>> {
        let st = self.state();
        Ok(st.tenant(streamer).map(|t| StreamerExport {
            streamer: t.streamer.clone(),
            users: t.users.values().cloned().collect(),
            points: t.points.values().cloned().collect(),
            transactions: t.ledger.values().cloned().collect(),
            inventory: t.inventory.values().cloned().collect(),
            purchases: t.purchases.clone(),
            drops: t.drops.clone(),
            cooldowns: t.cooldowns.values().cloned().collect(),
            user_sessions: t.user_sessions.values().cloned().collect(),
            streamer_sessions: t.streamer_sessions.values().cloned().collect(),
            admin_key: t.admin_key.clone(),
            verification_codes: t.verification.iter().map(|(_, c)| c.clone()).collect(),
            oauth_tokens: t.oauth.values().cloned().collect(),
            powerups: t.powerups.values().cloned().collect(),
            overlay_settings: t.settings.values().cloned().collect(),
            layouts: t.layouts.values().cloned().collect(),
            theme: t.theme.clone(),
            tips: t.tips.values().cloned().collect(),
            goals: t.goals.values().cloned().collect(),
        }))
    }

    async fn stream_export(
        &self,
        streamer: StreamerId,
        sink: Box<dyn ExportSink>,
    ) -> StoreResult<bool> {
        let export = self.export_streamer(streamer).await?;
        crate::held_export::send_parts(export, sink).await
    }
}
