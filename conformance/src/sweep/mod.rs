//! The cross-tenant sweep: every operation, called as streamer B with streamer A's ids and
//! names, must behave as if A did not exist.
//!
//! For each entry of [`table::ENTRIES`] the runner builds two *worlds* with the backend under
//! test: in `with_a`, streamers B and A are both fully [populated](crate::populate); in
//! `without_a`, only B is, in exactly the same way. The entry then runs as B in both worlds,
//! aimed at A's ids and names (in `without_a` those ids exist nowhere). It does so twice, with
//! B populated first and with A populated first (see [`Order`]). The entry fails when
//!
//! * any result B got differs between the worlds (rows, counts, pagination totals, error
//!   variants and error text: ids are compared canonically, see [`crate::canon`]);
//! * A's full export changed;
//! * B's full export ended up different between the worlds (a write landed elsewhere, or
//!   copied A's data).
//!
//! Every violation of every entry is reported, not only the first.

pub mod table;

use crate::canon::{Canon, IdKind, VisitIds, diff, observe};
use crate::harness::{Failure, Harness, START};
use crate::populate::{Population, populate};
use datastore::{DataStore, ManualClock, StoreResult, StreamerId, Timestamp};
use futures::future::BoxFuture;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Added to A's ids to aim at them in the world without A, when B was populated first: far
/// above any id that world will ever assign, and in the same order relative to B's ids as A's
/// real ids are.
const ABSENT_OFFSET: i64 = 1_000_000_000_000;

/// Which streamer is populated first. Both orders run: a query missing its `streamer_id`
/// predicate often returns the *first* matching row, which hides the bug when that row is B's
/// own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// B, then A. The world without A has only B; A's ids are aimed at with
    /// `ABSENT_OFFSET` added.
    BFirst,
    /// A, then B. The world without A first populates a decoy A and deletes it, so B's ids are
    /// the same in both worlds and A's ids exist nowhere (ids are never reused).
    AFirst,
}

/// One operation's cross-tenant calls.
#[derive(Debug, Clone, Copy)]
pub struct SweepEntry {
    /// The [`datastore::OPERATIONS`] name it covers.
    pub operation: &'static str,
    /// Makes the calls, recording each result with [`Env::see`].
    pub run: fn(Env) -> BoxFuture<'static, Env>,
}

trait Observed: Send {
    fn into_value(self: Box<Self>, canon: &mut Canon) -> Value;
}

impl<T: VisitIds + Serialize + Send> Observed for StoreResult<T> {
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
    /// Records a result B observed; results must match between the worlds.
    pub fn see<T: VisitIds + Serialize + Send + 'static>(&mut self, result: StoreResult<T>) {
        self.seen.push(Box::new(result));
    }

    /// B's streamer id.
    pub fn s(&self) -> StreamerId {
        self.me.streamer
    }
}

struct World {
    store: Arc<dyn DataStore>,
    clock: Arc<ManualClock>,
    canon: Canon,
    b: Population,
}

fn at(t: Timestamp, days: u64) -> Timestamp {
    t.checked_add(Duration::from_secs(days * 24 * 3600))
        .unwrap_or(t)
}

async fn export_value(store: &dyn DataStore, s: StreamerId) -> Result<Value, Failure> {
    let e = store.export_streamer(s).await?;
    serde_json::to_value(e).map_err(|e| Failure(e.to_string()))
}

/// Builds a world in `order`, with A present or not; the clock then moves past both.
async fn world(
    h: &Harness,
    order: Order,
    with_a: bool,
) -> Result<(World, Option<Population>), Failure> {
    let clock = Arc::new(ManualClock::new(START));
    let store = h.store_on(clock.clone()).await;
    let (b, a) = match order {
        Order::BFirst => {
            let b = populate(&*store, &clock, "bravo", 2002, START).await?;
            let a = match with_a {
                true => Some(populate(&*store, &clock, "alpha", 1001, at(START, 1)).await?),
                false => None,
            };
            (b, a)
        }
        Order::AFirst => {
            let a = populate(&*store, &clock, "alpha", 1001, START).await?;
            if !with_a {
                store.delete_streamer(a.streamer).await?;
            }
            let b = populate(&*store, &clock, "bravo", 2002, at(START, 1)).await?;
            (b, with_a.then_some(a))
        }
    };
    clock.set(at(START, 2));
    let mut canon = Canon::default();
    let mut export = store.export_streamer(b.streamer).await?;
    canon.apply(&mut export);
    Ok((
        World {
            store,
            clock,
            canon,
            b,
        },
        a,
    ))
}

