//! Recognising a file: legacy (with or without the ledger), already multi-tenant, or
//! something else; and what its legacy tables hold beyond the legacy schema.

use crate::tables::TABLES;
use rusqlite::Connection;

/// What a file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A legacy single-streamer file; `ledger` when it has `point_transactions`.
    Legacy {
        /// It has the ledger table.
        ledger: bool,
    },
    /// A multi-tenant file (already migrated).
    MultiTenant,
    /// Something else, and why it is not a legacy file.
    Other(String),
}

/// Reads what the file open in `schema` of `conn` is, without changing it.
pub(crate) fn detect(conn: &Connection, schema: &str) -> rusqlite::Result<Kind> {
    let app: i32 = conn.pragma_query_value(Some(schema), "application_id", |r| r.get(0))?;
    if app == reference_store::migrations::APPLICATION_ID {
        return Ok(Kind::MultiTenant);
    }
    if app != 0 {
        return Ok(Kind::Other(format!(
            "belongs to another application (application id {app:#x})"
        )));
    }
    let mut missing = Vec::new();
    let mut ledger = true;
    for table in TABLES {
        let columns = columns(conn, schema, table.legacy)?;
        if columns.is_empty() {
            if table.optional {
                ledger = false;
            } else {
                missing.push(format!("table {}", table.legacy));
            }
            continue;
        }
        for column in table.columns {
            if !columns.iter().any(|c| c == column) {
                missing.push(format!("column {}.{column}", table.legacy));
            }
        }
    }
    Ok(if missing.is_empty() {
        Kind::Legacy { ledger }
    } else {
        Kind::Other(format!(
            "is not a legacy KickOverlay database: it lacks {}",
            missing.join(", ")
        ))
    })
}

/// Columns of the legacy tables in `schema` that the legacy schema does not have (added by a
/// later version or by hand), as `table.column`: the copy has no place for them, so a
/// migration or import refuses the file rather than drop them.
pub(crate) fn extra_columns(conn: &Connection, schema: &str) -> rusqlite::Result<Vec<String>> {
    let mut extra = Vec::new();
    for table in TABLES {
        for column in columns(conn, schema, table.legacy)? {
            if !table
                .columns
                .iter()
                .any(|c| c.eq_ignore_ascii_case(&column))
            {
                extra.push(format!("{}.{column}", table.legacy));
            }
        }
    }
    Ok(extra)
}

/// The refusal of a file with [`extra_columns`].
pub(crate) fn extra_columns_reason(extra: &[String]) -> String {
    format!(
        "has columns the multi-tenant schema has no place for, which the copy would lose: {}. \
         Move their data elsewhere and drop them from the legacy file (a copy of it, for an \
         import), then run this again",
        extra.join(", ")
    )
}

fn columns(conn: &Connection, schema: &str, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1, ?2)")?;
    stmt.query_map([table, schema], |r| r.get(0))?.collect()
}

/// The tables `detect` found, with their row counts, for a legacy schema prefix
/// (`legacy_`, `legacy.` or the plain `main.`).
pub(crate) fn count_rows(
    conn: &Connection,
    src: &str,
    ledger: bool,
) -> rusqlite::Result<Vec<(&'static str, u64)>> {
    TABLES
        .iter()
        .filter(|t| ledger || !t.optional)
        .map(|t| {
            let n: i64 = conn.query_row(
                &format!("SELECT count(*) FROM {src}{}", t.legacy),
                [],
                |r| r.get(0),
            )?;
            Ok((t.legacy, n as u64))
        })
        .collect()
}
