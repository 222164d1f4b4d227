//! The statement audit's rule, for any SQL backend: every statement that reads or writes a
//! tenant table constrains `streamer_id` (see [`unscoped`]). The SQLite and PostgreSQL stores'
//! audits (`tests/sqlite_audit.rs`, `tests/postgres_audit.rs`) run the whole suite, collect every
//! statement the store ran, and hold each to it; a backend author can do the same with theirs.
//! Placeholders may be SQLite's (`?1`) or PostgreSQL's (`$1`).

use std::collections::BTreeSet;

const KEYWORDS: &[&str] = &[
    "WHERE",
    "ON",
    "LEFT",
    "JOIN",
    "INNER",
    "SET",
    "ORDER",
    "GROUP",
    "LIMIT",
    "VALUES",
    "RETURNING",
    "DEFAULT",
    "AS",
    "USING",
    "CROSS",
    "SELECT",
];

/// Why `sql` does not constrain `streamer_id` for every tenant table it touches, if it doesn't.
///
/// The rule: an `INSERT` into a tenant table names `streamer_id` among its columns; any other
/// statement that reads or writes one compares a `streamer_id` with a bound parameter, and
/// every tenant table it names is constrained on its own `streamer_id` (through its alias when
/// the statement has several tables). Schema statements and pragmas are not tenant data.
pub fn unscoped(sql: &str, tenant: &BTreeSet<String>) -> Option<String> {
    let text = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let upper = text.to_ascii_uppercase();
    if [
        "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "CREATE", "DROP", "ALTER", "ANALYZE",
    ]
    .iter()
    .any(|k| upper.starts_with(k))
    {
        return None;
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    // (table, name it goes by, whether it is an INSERT target)
    let mut refs = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let w_up = w.to_ascii_uppercase();
        if !matches!(w_up.as_str(), "FROM" | "JOIN" | "INTO" | "UPDATE") {
            continue;
        }
        let Some(table) = words.get(i + 1) else {
            continue;
        };
        let mut alias = *table;
        let mut next = i + 2;
        if words
            .get(next)
            .is_some_and(|a| a.eq_ignore_ascii_case("AS"))
        {
            next += 1;
        }
        if let Some(a) = words.get(next)
            && !KEYWORDS.contains(&a.to_ascii_uppercase().as_str())
            && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            alias = a;
        }
        // Table names compare ignoring case, quotes and the `main.` schema.
        let table = table.trim_matches('"').to_ascii_lowercase();
        let table = table.strip_prefix("main.").unwrap_or(&table).to_owned();
        refs.push((table, alias.to_string(), w_up == "INTO"));
    }
    let tenant_refs: Vec<_> = refs.iter().filter(|(t, _, _)| tenant.contains(t)).collect();
    if tenant_refs.is_empty() {
        return None;
    }
    let mut problems = Vec::new();
    // Shapes the store never uses and the rules below could be fooled by: comma joins,
    // rewriting streamer_id, and an OR next to a tenant predicate.
    if let Some((_, from)) = upper.split_once(" FROM ") {
        let clause = from
            .split([' '])
            .take_while(|w| !matches!(*w, "WHERE" | "ORDER" | "GROUP" | "LIMIT" | "RETURNING"))
            .collect::<Vec<_>>()
            .join(" ");
        // A comma at the top level of the FROM clause; one inside parentheses is a function's
        // argument or column list (`unnest($1) AS j(name, ord)`).
        let mut depth = 0i32;
        let top_level_comma = clause.chars().any(|c| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            c == ',' && depth == 0
        });
        if top_level_comma {
            problems.push("a comma join (use JOIN ... ON)".to_owned());
        }
    }
    if upper.starts_with("UPDATE")
        && upper.split_once(" SET ").is_some_and(|(_, set)| {
            set.split(" WHERE ")
                .next()
                .unwrap_or("")
                .contains("STREAMER_ID")
        })
    {
        problems.push("an UPDATE that sets streamer_id".to_owned());
    }
    let tokens: Vec<&str> = upper.split_whitespace().collect();
    for (i, t) in tokens.iter().enumerate() {
        if t.ends_with("STREAMER_ID")
            && tokens.get(i + 1) == Some(&"=")
            && (tokens.get(i + 3) == Some(&"OR") || (i > 0 && tokens[i - 1].ends_with("OR")))
        {
            problems.push("a tenant predicate joined by OR".to_owned());
        }
    }
    for (table, alias, insert) in &tenant_refs {
        if *insert {
            let columns = text
                .split_once(table.as_str())
                .map(|(_, r)| r)
                .unwrap_or("");
            let columns = columns.split(')').next().unwrap_or("");
            if !columns.contains("streamer_id") {
                problems.push(format!("INSERT INTO {table} without streamer_id"));
            }
            continue;
        }
        let qualified = text.contains(&format!("{alias}.streamer_id = "))
            || text.contains(&format!("= {alias}.streamer_id"));
        let alone = refs.len() == 1 && text.contains("streamer_id = ");
        if !(qualified || alone) {
            problems.push(format!("{table} is not constrained on its streamer_id"));
        }
    }
    if !tenant_refs.iter().all(|(_, _, insert)| *insert)
        && !text.contains("streamer_id = ?")
        && !text.contains("streamer_id = $")
    {
        problems.push("no streamer_id is compared with a bound parameter".into());
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

/// Whether `sql` is a data statement on a tenant table (not schema, not a pragma).
pub fn touches_tenant_data(sql: &str, tenant: &BTreeSet<String>) -> bool {
    let upper = sql.trim_start().to_ascii_uppercase();
    ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "DECLARE"]
        .iter()
        .any(|k| upper.starts_with(k))
        && sql
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| tenant.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_flags_unscoped_statements() {
        let tenant: BTreeSet<String> = ["users", "user_points", "tips"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let bad = [
            "SELECT id FROM users WHERE id = ?1",
            "SELECT id FROM users WHERE id = $1",
            "DELETE FROM tips WHERE id = ?2",
            "UPDATE tips SET enabled = 0 WHERE id = ?1",
            "INSERT INTO tips (content, created_at) VALUES (?1, ?2)",
            "SELECT p.channel_points FROM users u LEFT JOIN user_points p ON p.user_id = u.id \
             WHERE u.streamer_id = ?1 AND u.id = ?2",
            "SELECT count(*) FROM users",
            "SELECT u.id FROM users u WHERE u.streamer_id = u.streamer_id",
            "UPDATE users SET streamer_id = ?1 WHERE id = ?2",
            "DELETE FROM tips WHERE id = ?2 OR streamer_id = ?1",
            "DELETE FROM tips WHERE streamer_id = ?1 OR id = ?2",
            "SELECT p.user_id FROM users u, user_points p WHERE u.streamer_id = ?1 AND p.user_id = ?2",
            "SELECT id FROM \"users\" WHERE id = ?1",
            "SELECT id FROM main.users WHERE id = ?1",
            "SELECT id FROM Users WHERE id = ?1",
            "SELECT p.user_id FROM users u JOIN user_points p ON p.user_id = ?2 \
             AND p.streamer_id IS NOT NULL WHERE u.streamer_id = ?1",
        ];
        for sql in bad {
            assert!(unscoped(sql, &tenant).is_some(), "not flagged: {sql}");
        }
        let good = [
            "SELECT id FROM users WHERE streamer_id = ?1 AND id = ?2",
            "SELECT id FROM users WHERE streamer_id = $1 AND id = $2",
            "SELECT $1, j.name FROM unnest($2::text[]) WITH ORDINALITY AS j(name, ord) \
         JOIN users u ON u.streamer_id = $1 AND u.username = j.name",
            "INSERT INTO tips (streamer_id, content) VALUES (?1, ?2)",
            "SELECT p.channel_points FROM users u LEFT JOIN user_points p \
             ON p.streamer_id = u.streamer_id AND p.user_id = u.id WHERE u.streamer_id = ?1",
            "DELETE FROM streamers WHERE streamers.id = ?1",
            "PRAGMA foreign_keys = ON",
            "CREATE TABLE tips (id INTEGER)",
        ];
        for sql in good {
            assert_eq!(unscoped(sql, &tenant), None, "flagged: {sql}");
        }
    }
}
