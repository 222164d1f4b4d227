//! Watch time: every minute, each live stream's recent chatters earn the streamer's
//! `watch_points` ([`datastore::KickStore::award_watch_minute`]).
//!
//! Each minute is a whole minute of the clock (minutes since the Unix epoch), awarded at most
//! once per streamer: the store records the minute in the award's own transaction, so any
//! number of servers on one database may run this job at once, and ticking more often than
//! once a minute (`--watch-interval-secs`) only finds the current minute awarded already.

use crate::live::EventHub;
use datastore::{Clock, DataStore, StoreResult, WatchAward, WatchMinute};
use std::sync::Arc;
use std::time::Duration;

/// The default time between two ticks.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(60);

/// What one tick did, over all live streamers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tick {
    /// Streamers whose minute this tick awarded.
    pub awarded: u64,
    /// Viewers given points.
    pub viewers: u64,
    /// Streamers whose minute was awarded already (by this or another server).
    pub already: u64,
}

/// Awards the current minute (by `clock`) to every live streamer with watch points on, once;
/// rings `hub` for each streamer given points. A streamer that fails is logged and skipped.
pub async fn award_once(
    store: &dyn DataStore,
    clock: &dyn Clock,
    hub: &EventHub,
) -> StoreResult<Tick> {
    let minute = WatchMinute::minute_of(clock.now());
    let mut tick = Tick::default();
    for streamer in store.list_live_streamers().await? {
        let one = async {
            let config = store.get_economy_config(streamer).await?;
            if config.watch_points <= 0 {
                return Ok(None);
            }
            store
                .award_watch_minute(
                    streamer,
                    WatchMinute {
                        minute,
                        amount: config.watch_points,
                        window: Duration::from_secs(config.watch_window_secs),
                    },
                )
                .await
                .map(Some)
        };
        match one.await {
            Ok(Some(WatchAward::Awarded { viewers })) => {
                tick.awarded += 1;
                tick.viewers += viewers.len() as u64;
                if !viewers.is_empty() {
                    hub.ring(streamer);
                }
            }
            Ok(Some(WatchAward::AlreadyAwarded)) => tick.already += 1,
            Ok(Some(WatchAward::NotLive) | None) => {}
            Err(e) => tracing::warn!(%streamer, error = %e, "a watch award failed"),
        }
    }
    Ok(tick)
}

/// Awards every `every`, starting now, until the task is dropped.
pub async fn run(
    store: Arc<dyn DataStore>,
    clock: Arc<dyn Clock>,
    hub: Arc<EventHub>,
    every: Duration,
) {
    let mut timer = tokio::time::interval(every);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        timer.tick().await;
        match award_once(&*store, &*clock, &hub).await {
            Ok(t) if t.awarded > 0 => tracing::info!(
                streamers = t.awarded,
                viewers = t.viewers,
                "awarded a minute of watch time"
            ),
            Ok(t) if t.already > 0 => {
                tracing::debug!(
                    streamers = t.already,
                    "this minute's watch time was awarded already"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the watch award could not list live streams"),
        }
    }
}
