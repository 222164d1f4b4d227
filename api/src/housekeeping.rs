//! Housekeeping on a schedule: every streamer's expired verification codes, viewer and
//! dashboard sessions, ended cooldowns and events past their retention are deleted, so that
//! what a flood or years of use leave behind does not stay in the file.

use datastore::{DataStore, EventRetention, StoreResult};
use std::sync::Arc;
use std::time::Duration;

/// The default time between two purges.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(600);

/// How long events are kept unless the operator says otherwise.
pub const DEFAULT_EVENT_RETENTION: EventRetention = EventRetention {
    max_age: Duration::from_secs(24 * 3600),
    max_count: 10_000,
};

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
}

/// Purges every streamer's expired rows, and events past `events`, once. A streamer that
/// fails is logged and skipped.
pub async fn purge_once(store: &dyn DataStore, events: EventRetention) -> StoreResult<Purged> {
    let mut total = Purged::default();
    for s in store.list_streamers().await? {
        let one = async {
            Ok::<_, datastore::StoreError>(Purged {
                codes: store.purge_expired_verification_codes(s.id).await?,
                user_sessions: store.purge_expired_user_sessions(s.id).await?,
                streamer_sessions: store.purge_expired_streamer_sessions(s.id).await?,
                cooldowns: store.purge_expired_cooldowns(s.id).await?,
                events: store.purge_events(s.id, events).await?,
            })
        };
        match one.await {
            Ok(p) => {
                total.codes += p.codes;
                total.user_sessions += p.user_sessions;
                total.streamer_sessions += p.streamer_sessions;
                total.cooldowns += p.cooldowns;
                total.events += p.events;
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
                "purged expired rows"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the purge could not list streamers"),
        }
    }
}
