//! `import-legacy`: a legacy file becomes a new streamer of an existing multi-tenant file.

use super::backup::{check_backup, online_backup, open_read_only};
use super::lock::{checkpoint_on_close, open_exclusive};
use super::migrate::{fill_defaults, validate_names};
use super::preflight;
use super::run::{Audit, Plan, check_and_record, copy_all, create_streamer, step};
use super::tables::{Kind, TABLES, detect, extra_columns, extra_columns_reason};
use super::{Counts, Event, LegacyError, Step, functions, now_ms, verify};
use rusqlite::TransactionBehavior;
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
/// used (keeping their order). Refused, with
/// nothing changed, when the streamer exists.
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
    for path in [into, legacy] {
        if !path.exists() {
            return Err(LegacyError::Missing(path.to_path_buf()));
        }
    }
    let now = options.now_ms.unwrap_or_else(now_ms);
    let fail_at = options.fail_at;

    step(Step::Inspect, fail_at, emit, |_| {
        let conn = open_read_only(legacy)?;
        let kind = detect(&conn, "main").map_err(|e| refused(legacy, e.to_string()))?;
        if matches!(kind, Kind::Legacy { .. }) {
            let extra = extra_columns(&conn, "main").map_err(|e| refused(legacy, e.to_string()))?;
            if !extra.is_empty() {
                return Err(refused(legacy, extra_columns_reason(&extra)));
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
            Kind::MultiTenant => Err(LegacyError::Refused {
                path: legacy.to_path_buf(),
                reason: "is a multi-tenant file, not a legacy one".into(),
            }),
            Kind::Other(reason) => Err(LegacyError::Refused {
                path: legacy.to_path_buf(),
                reason,
            }),
        }
    })?;
    let dir = super::backup::parent_dir(into);
    let scratch = tempfile::Builder::new()
        .prefix(".kick-overlay-import-")
        .tempdir_in(dir)
        .map_err(|e| super::backup::io(dir, e))?;
    let snapshot = scratch.path().join("legacy-snapshot.db");
    step(Step::Backup, fail_at, emit, |_| {
        online_backup(legacy, &snapshot)?;
        Ok(((), format!("snapshot of {} taken", legacy.display())))
    })?;
    let (ledger, findings) = step(Step::CheckBackup, fail_at, emit, |_| {
        let ledger = check_backup(&snapshot, None)?;
        let conn = open_read_only(&snapshot)?;
        let findings = functions::register(&conn)
            .and_then(|()| preflight::scan(&conn, "main.", ledger))
            .map_err(LegacyError::sqlite(Step::CheckBackup))?;
        if findings.bad_total > 0 {
            return Err(LegacyError::BadRows {
                total: findings.bad_total,
                rows: findings.bad,
            });
        }
        let detail = format!(
            "snapshot opens and passes integrity_check; values to normalise: {}",
            findings.normalised_summary()
        );
        Ok(((ledger, findings), detail))
    })?;

    // The target must be ours, and nothing else may have it open: the copy holds its write
    // lock throughout, which a running server's writes would wait on and then fail.
    {
        let conn = open_read_only(into).map_err(|e| refused(into, e.to_string()))?;
        if detect(&conn, "main").map_err(|e| refused(into, e.to_string()))? != Kind::MultiTenant {
            return Err(refused(
                into,
                "is not a multi-tenant KickOverlay database (a legacy file is migrated with \
                 migrate-legacy; a new one is created by starting the server)"
                    .into(),
            ));
        }
        crate::migrations::refuse_unknown(&conn, into).map_err(|e| refused(into, e.to_string()))?;
    }
    let mut conn = open_exclusive(into, "the KickOverlay server using it")?;
    conn.pragma_update(None, "foreign_keys", false)
        .and_then(|()| functions::register(&conn))
        .map_err(|e| refused(into, e.to_string()))?;
    conn.execute("ATTACH DATABASE ?1 AS legacy", [snapshot.to_string_lossy()])
        .map_err(|e| refused(&snapshot, e.to_string()))?;

    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .map_err(|e| refused(into, e.to_string()))?;
    step(Step::Schema, fail_at, emit, |_| {
        let upgraded =
            crate::migrations::apply_pending(&tx).map_err(LegacyError::sqlite(Step::Schema))?;
        Ok((
            (),
            match upgraded {
                Some(from) => format!(
                    "schema upgraded from version {from} to {} (in the import's transaction)",
                    crate::migrations::LATEST
                ),
                None => format!("schema at version {}", crate::migrations::LATEST),
            },
        ))
    })?;
    let streamer_id = step(Step::Streamer, fail_at, emit, |_| {
        let taken: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM main.streamers WHERE username = ?1)",
                [&options.streamer],
                |r| r.get(0),
            )
            .map_err(LegacyError::sqlite(Step::Streamer))?;
        if taken {
            return Err(LegacyError::Streamer(format!(
                "streamer {} already exists in {}: nothing was imported (choose another name \
                 with --streamer)",
                options.streamer,
                into.display()
            )));
        }
        let id = create_streamer(&tx, &options.streamer, &display_name, now)
            .map_err(LegacyError::sqlite(Step::Streamer))?;
        Ok((id, format!("streamer {} has id {id}", options.streamer)))
    })?;
    let offsets = offsets(&tx, ledger).map_err(LegacyError::sqlite(Step::Copy))?;
    let plan = Plan {
        src: "legacy.",
        streamer_id,
        now,
        ledger,
        offsets: offsets.clone(),
        normalised: findings.normalised_counts(),
    };
    let copied = step(Step::Copy, fail_at, emit, |emit| {
        let total: u64 = super::tables::count_rows(&tx, "legacy.", ledger)
            .map_err(LegacyError::sqlite(Step::Copy))?
            .iter()
            .map(|(_, n)| n)
            .sum();
        emit(Event::CopyStarted { total_rows: total });
        let copied = copy_all(&tx, &plan, emit)?;
        let rows: u64 = copied.values().sum();
        let mut detail = format!("{rows} rows copied");
        if !offsets.is_empty() {
            detail += &format!("; colliding ids shifted: {offsets:?}");
        }
        Ok((copied, detail))
    })?;
    step(Step::Verify, fail_at, emit, |_| {
        Ok(((), verify::compare(&tx, &plan)?))
    })?;
    step(Step::Defaults, fail_at, emit, |_| {
        Ok(((), fill_defaults(&tx, &plan)?))
    })?;
    let audit = Audit {
        kind: "import-legacy",
        username: &options.streamer,
        display_name: &display_name,
        source: legacy,
        backup: None,
        counts: &copied,
    };
    check_and_record(&tx, &plan, &audit, fail_at, emit)?;
    step(Step::Commit, fail_at, emit, |_| {
        tx.commit().map_err(LegacyError::sqlite(Step::Commit))?;
        Ok(((), "committed".into()))
    })?;
    // Committed: from here on, problems are the caller's to hear about, not failures.
    if let Err(e) = conn
        .execute_batch("DETACH DATABASE legacy")
        .and_then(|()| checkpoint_on_close(&conn))
    {
        tracing::warn!(error = %e, "after the import's commit");
    }
    Ok(Imported {
        streamer_id,
        counts: copied,
        renumbered: offsets,
        elapsed: started.elapsed(),
    })
}

/// For each table that keeps legacy ids: 0 when every legacy id is above any id `main` has
/// handed out (live or since deleted: AUTOINCREMENT never reuses one), else the shift that puts
/// them all past the largest.
fn offsets(
    tx: &rusqlite::Transaction<'_>,
    ledger: bool,
) -> rusqlite::Result<BTreeMap<&'static str, i64>> {
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

fn refused(path: &Path, reason: String) -> LegacyError {
    LegacyError::Refused {
        path: path.to_path_buf(),
        reason,
    }
}
