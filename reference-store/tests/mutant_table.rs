//! The mutant table in README.md must list exactly the tenant predicates the sources hold now,
//! each killed. A mutant is keyed by its meaning (file, item, predicate text and the
//! how-manieth time that text appears in the item; `house_rules::predicates` says how), never
//! by line: editing around a predicate (a comment above it) changes nothing, while adding,
//! removing, changing or moving a predicate to another function fails here until
//! `scripts/tenant-mutants --readme` has run the mutants again. The script reads the same keys
//! (through the `tenant-predicates` binary).

use house_rules::predicates::{Predicate, in_source};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A mutant's key: (`reference-store/src/file.rs`, item, predicate, ordinal).
type Key = (String, String, String, u32);

/// Every tenant predicate of `src/*.rs`, by key, with whether its line declares it an
/// equivalent mutant.
fn predicates() -> BTreeMap<Key, bool> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut out = BTreeMap::new();
    for path in files {
        let file = format!(
            "reference-store/src/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let text = std::fs::read_to_string(&path).unwrap();
        for p in in_source(&file, &text) {
            out.insert(Predicate::key(&p), p.equivalent.is_some());
        }
    }
    out
}

#[test]
fn the_readme_mutant_table_is_current_and_every_mutant_is_killed() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let found = predicates();
    let mut listed = BTreeSet::new();
    let mut not_killed = Vec::new();
    for row in readme
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("`reference-store/src/"))
    {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let key: Key = (
            cells[2].trim_matches('`').to_owned(),
            cells[3].trim_matches('`').to_owned(),
            cells[4].trim_matches('`').to_owned(),
            cells[5].parse().unwrap_or(0),
        );
        // An equivalent mutant is one its source line declares, with the reason.
        let declared = cells[6] == "equivalent" && found.get(&key).copied().unwrap_or(false);
        if cells[6] != "killed" && !declared {
            not_killed.push(row.to_owned());
        }
        listed.insert(key);
    }
    assert!(
        found.len() > 50,
        "the scanner found too few predicates: {}",
        found.len()
    );
    let found: BTreeSet<Key> = found.into_keys().collect();
    let missing: Vec<_> = found.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&found).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "reference-store/README.md's mutant table is out of date: run scripts/tenant-mutants \
         --readme.\n  in the sources, not the table: {missing:?}\n  in the table, not the \
         sources: {stale:?}"
    );
    assert!(not_killed.is_empty(), "surviving mutants: {not_killed:#?}");
}
