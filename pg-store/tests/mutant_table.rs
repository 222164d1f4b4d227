//! The mutant table in README.md must list exactly the tenant predicates the sources hold now,
//! each killed. A mutant is keyed by its meaning (file, item, predicate text and the
//! how-manieth time that text appears in the item; `house_rules::predicates` says how), never
//! by line: editing around a predicate (a comment above it) changes nothing, while adding,
//! removing, changing or moving a predicate to another function fails here until
//! `scripts/tenant-mutants --store pg --readme` has run the mutants again. The script reads the
//! same keys (through the `tenant-predicates` binary).

#[test]
fn the_readme_mutant_table_is_current_and_every_mutant_is_killed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let problems = house_rules::predicates::mutant_table_problems(dir, "pg-store", 60);
    assert!(
        problems.is_empty(),
        "pg-store/README.md's mutant table is out of date or has survivors:\n{}",
        problems.join("\n")
    );
}
