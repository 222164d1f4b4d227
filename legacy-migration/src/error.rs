//! Why a command did not happen.

use crate::step::Step;
use crate::text::count;
use std::path::{Path, PathBuf};

/// Why a migration, import or rollback did not happen. The files it was given are as they were,
/// except after a rollback whose restore went through but failed its final check (the error
/// says so and where the migrated file was saved).
#[derive(Debug, thiserror::Error)]
pub enum LegacyError {
    /// The file does not exist.
    #[error("{0} does not exist")]
    Missing(PathBuf),
    /// The file is not what the command needs (not a legacy file, not a multi-tenant file, …).
    /// The reason reads after the file's name: "data/k.db is a legacy file already".
    #[error("{path} {reason}")]
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The store refuses the file as it stands (a newer schema, another program's file): its own
    /// account, which names the file.
    #[error(transparent)]
    Store(#[from] reference_store::OpenError),
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
        "{} rules of the multi-tenant schema; nothing was changed. Fix {} in the legacy file \
         and run this again:\n  {}",
        count(*.total, "legacy row breaks", "legacy rows break"),
        if *.total == 1 { "it" } else { "them" },
        .rows.join("\n  ")
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
        "{} written since the migration ({detail}); a rollback would lose {}: rerun with \
         --force to roll back anyway",
        count(*.rows, "row was", "rows were"), if *.rows == 1 { "it" } else { "them" }
    )]
    WrittenSince {
        /// Rows added, changed or removed since the migration.
        rows: u64,
        /// Per table.
        detail: String,
    },
    /// A failure injected by a test ([`crate::MigrateOptions::fail_at`]).
    #[error("failure injected at step {0}")]
    Injected(Step),
}

impl LegacyError {
    /// `path` is refused for `reason`, a phrase that follows the path ("is in use by …").
    pub(crate) fn refused(path: &Path, reason: String) -> LegacyError {
        LegacyError::Refused {
            path: path.to_path_buf(),
            reason,
        }
    }

    pub(crate) fn sqlite(step: Step) -> impl Fn(rusqlite::Error) -> LegacyError {
        move |e| LegacyError::Sqlite {
            step,
            message: e.to_string(),
        }
    }
}

/// The reason a file is refused when SQLite cannot read it: "cannot be read: …".
pub(crate) fn unreadable(e: &impl std::fmt::Display) -> String {
    format!("cannot be read: {e}")
}
