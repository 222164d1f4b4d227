//! `migrate-legacy`: a legacy file becomes a multi-tenant file in place.
//!
//! The run, step by step: a read-only look ([`look`]) refuses a foreign file and reports a
//! migrated one without taking any lock; then, holding the file's exclusive lock to the end,
//! [`inspect`] counts and scans the rows, [`back_up`] takes and checks the backup, and one
//! exclusive transaction renames the legacy tables aside and creates the schema
//! ([`rename_aside`]), creates the streamer, copies, verifies and fills in defaults
//! ([`copy_verify_fill`]), drops the legacy tables ([`drop_legacy`]), checks integrity and
//! records the run ([`check_and_record`]), and commits ([`commit`]). After the commit,
//! [`after_commit`] switches the journal to WAL and compacts the file on request.

use crate::audit::{Audit, check_and_record};
use crate::backup::{backup_dir, backup_from, backup_name, check_backup, display_time};
use crate::clock::now_ms;
use crate::detect::{Kind, count_rows, detect, extra_columns, extra_columns_reason};
use crate::error::{LegacyError, unreadable};
use crate::files::open_for_reading;
use crate::functions;
use crate::lock::{checkpoint_on_close, open_exclusive};
use crate::own_objects::{
    names_the_schema_takes, other_objects, triggers_on_legacy_tables, user_foreign_keys,
};
use crate::plan::Plan;
use crate::preflight::{self, Findings};
use crate::progress::{Event, Steps};
use crate::step::{Counts, Step};
use crate::streamer::{create_streamer, validate_names};
use crate::tables::TABLES;
use crate::text::count;
use crate::transfer::{Tamper, copy_verify_fill};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where legacy tables wait, renamed, while their rows are copied.
const ASIDE: &str = "legacy_";

/// What probably has a legacy file open.
const LEGACY_USER: &str = "the legacy KickOverlay server (or any other program using the file)";

/// Options of [`migrate_in_place`].
#[derive(Debug, Clone)]
pub struct MigrateOptions {
    /// The streamer that gets the legacy data (`codingbutter` by default).
    pub streamer: String,
    /// Its display name (the username when `None`).
    pub display_name: Option<String>,
    /// Do everything, verification included, then roll back: no backup, nothing written.
    pub dry_run: bool,
    /// The run's start in Unix milliseconds (the clock when `None`): the streamer's creation
    /// time, the time of NULL legacy times, and the instant before which sessions, codes and
    /// cooldowns have expired.
    pub now_ms: Option<i64>,
    /// After committing, `VACUUM` the file to give back the space the legacy tables held
    /// (the file is about twice its legacy size without it; compacting rewrites it whole).
    pub vacuum: bool,
    /// Copy the way runs recorded before schema version 6 did: expired sessions, codes and
    /// cooldowns too, and the theme and layout documents as settings only. A rollback migrates
    /// the backup of such a run again this way, to compare like with like.
    pub earlier_copy: bool,
    /// Test hook: fail at this step, as a crash or an SQLite error there would.
    pub fail_at: Option<Step>,
    /// Test hook: runs inside the transaction right after the copy, before verifying it (a
    /// test damages the copy to prove that verify catches it).
    pub tamper: Option<fn(&Connection) -> rusqlite::Result<()>>,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        MigrateOptions {
            streamer: "codingbutter".into(),
            display_name: None,
            dry_run: false,
            now_ms: None,
            vacuum: false,
            earlier_copy: false,
            fail_at: None,
            tamper: None,
        }
    }
}

/// What [`migrate_in_place`] did.
#[derive(Debug, Clone)]
pub enum Migrated {
    /// The file was migrated (or, with `dry_run`, would have been).
    Done {
        /// The new streamer's id.
        streamer_id: i64,
        /// The backup taken first (`None` on a dry run).
        backup: Option<PathBuf>,
        /// Rows moved, by legacy table.
        counts: Counts,
        /// Whether it was a dry run (everything rolled back).
        dry_run: bool,
        /// How long it took.
        elapsed: Duration,
    },
    /// The file is already a multi-tenant file: nothing was done.
    AlreadyMigrated {
        /// Its last migration record, if it has one: when and from which file.
        record: Option<String>,
    },
}

/// Migrates the legacy database at `db` in place (the [crate] documentation tells the steps).
/// A file that is already multi-tenant is left alone ([`Migrated::AlreadyMigrated`]); any
/// other file that is not a legacy KickOverlay database is refused untouched.
pub fn migrate_in_place(
    db: &Path,
    options: &MigrateOptions,
    emit: &mut dyn FnMut(Event),
) -> Result<Migrated, LegacyError> {
    migrate_file(db, options, !options.dry_run, emit)
}

