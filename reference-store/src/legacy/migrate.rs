//! `migrate-legacy`: a legacy file becomes a multi-tenant file in place.

use super::backup::{backup_dir, backup_from, backup_name, check_backup, open_read_only};
use super::lock::{checkpoint_on_close, open_exclusive};
use super::preflight::{self, Findings};
use super::run::{Audit, Plan, check_and_record, copy_all, create_streamer, step};
use super::tables::{Kind, TABLES, count_rows, detect, extra_columns, extra_columns_reason};
use super::{Counts, Event, LegacyError, Step, functions, now_ms, verify};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where legacy tables wait, renamed, while their rows are copied.
const ASIDE: &str = "legacy_";

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
    /// time and the time of NULL legacy times.
    pub now_ms: Option<i64>,
    /// After committing, `VACUUM` the file to give back the space the legacy tables held
    /// (the file is about twice its legacy size without it; compacting rewrites it whole).
    pub vacuum: bool,
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

/// Migrates the legacy database at `db` in place (see the [module](super) documentation).
/// A file that is already multi-tenant is left alone ([`Migrated::AlreadyMigrated`]); any
/// other file that is not a legacy KickOverlay database is refused untouched.
pub fn migrate_in_place(
    db: &Path,
    options: &MigrateOptions,
    emit: &mut dyn FnMut(Event),
) -> Result<Migrated, LegacyError> {
    migrate_file(db, options, !options.dry_run, emit)
}

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
    // A read-only look first: a migrated file the server has open is reported as migrated,
    // and a foreign file is refused, without asking for any lock.
    {
        let conn = open_read_only(db).map_err(|e| refused(db, e.to_string()))?;
        match detect(&conn, "main").map_err(|e| refused(db, e.to_string()))? {
            Kind::Legacy { .. } => {
                let extra = extra_columns(&conn, "main").map_err(|e| refused(db, e.to_string()))?;
                if !extra.is_empty() {
                    return Err(refused(db, extra_columns_reason(&extra)));
                }
            }
            Kind::MultiTenant => {
                return Ok(Migrated::AlreadyMigrated {
                    record: last_record(&conn),
                });
            }
            Kind::Other(reason) => return Err(refused(db, reason)),
        }
    }
    let mut conn = open_exclusive(db, LEGACY_USER)?;
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
    setup(&conn).map_err(|e| refused(db, e.to_string()))?;
    let now = options.now_ms.unwrap_or_else(now_ms);
    let mut backup = BackupGuard(None);
    let done = migrate_locked(
        &mut conn,
        db,
        options,
        &display_name,
        now,
        take_backup,
        &mut backup,
        emit,
    )?;
    let Some((streamer_id, counts)) = done else {
        return Ok(Migrated::AlreadyMigrated {
            record: last_record(&conn),
        });
    };
    let backup = backup.keep();
    if !options.dry_run {
        let t = Instant::now();
        let detail = after_commit(&conn, options.vacuum);
        emit(Event::AfterCommit {
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

/// What probably has a legacy file open.
const LEGACY_USER: &str = "the legacy KickOverlay server (or any other program using the file)";

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
#[allow(clippy::too_many_arguments)]
fn migrate_locked(
    conn: &mut Connection,
    db: &Path,
    options: &MigrateOptions,
    display_name: &str,
    now: i64,
    take_backup: bool,
    backup: &mut BackupGuard,
    emit: &mut dyn FnMut(Event),
) -> Result<Option<(i64, Counts)>, LegacyError> {
    let fail_at = options.fail_at;
    // The exclusive lock is already held, so the file cannot change from here on; the backup
    // is read outside the write transaction (SQLite's backup cannot read a source that is
    // inside one).
    let ledger = match detect(conn, "main").map_err(|e| refused(db, e.to_string()))? {
        Kind::Legacy { ledger } => ledger,
        Kind::MultiTenant => return Ok(None),
        Kind::Other(reason) => return Err(refused(db, reason)),
    };
    let (counts, findings) = step(Step::Inspect, fail_at, emit, |_| inspect(conn, db, ledger))?;

    if take_backup {
        let path = backup_dir(db).join(backup_name(db, now, "pre-migration"));
        step(Step::Backup, fail_at, emit, |_| {
            backup_from(conn, &path)?;
            Ok(((), format!("online backup to {}", path.display())))
        })?;
        backup.0 = Some(path.clone());
        step(Step::CheckBackup, fail_at, emit, |_| {
            check_backup(&path, Some(&counts))?;
            Ok((
                (),
                "backup opens, integrity_check ok, row counts equal".into(),
            ))
        })?;
    }

    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .map_err(|e| refused(db, e.to_string()))?;
    let present: Vec<&str> = TABLES
        .iter()
        .filter(|t| ledger || !t.optional)
        .map(|t| t.legacy)
        .collect();
    step(Step::Schema, fail_at, emit, |_| {
        for table in &present {
            tx.execute_batch(&format!(
                "ALTER TABLE main.\"{table}\" RENAME TO \"{ASIDE}{table}\""
            ))
            .map_err(LegacyError::sqlite(Step::Schema))?;
        }
        crate::migrations::create_all(&tx).map_err(LegacyError::sqlite(Step::Schema))?;
        Ok((
            (),
            format!(
                "legacy tables renamed aside, schema version {} created",
                crate::migrations::LATEST
            ),
        ))
    })?;
    let streamer_id = step(Step::Streamer, fail_at, emit, |_| {
        let id = create_streamer(&tx, &options.streamer, display_name, now)
            .map_err(LegacyError::sqlite(Step::Streamer))?;
        Ok((id, format!("streamer {} has id {id}", options.streamer)))
    })?;
    let plan = Plan {
        src: ASIDE,
        streamer_id,
        now,
        ledger,
        offsets: Default::default(),
        normalised: findings.normalised_counts(),
    };
    let copied = step(Step::Copy, fail_at, emit, |emit| {
        emit(Event::CopyStarted {
            total_rows: counts.values().sum(),
        });
        let copied = copy_all(&tx, &plan, emit)?;
        if let Some(tamper) = options.tamper {
            tamper(&tx).map_err(LegacyError::sqlite(Step::Copy))?;
        }
        let rows: u64 = copied.values().sum();
        Ok((copied, format!("{rows} rows copied")))
    })?;
    step(Step::Verify, fail_at, emit, |_| {
        Ok(((), verify::compare(&tx, &plan)?))
    })?;
    step(Step::Defaults, fail_at, emit, |_| {
        Ok(((), fill_defaults(&tx, &plan)?))
    })?;
    step(Step::DropLegacy, fail_at, emit, |_| {
        for table in &present {
            tx.execute_batch(&format!("DROP TABLE main.\"{ASIDE}{table}\""))
                .map_err(LegacyError::sqlite(Step::DropLegacy))?;
        }
        Ok(((), format!("{} legacy tables dropped", present.len())))
    })?;
    let audit = Audit {
        kind: "migrate-legacy",
        username: &options.streamer,
        display_name,
        source: db,
        backup: backup.0.as_deref(),
        counts: &copied,
    };
    check_and_record(&tx, &plan, &audit, fail_at, emit)?;
    step(Step::Commit, fail_at, emit, |_| {
        if options.dry_run {
            tx.rollback().map_err(LegacyError::sqlite(Step::Commit))?;
            Ok((
                (),
                "dry run: everything rolled back, nothing written".into(),
            ))
        } else {
            tx.commit().map_err(LegacyError::sqlite(Step::Commit))?;
            Ok(((), "committed".into()))
        }
    })?;
    Ok(Some((streamer_id, copied)))
}

/// The Inspect step: row counts, the pre-flight scan (refusing rows the schema cannot take),
/// and what else the file holds.
fn inspect(
    tx: &Connection,
    db: &Path,
    ledger: bool,
) -> Result<((Counts, Findings), String), LegacyError> {
    let failed = LegacyError::sqlite(Step::Inspect);
    let counts: Counts = count_rows(tx, "main.", ledger)
        .map_err(&failed)?
        .into_iter()
        .map(|(t, n)| (t.to_owned(), n))
        .collect();
    let mut findings = preflight::scan(tx, "main.", ledger).map_err(&failed)?;
    let keys = user_foreign_keys(tx).map_err(&failed)?;
    if !keys.lost_parents.is_empty() {
        return Err(refused(
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
    let doomed = triggers_on_legacy_tables(tx).map_err(&failed)?;
    if !doomed.is_empty() {
        return Err(refused(
            db,
            format!(
                "has triggers of its own on legacy tables, which the migration would drop with \
                 those tables: {}. Drop them in the legacy file (and recreate them on the new \
                 tables afterwards), then run this again",
                doomed.join(", ")
            ),
        ));
    }
    let rows: u64 = counts.values().sum();
    let others = other_objects(tx).map_err(&failed)?;
    let mut detail = format!(
        "legacy file {}, {} tables, {rows} rows{}; values to normalise: {}",
        db.display(),
        counts.len(),
        if ledger { "" } else { " (no ledger table)" },
        findings.normalised_summary()
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

/// The Defaults step: a legacy file without a row for some powerup type gets that type's
/// default configuration, as a new streamer would.
pub(crate) fn fill_defaults(tx: &Connection, plan: &Plan<'_>) -> Result<String, LegacyError> {
    let failed = LegacyError::sqlite(Step::Defaults);
    let now = datastore::Timestamp::saturating_from_millis(plan.now);
    let streamer = datastore::StreamerId(plan.streamer_id);
    let mut filled = Vec::new();
    for (kind, config) in datastore::default_powerups() {
        let present: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM powerup_config WHERE streamer_id = ?1 AND id = ?2)",
                rusqlite::params![plan.streamer_id, kind.as_str()],
                |r| r.get(0),
            )
            .map_err(&failed)?;
        if !present {
            crate::powerups::insert_config(tx, streamer, kind, &config, now).map_err(|e| {
                LegacyError::Sqlite {
                    step: Step::Defaults,
                    message: e.to_string(),
                }
            })?;
            filled.push(kind.as_str());
        }
    }
    Ok(if filled.is_empty() {
        "every powerup type configured".to_owned()
    } else {
        format!(
            "default config added for powerup types the file lacked: {}",
            filled.join(", ")
        )
    })
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

fn refused(db: &Path, reason: String) -> LegacyError {
    LegacyError::Refused {
        path: db.to_path_buf(),
        reason,
    }
}

/// The streamer name rules of the store, checked before anything is touched.
pub(crate) fn validate_names(streamer: &str, display_name: &str) -> Result<(), LegacyError> {
    datastore::validate::streamer_username(streamer)
        .and_then(|()| {
            datastore::validate::name(
                "display_name",
                display_name,
                datastore::validate::MAX_NAME_CHARS,
            )
        })
        .map_err(|e| LegacyError::Streamer(e.to_string()))
}

/// Tables, views and triggers of the file that are neither legacy tables (nor triggers on them)
/// nor SQLite's own, as "table x", "view y".
fn other_objects(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name FROM sqlite_schema \
         WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         ORDER BY type, name",
    )?;
    let rows: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, on)| !TABLES.iter().any(|t| t.legacy.eq_ignore_ascii_case(on)))
        .map(|(kind, name, _)| format!("{kind} {name}"))
        .collect())
}

/// The foreign keys of the user's own tables, as the pre-flight sees them.
struct UserKeys {
    /// "notes references admin_sessions, which …": parents the new schema will not have.
    lost_parents: Vec<String>,
    /// Rows that already break one (the first few per table), and how many in all.
    orphans: Vec<String>,
    orphans_total: u64,
}

/// Reads the foreign keys of every table that is not a legacy one: a parent that will not exist
/// after the migration (`admin_sessions` becomes `streamer_sessions`; a table that is not in
/// the file at all), and rows that reference a missing parent already (the legacy app may not
/// have enforced keys; the migration's final check would refuse them without naming rows).
fn user_foreign_keys(conn: &Connection) -> rusqlite::Result<UserKeys> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let is_legacy = |name: &str| TABLES.iter().find(|t| t.legacy.eq_ignore_ascii_case(name));
    let mut keys = UserKeys {
        lost_parents: Vec::new(),
        orphans: Vec::new(),
        orphans_total: 0,
    };
    for table in tables.iter().filter(|t| is_legacy(t).is_none()) {
        let parents: Vec<String> = conn
            .prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")?
            .query_map([table], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut lost = false;
        for parent in parents {
            match is_legacy(&parent) {
                Some(t) if t.target != t.legacy => {
                    lost = true;
                    keys.lost_parents.push(format!(
                        "{table} references {parent}, whose rows move to {}",
                        t.target
                    ));
                }
                Some(_) => {}
                None if tables.iter().any(|t| t.eq_ignore_ascii_case(&parent)) => {}
                None => {
                    lost = true;
                    keys.lost_parents
                        .push(format!("{table} references {parent}, which does not exist"));
                }
            }
        }
        if lost {
            continue;
        }
        let mut stmt = conn.prepare(&format!(
            "PRAGMA main.foreign_key_check({})",
            super::tables::ident(table)
        ))?;
        let mut rows = stmt.query([])?;
        let mut n = 0u64;
        while let Some(row) = rows.next()? {
            n += 1;
            if n <= 5 {
                let (rowid, parent): (Option<i64>, String) = (row.get(1)?, row.get(2)?);
                keys.orphans.push(format!(
                    "{table} rowid {}: references a row of {parent} that does not exist",
                    rowid.map_or_else(|| "?".to_owned(), |r| r.to_string())
                ));
            }
        }
        if n > 5 {
            keys.orphans
                .push(format!("… and {} more rows of {table} like these", n - 5));
        }
        keys.orphans_total += n;
    }
    Ok(keys)
}

/// "trigger t on users" for each trigger on a legacy table (the legacy schema has none: these
/// are the user's own).
fn triggers_on_legacy_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT name, tbl_name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name")?;
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .filter(|(_, on)| TABLES.iter().any(|t| t.legacy.eq_ignore_ascii_case(on)))
        .map(|(name, on)| format!("trigger {name} on {on}"))
        .collect())
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
                super::backup::display_time(at)
            ))
        },
    )
    .ok()
}
