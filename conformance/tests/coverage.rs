//! The suite keeps in step with the contract.

use conformance::cases::CASES;
use conformance::sweep::table::ENTRIES;
use datastore::OPERATIONS;
use std::collections::BTreeSet;

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
        "cross_tenant_sweep",
        "matches_model_under_random_operations",
    ] {
        assert!(names.contains(seed), "missing case {seed}");
    }
}
