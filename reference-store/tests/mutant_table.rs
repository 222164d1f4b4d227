//! The mutant table in README.md must list exactly the tenant predicates the sources hold now,
//! each killed. A mutant is keyed by its meaning (file, function, predicate text and the
//! how-manieth time that text appears in the function), never by line: editing around a
//! predicate (a comment above it) changes nothing, while adding, removing, changing or moving a
//! predicate to another function fails here until `scripts/tenant-mutants --readme` has run
//! the mutants again.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A mutant's key: (`reference-store/src/file.rs`, function, predicate, ordinal).
type Key = (String, String, String, u32);

/// The name declared by `fn NAME` on `line`, if any (the script's `\bfn (\w+)`).
fn function_named(line: &str) -> Option<String> {
    let bytes = line.as_bytes();
    line.match_indices("fn ").find_map(|(at, _)| {
        let boundary = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        let name: String = line[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        (boundary && !name.is_empty()).then_some(name)
    })
}

/// The tenant predicates of `line`: every `streamer_id = ?N`, optionally qualified by a
/// one-letter alias (`u.streamer_id = ?1`), as the script's pattern finds them.
fn predicates_in(line: &str) -> Vec<String> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
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
        out.push(line[start..at + 15 + digits].to_owned());
    }
    out
}

/// Every tenant predicate of `src/*.rs` (comment lines aside), by key, with whether its line
/// declares it an equivalent mutant (`// equivalent mutant: <reason>`).
fn predicates() -> BTreeMap<Key, bool> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(root.join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for path in files {
        let file = format!(
            "reference-store/src/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let mut function = "?".to_owned();
        let mut seen: BTreeMap<(String, String), u32> = BTreeMap::new();
        for line in text.lines() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            if let Some(name) = function_named(line) {
                function = name;
            }
            let equivalent = line.contains("// equivalent mutant: ");
            for predicate in predicates_in(line) {
                let n = seen
                    .entry((function.clone(), predicate.clone()))
                    .or_default();
                *n += 1;
                out.insert((file.clone(), function.clone(), predicate, *n), equivalent);
            }
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

#[test]
fn keys_follow_functions_and_count_repeats_within_one() {
    assert_eq!(
        function_named("    pub(crate) fn require_user(conn: &Connection"),
        Some("require_user".to_owned())
    );
    assert_eq!(function_named("    let define = 1;"), None);
    assert_eq!(
        predicates_in(
            "WHERE u.streamer_id = ?1 AND x.streamer_id = u.streamer_id OR streamer_id = ?2"
        ),
        vec![
            "u.streamer_id = ?1".to_owned(),
            "streamer_id = ?2".to_owned()
        ]
    );
    assert!(predicates_in("SELECT ok_streamer_id = ?1").is_empty());
}
