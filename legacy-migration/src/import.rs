//! `import-legacy`: a legacy file becomes a new streamer of an existing multi-tenant file.
//!
//! The run, step by step: [`inspect_legacy`] recognises the legacy file (read only);
//! [`take_snapshot`] copies it with SQLite's online backup beside the target (so the other
//! install may keep running) and [`check_snapshot`] checks and scans the copy; [`check_target`]
//! makes sure the target is ours and [`open_target`] takes its exclusive lock and attaches the
//! snapshot. Then, in one exclusive transaction: [`upgrade_schema`] brings an older target up
//! to date, [`new_streamer`] creates the streamer (refused when the name is taken), the rows
//! are copied with their ids shifted past the target's where they collide ([`offsets`]),
//! verified and completed ([`copy_verify_fill`]), integrity is checked and the run recorded
//! ([`check_and_record`]), and the transaction commits.

use crate::audit::{Audit, check_and_record};
use crate::backup::{check_backup, io, online_backup, parent_dir};
use crate::clock::now_ms;
use crate::detect::{Kind, count_rows, detect, extra_columns, extra_columns_reason};
use crate::error::{LegacyError, unreadable};
use crate::files::open_for_reading;
use crate::functions;
use crate::lock::{checkpoint_on_close, open_exclusive};
use crate::plan::Plan;
use crate::preflight::{self, Findings};
use crate::progress::{Event, Steps};
use crate::step::{Counts, Step};
use crate::streamer::{create_streamer, validate_names};
use crate::tables::TABLES;
use crate::transfer::copy_verify_fill;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Options of [`import`].
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The new streamer's username.
    pub streamer: String,
    /// Its display name (the username when `None`).
    pub display_name: Option<String>,
    /// The run's start in Unix milliseconds (the clock when `None`).
    pub now_ms: Option<i64>,
    /// Test hook: fail at this step.
    pub fail_at: Option<Step>,
}

/// What [`import`] did.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The new streamer's id.
    pub streamer_id: i64,
    /// Rows moved, by legacy table.
    pub counts: Counts,
    /// The tables whose ids collided with existing rows, and what was added to their ids.
    pub renumbered: BTreeMap<&'static str, i64>,
    /// How long it took.
    pub elapsed: Duration,
}

/// Adds the legacy file `legacy` to the multi-tenant file `into` as a new streamer, in one
/// transaction. The legacy file is only read (through an online-backup snapshot taken first);
/// ids are kept unless `into` has handed out one of them (to a row that exists or was
/// deleted), in which case that table's legacy ids are all shifted past the ones `into` has
/// used (keeping their order). Refused, with nothing changed, when the streamer exists.
pub fn import(
    into: &Path,
    legacy: &Path,
    options: &ImportOptions,
    emit: &mut dyn FnMut(Event),
) -> Result<Imported, LegacyError> {
    let started = Instant::now();
    let display_name = options
        .display_name
        .clone()
        .unwrap_or_else(|| options.streamer.clone());
    validate_names(&options.streamer, &display_name)?;
    if !into.exists() {
        return Err(LegacyError::refused(
            into,
            "does not exist: the server makes a multi-tenant database when it first starts on \
             a file, and so does `kick-overlay streamer add NAME --db FILE`"
                .into(),
        ));
    }
    if !legacy.exists() {
        return Err(LegacyError::Missing(legacy.to_path_buf()));
    }
    let now = options.now_ms.unwrap_or_else(now_ms);
    let mut steps = Steps::new(options.fail_at, emit);

    steps.run(Step::Inspect, |_| inspect_legacy(legacy))?;
    let dir = parent_dir(into);
    let scratch = tempfile::Builder::new()
        .prefix(".kick-overlay-import-")
        .tempdir_in(dir)
        .map_err(|e| io(dir, e))?;
    let snapshot = scratch.path().join("legacy-snapshot.db");
    steps.run(Step::Backup, |_| take_snapshot(legacy, &snapshot))?;
    let (ledger, findings) = steps.run(Step::CheckBackup, |_| check_snapshot(&snapshot, now))?;

    check_target(into)?;
    let mut conn = open_target(into, &snapshot)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .map_err(|e| LegacyError::refused(into, unreadable(&e)))?;
    steps.run(Step::Schema, |_| upgrade_schema(&tx))?;
    let streamer_id = steps.run(Step::Streamer, |_| {
        new_streamer(&tx, into, &options.streamer, &display_name, now)
    })?;
    let offsets = offsets(&tx, ledger).map_err(LegacyError::sqlite(Step::Copy))?;
    let plan = Plan {
        src: "legacy.",
        streamer_id,
        now,
        expire_before: now,
        documents: true,
        ledger,
        offsets: offsets.clone(),
        normalised: findings.normalised_counts(),
        expired: findings.expired.clone(),
    };
    let total: u64 = count_rows(&tx, "legacy.", ledger)
        .map_err(LegacyError::sqlite(Step::Copy))?
        .iter()
        .map(|(_, n)| n)
        .sum();
    let copied = copy_verify_fill(&tx, &plan, total, None, &mut steps)?;
    let audit = Audit {
        kind: "import-legacy",
        username: &options.streamer,
        display_name: &display_name,
        source: legacy,
        backup: None,
        counts: &copied,
    };
    check_and_record(&tx, &plan, &audit, &mut steps)?;
    steps.run(Step::Commit, |_| {
        tx.commit().map_err(LegacyError::sqlite(Step::Commit))?;
        Ok(((), "committed".into()))
    })?;
    after_commit(&conn);
    Ok(Imported {
        streamer_id,
        counts: copied,
        renumbered: offsets,
        elapsed: started.elapsed(),
    })
}

