//! The mutant table in README.md must list exactly the tenant predicates the sources hold now,
//! each killed: moving, adding or removing a predicate without re-running
//! `scripts/tenant-mutants --readme` fails here.

use std::collections::BTreeSet;
use std::path::Path;

/// Every `streamer_id = ?N` (optionally `x.`-qualified) in a non-comment line of `src/`, as
/// (`reference-store/src/file.rs:line`, predicate): the script's own rule.
fn predicates() -> BTreeSet<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = BTreeSet::new();
    let mut files: Vec<_> = std::fs::read_dir(root.join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            let bytes = line.as_bytes();
            for (at, _) in line.match_indices("streamer_id = ?") {
                let digits = line[at + 15..]
                    .bytes()
                    .take_while(u8::is_ascii_digit)
                    .count();
                if digits == 0
                    || (at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_'))
                {
                    continue;
                }
                let start = if at >= 2
                    && bytes[at - 1] == b'.'
                    && bytes[at - 2].is_ascii_lowercase()
                    && (at == 2 || !bytes[at - 3].is_ascii_alphanumeric())
                {
                    at - 2
                } else {
                    at
                };
                out.insert((
                    format!("reference-store/src/{name}:{}", i + 1),
                    line[start..at + 15 + digits].to_owned(),
                ));
            }
        }
    }
    out
}

/// The locations (as [`predicates`] names them) of lines that declare their predicate an
/// equivalent mutant (`// equivalent mutant: <reason>`): no behaviour can depend on it.
fn equivalent_lines() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(root.join("src")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.contains("// equivalent mutant: ") {
                out.insert(format!("reference-store/src/{name}:{}", i + 1));
            }
        }
    }
    out
}

#[test]
fn the_readme_mutant_table_is_current_and_every_mutant_is_killed() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let marked = equivalent_lines();
    let mut listed = BTreeSet::new();
    let mut not_killed = Vec::new();
    for row in readme
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("`reference-store/src/"))
    {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let location = cells[2].trim_matches('`').to_owned();
        let predicate = cells[4].trim_matches('`').to_owned();
        // An equivalent mutant is one its source line declares, with the reason.
        let declared = cells[5] == "equivalent" && marked.contains(&location);
        if cells[5] != "killed" && !declared {
            not_killed.push(row.to_owned());
        }
        listed.insert((location, predicate));
    }
    let found = predicates();
    assert!(
        found.len() > 50,
        "the scanner found too few predicates: {}",
        found.len()
    );
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
