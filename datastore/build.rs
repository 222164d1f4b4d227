//! Writes `OPERATIONS`, the list of `DataStore`'s methods, from the traits themselves: every
//! `async fn` of every `pub trait` in `src/`, with the trait it belongs to. The list is derived,
//! so a new method cannot be left out of it; `src/store.rs` maps each trait to its `Family`
//! (a build error names a trait that is not one).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut files: Vec<_> = std::fs::read_dir("src")
        .expect("the crate's src directory")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for path in files {
        let src = std::fs::read_to_string(&path).expect("a readable source file");
        for (trait_name, method) in methods(&src) {
            writeln!(
                out,
                "    Operation {{ family: Family::of_trait({trait_name:?}), name: {method:?} }},"
            )
            .expect("writing to a string");
        }
    }
    out.push_str("]\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("operations.rs");
    std::fs::write(dest, out).expect("writing the list of operations");
}

/// `(trait, method)` for each `async fn` of each `pub trait` of `src`, in order.
fn methods(src: &str) -> Vec<(String, String)> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in src.lines() {
        let t = line.trim();
        // A domain trait is declared at the top of its file (not inside a module) over several
        // lines; a one-line trait has no methods.
        if let Some(rest) = line.strip_prefix("pub trait ") {
            current = (!rest.contains('}')).then(|| ident(rest));
        } else if line.starts_with('}') {
            current = None;
        } else if let (Some(tr), Some(rest)) = (&current, t.strip_prefix("async fn ")) {
            out.push((tr.clone(), ident(rest)));
        }
    }
    out
}
