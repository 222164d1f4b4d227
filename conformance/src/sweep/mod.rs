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
//! * A's holdings changed (its full export, its events, whether its overlay key opens it, its
//!   Kick data);
//! * B's holdings ended up different between the worlds (a write landed elsewhere, or copied
//!   A's data, or recorded an event it should not have).
//!
//! If merely populating A already changed what B has, that is reported on its own (as a
//! population violation) and the entry's calls are not judged, since every comparison after it
//! would differ anyway. Every violation of every entry is reported, not only the first. The
//! sweep is split into one named case per operation family, so each has its own watchdog and
//! can be run alone (`cargo test cross_tenant_sweep_points`).

mod env;
pub mod table;

pub use env::{Env, SweepEntry};

use crate::canon::{Canon, IdKind, VisitIds, diff};
use crate::cases::support::all_events;
use crate::harness::{Failure, Harness, START};
use crate::populate::{ALPHA, BRAVO, DECOY, Population, open_duel, populate};
use datastore::{DataStore, DeliveryId, Family, ManualClock, Timestamp};
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
    /// A, then B. The world without A first populates a decoy of A's shape but with other
    /// content, and deletes it, so B's ids are the same in both worlds and A's ids exist
    /// nowhere (ids are never reused). Because the decoy's content differs from A's, rows a
    /// faulty delete left behind cannot stand in for A's.
    AFirst,
}

/// What one entry found.
#[derive(Debug, Clone, Default)]
pub struct Violations {
    /// Populating A changed what B has (the entry's own calls were not judged).
    pub population: Vec<String>,
    /// Differences caused by the entry's calls.
    pub calls: Vec<String>,
}

impl Violations {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.population.is_empty() && self.calls.is_empty()
    }
}

struct World {
    store: Arc<dyn DataStore>,
    clock: Arc<ManualClock>,
    canon: Canon,
    b: Population,
}

fn at(t: Timestamp, hours: i64) -> Timestamp {
    let d = Duration::from_secs(hours.unsigned_abs() * 3600);
    let moved = if hours >= 0 {
        t.checked_add(d)
    } else {
        t.checked_sub(d)
    };
    moved.unwrap_or(t)
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
            let b = populate(&*store, &clock, BRAVO, START).await?;
            let a = match with_a {
                true => Some(populate(&*store, &clock, ALPHA, at(START, 24)).await?),
                false => None,
            };
            (b, a)
        }
        Order::AFirst => {
            let a = match with_a {
                true => Some(populate(&*store, &clock, ALPHA, START).await?),
                false => {
                    let decoy = populate(&*store, &clock, DECOY, at(START, -12)).await?;
                    store.delete_streamer(decoy.streamer).await?;
                    None
                }
            };
            let b = populate(&*store, &clock, BRAVO, at(START, 24)).await?;
            (b, a)
        }
    };
    clock.set(at(START, 48));
    // The populated duels expired meanwhile: open them again, B's first (so B's ids are the
    // same in both worlds).
    for p in std::iter::once(&b).chain(a.as_ref()) {
        store
            .apply_delivery(
                p.streamer,
                open_duel(DeliveryId("sweep-duel".into()), p.kick(0)),
            )
            .await?;
    }
    let mut w = World {
        store,
        clock,
        canon: Canon::default(),
        b,
    };
    canonical_export(&mut w).await?;
    Ok((w, a))
}

/// What a streamer holds: its export, every event it keeps with its counter, whether its
/// populated overlay key still opens it, and its Kick data (live state, open duels, economy,
/// whether it still records its populated deliveries, the viewers its populated Kick users are
/// linked to, whether it is listed live); none but the export's rows are in the export. Ids
/// are made canonical with `canon`, when given.
async fn holdings(
    store: &dyn DataStore,
    p: &Population,
    canon: Option<&mut Canon>,
) -> Result<Value, Failure> {
    let mut export = store.export_streamer(p.streamer).await?;
    let mut events = all_events(store, p.streamer).await?;
    let overlay_key_opens = store.check_overlay_key(p.streamer, &p.overlay_key).await?;
    let stream = store.get_stream_state(p.streamer).await?;
    let mut duels = store.list_duels(p.streamer).await?;
    let economy = store.get_economy_config(p.streamer).await?;
    let mut seen = Vec::new();
    for id in &p.deliveries {
        seen.push(store.delivery_seen(p.streamer, id).await?);
    }
    let mut links = Vec::new();
    for (k, _) in &p.kick_viewers {
        links.push(store.get_kick_viewer(p.streamer, *k).await?);
    }
    let listed_live = store.list_live_streamers().await?.contains(&p.streamer);
    if let Some(canon) = canon {
        canon.apply(&mut export);
        canon.apply(&mut events);
        canon.apply(&mut duels);
        canon.apply(&mut links);
    }
    Ok(serde_json::json!({
        "export": export,
        "events": events,
        "overlay_key_opens": overlay_key_opens,
        "stream": stream,
        "duels": duels,
        "economy": economy,
        "deliveries_seen": seen,
        "kick_links": links,
        "listed_live": listed_live,
    }))
}

