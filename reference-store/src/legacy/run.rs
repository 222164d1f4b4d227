//! The part of a migration or import that runs inside its one transaction: create the
//! streamer, copy every table chunk by chunk, carry the id sequences, and record the audit row.

use super::tables::{CHUNK, TABLES, Table};
use super::{Counts, Event, LegacyError, Step};
use rusqlite::types::ToSql;
use rusqlite::{Statement, Transaction};
use std::collections::BTreeMap;
use std::time::Instant;

/// Legacy rows per `INSERT … SELECT`: big enough that statement overhead vanishes, small
/// enough that the progress bar moves.
const CHUNK_ROWS: i64 = 50_000;

/// Where the legacy rows are and where they go.
pub(crate) struct Plan<'a> {
    /// `legacy_` (tables renamed aside in place) or `legacy.` (an attached file).
    pub src: &'a str,
    /// The streamer that gets the rows.
    pub streamer_id: i64,
    /// The run's start, in Unix milliseconds: the time of NULL legacy times.
    pub now: i64,
    /// The legacy file has `point_transactions`.
    pub ledger: bool,
    /// Added to each own-id table's ids (0 unless they collide), by target table.
    pub offsets: BTreeMap<&'static str, i64>,
    /// Values the copy normalises, by `legacy_table.column`, as the pre-flight scan counted
    /// them (verify finds exactly these changed).
    pub normalised: BTreeMap<String, u64>,
}

impl Plan<'_> {
    /// The tables this file has.
    pub fn tables(&self) -> impl Iterator<Item = &'static Table> + '_ {
        TABLES.iter().filter(|t| self.ledger || !t.optional)
    }

    /// The offset of `target`'s own ids.
    pub fn offset(&self, target: &str) -> i64 {
        self.offsets.get(target).copied().unwrap_or(0)
    }

    /// The offset of user ids.
    pub fn user_offset(&self) -> i64 {
        self.offset("users")
    }

    /// A legacy table's name as SQL reads it.
    pub fn legacy(&self, table: &str) -> String {
        format!("{}{table}", self.src)
    }
}

/// Binds the named parameters that `stmt` uses (and only those).
pub(crate) fn bind(
    stmt: &mut Statement<'_>,
    params: &[(&str, &dyn ToSql)],
) -> rusqlite::Result<()> {
    for (name, value) in params {
        if let Some(i) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(i, value)?;
        }
    }
    Ok(())
}

/// Inserts the streamer and returns its id.
pub(crate) fn create_streamer(
    tx: &Transaction<'_>,
    username: &str,
    display_name: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    tx.query_row(
        "INSERT INTO streamers (username, display_name, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?3) RETURNING id",
        rusqlite::params![username, display_name, now],
        |r| r.get(0),
    )
}

/// Copies every legacy table, reporting each chunk; returns the rows copied per table.
pub(crate) fn copy_all(
    tx: &Transaction<'_>,
    plan: &Plan<'_>,
    emit: &mut dyn FnMut(Event),
) -> Result<Counts, LegacyError> {
    let mut counts = Counts::new();
    for table in plan.tables() {
        let copied = copy_table(tx, plan, table, emit).map_err(|e| LegacyError::Sqlite {
            step: Step::Copy,
            message: format!("copying {}: {e}", table.legacy),
        })?;
        counts.insert(table.legacy.to_owned(), copied);
        if table.own_ids {
            carry_sequence(tx, plan, table).map_err(LegacyError::sqlite(Step::Copy))?;
        }
    }
    Ok(counts)
}

fn copy_table(
    tx: &Transaction<'_>,
    plan: &Plan<'_>,
    table: &'static Table,
    emit: &mut dyn FnMut(Event),
) -> rusqlite::Result<u64> {
    let chunk = if table.chunked { CHUNK } else { "" };
    let sql = table
        .copy
        .replace("{src}", plan.src)
        .replace("{chunk}", chunk);
    let mut insert = tx.prepare(&sql)?;
    let next_sql = format!(
        "SELECT id FROM {} WHERE id > ?1 ORDER BY id LIMIT 1 OFFSET ?2",
        plan.legacy(table.legacy)
    );
    let (io, uo) = (plan.offset(table.target), plan.user_offset());
    let mut after = i64::MIN;
    let mut total = 0u64;
    loop {
        bind(
            &mut insert,
            &[
                (":s", &plan.streamer_id),
                (":now", &plan.now),
                (":io", &io),
                (":uo", &uo),
                (":after", &after),
                (":n", &CHUNK_ROWS),
            ],
        )?;
        let rows = insert.raw_execute()? as u64;
        total += rows;
        emit(Event::Copied {
            table: table.legacy,
            rows,
        });
        if !table.chunked || rows < CHUNK_ROWS as u64 {
            return Ok(total);
        }
        after = tx
            .prepare_cached(&next_sql)?
            .query_row(rusqlite::params![after, CHUNK_ROWS - 1], |r| r.get(0))?;
    }
}

