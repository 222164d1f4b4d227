//! The kill matrix: which cases catch which fault.

use super::{Fault, Faulty};
use crate::cases::CASES;
use crate::harness::{Factory, Harness, Options, run_case};
use crate::sweep::{run_entry, table::ENTRIES};
use datastore::DataStore;
use std::sync::Arc;

/// The cases (and sweep entries, named `sweep:<operation>`) that failed against one store.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The failing checks.
    pub failed: Vec<String>,
}

/// Runs every named case except the aggregate sweep, and every sweep entry on its own,
/// against stores from `factory`; returns what failed.
pub async fn run_all(factory: &Factory, options: Options) -> Outcome {
    let mut failed = Vec::new();
    for case in CASES.iter().filter(|c| c.name != "cross_tenant_sweep") {
        if run_case(case, factory, options).await.is_err() {
            failed.push(case.name.to_owned());
        }
    }
    let h = Harness::new(factory.clone(), options);
    for entry in ENTRIES {
        let caught = match run_entry(&h, entry).await {
            Ok(v) => !v.is_empty(),
            Err(_) => true,
        };
        if caught {
            failed.push(format!("sweep:{}", entry.operation));
        }
    }
    Outcome { failed }
}

/// `base` with `fault` injected into every store it builds.
pub fn with_fault(base: &Factory, fault: Fault) -> Factory {
    base.wrapped(move |s| Arc::new(Faulty::new(s, fault)) as Arc<dyn DataStore>)
}

/// The kill matrix over every fault, `(fault, what caught it)`, in [`Fault::ALL`] order.
/// Faults run a few at a time, to use every core.
pub async fn kill_matrix(base: &Factory, options: Options) -> Vec<(Fault, Vec<String>)> {
    use futures::StreamExt;
    futures::stream::iter(Fault::ALL.iter().copied())
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

/// One line of the printed matrix: named cases in full, sweep entries counted when many.
pub fn describe_catchers(caught_by: &[String]) -> String {
    let (sweep, named): (Vec<&String>, Vec<&String>) =
        caught_by.iter().partition(|c| c.starts_with("sweep:"));
    let mut parts: Vec<String> = named.iter().map(|s| (*s).clone()).collect();
    if sweep.len() > 6 {
        parts.push(format!("{} sweep entries", sweep.len()));
    } else {
        parts.extend(sweep.iter().map(|s| (*s).clone()));
    }
    parts.join(", ")
}
