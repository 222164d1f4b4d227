//! Every statement the store has prepared in this process, for the statement audit (the
//! `wall-tests` feature only): `conformance/tests/postgres_audit.rs` runs the whole suite and
//! then holds each statement to the audit's rules and checks its query plan.

use std::collections::BTreeSet;
use std::sync::Mutex;

static STATEMENTS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Remembers `sql`.
pub(crate) fn record(sql: &str) {
    let mut all = STATEMENTS.lock().unwrap_or_else(|e| e.into_inner());
    if !all.contains(sql) {
        all.insert(sql.to_owned());
    }
}

/// Every distinct statement prepared so far, by any store of this process.
pub fn recorded_statements() -> Vec<String> {
    STATEMENTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .cloned()
        .collect()
}
