//! The open connections: how many, which are idle, and which to close when a new client
//! arrives and every slot is taken.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;
use tokio::sync::Notify;

/// What a connection reports about itself: requests in progress and when it last finished one.
#[derive(Debug)]
pub struct Activity {
    busy: AtomicUsize,
    /// Of those, requests still reading their body: nothing of theirs has reached the routes.
    reading: AtomicUsize,
    /// Microseconds since the registry's epoch at which the connection last became idle.
    idle_since: AtomicU64,
    epoch: Instant,
}

impl Activity {
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// Whether a request is in progress (its head read, its answer not yet given).
    pub fn in_progress(&self) -> bool {
        self.busy.load(Ordering::Acquire) > 0
    }

    /// Whether a request has reached the routes and not yet been answered in full: closing
    /// the connection now could cut off an answer to something already done.
    pub fn past_its_body(&self) -> bool {
        self.busy.load(Ordering::Acquire) > self.reading.load(Ordering::Acquire)
    }

    /// Marks a request as still reading its body until the guard is dropped.
    pub fn reading(self: &Arc<Self>) -> ReadingGuard {
        self.reading.fetch_add(1, Ordering::AcqRel);
        ReadingGuard(self.clone())
    }

    /// Marks a request in progress until the guard is dropped.
    pub fn busy(self: &Arc<Self>) -> BusyGuard {
        self.busy.fetch_add(1, Ordering::AcqRel);
        BusyGuard(self.clone())
    }
}

/// A request in progress on a connection.
#[derive(Debug)]
pub struct BusyGuard(Arc<Activity>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.idle_since.store(self.0.now(), Ordering::Release);
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A request still reading its body.
#[derive(Debug)]
pub struct ReadingGuard(Arc<Activity>);

impl Drop for ReadingGuard {
    fn drop(&mut self) {
        self.0.reading.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Entry {
    activity: Arc<Activity>,
    replace: Arc<Notify>,
    replaced: bool,
}

/// The open connections, at most `max` (plus, briefly, one replacing another).
pub struct Registry {
    max: usize,
    epoch: Instant,
    next: AtomicU64,
    open: Mutex<HashMap<u64, Entry>>,
}

impl Registry {
    /// A registry admitting at most `max` connections.
    pub fn new(max: usize) -> Self {
        Registry {
            max: max.max(1),
            epoch: Instant::now(),
            next: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
        }
    }

    /// Admits a new connection. When all slots are taken, the idle connection that has waited
    /// longest is told to close ([`Slot::replaced`]) and the new one takes its place; failing
    /// an idle one, the one whose request has been reading its body longest (nothing of it has
    /// reached the routes, so nothing is lost). When every connection has a request past its
    /// body, the new one is refused (`None`).
    pub fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let live = open.values().filter(|e| !e.replaced).count();
        if live >= self.max {
            let oldest_idle = open
                .iter_mut()
                .filter(|(_, e)| !e.replaced && !e.activity.past_its_body())
                .min_by_key(|(_, e)| {
                    (
                        e.activity.busy.load(Ordering::Acquire) > 0,
                        e.activity.idle_since.load(Ordering::Acquire),
                    )
                })
                .map(|(_, e)| e)?;
            oldest_idle.replaced = true;
            oldest_idle.replace.notify_one();
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(Activity {
            busy: AtomicUsize::new(0),
            reading: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            epoch: self.epoch,
        });
        activity.idle_since.store(activity.now(), Ordering::Release);
        let replace = Arc::new(Notify::new());
        open.insert(
            id,
            Entry {
                activity: activity.clone(),
                replace: replace.clone(),
                replaced: false,
            },
        );
        Some(Slot {
            id,
            registry: self.clone(),
            activity,
            replace,
        })
    }

    /// Connections open now (including any told to close that have not yet).
    pub fn open(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// A connection's place in the registry; dropping it frees the place.
pub struct Slot {
    id: u64,
    registry: Arc<Registry>,
    activity: Arc<Activity>,
    replace: Arc<Notify>,
}

impl Slot {
    /// The connection's activity, which its requests update.
    pub fn activity(&self) -> Arc<Activity> {
        self.activity.clone()
    }

    /// Completes when a newer client takes this connection's place.
    pub async fn replaced(&self) {
        self.replace.notified().await;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_full_registry_replaces_the_longest_idle_and_never_a_busy_one() {
        let r = Arc::new(Registry::new(2));
        let first = r.admit().unwrap();
        std::thread::sleep(Duration::from_millis(2));
        let second = r.admit().unwrap();
        // The first is busy: the second, idle, makes way for the third.
        let working = first.activity().busy();
        let third = r.admit().expect("an idle connection makes way");
        tokio::time::timeout(Duration::from_secs(1), second.replaced())
            .await
            .expect("the idle one is told to close");
        drop(second);
        // Both remaining are busy: a fourth is refused.
        let _also_working = third.activity().busy();
        assert!(r.admit().is_none());
        assert_eq!(r.open(), 2);
        // A request still reading its body makes way too: nothing of it has run.
        let reading = third.activity().reading();
        let fifth = r
            .admit()
            .expect("a connection still reading its body makes way");
        tokio::time::timeout(Duration::from_secs(1), third.replaced())
            .await
            .expect("and is told to close");
        drop((reading, third));
        let _fifth_working = fifth.activity().busy();
        drop(working);
        let _fourth = r.admit().expect("the first is idle again");
        tokio::time::timeout(Duration::from_secs(1), first.replaced())
            .await
            .expect("and makes way");
    }
}
