//! Events: recorded by the writes of the other files through [`Tenant::record`], read and purged
//! here.

use super::{ModelStore, State, Tenant};
use async_trait::async_trait;
use datastore::{
    Event, EventData, EventId, EventPage, EventRetention, EventStore, Points, StoreResult,
    StreamerId, Timestamp, UserId, ViewerBalances, validate_event_limit,
};

impl Tenant {
    /// Appends events with the next ids, all stamped `now`. Called by a write as its last
    /// step, once nothing can fail any more.
    pub(super) fn record(&mut self, now: Timestamp, events: impl IntoIterator<Item = EventData>) {
        for data in events {
            self.last_event += 1;
            self.events.push(Event {
                id: EventId(self.last_event),
                at: now,
                data,
            });
        }
    }

    /// Rewrites every kept event that names `user` into `ViewerRemoved` for them, ids and
    /// times kept: the step of deleting a viewer that takes their name out of the event log.
    pub(super) fn forget_viewer(&mut self, user: UserId) {
        for event in &mut self.events {
            if event.data.viewer() == Some(user) {
                event.data = EventData::ViewerRemoved { user_id: user };
            }
        }
    }

    /// A user's username and balances as they are now.
    pub(super) fn balances(&self, u: UserId) -> ViewerBalances {
        let username = self
            .users
            .get(&u)
            .map_or_else(String::new, |user| user.username.clone());
        ViewerBalances::of(u, username, &self.points_of(u))
    }
}

impl State {
    /// For a write to user `u` of streamer `s` that has made all its changes: records the
    /// events `make` builds from the user's balances after the write, and returns them.
    pub(super) fn record_for<F>(
        &mut self,
        s: StreamerId,
        u: UserId,
        now: Timestamp,
        make: impl IntoIterator<Item = F>,
    ) -> StoreResult<Points>
    where
        F: FnOnce(ViewerBalances) -> EventData,
    {
        let t = self.user_tenant(s, u)?;
        let events: Vec<EventData> = make.into_iter().map(|f| f(t.balances(u))).collect();
        t.record(now, events);
        Ok(t.points_of(u))
    }
}

#[async_trait]
impl EventStore for ModelStore {
    async fn read_events(
        &self,
        streamer: StreamerId,
        after: EventId,
        limit: u32,
    ) -> StoreResult<EventPage> {
        validate_event_limit(limit)?;
        let st = self.state();
        let Some(t) = st.tenant(streamer) else {
            return Ok(EventPage {
                events: vec![],
                last_id: EventId::START,
            });
        };
        Ok(EventPage {
            events: t
                .events
                .iter()
                .filter(|e| e.id > after)
                .take(limit as usize)
                .cloned()
                .collect(),
            last_id: EventId(t.last_event),
        })
    }

    async fn purge_events(
        &self,
        streamer: StreamerId,
        retention: EventRetention,
    ) -> StoreResult<u64> {
        retention.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let Some(t) = st.tenants.get_mut(&streamer) else {
            return Ok(0);
        };
        // Older than `now - max_age` (no such instant: none is too old by age), or not among
        // the newest `max_count` events kept before this purge.
        let cutoff = now.checked_sub(retention.max_age);
        let oldest_counted = t
            .events
            .iter()
            .rev()
            .nth(retention.max_count as usize - 1)
            .map_or(EventId::START, |e| e.id);
        let before = t.events.len();
        t.events
            .retain(|e| e.id >= oldest_counted && cutoff.is_none_or(|c| e.at >= c));
        Ok((before - t.events.len()) as u64)
    }
}
