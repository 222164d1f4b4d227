//! The commands' console side: their command-line arguments (`clap`), a line per step, a
//! progress bar over a long copy on a terminal, and the summary a person reads at the end.
//!
//! A binary adds the three commands by embedding [`MigrateArgs`], [`RollbackArgs`] and
//! [`ImportArgs`] in its own `clap` command and calling [`migrate`], [`rollback`] and
//! [`import`]. What only the server knows (which streamer names its routes reserve, how an
//! admin key is made) stays with the binary: [`migrate`] and [`import`] answer the streamer
//! that now needs a key.

use crate::error::LegacyError;
use crate::progress::Event;
pub use crate::text::count;
use crate::{ImportOptions, MigrateOptions, Migrated, RollbackOptions};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Copies smaller than this get log lines only: a bar would flash by.
const BAR_FROM_ROWS: u64 = 50_000;

/// `migrate-legacy`: turn a legacy file into a multi-tenant one, in place.
#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// The legacy KickOverlay database to migrate in place (it is backed up first).
    #[arg(long, env = "KICKOVERLAY_DB", default_value = "data/kick-overlay.db")]
    pub db: PathBuf,
    /// The streamer that gets the legacy data: the channel's username, the first segment of its
    /// URLs.
    #[arg(long)]
    pub streamer: String,
    /// Its display name (the streamer's username if not given).
    #[arg(long)]
    pub display_name: Option<String>,
    /// Run every step and check, then roll back: no backup, nothing written.
    #[arg(long)]
    pub dry_run: bool,
    /// After the migration, compact the file (VACUUM): without it, the space the legacy tables
    /// held stays in the file as free pages, about doubling its size.
    #[arg(long, conflicts_with = "dry_run")]
    pub vacuum: bool,
}

/// `rollback`: restore the legacy file a migration started from.
#[derive(Debug, Clone, Args)]
pub struct RollbackArgs {
    /// The migrated database to restore to its legacy self.
    #[arg(long, env = "KICKOVERLAY_DB", default_value = "data/kick-overlay.db")]
    pub db: PathBuf,
    /// The backup to restore (default: the one the migration recorded in migration_audit, or
    /// the newest pre-migration backup in backups/ beside the database).
    #[arg(long)]
    pub backup: Option<PathBuf>,
    /// Roll back even though the migrated database was written to since (those writes are
    /// lost; the current file is still saved to backups/ first), or from a backup whose row
    /// counts are not the ones the migration moved.
    #[arg(long)]
    pub force: bool,
}

/// `import-legacy`: add a legacy file as a new streamer of a multi-tenant database.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The multi-tenant database that gets the new streamer (it must exist).
    #[arg(long, env = "KICKOVERLAY_DB", default_value = "data/kick-overlay.db")]
    pub db: PathBuf,
    /// The new streamer's username.
    #[arg(long)]
    pub streamer: String,
    /// Its display name (the username if not given).
    #[arg(long)]
    pub display_name: Option<String>,
    /// The legacy database file (only read).
    pub legacy: PathBuf,
}

/// Prints each step; draws a bar over the copy when stderr is a terminal and the file is large.
#[derive(Default)]
struct Console {
    bar: Option<ProgressBar>,
}

impl Console {
    fn line(&self, text: String) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Step {
                step,
                detail,
                elapsed,
            } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                self.line(format!(
                    "[{:>8.3} s] {step}: {detail}",
                    elapsed.as_secs_f64()
                ));
            }
            Event::AfterCommit { detail, elapsed } => {
                self.line(format!(
                    "[{:>8.3} s] after commit: {detail}",
                    elapsed.as_secs_f64()
                ));
            }
            Event::CopyStarted { total_rows } => {
                if total_rows >= BAR_FROM_ROWS && std::io::stderr().is_terminal() {
                    let bar = ProgressBar::new(total_rows);
                    if let Ok(style) = ProgressStyle::with_template(
                        "{msg:>20} [{bar:40}] {pos}/{len} rows ({per_sec}, {eta} left)",
                    ) {
                        bar.set_style(style.progress_chars("=> "));
                    }
                    self.bar = Some(bar);
                }
            }
            Event::Copied { table, rows } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(table);
                    bar.inc(rows);
                }
            }
        }
    }
}