/// B's holdings with canonical ids.
async fn canonical_export(w: &mut World) -> Result<Value, Failure> {
    holdings(&*w.store, &w.b, Some(&mut w.canon)).await
}

/// Runs one entry in both orders. An `Err` means the two worlds could not be built or
/// compared before the entry ran (populating failed); whatever happens after the entry's calls
/// is reported in [`Violations::calls`].
pub async fn run_entry(h: &Harness, entry: &SweepEntry) -> Result<Violations, Failure> {
    let mut all = Violations::default();
    for order in [Order::BFirst, Order::AFirst] {
        let found = run_entry_in(h, entry, order).await?;
        let tag = |v: String| format!("[{order:?}] {v}");
        all.population.extend(found.population.into_iter().map(tag));
        all.calls.extend(found.calls.into_iter().map(tag));
    }
    Ok(all)
}

/// Runs one entry in the two worlds of one order.
async fn run_entry_in(
    h: &Harness,
    entry: &SweepEntry,
    order: Order,
) -> Result<Violations, Failure> {
    let (mut with_a, a) = world(h, order, true).await?;
    let a = a.ok_or_else(|| Failure("world without streamer A".into()))?;
    let (mut without_a, _) = world(h, order, false).await?;
    let mut found = Violations::default();

    let b_with = canonical_export(&mut with_a).await?;
    let b_without = canonical_export(&mut without_a).await?;
    for d in diff(&b_with, &b_without, 5) {
        found.population.push(format!(
            "populating A changed what B has: {d} [with A vs without]"
        ));
    }
    if !found.population.is_empty() {
        return Ok(found);
    }

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

    let a_before = holdings(&*with_a.store, &a, None).await?;
    let run = |w: &World, them: Population| {
        (entry.run)(Env::new(
            w.store.clone(),
            w.b.clone(),
            them,
            w.clock.clone(),
        ))
    };
    let env_with = run(&with_a, a.clone()).await;
    let env_without = run(&without_a, them_without_a).await;

    let seen_with: Vec<Value> = env_with.into_values(&mut with_a.canon);
    let seen_without: Vec<Value> = env_without.into_values(&mut without_a.canon);
    if seen_with.len() != seen_without.len() {
        found.calls.push(format!(
            "made {} calls with A present and {} without",
            seen_with.len(),
            seen_without.len()
        ));
    }
    for (i, (x, y)) in seen_with.iter().zip(&seen_without).enumerate() {
        for d in diff(x, y, 3) {
            found.calls.push(format!(
                "call #{i}: B saw something different because A exists ({d} [with A vs without])"
            ));
        }
    }
    // From here on an error is the entry's doing, not the worlds': report it as a finding.
    match holdings(&*with_a.store, &a, None).await {
        Ok(a_after) => {
            for d in diff(&a_before, &a_after, 5) {
                found
                    .calls
                    .push(format!("A's data changed: {d} [before vs after]"));
            }
        }
        Err(f) => found
            .calls
            .push(format!("A's export failed after the calls: {f}")),
    }
    match (
        canonical_export(&mut with_a).await,
        canonical_export(&mut without_a).await,
    ) {
        (Ok(b_with), Ok(b_without)) => {
            for d in diff(&b_with, &b_without, 5) {
                found.calls.push(format!(
                    "B's data ended up different because A exists: {d} [with A vs without]"
                ));
            }
        }
        (x, y) => found.calls.push(format!(
            "B's export failed after the calls: {:?} / {:?}",
            x.err(),
            y.err()
        )),
    }
    Ok(found)
}

/// Runs every entry of `family`, each in its own task (a panic in one does not hide the
/// others' reports), and fails with every violation found.
pub async fn run_family(h: Harness, family: Family) -> Result<(), Failure> {
    let mut report = Vec::new();
    for entry in table::ENTRIES.iter().filter(|e| e.family() == Some(family)) {
        let (h2, e2) = (h.clone(), *entry);
        let outcome = tokio::spawn(async move { run_entry(&h2, &e2).await }).await;
        match outcome {
            Ok(Ok(v)) => report.extend(
                v.population
                    .into_iter()
                    .chain(v.calls)
                    .map(|v| format!("{}: {v}", entry.operation)),
            ),
            Ok(Err(f)) => report.push(format!("{}: could not run: {f}", entry.operation)),
            Err(e) => report.push(format!("{}: panicked: {e}", entry.operation)),
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
