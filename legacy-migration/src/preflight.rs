//! The pre-flight scan: before anything is backed up or changed, read every legacy row once and
//! find (1) the rows the multi-tenant schema cannot take, each named by table, id, column and
//! value, and (2) the values the copy will normalise, counted per column.
//!
//! What is refused and what is carried is decided in [`crate::rules`]: data that breaks what
//! the legacy app meant to keep (an overdrawn balance, an unknown ledger source, an unreadable
//! time, a row whose viewer is gone) would have to be clamped, dropped or invented to fit, so
//! the run stops before its backup with the list of rows, and the streamer fixes them in the
//! legacy app's file (the scan reads only); values the legacy app merely accepted are carried.
//! It also counts (3) the sessions, codes and cooldowns that have expired, which the copy
//! skips.
//!
//! Normalisations are the changes that lose nothing: an ISO country code upper-cased, a NULL
//! flag or counter given the legacy app's own default, an `is_perfect` of 2 read as true, an
//! empty `powerup_used` read as none, a NULL time given the migration's start. Each is counted
//! here, reported in the step log and in `migration_audit`, and verified after the copy: the
//! number of values that differ between a legacy row and its copy must equal this count.

use crate::rules::{Rule, normalisations, rules};
use crate::sql::bind;
use crate::tables::{TABLES, Table, expired};
use rusqlite::Connection;
use std::collections::BTreeMap;

/// At most this many example rows per broken rule.
const EXAMPLES: i64 = 5;

/// What the scan found.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// Rows that break a rule: how many in all, and the first few of each rule, described.
    pub bad_total: u64,
    pub bad: Vec<String>,
    /// Values the copy will normalise: `table.column` → (count, what).
    pub normalised: BTreeMap<String, (u64, &'static str)>,
    /// Rows that have expired, which the copy skips: legacy table → rows.
    pub expired: BTreeMap<String, u64>,
}

impl Findings {
    /// "values to normalise: users.country ×3 (upper-cased …); …; expired rows to leave
    /// behind: user_sessions ×4, …": what the step log says of the scan.
    pub fn summary(&self) -> String {
        let normalised = if self.normalised.is_empty() {
            "none".to_owned()
        } else {
            self.normalised
                .iter()
                .map(|(column, (n, what))| format!("{column} ×{n} ({what})"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let expired = if self.expired.is_empty() {
            "none".to_owned()
        } else {
            self.expired
                .iter()
                .map(|(table, n)| format!("{table} ×{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("values to normalise: {normalised}; expired rows to leave behind: {expired}")
    }

    /// The normalised counts alone, for the audit row.
    pub fn normalised_counts(&self) -> BTreeMap<String, u64> {
        self.normalised
            .iter()
            .map(|(c, (n, _))| (c.clone(), *n))
            .collect()
    }
}

/// Scans the legacy tables at `src` (`main.`, `legacy.`, `legacy_`), one pass per table for
/// the counts and a short query per broken rule for its examples. Sessions, codes and
/// cooldowns that expired before `expire_before` (the run's start) are counted, not checked;
/// `documents`: the run copies the theme and layout documents (their rule applies).
/// `conn` has the legacy functions registered.
pub(crate) fn scan(
    conn: &Connection,
    src: &str,
    ledger: bool,
    expire_before: i64,
    documents: bool,
) -> rusqlite::Result<Findings> {
    let now = expire_before;
    let mut findings = Findings::default();
    for table in TABLES.iter().filter(|t| ledger || !t.optional) {
        let rules = rules(table, now, documents);
        let norms = normalisations(table, now);
        let gone = if table.ephemeral {
            expired("r.", now)
        } else {
            "0".to_owned()
        };
        let filters: Vec<String> = rules
            .iter()
            .map(|r| r.bad.as_str())
            .chain(norms.iter().map(|n| n.changes.as_str()))
            .chain([gone.as_str()])
            .map(|p| format!("count(*) FILTER (WHERE {p})"))
            .collect();
        let sql = format!(
            "SELECT {} FROM {src}{} AS r",
            filters.join(", "),
            table.legacy
        )
        .replace("{src}", src);
        let counts: Vec<i64> = conn.query_row(&sql, [], |row| {
            (0..filters.len()).map(|i| row.get(i)).collect()
        })?;
        for (rule, &n) in rules.iter().zip(&counts) {
            if n == 0 {
                continue;
            }
            findings.bad_total += n as u64;
            findings.bad.extend(examples(conn, src, table, rule)?);
            if n > EXAMPLES {
                findings.bad.push(format!(
                    "… and {} of {} whose {} is not {}",
                    crate::text::count((n - EXAMPLES) as u64, "more row", "more rows"),
                    rule.table,
                    rule.column,
                    rule.must
                ));
            }
        }
        for (norm, &n) in norms.iter().zip(&counts[rules.len()..]) {
            if n > 0 {
                findings.normalised.insert(
                    format!("{}.{}", norm.table, norm.column),
                    (n as u64, norm.what),
                );
            }
        }
        if let Some(&n) = counts.last().filter(|&&n| n > 0) {
            findings.expired.insert(table.legacy.to_owned(), n as u64);
        }
    }
    Ok(findings)
}

fn examples(
    conn: &Connection,
    src: &str,
    table: &Table,
    rule: &Rule,
) -> rusqlite::Result<Vec<String>> {
    let sql = format!(
        "SELECT quote(r.{key}), quote(r.{column}) FROM {src}{table} AS r WHERE {bad} \
         ORDER BY r.{key} LIMIT :n",
        key = table.key,
        column = rule.column,
        table = table.legacy,
        bad = rule.bad,
    )
    .replace("{src}", src);
    let mut stmt = conn.prepare(&sql)?;
    bind(&mut stmt, &[(":n", &EXAMPLES)])?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let (key, value): (String, String) = (row.get(0)?, row.get(1)?);
        out.push(format!(
            "{} {} {}: {} = {} must be {}",
            rule.table,
            table.key,
            shorten(&key),
            rule.column,
            shorten(&value),
            rule.must
        ));
    }
    Ok(out)
}

/// A value as a message shows it: at most 60 characters.
fn shorten(value: &str) -> String {
    if value.chars().count() <= 60 {
        value.to_owned()
    } else {
        format!("{}…", value.chars().take(59).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_shortened_in_messages() {
        assert_eq!(shorten("'abc'"), "'abc'");
        let long = "x".repeat(100);
        assert_eq!(shorten(&long).chars().count(), 60);
    }
}
