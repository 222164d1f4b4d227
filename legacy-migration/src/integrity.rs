//! The file as a whole, before the commit: every foreign key (the user's own tables' too), every
//! view and trigger still compiling against the new tables, and `integrity_check`.

use crate::error::LegacyError;
use crate::plan::Plan;
use crate::sql::ident;
use crate::step::Step;
use crate::text::count;
use rusqlite::Transaction;

/// `foreign_key_check` of every table (the user's own included: a key that no longer fits the
/// new table of its parent's name fails here), every view and trigger still compiling against
/// the new tables, and `integrity_check` of the file.
pub(crate) fn check(tx: &Transaction<'_>, plan: &Plan<'_>) -> Result<String, LegacyError> {
    let failed = LegacyError::sqlite(Step::CheckIntegrity);
    let mut problems = Vec::new();
    match foreign_key_violations(tx) {
        Ok(violations) => {
            for (table, n) in violations {
                let legacy = plan
                    .tables()
                    .find(|t| t.target == table)
                    .map_or(String::new(), |t| {
                        format!(
                            " (in the legacy file: rows of {} whose user no longer exists)",
                            t.legacy
                        )
                    });
                problems.push(format!(
                    "{table}: {} a missing parent{legacy}",
                    count(n, "row references", "rows reference")
                ));
            }
        }
        Err(e) => problems.push(format!(
            "foreign keys: {e} (a table of yours references a legacy table by a column the new \
             table does not have, or that is not unique in it: change or drop that foreign key \
             in the legacy file and run again)"
        )),
    }
    problems.extend(uncompilable_objects(tx).map_err(&failed)?);
    let integrity: String = tx
        .query_row("PRAGMA main.integrity_check", [], |r| r.get(0))
        .map_err(&failed)?;
    if integrity != "ok" {
        problems.push(format!("integrity_check: {integrity}"));
    }
    if problems.is_empty() {
        Ok("foreign_key_check, views, triggers and integrity_check clean".into())
    } else {
        Err(LegacyError::Mismatch(problems))
    }
}

/// Rows violating a foreign key, by table. An error when a key cannot be checked at all (its
/// parent lacks the column, or the column is not unique there).
fn foreign_key_violations(tx: &Transaction<'_>) -> rusqlite::Result<Vec<(String, u64)>> {
    let mut stmt = tx.prepare("PRAGMA main.foreign_key_check")?;
    let mut rows = stmt.query([])?;
    let mut by_table: Vec<(String, u64)> = Vec::new();
    while let Some(row) = rows.next()? {
        let table: String = row.get(0)?;
        match by_table.iter_mut().find(|(t, _)| *t == table) {
            Some((_, n)) => *n += 1,
            None => by_table.push((table, 1)),
        }
    }
    Ok(by_table)
}

/// The user's views that no longer compile, and the tables and views whose triggers no longer
/// do (a trigger is compiled into each statement that fires it, so preparing, never running,
/// an INSERT, an UPDATE of every column and a DELETE compiles them all). The multi-tenant
/// schema has no views or triggers of its own.
fn uncompilable_objects(tx: &Transaction<'_>) -> rusqlite::Result<Vec<String>> {
    let mut problems = Vec::new();
    let views: Vec<String> = tx
        .prepare("SELECT name FROM main.sqlite_schema WHERE type = 'view' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for view in views {
        if let Err(e) = tx.prepare(&format!("SELECT * FROM main.{} LIMIT 0", ident(&view))) {
            problems.push(format!(
                "view {view} no longer works on the new tables: {e}"
            ));
        }
    }
    // `tbl_name` is the name as the trigger was written, in any case.
    let targets: Vec<(String, String)> = tx
        .prepare(
            "SELECT DISTINCT o.name, o.type FROM main.sqlite_schema t JOIN main.sqlite_schema o \
             ON o.name = t.tbl_name COLLATE NOCASE AND o.type IN ('table', 'view') \
             WHERE t.type = 'trigger' ORDER BY 1",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (target, kind) in targets {
        let columns: Vec<String> = tx
            .prepare("SELECT name FROM pragma_table_info(?1, 'main')")?
            .query_map([&target], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let set = columns
            .iter()
            .map(|c| format!("{c} = {c}", c = ident(c)))
            .collect::<Vec<_>>()
            .join(", ");
        let name = ident(&target);
        for sql in [
            format!("INSERT INTO main.{name} DEFAULT VALUES"),
            format!("UPDATE main.{name} SET {set}"),
            format!("DELETE FROM main.{name}"),
        ] {
            match tx.prepare(&sql) {
                Ok(_) => {}
                // A view has INSTEAD OF triggers for some statements only; the others are not
                // allowed on it at all, which says nothing about its triggers.
                Err(e) if kind == "view" && e.to_string().contains("because it is a view") => {}
                Err(e) => {
                    problems.push(format!(
                        "a trigger on {target} no longer works on the new tables: {e}"
                    ));
                    break;
                }
            }
        }
    }
    Ok(problems)
}
