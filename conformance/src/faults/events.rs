//! Faulty event reads and purges.

use super::{Fault as F, Faulty};
use async_trait::async_trait;
use datastore::*;

#[async_trait]
impl EventStore for Faulty {
    async fn read_events(
        &self,
        s: StreamerId,
        after: EventId,
        limit: u32,
    ) -> StoreResult<EventPage> {
        self.note("read_events");
        let mut page = self.inner.read_events(s, after, limit).await?;
        if self.is(F::EventsReadAnyTenant) {
            // `WHERE id > ?1 ORDER BY id LIMIT ?2`: every streamer's events, merged by id (the
            // first streamer's first among equal ids).
            let mut all = Vec::new();
            for (rank, o) in self.all_streamers().await.into_iter().enumerate() {
                let theirs = self.inner.read_events(o, after, limit).await?.events;
                all.extend(theirs.into_iter().map(|e| (e.id, rank, e)));
            }
            all.sort_by_key(|(id, rank, _)| (*id, *rank));
            page.events = all
                .into_iter()
                .map(|(_, _, e)| e)
                .take(limit as usize)
                .collect();
        }
        if self.is(F::EventLastIdFirstRow)
            && let Some(first) = self.all_streamers().await.first()
        {
            page.last_id = self.inner.read_events(*first, after, 1).await?.last_id;
        }
        Ok(page)
    }
    async fn purge_events(&self, s: StreamerId, r: EventRetention) -> StoreResult<u64> {
        self.note("purge_events");
        let mut n = self.inner.purge_events(s, r).await?;
        if self.is(F::EventsPurgeAllTenants) {
            for o in self.others(s).await {
                n += self.inner.purge_events(o, r).await?;
            }
        }
        Ok(n)
    }
}
