//! The repository's own rules, checked by its tests: what keeps the codebase one a newcomer
//! can change without fear.
//!
//! * [`imports`]: no file of a crate imports from a file that imports it back, directly or
//!   through others (`tests/imports.rs` checks every crate of the workspace).
//! * [`docs`]: documents link only inside the repository, to files that exist, and speak of
//!   the product, not of "this machine", a session or an issue number (`tests/docs.rs`
//!   checks every document and source file of the repository).
//! * [`predicates`]: the tenant predicates of the SQLite store, keyed by meaning, for the
//!   mutant table (`reference-store/tests/mutant_table.rs`) and `scripts/tenant-mutants`
//!   (through the `tenant-predicates` binary).
//!
//! The library holds the readers the tests use; each is tested on small made-up sources,
//! including ones that break the rule, so a rule that stopped firing would fail too.

#![warn(missing_docs)]

pub mod docs;
pub mod imports;
pub mod predicates;
pub mod source;