/// The Inspect step: the file to import must be a legacy file without columns of its own.
fn inspect_legacy(legacy: &Path) -> Result<((), String), LegacyError> {
    let conn = open_for_reading(legacy)?;
    let kind = detect(&conn, "main").map_err(|e| LegacyError::refused(legacy, unreadable(&e)))?;
    if matches!(kind, Kind::Legacy { .. }) {
        let extra = extra_columns(&conn, "main")
            .map_err(|e| LegacyError::refused(legacy, unreadable(&e)))?;
        if !extra.is_empty() {
            return Err(LegacyError::refused(legacy, extra_columns_reason(&extra)));
        }
    }
    match kind {
        Kind::Legacy { ledger } => Ok((
            (),
            format!(
                "legacy file {}{}",
                legacy.display(),
                if ledger { "" } else { " (no ledger table)" }
            ),
        )),
        Kind::MultiTenant => Err(LegacyError::refused(
            legacy,
            "is a multi-tenant file, not a legacy one".into(),
        )),
        Kind::Other(reason) => Err(LegacyError::refused(legacy, reason)),
    }
}

/// The Backup step: a consistent copy of the legacy file, which is never written.
fn take_snapshot(legacy: &Path, snapshot: &Path) -> Result<((), String), LegacyError> {
    online_backup(legacy, snapshot)?;
    Ok(((), format!("snapshot of {} taken", legacy.display())))
}

/// The CheckBackup step: the snapshot opens and passes `integrity_check`, and its rows pass the
/// pre-flight scan. Answers whether it has the ledger, and what the scan found.
fn check_snapshot(snapshot: &Path, now: i64) -> Result<((bool, Findings), String), LegacyError> {
    let ledger = check_backup(snapshot, None)?;
    let conn = open_for_reading(snapshot)?;
    let findings = functions::register(&conn)
        .and_then(|()| preflight::scan(&conn, "main.", ledger, now, true))
        .map_err(LegacyError::sqlite(Step::CheckBackup))?;
    if findings.bad_total > 0 {
        return Err(LegacyError::BadRows {
            total: findings.bad_total,
            rows: findings.bad,
        });
    }
    let detail = format!(
        "snapshot opens and passes integrity_check; {}",
        findings.summary()
    );
    Ok(((ledger, findings), detail))
}

