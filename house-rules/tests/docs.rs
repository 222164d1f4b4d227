//! Every document of the repository links only to files inside it that exist, and no document
//! or source file speaks of "this machine", a session or an issue number, or points at files a
//! clone does not have.

use house_rules::docs::{link_targets, resolve_link, wording_problems};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the repository root")
}

/// Every file of the repository a reader or a build sees: sources, documents, scripts, the
/// CI script; not build output, git's own files or local data.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if path.is_dir() {
            if !matches!(name.as_ref(), "target" | ".git" | "data" | "node_modules") {
                files(&path, out);
            }
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("md" | "rs" | "sql" | "toml" | "lua" | "snap")
        ) || path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|dir| dir == "scripts" || dir == ".ci")
        {
            out.push(path);
        }
    }
}

fn all_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    files(&root(), &mut out);
    out.sort();
    assert!(out.len() > 150, "too few files found: {}", out.len());
    out
}

#[test]
fn documents_link_only_to_files_of_the_repository_that_exist() {
    let root = root();
    let mut broken = Vec::new();
    let mut links = 0;
    for file in all_files()
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
    {
        let doc = file.strip_prefix(&root).unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        for target in link_targets(&text) {
            links += 1;
            match resolve_link(&root, doc, &target) {
                Some(path) if path.exists() => {}
                Some(_) => broken.push(format!("{}: {target} does not exist", doc.display())),
                None => broken.push(format!("{}: {target} leaves the repository", doc.display())),
            }
        }
    }
    assert!(links > 10, "too few links found: {links}");
    assert!(
        broken.is_empty(),
        "broken links:\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn nothing_speaks_of_this_machine_a_session_or_an_issue_or_of_files_outside() {
    let root = root();
    let mut problems = Vec::new();
    for file in all_files() {
        let name = file.strip_prefix(&root).unwrap().display().to_string();
        if name.starts_with("house-rules/") {
            // The rules name what they forbid.
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, what) in wording_problems(&text) {
            problems.push(format!("{name}:{line}: {what}"));
        }
        for (i, line) in text.lines().enumerate() {
            if line.contains("../shared/") {
                problems.push(format!(
                    "{name}:{}: points at ../shared/, which a clone does not have",
                    i + 1
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "say it of the product (the machine BENCHMARKS.md describes, the repository's own \
         docs):\n  {}",
        problems.join("\n  ")
    );
}
