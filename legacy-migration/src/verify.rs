//! The checks a migration or import passes before it commits: the new rows of the streamer
//! against the legacy rows they came from, then the database as a whole.

use crate::documents;
use crate::error::LegacyError;
use crate::plan::Plan;
use crate::rules::normalisations;
use crate::sql::bind;
use crate::step::Step;
use crate::tables::Table;
use crate::text::count;
use rusqlite::Transaction;

/// The sums that must not change: (legacy table, column).
const SUMS: &[(&str, &str, &str)] = &[
    ("user_points", "user_points", "channel_points"),
    ("user_points", "user_points", "drop_points"),
    ("user_points", "user_points", "total_drops"),
    ("point_transactions", "point_transactions", "amount"),
    ("powerup_inventory", "powerup_inventory", "quantity"),
    ("powerup_purchases", "powerup_purchases", "cost"),
    ("drop_history", "drop_history", "score"),
];

/// Row sets that must come through whole: (legacy table, what, legacy rows, new rows). Each side
/// has one row per key, so with equal counts, "no legacy row missing from the new side" means
/// equal. `{src}` is the legacy prefix; `:uo` the user id offset; `:s` the streamer.
const SETS: &[(&str, &str, &str, &str)] = &[
    (
        "users",
        "users (id, name, voice, drop image)",
        "SELECT id + :uo, username COLLATE BINARY, voice_id, drop_image FROM {src}users",
        "SELECT id, username, voice_id, drop_image FROM users WHERE streamer_id = :s",
    ),
    (
        "user_points",
        "per-user balances",
        "SELECT user_id + :uo, coalesce(channel_points, 0), coalesce(drop_points, 0), \
         coalesce(total_drops, 0) FROM {src}user_points",
        "SELECT user_id, channel_points, drop_points, total_drops FROM user_points \
         WHERE streamer_id = :s",
    ),
    (
        "point_transactions",
        "per-user ledgers",
        "SELECT user_id + :uo, count(*), sum(amount), min(id), max(id) \
         FROM {src}point_transactions GROUP BY user_id",
        "SELECT user_id, count(*), sum(amount), min(id) - :lo, max(id) - :lo \
         FROM point_transactions WHERE streamer_id = :s GROUP BY user_id",
    ),
    (
        "powerup_inventory",
        "inventory quantities",
        "SELECT user_id + :uo, powerup_type, coalesce(quantity, 0) FROM {src}powerup_inventory",
        "SELECT user_id, powerup_type, quantity FROM powerup_inventory WHERE streamer_id = :s",
    ),
    (
        "drop_history",
        "drop scores per user",
        "SELECT user_id + :uo, count(*), sum(score), sum(coalesce(is_perfect, 0) <> 0) \
         FROM {src}drop_history GROUP BY user_id",
        "SELECT user_id, count(*), sum(score), sum(is_perfect) FROM drop_history \
         WHERE streamer_id = :s GROUP BY user_id",
    ),
];

/// Compares the streamer's new rows with the legacy rows: row counts of every table, the sum of
/// every point column, and whole row sets of users, balances, inventories and drop scores.
/// Returns what was compared, or every difference found.
pub(crate) fn compare(tx: &Transaction<'_>, plan: &Plan<'_>) -> Result<String, LegacyError> {
    let sql_failed = LegacyError::sqlite(Step::Verify);
    let mut differences = Vec::new();
    let mut checks = 0;
    // Counted once here, used again by the row-by-row comparison.
    let mut legacy_counts = Vec::new();
    for table in plan.tables() {
        // Expired sessions, codes and cooldowns are left behind: the live ones must all arrive.
        let before = scalar(
            tx,
            plan,
            &format!(
                "SELECT count(*) FROM {{src}}{} WHERE 1{}",
                table.legacy,
                plan.live(table, "")
            ),
        )
        .map_err(&sql_failed)?;
        let after = scalar(
            tx,
            plan,
            &format!(
                "SELECT count(*) FROM {} WHERE streamer_id = :s",
                table.target
            ),
        )
        .map_err(&sql_failed)?;
        checks += 1;
        legacy_counts.push(before);
        if before != after {
            differences.push(format!(
                "{}: {before} legacy rows, {after} in {}",
                table.legacy, table.target
            ));
        }
    }
    for (legacy, target, column) in SUMS {
        if !plan.tables().any(|t| t.legacy == *legacy) {
            continue;
        }
        let before = scalar(
            tx,
            plan,
            &format!("SELECT coalesce(sum({column}), 0) FROM {{src}}{legacy}"),
        )
        .map_err(&sql_failed)?;
        let after = scalar(
            tx,
            plan,
            &format!("SELECT coalesce(sum({column}), 0) FROM {target} WHERE streamer_id = :s"),
        )
        .map_err(&sql_failed)?;
        checks += 1;
        if before != after {
            differences.push(format!(
                "sum of {legacy}.{column}: {before} before, {after} after"
            ));
        }
    }
    for (table, what, legacy, new) in SETS {
        if !plan.tables().any(|t| t.legacy == *table) {
            continue;
        }
        let missing = scalar(
            tx,
            plan,
            &format!("SELECT count(*) FROM ({legacy} EXCEPT {new})"),
        )
        .map_err(&sql_failed)?;
        checks += 1;
        if missing != 0 {
            differences.push(format!(
                "{what}: {} after the copy",
                count(missing as u64, "legacy row differs", "legacy rows differ")
            ));
        }
    }
    for (table, legacy_rows) in plan.tables().zip(legacy_counts) {
        checks +=
            compare_rows(tx, plan, table, legacy_rows, &mut differences).map_err(&sql_failed)?;
    }
    checks += documents::verify(tx, plan, &mut differences).map_err(&sql_failed)?;
    if differences.is_empty() {
        Ok(format!(
            "{checks} checks equal (counts, sums, users, balances, ledgers, inventories, drops, \
             copied values, normalised values, times, theme and layout)"
        ))
    } else {
        Err(LegacyError::Mismatch(differences))
    }
}

