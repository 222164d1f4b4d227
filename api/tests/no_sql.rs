//! The API reaches data only through `DataStore`: it does not depend on rusqlite and its
//! sources hold no SQL.

use std::path::Path;

#[test]
fn the_api_crate_has_no_rusqlite_dependency() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("the manifest");
    assert!(
        !manifest.contains("rusqlite"),
        "api/Cargo.toml names rusqlite"
    );
}

#[test]
fn the_api_sources_hold_no_sql() {
    let patterns = [
        "SELECT ",
        "INSERT INTO",
        "UPDATE ",
        "DELETE FROM",
        "CREATE TABLE",
        "PRAGMA",
        "rusqlite",
        "execute(",
        "prepare(",
    ];
    let mut hits = Vec::new();
    let mut files = 0;
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a source directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files += 1;
                let text = std::fs::read_to_string(&path).expect("a source file");
                for (n, line) in text.lines().enumerate() {
                    let lower = line.to_lowercase();
                    if patterns.iter().any(|p| lower.contains(p)) {
                        hits.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(files > 20, "found only {files} source files");
    assert!(
        hits.is_empty(),
        "SQL in the api crate:\n{}",
        hits.join("\n")
    );
}