/// One run's fixed inputs.
struct Run<'a> {
    db: &'a Path,
    streamer: &'a str,
    display_name: &'a str,
    now: i64,
    expire_before: i64,
    documents: bool,
    take_backup: bool,
    dry_run: bool,
    tamper: Option<Tamper>,
}

/// [`migrate_in_place`], with or without a backup (a rollback re-migrates a scratch copy of a
/// backup, which needs none).
pub(crate) fn migrate_file(
    db: &Path,
    options: &MigrateOptions,
    take_backup: bool,
    emit: &mut dyn FnMut(Event),
) -> Result<Migrated, LegacyError> {
    let started = Instant::now();
    let display_name = options
        .display_name
        .clone()
        .unwrap_or_else(|| options.streamer.clone());
    validate_names(&options.streamer, &display_name)?;
    if !db.exists() {
        return Err(LegacyError::Missing(db.to_path_buf()));
    }
    if let Some(migrated) = look(db)? {
        return Ok(migrated);
    }
    let mut conn = lock(db)?;
    let now = options.now_ms.unwrap_or_else(now_ms);
    let run = Run {
        db,
        streamer: &options.streamer,
        display_name: &display_name,
        now,
        expire_before: if options.earlier_copy { i64::MIN } else { now },
        documents: !options.earlier_copy,
        take_backup,
        dry_run: options.dry_run,
        tamper: options.tamper,
    };
    let mut steps = Steps::new(options.fail_at, emit);
    let mut backup = BackupGuard(None);
    let Some((streamer_id, counts)) = migrate_locked(&mut conn, &run, &mut backup, &mut steps)?
    else {
        return Ok(Migrated::AlreadyMigrated {
            record: last_record(&conn),
        });
    };
    let backup = backup.keep();
    if !options.dry_run {
        let t = Instant::now();
        let detail = after_commit(&conn, options.vacuum);
        steps.emit(Event::AfterCommit {
            detail,
            elapsed: t.elapsed(),
        });
    }
    Ok(Migrated::Done {
        streamer_id,
        backup,
        counts,
        dry_run: options.dry_run,
        elapsed: started.elapsed(),
    })
}

/// A read-only look before any lock: a migrated file (even one the server has open) is
/// reported as such, and a foreign file, or a legacy one with columns of its own, refused.
/// `None` when the file is a legacy file to migrate.
fn look(db: &Path) -> Result<Option<Migrated>, LegacyError> {
    let conn = open_for_reading(db).map_err(|e| LegacyError::refused(db, unreadable(&e)))?;
    match detect(&conn, "main").map_err(|e| LegacyError::refused(db, unreadable(&e)))? {
        Kind::Legacy { .. } => {
            let extra = extra_columns(&conn, "main")
                .map_err(|e| LegacyError::refused(db, unreadable(&e)))?;
            if !extra.is_empty() {
                return Err(LegacyError::refused(db, extra_columns_reason(&extra)));
            }
            Ok(None)
        }
        Kind::MultiTenant => Ok(Some(Migrated::AlreadyMigrated {
            record: last_record(&conn),
        })),
        Kind::Other(reason) => Err(LegacyError::refused(db, reason)),
    }
}

/// Takes the file's exclusive lock (refused while another program has it open) and sets the
/// connection up for the migration.
fn lock(db: &Path) -> Result<Connection, LegacyError> {
    let conn = open_exclusive(db, LEGACY_USER)?;
    let setup = |conn: &Connection| -> rusqlite::Result<()> {
        // Rows are checked by foreign_key_check before commit; with enforcement off, the
        // legacy tables can be renamed and dropped whatever references them.
        conn.pragma_update(None, "foreign_keys", false)?;
        // Renaming a legacy table must not rewrite other tables' references or views to
        // follow it: once the new table of the same name exists, they name that one.
        conn.pragma_update(None, "legacy_alter_table", true)?;
        conn.pragma_update(None, "cache_size", -32_768)?;
        functions::register(conn)
    };
    setup(&conn).map_err(|e| LegacyError::refused(db, unreadable(&e)))?;
    Ok(conn)
}

/// A backup taken by a run that has not committed: removed if the run fails (the original is
/// untouched, so it is not needed), kept once the run commits.
struct BackupGuard(Option<PathBuf>);

impl BackupGuard {
    fn keep(mut self) -> Option<PathBuf> {
        self.0.take()
    }
}

impl Drop for BackupGuard {
    fn drop(&mut self) {
        if let Some(path) = self.0.take()
            && let Err(e) = std::fs::remove_file(&path)
        {
            tracing::warn!(path = %path.display(), error = %e, "could not remove the backup of a failed run");
        }
    }
}

