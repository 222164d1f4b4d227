//! The checks a migration or import passes before it commits: the new rows of the streamer
//! against the legacy rows they came from, then the database as a whole.

use super::preflight::normalisations;
use super::run::{Plan, bind};
use super::{LegacyError, Step};
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
        "SELECT id + :uo, username, voice_id, drop_image FROM {src}users",
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
    for table in plan.tables() {
        let before = scalar(
            tx,
            plan,
            &format!("SELECT count(*) FROM {{src}}{}", table.legacy),
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
                "{what}: {missing} legacy rows differ after the copy"
            ));
        }
    }
    for table in plan.tables() {
        for norm in normalisations(table).iter().filter(|n| n.checked) {
            let name = format!("{}.{}", norm.table, norm.column);
            let expected = plan.normalised.get(&name).copied().unwrap_or(0);
            let changed = scalar(
                tx,
                plan,
                &format!(
                    "SELECT count(*) FROM {{src}}{legacy} AS r JOIN {target} AS n \
                     ON n.streamer_id = :s AND {join} WHERE r.{column} IS NOT n.{column}",
                    legacy = table.legacy,
                    target = table.target,
                    join = table
                        .join
                        .replace(":io", &plan.offset(table.target).to_string()),
                    column = norm.column
                ),
            )
            .map_err(&sql_failed)?;
            checks += 1;
            if changed as u64 != expected {
                differences.push(format!(
                    "{name}: {changed} values differ from the legacy rows, {expected} were to \
                     be normalised"
                ));
            }
        }
    }
    if differences.is_empty() {
        Ok(format!(
            "{checks} checks equal (counts, sums, users, balances, ledgers, inventories, drops, \
             normalised values)"
        ))
    } else {
        Err(LegacyError::Mismatch(differences))
    }
}

/// `foreign_key_check` of the tables the run wrote, and `integrity_check` of the file.
pub(crate) fn integrity(tx: &Transaction<'_>, plan: &Plan<'_>) -> Result<String, LegacyError> {
    let failed = LegacyError::sqlite(Step::CheckIntegrity);
    let mut problems = Vec::new();
    for table in plan.tables() {
        let mut stmt = tx
            .prepare(&format!("PRAGMA main.foreign_key_check({})", table.target))
            .map_err(&failed)?;
        let mut rows = stmt.query([]).map_err(&failed)?;
        let mut n = 0u64;
        while rows.next().map_err(&failed)?.is_some() {
            n += 1;
        }
        if n > 0 {
            problems.push(format!(
                "{}: {n} rows reference a missing parent (in the legacy file: rows of {} whose \
                 user no longer exists)",
                table.target, table.legacy
            ));
        }
    }
    let integrity: String = tx
        .query_row("PRAGMA main.integrity_check", [], |r| r.get(0))
        .map_err(&failed)?;
    if integrity != "ok" {
        problems.push(format!("integrity_check: {integrity}"));
    }
    if problems.is_empty() {
        Ok("foreign_key_check and integrity_check clean".into())
    } else {
        Err(LegacyError::Mismatch(problems))
    }
}

fn scalar(tx: &Transaction<'_>, plan: &Plan<'_>, sql: &str) -> rusqlite::Result<i64> {
    let mut stmt = tx.prepare(&sql.replace("{src}", plan.src))?;
    let (uo, lo) = (plan.user_offset(), plan.offset("point_transactions"));
    bind(
        &mut stmt,
        &[(":s", &plan.streamer_id), (":uo", &uo), (":lo", &lo)],
    )?;
    let mut rows = stmt.raw_query();
    match rows.next()? {
        Some(row) => row.get(0),
        None => Ok(0),
    }
}
