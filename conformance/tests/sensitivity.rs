//! The suite catches isolation bugs: run it against `ModelStore` with each fault of
//! `conformance::faults` injected, and require every fault to be caught.
//!
//! Run with `--nocapture` to see the kill matrix (fault → the cases that caught it).

use conformance::Factory;
use conformance::cases::CASES;
use conformance::faults::Fault;
use conformance::faults::matrix::{describe_catchers, kill_matrix, run_all};
use conformance::harness::{Options, runtime};
use datastore::Family;
use std::collections::BTreeSet;

#[test]
fn every_injected_fault_is_caught() {
    let options = Options {
        // Each fault runs the whole suite; fewer random sequences keep this test quick while
        // the full property test runs in the suite itself.
        proptest_cases: 12,
        proptest_shrink_iters: 0,
        ..Options::from_env()
    };
    let base = Factory::model();
    let (baseline, rows) = runtime().block_on(async {
        (
            run_all(&base, options).await,
            kill_matrix(&base, options).await,
        )
    });
    assert!(
        baseline.failed.is_empty(),
        "the suite fails on the unbroken model, so the matrix would mean nothing: {:?}",
        baseline.failed
    );

    println!("kill matrix: {} faults", rows.len());
    for (fault, caught_by) in &rows {
        println!(
            "  {fault:?} [{:?}] {}\n      caught by {}: {}",
            fault.family(),
            fault.describe(),
            caught_by.len(),
            describe_catchers(caught_by)
        );
    }
    let survivors: Vec<_> = rows
        .iter()
        .filter(|(_, c)| c.is_empty())
        .map(|(f, _)| *f)
        .collect();
    assert!(survivors.is_empty(), "faults no case caught: {survivors:?}");

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
        .filter(|c| c.module == "isolation" && c.name != "cross_tenant_sweep")
        .map(|c| c.name)
        .filter(|n| !killers.contains(n))
        .collect();
    assert!(
        idle.is_empty(),
        "isolation cases that caught no fault: {idle:?}"
    );
    let sweep_killers = killers.iter().filter(|k| k.starts_with("sweep:")).count();
    println!("sweep entries that caught a fault: {sweep_killers}");
}
