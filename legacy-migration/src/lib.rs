//! Legacy single-streamer KickOverlay databases moved into the multi-tenant schema: migrating
//! one in place, importing one into a shared database, and rolling a migration back. The
//! `kick-overlay` binary's `migrate-legacy`, `import-legacy` and `rollback` commands are
//! [`console`] over these functions.
//!
//! * [`migrate_in_place`] turns a legacy file into a multi-tenant file whose first streamer
//!   owns every legacy row. It takes the file's exclusive lock (refusing while another program
//!   has it open), scans the legacy rows for any the schema cannot take (refusing, with each row
//!   named, before anything is written), backs the file up (SQLite's online backup, checked),
//!   then in one transaction renames the legacy tables aside, creates the schema, copies every
//!   row under the new streamer's id (keeping ids, values and times; session tokens hashed; the
//!   theme and layout documents into the streamer's theme and default layout; expired sessions,
//!   codes and cooldowns left behind), verifies the copy against the legacy rows, drops the
//!   legacy tables, checks foreign keys and integrity, records the run in `migration_audit`, and
//!   commits. Any failure rolls back: the original is untouched.
//! * [`import()`] adds a legacy file as a new streamer of an existing multi-tenant file, reading
//!   the legacy file only through a consistent snapshot, with new ids where old ones collide.
//! * [`rollback()`] restores the pre-migration backup, refusing (unless forced) when the migrated
//!   file has been written to since, and backing the current file up first. Admin and overlay
//!   keys issued since are not data the legacy file could hold: they are discarded and reported,
//!   and the event log every overlay-visible write appends to is not counted again beside it.
//!
//! What is refused and what is carried: a value the legacy app accepted by design (a username
//! of any length, an empty tip, a goal of 0) is carried; a value that breaks what the legacy
//! app meant to keep (an overdrawn balance, an unknown ledger source, an unreadable time, a row
//! whose viewer is gone) is refused with the row named. The repository's
//! `docs/migrating-a-legacy-install.md` lists every rule.
//!
//! Nothing here loads a table into memory: rows move in chunks of `INSERT … SELECT`, and the
//! checks are SQL aggregates. Progress and step timings go to an [`Event`] callback. Files are
//! read and written so that no `-wal` or `-shm` file is left beside them that was not there.
//!
//! The crate reaches the schema through a small public surface of `reference-store`
//! (`migrations`, `insert_powerup_config`, `BUSY_TIMEOUT`) and never through the store's
//! operations: it works on files no server has open.

#![warn(missing_docs)]

mod audit;
mod backup;
mod clock;
pub mod console;
mod copy;
mod defaults;
mod detect;
mod documents;
mod error;
mod files;
mod functions;
mod import;
mod integrity;
mod lock;
mod migrate;
mod own_objects;
mod plan;
mod preflight;
mod progress;
mod rollback;
mod rules;
mod sql;
mod step;
mod streamer;
mod tables;
mod text;
mod transfer;
mod verify;
mod writes;

pub use backup::{backup_dir, backup_name};
pub use error::LegacyError;
pub use import::{ImportOptions, Imported, import};
pub use migrate::{MigrateOptions, Migrated, migrate_in_place};
pub use progress::Event;
pub use rollback::{RollbackOptions, RolledBack, rollback};
pub use step::{Counts, Step};