/// Runs `migrate-legacy` and prints what it did. Answers the streamer's username when the
/// data is committed and the streamer needs an admin key (not on a dry run, nor when the file
/// was migrated already). Blocking.
pub fn migrate(args: &MigrateArgs) -> Result<Option<String>, LegacyError> {
    let options = MigrateOptions {
        streamer: args.streamer.clone(),
        display_name: args.display_name.clone(),
        dry_run: args.dry_run,
        vacuum: args.vacuum,
        ..MigrateOptions::default()
    };
    let mut console = Console::default();
    let outcome = crate::migrate_in_place(&args.db, &options, &mut |e| console.event(e))?;
    let db = args.db.display();
    match outcome {
        Migrated::AlreadyMigrated { record } => {
            println!(
                "{db} is already a multi-tenant database: nothing to do, and no streamer {} was \
                 made{}.",
                args.streamer,
                record.map_or_else(String::new, |r| format!(" (last: {r})"))
            );
            Ok(None)
        }
        Migrated::Done {
            dry_run: true,
            counts,
            elapsed,
            ..
        } => {
            println!(
                "Dry run: {} would move to streamer {}; every check passed in {:.2} s. \
                 Nothing was written.",
                count(counts.values().sum(), "row", "rows"),
                args.streamer,
                elapsed.as_secs_f64()
            );
            Ok(None)
        }
        Migrated::Done {
            streamer_id,
            backup,
            counts,
            elapsed,
            ..
        } => {
            let rows: u64 = counts.values().sum();
            println!(
                "Migrated {} to streamer {} (id {streamer_id}) in {:.2} s ({:.0} rows/s).",
                count(rows, "row", "rows"),
                args.streamer,
                elapsed.as_secs_f64(),
                rows as f64 / elapsed.as_secs_f64().max(1e-9)
            );
            if let Some(backup) = backup {
                println!(
                    "The original is saved at {}; `kick-overlay rollback --db {db}` restores it.",
                    backup.display(),
                );
            }
            Ok(Some(args.streamer.clone()))
        }
    }
}

/// Runs `rollback` and prints what it did. Blocking.
pub fn rollback(args: &RollbackArgs) -> Result<(), LegacyError> {
    let options = RollbackOptions {
        backup: args.backup.clone(),
        force: args.force,
    };
    let mut console = Console::default();
    let done = crate::rollback(&args.db, &options, &mut |e| console.event(e))?;
    println!(
        "Restored {} from {}.",
        args.db.display(),
        done.restored_from.display()
    );
    match done.written_since {
        Some(0) => {}
        Some(rows) => println!(
            "{} written since the migration {} dropped (forced).",
            count(rows, "row", "rows"),
            if rows == 1 { "was" } else { "were" }
        ),
        None => println!(
            "The rows written since the migration could not be counted; they were dropped \
             (forced)."
        ),
    }
    if done.discarded_admin_keys > 0 {
        println!(
            "{} discarded: the legacy app has no admin keys.",
            count(
                done.discarded_admin_keys,
                "admin key was",
                "admin keys were"
            )
        );
    }
    if done.discarded_overlay_keys > 0 {
        println!(
            "{} discarded: the legacy app has no overlay keys.",
            count(
                done.discarded_overlay_keys,
                "overlay key was",
                "overlay keys were"
            )
        );
    }
    println!(
        "The multi-tenant file was saved to {} first.",
        done.saved_current.display()
    );
    Ok(())
}

/// Runs `import-legacy` and prints what it did. Answers the new streamer's username: it needs
/// an admin key. Blocking.
pub fn import(args: &ImportArgs) -> Result<String, LegacyError> {
    let options = ImportOptions {
        streamer: args.streamer.clone(),
        display_name: args.display_name.clone(),
        ..ImportOptions::default()
    };
    let mut console = Console::default();
    let done = crate::import(&args.db, &args.legacy, &options, &mut |e| console.event(e))?;
    println!(
        "Imported {} of {} as streamer {} (id {}) in {:.2} s.",
        count(done.counts.values().sum(), "row", "rows"),
        args.legacy.display(),
        args.streamer,
        done.streamer_id,
        done.elapsed.as_secs_f64()
    );
    for (table, shift) in &done.renumbered {
        println!("{table}: ids collided with existing rows and were shifted by {shift}.");
    }
    Ok(args.streamer.clone())
}