/// The run proper, on the locked connection: every step from Inspect to Commit. `None` when
/// the file turned out to be migrated already.
fn migrate_locked(
    conn: &mut Connection,
    run: &Run<'_>,
    backup: &mut BackupGuard,
    steps: &mut Steps<'_>,
) -> Result<Option<(i64, Counts)>, LegacyError> {
    // The exclusive lock is already held, so the file cannot change from here on; the backup
    // is read outside the write transaction (SQLite's backup cannot read a source that is
    // inside one).
    let ledger =
        match detect(conn, "main").map_err(|e| LegacyError::refused(run.db, unreadable(&e)))? {
            Kind::Legacy { ledger } => ledger,
            Kind::MultiTenant => return Ok(None),
            Kind::Other(reason) => return Err(LegacyError::refused(run.db, reason)),
        };
    let (counts, findings) = steps.run(Step::Inspect, |_| inspect(conn, run, ledger))?;
    if run.take_backup {
        back_up(conn, run, &counts, backup, steps)?;
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .map_err(|e| LegacyError::refused(run.db, unreadable(&e)))?;
    let present: Vec<&str> = TABLES
        .iter()
        .filter(|t| ledger || !t.optional)
        .map(|t| t.legacy)
        .collect();
    steps.run(Step::Schema, |_| rename_aside(&tx, &present))?;
    let streamer_id = steps.run(Step::Streamer, |_| {
        let id = create_streamer(&tx, run.streamer, run.display_name, run.now)
            .map_err(LegacyError::sqlite(Step::Streamer))?;
        Ok((id, format!("streamer {} has id {id}", run.streamer)))
    })?;
    let plan = Plan {
        src: ASIDE,
        streamer_id,
        now: run.now,
        expire_before: run.expire_before,
        documents: run.documents,
        ledger,
        offsets: Default::default(),
        normalised: findings.normalised_counts(),
        expired: findings.expired.clone(),
    };
    let copied = copy_verify_fill(&tx, &plan, counts.values().sum(), run.tamper, steps)?;
    steps.run(Step::DropLegacy, |_| drop_legacy(&tx, &present))?;
    let audit = Audit {
        kind: "migrate-legacy",
        username: run.streamer,
        display_name: run.display_name,
        source: run.db,
        backup: backup.0.as_deref(),
        counts: &copied,
    };
    check_and_record(&tx, &plan, &audit, steps)?;
    steps.run(Step::Commit, |_| commit(tx, run.dry_run))?;
    Ok(Some((streamer_id, copied)))
}

/// The Inspect step: row counts, the pre-flight scan (refusing rows the schema cannot take),
/// and what else the file holds.
fn inspect(
    conn: &Connection,
    run: &Run<'_>,
    ledger: bool,
) -> Result<((Counts, Findings), String), LegacyError> {
    let db = run.db;
    let failed = LegacyError::sqlite(Step::Inspect);
    let counts: Counts = count_rows(conn, "main.", ledger)
        .map_err(&failed)?
        .into_iter()
        .map(|(t, n)| (t.to_owned(), n))
        .collect();
    let mut findings = preflight::scan(conn, "main.", ledger, run.expire_before, run.documents)
        .map_err(&failed)?;
    let keys = user_foreign_keys(conn).map_err(&failed)?;
    if !keys.lost_parents.is_empty() {
        return Err(LegacyError::refused(
            db,
            format!(
                "has tables of its own with foreign keys to tables the multi-tenant schema does \
                 not have: {}. Change or drop those keys in the legacy file, then run this again",
                keys.lost_parents.join("; ")
            ),
        ));
    }
    findings.bad_total += keys.orphans_total;
    findings.bad.extend(keys.orphans);
    if findings.bad_total > 0 {
        return Err(LegacyError::BadRows {
            total: findings.bad_total,
            rows: findings.bad,
        });
    }
    let doomed = triggers_on_legacy_tables(conn).map_err(&failed)?;
    if !doomed.is_empty() {
        return Err(LegacyError::refused(
            db,
            format!(
                "has triggers of its own on legacy tables, which the migration would drop with \
                 those tables: {}. Drop them in the legacy file (and recreate them on the new \
                 tables afterwards), then run this again",
                doomed.join(", ")
            ),
        ));
    }
    let clashes = names_the_schema_takes(conn).map_err(&failed)?;
    if !clashes.is_empty() {
        return Err(LegacyError::refused(
            db,
            format!(
                "has objects of its own named like tables or indexes the multi-tenant schema \
                 creates, which could not be created beside them: {}. Rename them in the legacy \
                 file (and what refers to them), then run this again",
                clashes.join(", ")
            ),
        ));
    }
    let rows: u64 = counts.values().sum();
    let others = other_objects(conn).map_err(&failed)?;
    let mut detail = format!(
        "legacy file {}, {} tables, {}{}; {}",
        db.display(),
        counts.len(),
        count(rows, "row", "rows"),
        if ledger { "" } else { " (no ledger table)" },
        findings.summary()
    );
    if !others.is_empty() {
        detail += &format!(
            "; kept as they are: {} (what they reference by a legacy table's name will be the \
             new table of that name; checked before the commit)",
            others.join(", ")
        );
    }
    Ok(((counts, findings), detail))
}

/// The Backup and CheckBackup steps: SQLite's online backup of the locked file into
/// `backups/`, then the check that it opens, passes `integrity_check` and holds the same
/// counts. The guard deletes it should the run fail later.
fn back_up(
    conn: &Connection,
    run: &Run<'_>,
    counts: &Counts,
    backup: &mut BackupGuard,
    steps: &mut Steps<'_>,
) -> Result<(), LegacyError> {
    let path = backup_dir(run.db).join(backup_name(run.db, run.now, "pre-migration"));
    steps.run(Step::Backup, |_| {
        backup_from(conn, &path)?;
        Ok(((), format!("online backup to {}", path.display())))
    })?;
    backup.0 = Some(path.clone());
    steps.run(Step::CheckBackup, |_| {
        check_backup(&path, Some(counts))?;
        Ok((
            (),
            "backup opens, integrity_check ok, row counts equal".into(),
        ))
    })
}

/// The Schema step: the legacy tables renamed aside, then the multi-tenant schema created.
fn rename_aside(tx: &Transaction<'_>, present: &[&str]) -> Result<((), String), LegacyError> {
    for table in present {
        tx.execute_batch(&format!(
            "ALTER TABLE main.\"{table}\" RENAME TO \"{ASIDE}{table}\""
        ))
        .map_err(LegacyError::sqlite(Step::Schema))?;
    }
    reference_store::migrations::create_all(tx).map_err(LegacyError::sqlite(Step::Schema))?;
    Ok((
        (),
        format!(
            "legacy tables renamed aside, schema version {} created",
            reference_store::migrations::LATEST
        ),
    ))
}

/// The DropLegacy step: the legacy tables, copied and verified, dropped.
fn drop_legacy(tx: &Transaction<'_>, present: &[&str]) -> Result<((), String), LegacyError> {
    for table in present {
        tx.execute_batch(&format!("DROP TABLE main.\"{ASIDE}{table}\""))
            .map_err(LegacyError::sqlite(Step::DropLegacy))?;
    }
    Ok(((), format!("{} legacy tables dropped", present.len())))
}

/// The Commit step, or on a dry run the rollback of everything.
fn commit(tx: Transaction<'_>, dry_run: bool) -> Result<((), String), LegacyError> {
    if dry_run {
        tx.rollback().map_err(LegacyError::sqlite(Step::Commit))?;
        Ok((
            (),
            "dry run: everything rolled back, nothing written".into(),
        ))
    } else {
        tx.commit().map_err(LegacyError::sqlite(Step::Commit))?;
        Ok(((), "committed".into()))
    }
}

/// After the commit, still holding the lock: the store runs in WAL mode (a legacy file may not
/// have been), the WAL is folded in on close, and with `vacuum` the space the legacy tables
/// held is given back. Failures here are reported, not fatal: the migration is committed.
fn after_commit(conn: &Connection, vacuum: bool) -> String {
    let mut done = Vec::new();
    if vacuum {
        let size = |conn: &Connection| -> rusqlite::Result<i64> {
            conn.query_row(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                [],
                |r| r.get(0),
            )
        };
        let before = size(conn).unwrap_or(0);
        match conn.execute_batch("VACUUM").and_then(|()| size(conn)) {
            Ok(after) => done.push(format!(
                "compacted from {:.1} MB to {:.1} MB",
                before as f64 / 1e6,
                after as f64 / 1e6
            )),
            Err(e) => done.push(format!(
                "VACUUM failed ({e}); the file keeps its free pages"
            )),
        }
    }
    match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
        Ok(mode) if mode.eq_ignore_ascii_case("wal") => done.push("journal in WAL mode".into()),
        Ok(mode) => done.push(format!(
            "journal left in {mode} mode (the server switches it to WAL when it opens the file)"
        )),
        Err(e) => done.push(format!(
            "could not switch the journal to WAL ({e}); the server does when it opens the file"
        )),
    }
    if let Err(e) = checkpoint_on_close(conn) {
        done.push(format!("the WAL is left beside the file ({e})"));
    }
    done.join("; ")
}

/// "migrated at … from …" for the newest audit row, if any.
fn last_record(conn: &Connection) -> Option<String> {
    conn.query_row(
        "SELECT kind, username, started_at, source_path FROM migration_audit \
         ORDER BY id DESC LIMIT 1",
        [],
        |r| {
            let at: i64 = r.get(2)?;
            Ok(format!(
                "{} of {} into streamer {} at {}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(1)?,
                display_time(at)
            ))
        },
    )
    .ok()
}
