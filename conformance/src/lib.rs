//! The conformance suite for [`datastore::DataStore`] backends.
//!
//! One macro turns it on for a backend: give [`datastore_suite!`] an async function that
//! builds a fresh, empty store and it expands into one named `#[test]` per case, each on its
//! own store, so `cargo test` names the case that broke:
//!
//! ```text
//! async fn store(ctx: conformance::StoreContext) -> my_backend::MyStore {
//!     my_backend::MyStore::open(ctx.scratch_dir().join("db"), ctx.clock()).await.unwrap()
//! }
//! conformance::datastore_suite!(store);
//! ```
//!
//! # What it checks
//!
//! * **Behaviour** of every operation ([`cases`], one module per domain): results, ordering,
//!   validation, atomicity, concurrency (no overdraw, no lost update), expiry on the
//!   [`StoreContext::clock`].
//! * **Isolation** ([`cases::isolation`]): the seed cases, the known ways isolation breaks in
//!   practice, and [`sweep`], which calls every operation as one streamer with another's ids
//!   and names and requires that nothing differs from a world where the other streamer never
//!   existed. A test fails when an operation has no sweep entry (`tests/coverage.rs`).
//! * **Equivalence with [`ModelStore`]** ([`props`]): random operation sequences over three
//!   streamers, compared step by step, with the data invariants checked after every step.
//!
//! The suite is itself tested: [`faults`] holds wrappers that each break isolation in one
//! realistic way, and `tests/sensitivity.rs` requires every one of them to be caught.
//!
//! # What it does to the store
//!
//! Each case gets a new store from the factory (with a new scratch directory) and may create,
//! change and delete anything in it; stores are never shared between cases. Time is a
//! [`datastore::ManualClock`] the suite moves by hand. Environment variables tune a run:
//! `CONFORMANCE_PROPTEST_CASES` (sequences, default 32), `CONFORMANCE_PROPTEST_MAX_OPS` (default
//! 40) and `CONFORMANCE_CASE_TIMEOUT_SECS` (watchdog per case, default 300).
#![warn(missing_docs)]

pub mod audit;
pub mod canon;
pub mod cases;
pub mod faults;
pub mod harness;
pub mod held_export;
pub mod model;
pub mod populate;
pub mod props;
pub mod sweep;

pub use harness::{Factory, StoreContext};
pub use model::ModelStore;

/// Expands into one `#[test]` per conformance case, each running on a fresh store built by
/// `$factory`: an `async fn(StoreContext) -> S` (or a closure returning such a future) where
/// `S: DataStore`.
///
/// `datastore_suite!(factory)` puts the tests in the current module;
/// `datastore_suite!(mod name: factory)` puts them in a new module `name` (to run the suite on
/// two backends from one file).
#[macro_export]
macro_rules! datastore_suite {
    (mod $name:ident : $factory:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::__suite_cases! { tests $factory }
        }
    };
    ($factory:expr) => {
        $crate::__suite_cases! { tests $factory }
    };
}
