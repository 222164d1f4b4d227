//! What a legacy file holds beyond the legacy schema: the user's own tables, views and triggers.
//! Tables and views are kept (and checked against the new tables before the commit); a
//! trigger on a legacy table, a foreign key to a table the new schema lacks, rows that already
//! break one of the user's foreign keys, and a name the new schema takes are refused before
//! anything is written.

use crate::sql::ident;
use crate::tables::TABLES;
use rusqlite::Connection;

/// Tables, views and triggers of the file that are neither legacy tables (nor triggers on them)
/// nor SQLite's own, as "table x", "view y".
pub(crate) fn other_objects(conn: &Connection) -> rusqlite::Result<Vec<String>> {
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

/// The user's tables, views and indexes named like a table or index the multi-tenant schema
/// creates (`events`, say), as "table events": creating the schema would fail on them, since
/// SQLite gives tables, views and indexes one namespace, in any case. The legacy tables are not
/// among them (they are renamed aside first); an index on one is (it keeps its name).
pub(crate) fn names_the_schema_takes(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let taken = schema_names()?;
    let mut stmt = conn.prepare(
        "SELECT type, name FROM sqlite_schema \
         WHERE type IN ('table', 'view', 'index') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         ORDER BY type, name",
    )?;
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .filter(|(kind, name)| {
            !(kind == "table" && TABLES.iter().any(|t| t.legacy.eq_ignore_ascii_case(name)))
                && taken.iter().any(|t| t.eq_ignore_ascii_case(name))
        })
        .map(|(kind, name)| format!("{kind} {name}"))
        .collect())
}

/// The tables and indexes the multi-tenant schema creates, read from the schema made in memory.
fn schema_names() -> rusqlite::Result<Vec<String>> {
    let mut conn = Connection::open_in_memory()?;
    let tx = conn.transaction()?;
    reference_store::migrations::create_all(&tx)?;
    tx.prepare("SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// The foreign keys of the user's own tables, as the pre-flight sees them.
pub(crate) struct UserKeys {
    /// "notes references admin_sessions, which …": parents the new schema will not have.
    pub lost_parents: Vec<String>,
    /// Rows that already break one (the first few per table), and how many in all.
    pub orphans: Vec<String>,
    pub orphans_total: u64,
}

/// Reads the foreign keys of every table that is not a legacy one: a parent that will not exist
/// after the migration (`admin_sessions` becomes `streamer_sessions`; a table that is not in
/// the file at all), and rows that reference a missing parent already (the legacy app may not
/// have enforced keys; the migration's final check would refuse them without naming rows).
pub(crate) fn user_foreign_keys(conn: &Connection) -> rusqlite::Result<UserKeys> {
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
        let mut stmt = conn.prepare(&format!("PRAGMA main.foreign_key_check({})", ident(table)))?;
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
pub(crate) fn triggers_on_legacy_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
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