/// The target must be a multi-tenant file this program can read.
fn check_target(into: &Path) -> Result<(), LegacyError> {
    let conn = open_for_reading(into).map_err(|e| LegacyError::refused(into, unreadable(&e)))?;
    if detect(&conn, "main").map_err(|e| LegacyError::refused(into, unreadable(&e)))?
        != Kind::MultiTenant
    {
        return Err(LegacyError::refused(
            into,
            "is not a multi-tenant KickOverlay database (a legacy file is migrated with \
             migrate-legacy; a new one is created by starting the server)"
                .into(),
        ));
    }
    reference_store::migrations::refuse_unknown(&conn, into).map_err(LegacyError::Store)
}

/// Takes the target's exclusive lock (nothing else may have it open: the copy holds its write
/// lock throughout, which a running server's writes would wait on and then fail) and attaches
/// the snapshot as `legacy`.
fn open_target(into: &Path, snapshot: &Path) -> Result<Connection, LegacyError> {
    let conn = open_exclusive(into, "the KickOverlay server using it")?;
    conn.pragma_update(None, "foreign_keys", false)
        .and_then(|()| functions::register(&conn))
        .map_err(|e| LegacyError::refused(into, unreadable(&e)))?;
    conn.execute("ATTACH DATABASE ?1 AS legacy", [snapshot.to_string_lossy()])
        .map_err(|e| LegacyError::refused(snapshot, unreadable(&e)))?;
    Ok(conn)
}

/// The Schema step: a target a version behind is upgraded inside the import's transaction.
fn upgrade_schema(tx: &Transaction<'_>) -> Result<((), String), LegacyError> {
    let latest = reference_store::migrations::LATEST;
    let upgraded = reference_store::migrations::apply_pending(tx)
        .map_err(LegacyError::sqlite(Step::Schema))?;
    Ok((
        (),
        match upgraded {
            Some(from) => format!(
                "schema upgraded from version {from} to {latest} (in the import's transaction)"
            ),
            None => format!("schema at version {latest}"),
        },
    ))
}

/// The Streamer step: refused when the name is taken.
fn new_streamer(
    tx: &Transaction<'_>,
    into: &Path,
    streamer: &str,
    display_name: &str,
    now: i64,
) -> Result<(i64, String), LegacyError> {
    let taken: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM main.streamers WHERE username = ?1)",
            [streamer],
            |r| r.get(0),
        )
        .map_err(LegacyError::sqlite(Step::Streamer))?;
    if taken {
        return Err(LegacyError::Streamer(format!(
            "streamer {streamer} already exists in {}: nothing was imported (choose another \
             name with --streamer)",
            into.display()
        )));
    }
    let id = create_streamer(tx, streamer, display_name, now)
        .map_err(LegacyError::sqlite(Step::Streamer))?;
    Ok((id, format!("streamer {streamer} has id {id}")))
}

/// Committed: from here on, problems are the caller's to hear about, not failures.
fn after_commit(conn: &Connection) {
    if let Err(e) = conn
        .execute_batch("DETACH DATABASE legacy")
        .and_then(|()| checkpoint_on_close(conn))
    {
        tracing::warn!(error = %e, "after the import's commit");
    }
}

/// For each table that keeps legacy ids: 0 when every legacy id is above any id `main` has
/// handed out (live or since deleted: AUTOINCREMENT never reuses one), else the shift that puts
/// them all past the largest.
fn offsets(tx: &Transaction<'_>, ledger: bool) -> rusqlite::Result<BTreeMap<&'static str, i64>> {
    let mut out = BTreeMap::new();
    for table in TABLES
        .iter()
        .filter(|t| t.own_ids && (ledger || !t.optional))
    {
        let (highest, lowest): (i64, Option<i64>) = tx.query_row(
            &format!(
                "SELECT max((SELECT coalesce(max(id), 0) FROM main.{t}), \
                 (SELECT coalesce(max(seq), 0) FROM main.sqlite_sequence WHERE name = '{t}')), \
                 (SELECT min(id) FROM legacy.{l})",
                t = table.target,
                l = table.legacy
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if let Some(lowest) = lowest
            && lowest <= highest
        {
            out.insert(table.target, highest - lowest + 1);
        }
    }
    Ok(out)
}
