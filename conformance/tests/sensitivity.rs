//! The suite catches isolation bugs: run it against `ModelStore` with each fault of
//! `conformance::faults` injected, and require every fault to be caught.
//!
//! Run with `--nocapture` to see the kill matrix (fault → the checks that caught it).

use conformance::Factory;
use conformance::cases::CASES;
use conformance::faults::Fault;
use conformance::faults::matrix::{entries_proven, kill_matrix, run_all};
use conformance::harness::{Options, runtime};
use conformance::sweep::table::ENTRIES;
use datastore::Family;
use std::collections::BTreeSet;

#[test]
fn every_injected_fault_is_caught() {
    let options = Options {
        // Each fault runs the whole suite; fewer random sequences, and no shrinking, keep this
        // test quick while the full property test runs in the suite itself.
        proptest_cases: 12,
        proptest_shrink_iters: 0,
        ..Options::from_env()
    };
    let base = Factory::model();
    let rt = runtime();
    let (baseline, rows) = rt.block_on(async {
        (
            run_all(&base, options).await,
            kill_matrix(&base, options).await,
        )
    });
    rt.shutdown_background();
    assert!(
        baseline.failed.is_empty(),
        "the suite fails on the unbroken model, so the matrix would mean nothing: {:?}",
        baseline.failed
    );

    println!("kill matrix: {} faults", rows.len());
    for (fault, caught_by) in &rows {
        let (sweep, named): (Vec<&String>, Vec<&String>) =
            caught_by.iter().partition(|c| c.starts_with("sweep:"));
        println!(
            "  {fault:?} [{:?}] {}\n      cases: {}\n      sweep: {}",
            fault.family(),
            fault.describe(),
            named
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            sweep
                .iter()
                .map(|s| &s["sweep:".len()..])
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    let survivors: Vec<_> = rows
        .iter()
        .filter(|(_, c)| c.is_empty())
        .map(|(f, _)| *f)
        .collect();
    assert!(
        survivors.is_empty(),
        "faults no check caught: {survivors:?}"
    );

    let families: BTreeSet<Family> = Fault::ALL.iter().map(|f| f.family()).collect();
    let missing: Vec<_> = Family::ALL
        .iter()
        .filter(|f| !families.contains(f))
        .collect();
    assert!(
        missing.is_empty(),
        "operation families without a fault: {missing:?}"
    );

    // Every isolation case must be shown to fail when isolation is broken.
    let killers: BTreeSet<&str> = rows
        .iter()
        .flat_map(|(_, c)| c.iter().map(String::as_str))
        .collect();
    let idle: Vec<&str> = CASES
        .iter()
        .filter(|c| c.module == "isolation" && !c.name.starts_with("cross_tenant_sweep"))
        .map(|c| c.name)
        .filter(|n| !killers.contains(n))
        .collect();
    assert!(
        idle.is_empty(),
        "isolation cases that caught no fault: {idle:?}"
    );

    // Every fault aimed at an operation must be caught by that operation's own sweep entry
    // (or, for faults that break populating itself, by the population check), unless it is on
    // the short list of faults the sweep cannot stage, each with its reason.
    let blind: Vec<String> = rows
        .iter()
        .filter(|(f, caught)| {
            f.sweep_blind_reason().is_none()
                && !caught.iter().any(|c| c == "sweep:populate")
                && !f
                    .targets()
                    .iter()
                    .any(|op| caught.contains(&format!("sweep:{op}")))
        })
        .map(|(f, _)| format!("{f:?}"))
        .collect();
    assert!(
        blind.is_empty(),
        "faults their operations' sweep entries missed: {blind:?}"
    );
    for f in Fault::ALL {
        if let Some(reason) = f.sweep_blind_reason() {
            println!("  not for the sweep: {f:?}: {reason}");
        }
    }

    let proven = entries_proven(&rows);
    let unproven: Vec<&str> = ENTRIES
        .iter()
        .map(|e| e.operation)
        .filter(|op| !proven.contains(op))
        .collect();
    println!(
        "sweep entries shown to catch a fault aimed at their own operation: {} of {}\n  not yet: {}",
        proven.len(),
        ENTRIES.len(),
        unproven.join(", ")
    );
}
