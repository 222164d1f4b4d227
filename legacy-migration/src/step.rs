//! The steps of a run, and the row counts it moves.

use std::collections::BTreeMap;

/// The steps of a migration or import, in order. Each is reported when done, and each is a
/// place a test can inject a failure ([`crate::MigrateOptions::fail_at`]).
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

/// Rows moved, by legacy table.
pub type Counts = BTreeMap<String, u64>;