/// Joins every legacy row of `table` to its copy and counts, in one pass: rows without a copy,
/// and per column the values that differ from the legacy ones. A normalised column must differ
/// in exactly the rows the pre-flight scan counted; a time must equal `legacy_ms` of the legacy
/// text (the migration's start for a NULL). Returns the number of checks made.
fn compare_rows(
    tx: &Transaction<'_>,
    plan: &Plan<'_>,
    table: &Table,
    legacy_rows: i64,
    differences: &mut Vec<String>,
) -> rusqlite::Result<u64> {
    let mut columns: Vec<(String, String, u64)> = normalisations(table, plan.expire_before)
        .iter()
        .filter(|n| n.checked)
        .map(|n| {
            let name = format!("{}.{}", n.table, n.column);
            let expected = plan.normalised.get(&name).copied().unwrap_or(0);
            (format!("r.{c} IS NOT n.{c}", c = n.column), name, expected)
        })
        .collect();
    // Compared byte for byte: the legacy column's collation (NOCASE for usernames) would
    // otherwise decide.
    for column in table.verbatim {
        columns.push((
            format!("r.{column} IS NOT n.{column} COLLATE BINARY"),
            format!("{}.{column}", table.legacy),
            0,
        ));
    }
    if table.columns.contains(&"user_id") {
        // Each row still belongs to the same viewer (a session, a purchase, a ledger row).
        columns.push((
            "n.user_id IS NOT r.user_id + :uo".to_owned(),
            format!("{}.user_id", table.legacy),
            0,
        ));
    }
    for time in table.times {
        columns.push((
            format!("n.{time} IS NOT legacy_ms(r.{time}, '', :now)"),
            format!("{}.{time}", table.legacy),
            0,
        ));
    }
    let filters: Vec<String> = columns
        .iter()
        .map(|(differs, _, _)| format!("count(*) FILTER (WHERE {differs})"))
        .collect();
    let sql = format!(
        "SELECT count(*){more} FROM {{src}}{legacy} AS r \
         JOIN {target} AS n ON n.streamer_id = :s AND {join} WHERE 1{live}",
        live = plan.live(table, "r."),
        legacy = table.legacy,
        target = table.target,
        more = filters.iter().map(|f| format!(", {f}")).collect::<String>(),
        join = table
            .join
            .replace(":io", &plan.offset(table.target).to_string()),
    );
    let mut stmt = tx.prepare(&sql.replace("{src}", plan.src))?;
    bind_all(&mut stmt, plan)?;
    let counts: Vec<i64> = stmt
        .raw_query()
        .next()?
        .map(|row| (0..=columns.len()).map(|i| row.get(i)).collect())
        .transpose()?
        .unwrap_or_default();
    let without_copy = legacy_rows - counts.first().copied().unwrap_or(0);
    if without_copy != 0 {
        differences.push(format!(
            "{}: {} no copy in {}",
            table.legacy,
            count(without_copy as u64, "legacy row has", "legacy rows have"),
            table.target
        ));
    }
    for ((_, name, expected), &changed) in columns.iter().zip(counts.iter().skip(1)) {
        if changed as u64 != *expected {
            differences.push(if *expected == 0 {
                format!(
                    "{name}: {} from the legacy rows",
                    count(changed as u64, "value differs", "values differ")
                )
            } else {
                format!(
                    "{name}: {} from the legacy rows, {} to be normalised",
                    count(changed as u64, "value differs", "values differ"),
                    count(*expected, "was", "were")
                )
            });
        }
    }
    Ok(1 + columns.len() as u64)
}

fn scalar(tx: &Transaction<'_>, plan: &Plan<'_>, sql: &str) -> rusqlite::Result<i64> {
    let mut stmt = tx.prepare(&sql.replace("{src}", plan.src))?;
    bind_all(&mut stmt, plan)?;
    let mut rows = stmt.raw_query();
    match rows.next()? {
        Some(row) => row.get(0),
        None => Ok(0),
    }
}

/// Binds the streamer, the offsets and the run's start, where `stmt` uses them.
fn bind_all(stmt: &mut rusqlite::Statement<'_>, plan: &Plan<'_>) -> rusqlite::Result<()> {
    let (uo, lo) = (plan.user_offset(), plan.offset("point_transactions"));
    bind(
        stmt,
        &[
            (":s", &plan.streamer_id),
            (":uo", &uo),
            (":lo", &lo),
            (":now", &plan.now),
        ],
    )
}
