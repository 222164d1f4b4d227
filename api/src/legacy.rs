//! `migrate-legacy`, `rollback` and `import-legacy`: the console side (step lines, a progress
//! bar on a terminal, the admin key at the end) of `reference_store::legacy`.

use crate::cli::{ImportArgs, MigrateArgs, RollbackArgs};
use api::handlers::streamer::issue_admin_key;
use indicatif::{ProgressBar, ProgressStyle};
use reference_store::legacy::{
    self, Event, ImportOptions, MigrateOptions, Migrated, RollbackOptions,
};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Copies smaller than this get log lines only: a bar would flash by.
const BAR_FROM_ROWS: u64 = 50_000;

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

/// Streamer names the server keeps for its own routes.
fn check_not_reserved(streamer: &str) -> Result<(), String> {
    if api::routes::reserved_names()
        .iter()
        .any(|n| n.eq_ignore_ascii_case(streamer))
    {
        return Err(format!(
            "{streamer:?} is reserved for the server's own routes: choose another --streamer"
        ));
    }
    Ok(())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce(&mut Console) -> Result<T, legacy::LegacyError> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(move || f(&mut Console::default()))
        .await
        .map_err(|e| format!("the command did not complete: {e}"))?
        .map_err(|e| e.to_string())
}

/// Gives the new streamer an admin key and prints it.
async fn print_admin_key(db: &Path, streamer: &str) -> Result<(), String> {
    let (store, _) = api::server::open_store(db)
        .await
        .map_err(|e| e.to_string())?;
    let s = store
        .get_streamer_by_username(streamer)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("streamer {streamer} is missing after the migration"))?;
    let key = issue_admin_key(&*store, s.id)
        .await
        .map_err(|e| e.to_string())?;
    println!("Admin key for {} (shown once, keep it secret):", s.username);
    println!("{key}");
    println!(
        "Overlay API: /{}/api/… ; admin calls send `Authorization: Bearer <key>`.",
        s.username
    );
    Ok(())
}

/// Prints a new admin key for a streamer whose rows have just been committed. The data is in
/// place either way, so a failure here is a warning with the command that issues a key, not a
/// failed run (a rerun would only say the file is already migrated).
async fn issue_key_after_commit(db: &Path, streamer: &str) {
    if let Err(e) = print_admin_key(db, streamer).await {
        eprintln!(
            "warning: the data is committed, but no admin key could be issued ({e}); \
             `kick-overlay --db {} streamer rotate-key {streamer}` issues one",
            db.display()
        );
    }
}

/// `kick-overlay migrate-legacy`.
pub async fn migrate(db: &Path, args: MigrateArgs) -> Result<(), String> {
    check_not_reserved(&args.streamer)?;
    let options = MigrateOptions {
        streamer: args.streamer.clone(),
        display_name: args.display_name,
        dry_run: args.dry_run,
        vacuum: args.vacuum,
        ..MigrateOptions::default()
    };
    let path = db.to_path_buf();
    let outcome =
        blocking(move |c| legacy::migrate_in_place(&path, &options, &mut |e| c.event(e))).await?;
    match outcome {
        Migrated::AlreadyMigrated { record } => {
            println!(
                "{} is already a multi-tenant database: nothing to do{}.",
                db.display(),
                record.map_or_else(String::new, |r| format!(" (last: {r})"))
            );
        }
        Migrated::Done {
            dry_run: true,
            counts,
            elapsed,
            ..
        } => {
            println!(
                "Dry run: {} rows would move to streamer {}; every check passed in {:.2} s. \
                 Nothing was written.",
                counts.values().sum::<u64>(),
                args.streamer,
                elapsed.as_secs_f64()
            );
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
                "Migrated {rows} rows to streamer {} (id {streamer_id}) in {:.2} s ({:.0} rows/s).",
                args.streamer,
                elapsed.as_secs_f64(),
                rows as f64 / elapsed.as_secs_f64().max(1e-9)
            );
            if let Some(backup) = backup {
                println!(
                    "The original is saved at {}; `kick-overlay rollback --db {}` restores it.",
                    backup.display(),
                    db.display()
                );
            }
            issue_key_after_commit(db, &args.streamer).await;
        }
    }
    Ok(())
}

/// `kick-overlay rollback`.
pub async fn rollback(db: &Path, args: RollbackArgs) -> Result<(), String> {
    let options = RollbackOptions {
        backup: args.backup,
        force: args.force,
    };
    let path: PathBuf = db.to_path_buf();
    let done = blocking(move |c| legacy::rollback(&path, &options, &mut |e| c.event(e))).await?;
    println!(
        "Restored {} from {}.",
        db.display(),
        done.restored_from.display()
    );
    match done.written_since {
        Some(0) => {}
        Some(rows) => println!("{rows} rows written since the migration were dropped (forced)."),
        None => println!(
            "The rows written since the migration could not be counted; they were dropped \
             (forced)."
        ),
    }
    if done.discarded_admin_keys > 0 {
        println!(
            "{} admin keys were discarded: the legacy app does not use them.",
            done.discarded_admin_keys
        );
    }
    println!(
        "The multi-tenant file was saved to {} first.",
        done.saved_current.display()
    );
    Ok(())
}

/// `kick-overlay import-legacy`.
pub async fn import(args: ImportArgs) -> Result<(), String> {
    check_not_reserved(&args.streamer)?;
    let options = ImportOptions {
        streamer: args.streamer.clone(),
        display_name: args.display_name,
        ..ImportOptions::default()
    };
    let (into, from) = (args.into.clone(), args.legacy.clone());
    let done =
        blocking(move |c| legacy::import(&into, &from, &options, &mut |e| c.event(e))).await?;
    let rows: u64 = done.counts.values().sum();
    println!(
        "Imported {rows} rows of {} as streamer {} (id {}) in {:.2} s.",
        args.legacy.display(),
        args.streamer,
        done.streamer_id,
        done.elapsed.as_secs_f64()
    );
    for (table, shift) in &done.renumbered {
        println!("{table}: ids collided with existing rows and were shifted by {shift}.");
    }
    issue_key_after_commit(&args.into, &args.streamer).await;
    Ok(())
}
