//! Housekeeping on a schedule: every streamer's expired verification codes, viewer and
//! dashboard sessions, ended cooldowns, events past their retention, and Kick delivery records
//! and awarded watch minutes past theirs are deleted, so that what a flood or years of use leave behind does not stay in
//! the file.

use datastore::{Clock, DataStore, EventRetention, StoreResult, SystemClock};
use std::sync::Arc;
use std::time::Duration;

/// The default time between two purges.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(600);

/// How long events are kept unless the operator says otherwise.
pub const DEFAULT_EVENT_RETENTION: EventRetention = EventRetention {
    max_age: Duration::from_secs(24 * 3600),
    max_count: 10_000,
};

/// How long a Kick delivery's id is remembered, so that its redelivery changes nothing: twice
/// the longest replay window (`--kick-replay-window-secs`, at most a day), since a delivery
/// stamped outside the window is refused anyway.
pub const DELIVERY_RETENTION: Duration = Duration::from_secs(2 * 24 * 3600);

/// What one purge deleted, over all streamers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Expired verification codes.
    pub codes: u64,
    /// Expired viewer sessions.
    pub user_sessions: u64,
    /// Expired dashboard sessions.
    pub streamer_sessions: u64,
    /// Ended cooldowns.
    pub cooldowns: u64,
    /// Events past their retention.
    pub events: u64,
    /// Kick delivery records older than [`DELIVERY_RETENTION`].
    pub deliveries: u64,
}

/// Purges every streamer's expired rows, and events past `events`, once. A streamer that
/// fails is logged and skipped.
pub async fn purge_once(store: &dyn DataStore, events: EventRetention) -> StoreResult<Purged> {
    let mut total = Purged::default();
    let deliveries_before = SystemClock
        .now()
        .checked_sub(DELIVERY_RETENTION)
        .unwrap_or(datastore::Timestamp::MIN);
    for s in store.list_streamers().await? {
        let one = async {
            Ok::<_, datastore::StoreError>(Purged {
                codes: store.purge_expired_verification_codes(s.id).await?,
                user_sessions: store.purge_expired_user_sessions(s.id).await?,
                streamer_sessions: store.purge_expired_streamer_sessions(s.id).await?,
                cooldowns: store.purge_expired_cooldowns(s.id).await?,
                events: store.purge_events(s.id, events).await?,
                deliveries: store.purge_deliveries(s.id, deliveries_before).await?,
            })
        };
        match one.await {
            Ok(p) => {
                total.codes += p.codes;
                total.user_sessions += p.user_sessions;
                total.streamer_sessions += p.streamer_sessions;
                total.cooldowns += p.cooldowns;
                total.events += p.events;
                total.deliveries += p.deliveries;
            }
            Err(e) => tracing::warn!(streamer = %s.username, error = %e, "a purge failed"),
        }
    }
    Ok(total)
}

/// Purges every `every`, starting now, until the task is dropped.
pub async fn run(store: Arc<dyn DataStore>, every: Duration, events: EventRetention) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match purge_once(&*store, events).await {
            Ok(p) if p != Purged::default() => tracing::info!(
                codes = p.codes,
                user_sessions = p.user_sessions,
                streamer_sessions = p.streamer_sessions,
                cooldowns = p.cooldowns,
                events = p.events,
                deliveries = p.deliveries,
                "purged expired rows"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the purge could not list streamers"),
        }
    }
}