/// B's export with canonical ids.
async fn canonical_export(w: &mut World) -> Result<Value, Failure> {
    let mut e = w.store.export_streamer(w.b.streamer).await?;
    w.canon.apply(&mut e);
    serde_json::to_value(e).map_err(|e| Failure(e.to_string()))
}

/// Runs one entry in both orders; returns every violation found.
pub async fn run_entry(h: &Harness, entry: &SweepEntry) -> Result<Vec<String>, Failure> {
    let mut violations = Vec::new();
    for order in [Order::BFirst, Order::AFirst] {
        let found = run_entry_in(h, entry, order).await?;
        violations.extend(found.into_iter().map(|v| format!("[{order:?}] {v}")));
    }
    Ok(violations)
}

/// Runs one entry in the two worlds of one order.
async fn run_entry_in(
    h: &Harness,
    entry: &SweepEntry,
    order: Order,
) -> Result<Vec<String>, Failure> {
    let (mut with_a, a) = world(h, order, true).await?;
    let a = a.ok_or_else(|| Failure("world without streamer A".into()))?;
    let (mut without_a, _) = world(h, order, false).await?;

    // A's ids get labels -1, -2, … in the world with A; in the world without A the same
    // labels name ids that exist nowhere.
    let mut a_export = with_a.store.export_streamer(a.streamer).await?;
    let mut labels: HashMap<IdKind, i64> = HashMap::new();
    let canon = &mut with_a.canon;
    a_export.visit_ids(&mut |kind, raw| {
        if !canon.knows(kind, *raw) {
            let n = labels.entry(kind).or_insert(0);
            *n -= 1;
            canon.label(kind, *raw, *n);
        }
    });
    let them_without_a = a.map_ids(|kind, raw| {
        let absent = match order {
            Order::AFirst if !without_a.canon.knows(kind, raw) => raw,
            _ => raw + ABSENT_OFFSET,
        };
        let label = with_a.canon.canonical(kind, raw);
        without_a.canon.label(kind, absent, label);
        absent
    });

    let mut violations = Vec::new();
    let b_with_before = canonical_export(&mut with_a).await?;
    let b_without_before = canonical_export(&mut without_a).await?;
    for d in diff(&b_with_before, &b_without_before, 5) {
        violations.push(format!(
            "populating A changed what B has: {d} [with A vs without]"
        ));
    }

    let a_before = export_value(&*with_a.store, a.streamer).await?;
    let run = |w: &World, them: Population| {
        (entry.run)(Env {
            store: w.store.clone(),
            me: w.b.clone(),
            them,
            clock: w.clock.clone(),
            seen: Vec::new(),
        })
    };
    let env_with = run(&with_a, a.clone()).await;
    let env_without = run(&without_a, them_without_a).await;

    let seen_with: Vec<Value> = env_with
        .seen
        .into_iter()
        .map(|o| o.into_value(&mut with_a.canon))
        .collect();
    let seen_without: Vec<Value> = env_without
        .seen
        .into_iter()
        .map(|o| o.into_value(&mut without_a.canon))
        .collect();
    if seen_with.len() != seen_without.len() {
        violations.push(format!(
            "made {} calls with A present and {} without",
            seen_with.len(),
            seen_without.len()
        ));
    }
    for (i, (x, y)) in seen_with.iter().zip(&seen_without).enumerate() {
        for d in diff(x, y, 3) {
            violations.push(format!(
                "call #{i}: B saw something different because A exists ({d} [with A vs without])"
            ));
        }
    }
    let a_after = export_value(&*with_a.store, a.streamer).await?;
    for d in diff(&a_before, &a_after, 5) {
        violations.push(format!("A's data changed: {d} [before vs after]"));
    }
    let b_with = canonical_export(&mut with_a).await?;
    let b_without = canonical_export(&mut without_a).await?;
    for d in diff(&b_with, &b_without, 5) {
        violations.push(format!(
            "B's data ended up different because A exists: {d} [with A vs without]"
        ));
    }
    Ok(violations)
}

/// The named case: every entry, every violation.
pub async fn cross_tenant_sweep(h: Harness) -> Result<(), Failure> {
    let mut report = Vec::new();
    for entry in table::ENTRIES {
        match run_entry(&h, entry).await {
            Ok(v) => report.extend(v.into_iter().map(|v| format!("{}: {v}", entry.operation))),
            Err(f) => report.push(format!("{}: could not run: {f}", entry.operation)),
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "{} isolation violations:\n  {}",
            report.len(),
            report.join("\n  ")
        )))
    }
}
