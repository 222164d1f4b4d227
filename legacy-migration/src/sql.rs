//! SQL helpers every step uses: quoting a name read from a file, and binding the named
//! parameters a statement has.

use rusqlite::Statement;
use rusqlite::types::ToSql;

/// `name` quoted as an SQL identifier (for names read from a file's schema).
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
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
