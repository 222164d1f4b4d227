//! What a sweep entry is, and the environment it runs in: the store, streamer B's population
//! and A's ids, and the record of every result B observed.

use crate::canon::{Canon, VisitIds, observe};
use crate::populate::Population;
use datastore::{DataStore, Family, ManualClock, OPERATIONS, StoreResult, StreamerId};
use futures_util::future::BoxFuture;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

/// One operation's cross-tenant calls.
#[derive(Debug, Clone, Copy)]
pub struct SweepEntry {
    /// The [`datastore::OPERATIONS`] name it covers.
    pub operation: &'static str,
    /// Makes the calls, recording each result with [`Env::see`].
    pub run: fn(Env) -> BoxFuture<'static, Env>,
}

impl SweepEntry {
    /// The family of the entry's operation.
    pub fn family(&self) -> Option<Family> {
        OPERATIONS
            .iter()
            .find(|o| o.name == self.operation)
            .map(|o| o.family)
    }
}

trait Observed: Send {
    fn into_value(self: Box<Self>, canon: &mut Canon) -> Value;
}

impl<T: VisitIds + Serialize + Send + std::fmt::Debug> Observed for StoreResult<T> {
    fn into_value(self: Box<Self>, canon: &mut Canon) -> Value {
        observe(canon, *self)
    }
}

/// What an entry works with: the store, streamer B (`me`) and A's ids and names (`them`).
pub struct Env {
    /// The world's store.
    pub store: Arc<dyn DataStore>,
    /// Streamer B, whose credentials the calls use.
    pub me: Population,
    /// Streamer A's ids and names (in the world without A, ids that exist nowhere).
    pub them: Population,
    /// The world's clock.
    pub clock: Arc<ManualClock>,
    seen: Vec<Box<dyn Observed>>,
}

impl Env {
    /// An environment for running an entry by hand (the sweep builds its own).
    pub fn new(
        store: Arc<dyn DataStore>,
        me: Population,
        them: Population,
        clock: Arc<ManualClock>,
    ) -> Self {
        Env {
            store,
            me,
            them,
            clock,
            seen: Vec::new(),
        }
    }

    /// How many results were recorded.
    pub fn seen(&self) -> usize {
        self.seen.len()
    }

    /// Records a result B observed; results must match between the worlds.
    pub fn see<T: VisitIds + Serialize + Send + std::fmt::Debug + 'static>(
        &mut self,
        result: StoreResult<T>,
    ) {
        self.seen.push(Box::new(result));
    }

    /// What B observed, in order, with canonical ids.
    pub(crate) fn into_values(self, canon: &mut Canon) -> Vec<Value> {
        self.seen.into_iter().map(|o| o.into_value(canon)).collect()
    }

    /// B's streamer id.
    pub fn s(&self) -> StreamerId {
        self.me.streamer
    }
}
