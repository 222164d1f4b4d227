//! No file of any crate of the workspace imports from a file that imports it back, directly or
//! through others: dependencies between files point one way, as ARCHITECTURE.md draws them.

use house_rules::imports::{Disk, cycles, graph};
use std::path::{Path, PathBuf};

/// Every crate root of the workspace: each member's `src/lib.rs` and `src/main.rs`.
fn roots() -> Vec<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = std::fs::read_to_string(workspace.join("Cargo.toml")).expect("Cargo.toml");
    let members = manifest
        .split("members = [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .expect("the workspace members");
    let mut roots = Vec::new();
    for member in members.split(',').map(|m| m.trim().trim_matches('"')) {
        if member.is_empty() {
            continue;
        }
        for root in ["src/lib.rs", "src/main.rs"] {
            let path = workspace.join(member).join(root);
            if path.exists() {
                roots.push(path);
            }
        }
    }
    roots
}

#[test]
fn no_file_imports_from_a_file_that_imports_it_back() {
    let roots = roots();
    assert!(roots.len() >= 8, "too few crate roots found: {roots:?}");
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let name = |p: &Path| {
        p.strip_prefix(&workspace)
            .unwrap_or(p)
            .display()
            .to_string()
    };
    let mut report = Vec::new();
    let mut files = 0;
    for root in &roots {
        let g = graph(&Disk, root);
        files += g.files.len();
        for problem in &g.problems {
            report.push(format!("the reader could not follow: {problem}"));
        }
        for cycle in cycles(&g) {
            let mut text = format!("files that import each other (from {}):", name(root));
            for import in cycle {
                text += &format!(
                    "\n    {}:{} uses {} (in {})",
                    name(&import.from),
                    import.line,
                    import.path,
                    name(&import.to)
                );
            }
            report.push(text);
        }
    }
    assert!(
        files > 100,
        "the module tree reader found only {files} files"
    );
    assert!(
        report.is_empty(),
        "import cycles: move what both sides need into a module of its own that imports \
         neither.\n{}",
        report.join("\n")
    );
}
