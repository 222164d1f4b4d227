//! The last steps before the commit, the same for a migration and an import: SQLite's
//! integrity and foreign-key checks, then the run's row in `migration_audit`.

use crate::error::LegacyError;
use crate::plan::Plan;
use crate::progress::Steps;
use crate::step::{Counts, Step};
use rusqlite::Transaction;

/// The audit row of a committed run.
pub(crate) struct Audit<'a> {
    pub kind: &'static str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub source: &'a std::path::Path,
    pub backup: Option<&'a std::path::Path>,
    pub counts: &'a Counts,
}

/// The last steps before the commit, the same for a migration and an import: SQLite's
/// integrity and foreign-key checks, then the audit row.
pub(crate) fn check_and_record(
    tx: &Transaction<'_>,
    plan: &Plan<'_>,
    audit: &Audit<'_>,
    steps: &mut Steps<'_>,
) -> Result<(), LegacyError> {
    steps.run(Step::CheckIntegrity, |_| {
        Ok(((), crate::integrity::check(tx, plan)?))
    })?;
    steps.run(Step::Audit, |_| record(tx, plan, audit))
}

/// Records the run in `migration_audit`.
fn record(
    tx: &Transaction<'_>,
    plan: &Plan<'_>,
    audit: &Audit<'_>,
) -> Result<((), String), LegacyError> {
    let json = |value: &Counts| {
        serde_json::to_string(value).map_err(|e| LegacyError::Sqlite {
            step: Step::Audit,
            message: e.to_string(),
        })
    };
    let counts = json(audit.counts)?;
    let normalised = json(&plan.normalised)?;
    // A run made the way of the release before schema 6 records itself the way that release
    // did (no count), so that its own rollback compares like with like.
    let expired = if plan.documents {
        Some(json(&plan.expired)?)
    } else {
        None
    };
    tx.execute(
        "INSERT INTO migration_audit (streamer_id, kind, username, display_name, started_at, \
         finished_at, source_path, backup_path, counts, program, normalised, expired) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        rusqlite::params![
            plan.streamer_id,
            audit.kind,
            audit.username,
            audit.display_name,
            plan.now,
            crate::clock::now_ms(),
            absolute(audit.source),
            audit.backup.map(absolute),
            counts,
            concat!("kick-overlay ", env!("CARGO_PKG_VERSION")),
            normalised,
            expired,
        ],
    )
    .map_err(LegacyError::sqlite(Step::Audit))?;
    Ok(((), "recorded in migration_audit".into()))
}

/// `path` made absolute (against the working directory) for the audit row, so it still names
/// the file when read from elsewhere.
fn absolute(path: &std::path::Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}
