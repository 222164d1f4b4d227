//! `migrate-legacy`: a legacy file becomes a multi-tenant file in place.

use super::backup::{backup_dir, backup_name, check_backup, online_backup};
use super::run::{Audit, Plan, copy_all, create_streamer, record, step};
use super::tables::{Kind, TABLES, count_rows, detect};
use super::{Counts, Event, LegacyError, Step, functions, now_ms, verify};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
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
    /// Test hook: fail at this step, as a crash or an SQLite error there would.
    pub fail_at: Option<Step>,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        MigrateOptions {
            streamer: "codingbutter".into(),
            display_name: None,
            dry_run: false,
            now_ms: None,
            fail_at: None,
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
    let refused = |e: rusqlite::Error| LegacyError::Refused {
        path: db.to_path_buf(),
        reason: format!("cannot be opened as an SQLite database: {e}"),
    };
    let mut conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(refused)?;
    conn.busy_timeout(crate::BUSY_TIMEOUT).map_err(refused)?;
    // Rows are checked by foreign_key_check before commit; with enforcement off, the legacy
    // tables can be renamed and dropped whatever references them.
    conn.pragma_update(None, "foreign_keys", false)
        .map_err(refused)?;
    conn.pragma_update(None, "cache_size", -32_768)
        .map_err(refused)?;
    functions::register(&conn).map_err(refused)?;
    let now = options.now_ms.unwrap_or_else(now_ms);
    let fail_at = options.fail_at;

    // The write lock is held from here to the commit: nothing can change the file between the
    // backup and the copy (readers, such as a legacy app still serving, carry on).
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(refused)?;
    let kind = detect(&tx, "main").map_err(refused)?;
    let ledger = match kind {
        Kind::Legacy { ledger } => ledger,
        Kind::MultiTenant => {
            return Ok(Migrated::AlreadyMigrated {
                record: last_record(&tx),
            });
        }
        Kind::Other(reason) => {
            return Err(LegacyError::Refused {
                path: db.to_path_buf(),
                reason,
            });
        }
    };
    let counts: Counts = step(Step::Inspect, fail_at, emit, |_| {
        let counts: Counts = count_rows(&tx, "main.", ledger)
            .map_err(LegacyError::sqlite(Step::Inspect))?
            .into_iter()
            .map(|(t, n)| (t.to_owned(), n))
            .collect();
        let rows: u64 = counts.values().sum();
        let others = other_tables(&tx).map_err(LegacyError::sqlite(Step::Inspect))?;
        let mut detail = format!(
            "legacy file {}, {} tables, {rows} rows{}",
            db.display(),
            counts.len(),
            if ledger { "" } else { " (no ledger table)" }
        );
        if !others.is_empty() {
            detail += &format!("; other tables left as they are: {}", others.join(", "));
        }
        Ok((counts, detail))
    })?;

    let backup = if take_backup {
        let path = backup_dir(db).join(backup_name(db, now, "pre-migration"));
        step(Step::Backup, fail_at, emit, |_| {
            online_backup(db, &path)?;
            let detail = format!("online backup to {}", path.display());
            Ok(((), detail))
        })?;
        step(Step::CheckBackup, fail_at, emit, |_| {
            check_backup(&path, Some(&counts))?;
            Ok((
                (),
                "backup opens, integrity_check ok, row counts equal".into(),
            ))
        })?;
        Some(path)
    } else {
        None
    };

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
        let id = create_streamer(&tx, &options.streamer, &display_name, now)
            .map_err(LegacyError::sqlite(Step::Streamer))?;
        Ok((id, format!("streamer {} has id {id}", options.streamer)))
    })?;
    let plan = Plan {
        src: ASIDE,
        streamer_id,
        now,
        ledger,
        offsets: Default::default(),
    };
    let copied = step(Step::Copy, fail_at, emit, |emit| {
        emit(Event::CopyStarted {
            total_rows: counts.values().sum(),
        });
        let copied = copy_all(&tx, &plan, emit)?;
        let rows: u64 = copied.values().sum();
        Ok((copied, format!("{rows} rows copied")))
    })?;
    step(Step::Verify, fail_at, emit, |_| {
        Ok(((), verify::compare(&tx, &plan)?))
    })?;
    step(Step::DropLegacy, fail_at, emit, |_| {
        for table in &present {
            tx.execute_batch(&format!("DROP TABLE main.\"{ASIDE}{table}\""))
                .map_err(LegacyError::sqlite(Step::DropLegacy))?;
        }
        Ok(((), format!("{} legacy tables dropped", present.len())))
    })?;
    step(Step::CheckIntegrity, fail_at, emit, |_| {
        Ok(((), verify::integrity(&tx, &plan)?))
    })?;
    step(Step::Audit, fail_at, emit, |_| {
        record(
            &tx,
            &plan,
            &Audit {
                kind: "migrate-legacy",
                username: &options.streamer,
                display_name: &display_name,
                source: db,
                backup: backup.as_deref(),
                counts: &copied,
            },
        )
    })?;
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
    if !options.dry_run {
        // The store runs in WAL mode; a legacy file may not have been.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(LegacyError::sqlite(Step::Commit))?;
    }
    Ok(Migrated::Done {
        streamer_id,
        backup,
        counts: copied,
        dry_run: options.dry_run,
        elapsed: started.elapsed(),
    })
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

/// Tables of the file that are neither legacy tables nor SQLite's own.
fn other_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' \
         ESCAPE '\\' ORDER BY name",
    )?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(names
        .into_iter()
        .filter(|n| !TABLES.iter().any(|t| t.legacy == n))
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
