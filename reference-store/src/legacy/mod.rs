//! Legacy single-streamer databases: migrating one in place, importing one into a shared
//! database, and rolling a migration back.
//!
//! * [`migrate_in_place`] turns a legacy file into a multi-tenant file whose first streamer
//!   owns every legacy row. It takes the file's exclusive lock (refusing while another program
//!   has it open), scans the legacy rows for any the schema cannot take (refusing, with each row
//!   named, before anything is written), backs the file up (SQLite's online backup, checked),
//!   then in one transaction renames the legacy tables aside, creates the schema, copies every row
//!   under the new streamer's id (keeping ids, values and times; session tokens hashed),
//!   verifies counts, sums, balances, inventories and drop scores against the legacy rows,
//!   drops the legacy tables, checks foreign keys and integrity, records the run in
//!   `migration_audit`, and commits. Any failure rolls back: the original is untouched.
//! * [`import()`] adds a legacy file as a new streamer of an existing multi-tenant file, reading
//!   the legacy file only through a consistent snapshot, with new ids where old ones collide.
//! * [`rollback()`] restores the pre-migration backup, refusing (unless forced) when the migrated
//!   file has been written to since, and backing the current file up first.
//!
//! Nothing here loads a table into memory: rows move in chunks of `INSERT … SELECT`, and the
//! checks are SQL aggregates. Progress and step timings go to an [`Event`] callback.

mod backup;
mod functions;
mod import;
mod lock;
mod migrate;
mod preflight;
mod rollback;
mod run;
mod tables;
mod verify;

pub use backup::{backup_dir, backup_name};
pub use import::{ImportOptions, Imported, import};
pub use migrate::{MigrateOptions, Migrated, migrate_in_place};
pub use rollback::{RollbackOptions, RolledBack, rollback};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// The steps of a migration or import, in order. Each is reported when done, and each is a
/// place a test can inject a failure ([`MigrateOptions::fail_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// Recognise the file (legacy, already migrated, or something else), count its rows, and
    /// scan them for rows the new schema cannot take and values the copy will normalise.
    Inspect,
    /// Take the online backup (in place) or the snapshot (import).
    Backup,
    /// Check the backup: it opens, passes `integrity_check` and holds the same row counts.
    CheckBackup,
    /// Create the multi-tenant schema (in place: after renaming the legacy tables aside).
    Schema,
    /// Create the streamer.
    Streamer,
    /// Copy every legacy table's rows.
    Copy,
    /// Compare counts, sums, balances, ledgers, inventories, drop scores and normalised values.
    Verify,
    /// Fill in what the legacy file lacks (the default config of a missing powerup type).
    Defaults,
    /// Drop the legacy tables (in place only).
    DropLegacy,
    /// `foreign_key_check` and `integrity_check`.
    CheckIntegrity,
    /// Record the run in `migration_audit`.
    Audit,
    /// Commit.
    Commit,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 12] = [
        Step::Inspect,
        Step::Backup,
        Step::CheckBackup,
        Step::Schema,
        Step::Streamer,
        Step::Copy,
        Step::Verify,
        Step::Defaults,
        Step::DropLegacy,
        Step::CheckIntegrity,
        Step::Audit,
        Step::Commit,
    ];

    /// The step's name in logs.
    pub fn name(self) -> &'static str {
        match self {
            Step::Inspect => "inspect",
            Step::Backup => "backup",
            Step::CheckBackup => "check backup",
            Step::Schema => "schema",
            Step::Streamer => "streamer",
            Step::Copy => "copy",
            Step::Verify => "verify",
            Step::Defaults => "defaults",
            Step::DropLegacy => "drop legacy tables",
            Step::CheckIntegrity => "check integrity",
            Step::Audit => "audit",
            Step::Commit => "commit",
        }
    }
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a migration, import or rollback reports as it goes.
#[derive(Debug, Clone)]
pub enum Event {
    /// A step finished: what it did and how long it took.
    Step {
        /// The step.
        step: Step,
        /// What it did, with counts.
        detail: String,
        /// How long it took.
        elapsed: Duration,
    },
    /// Work after the commit (journal mode, compaction): reported, never a failure, since the
    /// migration is committed.
    AfterCommit {
        /// What was done.
        detail: String,
        /// How long it took.
        elapsed: Duration,
    },
    /// The copy is about to move `total_rows` rows.
    CopyStarted {
        /// Rows in every legacy table together.
        total_rows: u64,
    },
    /// `rows` more rows of `table` were copied.
    Copied {
        /// The legacy table.
        table: &'static str,
        /// Rows in this chunk.
        rows: u64,
    },
}

/// Rows moved, by legacy table.
pub type Counts = BTreeMap<String, u64>;

/// Why a migration, import or rollback did not happen. The files it was given are as they were,
/// except after a rollback whose restore went through but failed its final check (the error
/// says so and where the migrated file was saved).
#[derive(Debug, thiserror::Error)]
pub enum LegacyError {
    /// The file does not exist.
    #[error("{0} does not exist")]
    Missing(PathBuf),
    /// The file is not what the command needs (not a legacy file, not a multi-tenant file, …).
    #[error("{path}: {reason}")]
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Another program has the file open; nothing was done.
    #[error(
        "{path} is in use by another program: stop {user} and run this again (nothing was \
         changed)"
    )]
    InUse {
        /// The file.
        path: PathBuf,
        /// What probably has it open.
        user: String,
    },
    /// Rows of the legacy file break rules of the multi-tenant schema; nothing was done.
    #[error(
        "{} legacy rows break rules of the multi-tenant schema; nothing was changed. Fix them \
         in the legacy file and run this again:\n  {}",
        .total, .rows.join("\n  ")
    )]
    BadRows {
        /// How many rows break a rule.
        total: u64,
        /// The first of them: table, id, column, value and the rule.
        rows: Vec<String>,
    },
    /// The streamer name is taken or invalid.
    #[error("{0}")]
    Streamer(String),
    /// SQLite failed during a step.
    #[error("{step} failed: {message}")]
    Sqlite {
        /// The step.
        step: Step,
        /// SQLite's account, with the table where there is one.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's account.
        message: String,
    },
    /// The backup did not pass its checks; nothing was changed.
    #[error("the backup {path} failed its check: {message}")]
    BadBackup {
        /// The backup file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// The copy does not match the legacy rows; everything was rolled back.
    #[error("verification failed, nothing was changed:\n  {}", .0.join("\n  "))]
    Mismatch(Vec<String>),
    /// The migrated file was written to since the migration; rolling back would lose that.
    #[error(
        "{rows} rows were written since the migration ({detail}); a rollback would lose them: \
         rerun with --force to roll back anyway"
    )]
    WrittenSince {
        /// Rows added, changed or removed since the migration.
        rows: u64,
        /// Per table.
        detail: String,
    },
    /// A failure injected by a test ([`MigrateOptions::fail_at`]).
    #[error("failure injected at step {0}")]
    Injected(Step),
}

impl LegacyError {
    fn sqlite(step: Step) -> impl Fn(rusqlite::Error) -> LegacyError {
        move |e| LegacyError::Sqlite {
            step,
            message: e.to_string(),
        }
    }
}

/// The current time in Unix milliseconds.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
