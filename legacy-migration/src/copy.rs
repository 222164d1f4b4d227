//! The copy: every legacy table's rows into the streamer's tables, chunk by chunk of
//! `INSERT … SELECT`, and the id sequences carried over.

use crate::error::LegacyError;
use crate::plan::Plan;
use crate::progress::Event;
use crate::sql::bind;
use crate::step::{Counts, Step};
use crate::tables::{CHUNK, Table};
use rusqlite::Transaction;

/// Legacy rows per `INSERT … SELECT`: big enough that statement overhead vanishes, small
/// enough that the progress bar moves.
const CHUNK_ROWS: i64 = 50_000;

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

/// Copies one table, a chunk of legacy ids at a time (in a table whose rows expire, the live
/// rows among them); returns the rows copied.
fn copy_table(
    tx: &Transaction<'_>,
    plan: &Plan<'_>,
    table: &'static Table,
    emit: &mut dyn FnMut(Event),
) -> rusqlite::Result<u64> {
    let chunk = if table.chunked {
        format!("{CHUNK}{}", plan.live(table, ""))
    } else {
        String::new()
    };
    let sql = table
        .copy
        .replace("{src}", plan.src)
        .replace("{chunk}", &chunk);
    let mut insert = tx.prepare(&sql)?;
    // The last legacy id of the next chunk: chunks are ranges of ids, whatever they hold.
    let upto_sql = format!(
        "SELECT max(id) FROM (SELECT id FROM {} WHERE id > ?1 ORDER BY id LIMIT ?2)",
        plan.legacy(table.legacy)
    );
    let (io, uo) = (plan.offset(table.target), plan.user_offset());
    let mut after = i64::MIN;
    let mut total = 0u64;
    loop {
        let last: Option<i64> = if table.chunked {
            tx.prepare_cached(&upto_sql)?
                .query_row(rusqlite::params![after, CHUNK_ROWS], |r| r.get(0))?
        } else {
            Some(i64::MAX)
        };
        let Some(last) = last else {
            return Ok(total);
        };
        bind(
            &mut insert,
            &[
                (":s", &plan.streamer_id),
                (":now", &plan.now),
                (":io", &io),
                (":uo", &uo),
                (":after", &after),
                (":upto", &last),
            ],
        )?;
        let rows = insert.raw_execute()? as u64;
        total += rows;
        emit(Event::Copied {
            table: table.legacy,
            rows,
        });
        if !table.chunked {
            return Ok(total);
        }
        after = last;
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