/// Keeps AUTOINCREMENT's promise across the move: the target's sequence is at least the legacy
/// one (plus the offset), so an id the legacy app once handed out and deleted is never reused.
fn carry_sequence(tx: &Transaction<'_>, plan: &Plan<'_>, table: &Table) -> rusqlite::Result<()> {
    let (seq_table, name) = match plan.src.strip_suffix('.') {
        Some(schema) => (format!("{schema}.sqlite_sequence"), table.legacy.to_owned()),
        None => ("main.sqlite_sequence".to_owned(), plan.legacy(table.legacy)),
    };
    let legacy: Option<i64> = tx
        .query_row(
            &format!("SELECT seq FROM {seq_table} WHERE name = ?1"),
            [&name],
            |r| r.get(0),
        )
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    let Some(legacy) = legacy else {
        return Ok(());
    };
    let wanted = legacy + plan.offset(table.target);
    let updated = tx.execute(
        "UPDATE main.sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1",
        rusqlite::params![table.target, wanted],
    )?;
    if updated == 0 {
        tx.execute(
            "INSERT INTO main.sqlite_sequence (name, seq) VALUES (?1, ?2)",
            rusqlite::params![table.target, wanted],
        )?;
    }
    Ok(())
}

/// The audit row of a committed run.
pub(crate) struct Audit<'a> {
    pub kind: &'static str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub source: &'a std::path::Path,
    pub backup: Option<&'a std::path::Path>,
    pub counts: &'a Counts,
}

/// The last steps before the commit, the same for a migration and an import: SQLite's
/// integrity and foreign-key checks, then the audit row.
pub(crate) fn check_and_record(
    tx: &Transaction<'_>,
    plan: &Plan<'_>,
    audit: &Audit<'_>,
    fail_at: Option<Step>,
    emit: &mut dyn FnMut(Event),
) -> Result<(), LegacyError> {
    step(Step::CheckIntegrity, fail_at, emit, |_| {
        Ok(((), super::verify::integrity(tx, plan)?))
    })?;
    step(Step::Audit, fail_at, emit, |_| record(tx, plan, audit))
}

/// Records the run in `migration_audit`.
fn record(
    tx: &Transaction<'_>,
    plan: &Plan<'_>,
    audit: &Audit<'_>,
) -> Result<((), String), LegacyError> {
    let json = |value: &Counts| {
        serde_json::to_string(value).map_err(|e| LegacyError::Sqlite {
            step: Step::Audit,
            message: e.to_string(),
        })
    };
    let counts = json(audit.counts)?;
    let normalised = json(&plan.normalised)?;
    tx.execute(
        "INSERT INTO migration_audit (streamer_id, kind, username, display_name, started_at, \
         finished_at, source_path, backup_path, counts, program, normalised) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        rusqlite::params![
            plan.streamer_id,
            audit.kind,
            audit.username,
            audit.display_name,
            plan.now,
            super::now_ms(),
            absolute(audit.source),
            audit.backup.map(absolute),
            counts,
            concat!("kick-overlay ", env!("CARGO_PKG_VERSION")),
            normalised,
        ],
    )
    .map_err(LegacyError::sqlite(Step::Audit))?;
    Ok(((), "recorded in migration_audit".into()))
}

/// `path` made absolute (against the working directory) for the audit row, so it still names
/// the file when read from elsewhere.
fn absolute(path: &std::path::Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// Runs `f` as step `step`: fails first if the test hook says so, then reports the step's
/// detail and time.
pub(crate) fn step<T>(
    step: Step,
    fail_at: Option<Step>,
    emit: &mut dyn FnMut(Event),
    f: impl FnOnce(&mut dyn FnMut(Event)) -> Result<(T, String), LegacyError>,
) -> Result<T, LegacyError> {
    if fail_at == Some(step) {
        return Err(LegacyError::Injected(step));
    }
    let started = Instant::now();
    let (out, detail) = f(emit)?;
    let elapsed = started.elapsed();
    tracing::debug!(step = step.name(), %detail, ms = elapsed.as_millis() as u64, "legacy step");
    emit(Event::Step {
        step,
        detail,
        elapsed,
    });
    Ok(out)
}
