//! The kill matrix: which cases catch which fault.

use super::{Fault, Faulty};
use crate::cases::CASES;
use crate::harness::{Factory, Harness, Options, run_case};
use crate::sweep::{run_entry, table::ENTRIES};
use datastore::DataStore;
use std::sync::Arc;

/// The name under which the sweep reports a fault it caught while merely populating the two
/// streamers (before any entry's own calls).
pub const SWEEP_POPULATE: &str = "sweep:populate";

/// What failed against one store: case names, `sweep:<operation>` for sweep entries whose own
/// calls exposed it, and [`SWEEP_POPULATE`].
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The failing checks.
    pub failed: Vec<String>,
}

/// Runs every named case except the per-family sweep cases, and every sweep entry on its own,
/// against stores from `factory`; returns what failed.
pub async fn run_all(factory: &Factory, options: Options) -> Outcome {
    let mut failed = Vec::new();
    for case in CASES
        .iter()
        .filter(|c| !c.name.starts_with("cross_tenant_sweep"))
    {
        if run_case(case, factory, options).await.is_err() {
            failed.push(case.name.to_owned());
        }
    }
    let h = Harness::new(factory.clone(), options);
    let mut population = false;
    for entry in ENTRIES {
        match run_entry(&h, entry).await {
            Ok(v) if !v.calls.is_empty() => failed.push(format!("sweep:{}", entry.operation)),
            Ok(v) => population |= !v.population.is_empty(),
            // The worlds could not even be built: populating failed.
            Err(_) => population = true,
        }
    }
    if population {
        failed.push(SWEEP_POPULATE.to_owned());
    }
    Outcome { failed }
}

/// `base` with `fault` injected into every store it builds.
pub fn with_fault(base: &Factory, fault: Fault) -> Factory {
    base.wrapped(move |s| Arc::new(Faulty::new(s, fault)) as Arc<dyn DataStore>)
}

/// The kill matrix over every fault, `(fault, what caught it)`, in [`Fault::ALL`] order.
/// Faults run a few at a time, to use every core. Cases run under the in-runtime watchdog of
/// [`run_case`] only: a store that blocks a runtime thread forever can hang the matrix, so
/// run the suite itself (whose tests have a thread-level watchdog) on a new backend first.
pub async fn kill_matrix(base: &Factory, options: Options) -> Vec<(Fault, Vec<String>)> {
    use futures_util::StreamExt;
    futures_util::stream::iter(Fault::ALL.iter().copied())
        .map(|fault| {
            let factory = with_fault(base, fault);
            async move {
                let task = tokio::spawn(async move { run_all(&factory, options).await });
                let failed = match task.await {
                    Ok(outcome) => outcome.failed,
                    Err(e) => vec![format!("the run panicked: {e}")],
                };
                (fault, failed)
            }
        })
        .buffered(4)
        .collect()
        .await
}

/// The sweep entries caught a fault aimed at their own operation, from a kill matrix.
pub fn entries_proven(rows: &[(Fault, Vec<String>)]) -> Vec<&'static str> {
    ENTRIES
        .iter()
        .map(|e| e.operation)
        .filter(|op| {
            rows.iter().any(|(f, caught)| {
                f.targets().contains(op) && caught.iter().any(|c| c == &format!("sweep:{op}"))
            })
        })
        .collect()
}
