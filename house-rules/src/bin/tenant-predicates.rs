//! `tenant-predicates`: prints the tenant predicates of a directory of Rust sources, one per
//! line, tab-separated: file, line, column, item, predicate, ordinal, equivalent-mutant reason.
//! `scripts/tenant-mutants` reads it, so the script and the mutant table's test key mutants the
//! same way.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// Prints the tenant predicates of the `.rs` files of a directory (not its subdirectories).
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The directory, e.g. reference-store/src.
    dir: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&args.dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect(),
        Err(e) => {
            eprintln!("error: {}: {e}", args.dir.display());
            return ExitCode::FAILURE;
        }
    };
    files.sort();
    for path in files {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        };
        for p in house_rules::predicates::in_source(&path.display().to_string(), &text) {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                p.file,
                p.line,
                p.column,
                p.function,
                p.text,
                p.ordinal,
                p.equivalent.unwrap_or_default()
            );
        }
    }
    ExitCode::SUCCESS
}
