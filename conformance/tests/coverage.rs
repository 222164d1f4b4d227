//! The suite keeps in step with the contract.

use conformance::ModelStore;
use conformance::cases::CASES;
use conformance::faults::{CallLog, Faulty};
use conformance::harness::{START, runtime};
use conformance::populate::{ALPHA, BRAVO, populate};
use conformance::sweep::Env;
use conformance::sweep::table::ENTRIES;
use datastore::{Clock, DataStore, ManualClock, OPERATIONS};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Every operation of the trait has a cross-tenant sweep entry, and every entry names an
/// operation. (`datastore`'s own tests keep `OPERATIONS` in step with the trait.)
#[test]
fn every_operation_has_an_isolation_case() {
    let ops: BTreeSet<&str> = OPERATIONS.iter().map(|o| o.name).collect();
    let entries: Vec<&str> = ENTRIES.iter().map(|e| e.operation).collect();
    let covered: BTreeSet<&str> = entries.iter().copied().collect();
    assert_eq!(
        covered.len(),
        entries.len(),
        "an operation has two sweep entries"
    );
    let untested: Vec<_> = ops.difference(&covered).collect();
    assert!(
        untested.is_empty(),
        "operations without a cross-tenant sweep entry (add one to conformance/src/sweep/table.rs): {untested:?}"
    );
    let unknown: Vec<_> = covered.difference(&ops).collect();
    assert!(
        unknown.is_empty(),
        "sweep entries for operations the trait lacks: {unknown:?}"
    );
}

/// Each sweep entry really calls the operation it is named after, and records what it saw.
#[test]
fn every_sweep_entry_calls_its_operation() {
    let misses = runtime().block_on(async {
        let mut misses = Vec::new();
        for entry in ENTRIES {
            let log: CallLog = Arc::default();
            let clock = Arc::new(ManualClock::new(START));
            let model: Arc<dyn DataStore> = Arc::new(ModelStore::new(clock.clone()));
            let store: Arc<dyn DataStore> = Arc::new(Faulty::recording(model, log.clone()));
            let b = populate(&*store, &clock, BRAVO, START)
                .await
                .expect("populate B");
            let a = populate(&*store, &clock, ALPHA, clock.now())
                .await
                .expect("populate A");
            log.lock().expect("the call log").clear();
            let env = (entry.run)(Env::new(store, b, a, clock)).await;
            let calls = log.lock().expect("the call log").clone();
            if !calls.contains(&entry.operation) || env.seen() == 0 {
                misses.push(format!(
                    "{} (called {calls:?}, recorded {})",
                    entry.operation,
                    env.seen()
                ));
            }
        }
        misses
    });
    assert!(
        misses.is_empty(),
        "sweep entries that do not call their operation: {misses:?}"
    );
}

/// Every operation is the one some step of the model-based property test calls and observes
/// (not a lookup a step makes on the way): a new operation without a step kind in
/// `conformance/src/props/ops.rs` fails here, by name.
#[test]
fn every_operation_is_called_by_the_property_test() {
    let called = runtime().block_on(conformance::props::operations_called());
    let missing: Vec<&str> = OPERATIONS
        .iter()
        .map(|o| o.name)
        .filter(|name| !called.contains_key(name))
        .collect();
    assert!(
        missing.is_empty(),
        "operations no step of the property test calls (add a Kind, its arguments and its \
         call to conformance/src/props/ops.rs): {missing:?}"
    );
}

/// The seed cases exist under their names, and case names are unique (they are test names).
#[test]
fn seed_cases_exist_and_names_are_unique() {
    let names: BTreeSet<&str> = CASES.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), CASES.len(), "two cases share a name");
    for seed in [
        "cannot_get_user_from_another_streamer",
        "cannot_update_user_from_another_streamer",
        "cannot_view_points_from_another_streamer",
        "cannot_access_overlay_settings_from_another_streamer",
        "cannot_access_tips_from_another_streamer",
        "cannot_access_goals_from_another_streamer",
        "matches_model_under_random_operations",
    ] {
        assert!(names.contains(seed), "missing case {seed}");
    }
    let sweeps = CASES
        .iter()
        .filter(|c| c.name.starts_with("cross_tenant_sweep_"))
        .count();
    assert_eq!(
        sweeps,
        datastore::Family::ALL.len(),
        "one sweep case per operation family"
    );
}

/// Every case written in `src/cases/` (an `async fn` taking a `Harness` and answering a
/// `CaseResult`, or a line of the `sweep_cases!` table) is in the list of `src/cases/mod.rs`,
/// under its module: a case left out of the list would never run, in any backend's suite.
#[test]
fn every_case_written_is_in_the_list() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cases");
    let listed: BTreeSet<String> = CASES
        .iter()
        .map(|c| format!("{}::{}", c.module, c.name))
        .collect();
    let mut written = BTreeSet::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&root).expect("src/cases") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            for inner in std::fs::read_dir(&path).expect("a case directory") {
                files.push(inner.expect("an entry").path());
            }
        } else {
            files.push(path);
        }
    }
    for file in files {
        let relative = file.strip_prefix(&root).expect("under src/cases");
        let first = relative.components().next().expect("a component");
        let module = std::path::Path::new(first.as_os_str())
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a module name")
            .to_owned();
        if module == "mod" || module == "support" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a case file");
        for (at, _) in text.match_indices("async fn ") {
            let rest = &text[at + "async fn ".len()..];
            let signature = &rest[..rest.find('{').unwrap_or(rest.len())];
            if signature.contains("Harness") && signature.contains("-> CaseResult") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if name != "$name" && !name.is_empty() {
                    written.insert(format!("{module}::{name}"));
                }
            }
        }
        if let Some(start) = text.find("sweep_cases! {") {
            let table = &text[start..];
            let table = &table[..table.find('}').unwrap_or(table.len())];
            for line in table.lines().skip(1) {
                if let Some((name, _)) = line.trim().split_once("=>") {
                    written.insert(format!("{module}::{}", name.trim()));
                }
            }
        }
    }
    assert!(
        written.len() > 80,
        "too few cases found in {}: {}",
        root.display(),
        written.len()
    );
    let unlisted: Vec<&String> = written.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "cases written but not in the list of conformance/src/cases/mod.rs (so they never run): \
         {unlisted:?}"
    );
}
