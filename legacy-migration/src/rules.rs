//! What the pre-flight scan looks for: the rules of the multi-tenant schema a legacy row can
//! break, and the values the copy changes without losing anything (normalisations).
//!
//! # Refused or carried
//!
//! A value the legacy app accepted by design is carried as it is, however unusual: a viewer
//! username of any length (the legacy profile route created viewers from any URL segment), a
//! goal id or setting key of any length (URL segments of the legacy admin routes), a tip saved
//! with no text, a goal with a target of 0, a theme or layout document of any size.
//! The schema holds them (migration 006), and the contract still refuses new ones.
//!
//! A value that breaks what the legacy app itself meant to keep is refused, with the row named,
//! because carrying it would mean clamping, dropping or inventing data:
//!
//! * an overdrawn (negative) balance, drop count, stock or goal progress: the legacy app's
//!   read-check-write spends could race into one; the fix is the streamer's decision (a ledger
//!   row that clears it);
//! * a ledger source, powerup type or powerup id the legacy app never writes (it writes only
//!   its own list), a negative price or score, a powerup's variables that are not a JSON
//!   object, a theme or layout document that is not a JSON object: written by hand or damaged;
//! * a time that is not a time, a row whose viewer is gone (the legacy app cascades deletes:
//!   such rows come from a file whose keys were not enforced), a session token that is not text,
//!   an empty username, key or id; a country that is not a two-letter code or empty (the legacy
//!   app's data holds ISO 3166-1 alpha-2 codes or none); a command longer than 128 characters
//!   or a verification code longer than 32 (the legacy app writes these itself, from its own
//!   list of commands and its code generator).
//!
//! Sessions, verification codes and cooldowns that have expired are neither: they mean nothing
//! any more (the store never answers them: an expired session logs no one in, an expired code
//! proves nothing, an expired cooldown holds no one back), so they never block a run and are
//! not copied, only
//! counted. A rule on one of those tables applies to the rows that are still live, such as two
//! live codes of one viewer that differ only in the case of the username, which the new schema
//! cannot hold apart (they expire within minutes: run again later).

use crate::documents::{LAYOUT_KEY, THEME_KEY};
use crate::tables::{Table, expired};

/// The powerup types and ledger sources of the schema.
const POWERUPS: &str = "('boost', 'ghost', 'magnet', 'powerdrop', 'shield', 'tnt')";
const SOURCES: &str = "('admin', 'chat', 'drop', 'duel', 'gamble', 'gift', 'renewal', 'spend', \
                       'sub', 'tip', 'watch')";

/// A rule of the multi-tenant schema a legacy row can break: `bad` is true of the legacy row
/// `r` that breaks it. `{src}` is the legacy tables' prefix.
pub(crate) struct Rule {
    pub table: &'static str,
    pub column: &'static str,
    pub bad: String,
    pub must: &'static str,
}

/// A value the copy changes without losing anything: `changes` is true of the legacy row `r`
/// whose `column` the copy changes. `checked` when verify compares the copy with the raw value
/// (times are verified through `legacy_ms` instead).
pub(crate) struct Normalisation {
    pub table: &'static str,
    pub column: &'static str,
    pub changes: String,
    pub what: &'static str,
    pub checked: bool,
}

/// The rules specific to one column; the generic ones (integers, times, users) are added by
/// [`rules`]. `now`: the run's start, before which sessions, codes and cooldowns have expired;
/// `documents`: the run copies the theme and layout documents, so they must be JSON objects
/// (a run made the way of the release before schema 6 copies them as plain settings).
fn specific_rules(now: i64, documents: bool) -> Vec<Rule> {
    let rule = |table, column, bad: &str, must| Rule {
        table,
        column,
        bad: bad.to_owned(),
        must,
    };
    vec![
        rule(
            "users",
            "username",
            "r.username IS NULL OR length(r.username) < 1",
            "non-empty (any length is carried)",
        ),
        rule(
            "users",
            "country",
            "r.country IS NOT NULL AND trim(r.country) <> '' \
             AND upper(trim(r.country)) NOT GLOB '[A-Z][A-Z]'",
            "a two-letter ISO 3166 code or empty",
        ),
        rule(
            "user_points",
            "channel_points",
            "r.channel_points < 0",
            "not negative (an overdrawn balance)",
        ),
        rule(
            "user_points",
            "drop_points",
            "r.drop_points < 0",
            "not negative (an overdrawn balance)",
        ),
        rule(
            "user_points",
            "total_drops",
            "r.total_drops < 0",
            "not negative",
        ),
        rule(
            "point_transactions",
            "source",
            &format!("r.source IS NULL OR r.source NOT IN {SOURCES}"),
            "one of admin, chat, drop, duel, gamble, gift, renewal, spend, sub, tip, watch",
        ),
        rule(
            "point_transactions",
            "amount",
            "r.amount IS NULL",
            "a number",
        ),
        rule(
            "powerup_inventory",
            "powerup_type",
            &format!("r.powerup_type IS NULL OR r.powerup_type NOT IN {POWERUPS}"),
            "one of boost, ghost, magnet, powerdrop, shield, tnt",
        ),
        rule(
            "powerup_inventory",
            "quantity",
            "r.quantity < 0",
            "not negative",
        ),
        rule(
            "powerup_purchases",
            "powerup_type",
            &format!("r.powerup_type IS NULL OR r.powerup_type NOT IN {POWERUPS}"),
            "one of boost, ghost, magnet, powerdrop, shield, tnt",
        ),
        rule(
            "powerup_purchases",
            "cost",
            "r.cost IS NULL OR r.cost < 0",
            "a number, not negative",
        ),
        rule(
            "drop_history",
            "score",
            "r.score IS NULL OR r.score < 0",
            "a number, not negative",
        ),
        rule(
            "drop_history",
            "powerup_used",
            &format!("r.powerup_used <> '' AND r.powerup_used NOT IN {POWERUPS}"),
            "empty or one of boost, ghost, magnet, powerdrop, shield, tnt",
        ),
        rule(
            "command_cooldowns",
            "command",
            "r.command IS NULL OR length(r.command) NOT BETWEEN 1 AND 128",
            "1 to 128 characters",
        ),
        rule(
            "command_cooldowns",
            "expires_at",
            "r.expires_at IS NULL OR r.last_used_at IS NULL OR (legacy_time_ok(r.expires_at) \
             AND legacy_time_ok(r.last_used_at) \
             AND legacy_ms(r.expires_at, '', 0) < legacy_ms(r.last_used_at, '', 0))",
            "set, and not before last_used_at",
        ),
        rule(
            "user_sessions",
            "session_token",
            "typeof(r.session_token) <> 'text'",
            "text",
        ),
        rule(
            "admin_sessions",
            "session_token",
            "typeof(r.session_token) <> 'text'",
            "text",
        ),
        rule(
            "verification_codes",
            "code",
            "r.code IS NULL OR length(r.code) NOT BETWEEN 1 AND 32",
            "1 to 32 characters",
        ),
        rule(
            "verification_codes",
            "username",
            // One pass, whatever the table's size: the legacy indexes are case-sensitive, so a
            // correlated lookup ignoring case would scan the table once per row.
            &format!(
                "r.id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY \
                 username COLLATE NOCASE, code ORDER BY id) AS k FROM {{src}}verification_codes \
                 WHERE NOT {}) WHERE k > 1)",
                expired("", now)
            ),
            "unique with its code ignoring case (an older row has this code for the same \
             name in another case)",
        ),
        rule(
            "powerup_config",
            "id",
            &format!("r.id IS NULL OR r.id NOT IN {POWERUPS}"),
            "one of boost, ghost, magnet, powerdrop, shield, tnt",
        ),
        rule(
            "powerup_config",
            "cost",
            "r.cost IS NULL OR r.cost < 0",
            "a number, not negative",
        ),
        rule(
            "powerup_config",
            "variables",
            "r.variables IS NOT NULL AND (CASE WHEN json_valid(r.variables) \
             THEN json_type(r.variables) END) IS NOT 'object'",
            "a JSON object",
        ),
        rule(
            "overlay_settings",
            "key",
            "r.key IS NULL OR length(r.key) < 1",
            "non-empty (any length is carried)",
        ),
        rule("overlay_settings", "value", "r.value IS NULL", "set"),
        rule(
            "overlay_settings",
            "value",
            &if documents {
                format!(
                    "r.key IN ('{THEME_KEY}', '{LAYOUT_KEY}') AND (CASE WHEN json_valid(r.value) \
                     THEN json_type(r.value) END) IS NOT 'object'"
                )
            } else {
                "0".to_owned()
            },
            "a JSON object (the theme and the overlay layout are copied as documents)",
        ),
        rule(
            "tips",
            "content",
            "r.content IS NULL",
            "set (an empty text is carried)",
        ),
        rule(
            "goals",
            "id",
            "r.id IS NULL OR length(r.id) < 1",
            "non-empty (any length is carried)",
        ),
        rule(
            "goals",
            "target_value",
            "r.target_value IS NULL OR r.target_value < 0",
            "a number, not negative (a target of 0 is carried)",
        ),
        rule(
            "goals",
            "current_value",
            "r.current_value < 0",
            "not negative",
        ),
    ]
}

/// Every rule of `table`: the integer columns, the times, the user a row hangs off, then the
/// column-specific ones. In a table whose rows expire, they apply to the rows still live at
/// `now`; `documents` as for [`specific_rules`].
pub(crate) fn rules(table: &Table, now: i64, documents: bool) -> Vec<Rule> {
    let mut out = Vec::new();
    for column in table.integers {
        out.push(Rule {
            table: table.legacy,
            column,
            bad: format!(
                "typeof(r.{column}) IN ('text', 'blob') \
                 OR (typeof(r.{column}) = 'real' AND r.{column} <> cast(r.{column} AS INTEGER))"
            ),
            must: "a whole number",
        });
    }
    // The target tables are STRICT: a BLOB fits none of the columns copied as text.
    for column in table.columns.iter().filter(|c| {
        !table.integers.contains(c) && !table.times.contains(c) && **c != "session_token"
    }) {
        out.push(Rule {
            table: table.legacy,
            column,
            bad: format!("typeof(r.{column}) = 'blob'"),
            must: "text, not a BLOB",
        });
    }
    for column in table.times {
        out.push(Rule {
            table: table.legacy,
            column,
            bad: format!("NOT legacy_time_ok(r.{column})"),
            must: "a time like '2025-12-07 18:04:05' or '2025-12-07T18:04:05.123Z'",
        });
    }
    if table.columns.contains(&"user_id") {
        out.push(Rule {
            table: table.legacy,
            column: "user_id",
            bad: "r.user_id NOT IN (SELECT id FROM {src}users)".into(),
            must: "a user that exists (this row's user was deleted)",
        });
    }
    out.extend(
        specific_rules(now, documents)
            .into_iter()
            .filter(|r| r.table == table.legacy),
    );
    if table.ephemeral {
        for rule in &mut out {
            rule.bad = format!("NOT {} AND ({})", expired("r.", now), rule.bad);
        }
    }
    out
}

/// Every normalisation the copy of `table` makes (the copy SQL in `tables.rs` does them), of
/// the rows it copies (in a table whose rows expire, those still live at `now`).
pub(crate) fn normalisations(table: &Table, now: i64) -> Vec<Normalisation> {
    let n = |column, changes: &str, what| Normalisation {
        table: table.legacy,
        column,
        changes: changes.to_owned(),
        what,
        checked: true,
    };
    let mut out = match table.legacy {
        "users" => vec![n(
            "country",
            "r.country IS NOT nullif(upper(trim(r.country)), '')",
            "upper-cased and trimmed, empty to NULL",
        )],
        "user_points" => ["channel_points", "drop_points", "total_drops"]
            .into_iter()
            .map(|c| {
                n(
                    c,
                    &format!("r.{c} IS NULL"),
                    "NULL to 0 (the legacy default)",
                )
            })
            .collect(),
        "powerup_inventory" => vec![n(
            "quantity",
            "r.quantity IS NULL",
            "NULL to 0 (the legacy default)",
        )],
        "drop_history" => vec![
            n(
                "is_perfect",
                "r.is_perfect IS NULL OR r.is_perfect NOT IN (0, 1)",
                "NULL to 0, other non-zero values to 1",
            ),
            n(
                "powerup_used",
                "r.powerup_used = ''",
                "empty to NULL (none)",
            ),
        ],
        "verification_codes" => vec![n(
            "verified",
            "r.verified IS NULL OR r.verified NOT IN (0, 1)",
            "NULL to 0, other non-zero values to 1",
        )],
        "powerup_config" => vec![
            n("variables", "r.variables IS NULL", "NULL to {}"),
            n(
                "enabled",
                "r.enabled IS NULL OR r.enabled NOT IN (0, 1)",
                "NULL to 1 (the legacy default), other non-zero values to 1",
            ),
        ],
        "tips" => vec![
            n(
                "enabled",
                "r.enabled IS NULL OR r.enabled NOT IN (0, 1)",
                "NULL to 1 (the legacy default), other non-zero values to 1",
            ),
            n(
                "sort_order",
                "r.sort_order IS NULL",
                "NULL to 0 (the legacy default)",
            ),
        ],
        "goals" => vec![
            n(
                "current_value",
                "r.current_value IS NULL",
                "NULL to 0 (the legacy default)",
            ),
            n(
                "enabled",
                "r.enabled IS NULL OR r.enabled NOT IN (0, 1)",
                "NULL to 1 (the legacy default), other non-zero values to 1",
            ),
        ],
        _ => Vec::new(),
    };
    for column in table.times {
        out.push(Normalisation {
            table: table.legacy,
            column,
            changes: format!("r.{column} IS NULL"),
            what: "NULL time to the migration's start",
            checked: false,
        });
    }
    if table.ephemeral {
        for n in &mut out {
            n.changes = format!("NOT {} AND ({})", expired("r.", now), n.changes);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::TABLES;

    #[test]
    fn every_rule_and_normalisation_names_a_column_its_table_has() {
        for table in TABLES {
            let rules = rules(table, 0, true);
            for column in rules
                .iter()
                .map(|r| r.column)
                .chain(normalisations(table, 0).iter().map(|n| n.column))
            {
                assert!(
                    table.columns.contains(&column),
                    "{}.{column} is checked but not read",
                    table.legacy
                );
            }
        }
        let tables: Vec<&str> = TABLES.iter().map(|t| t.legacy).collect();
        for rule in specific_rules(0, true) {
            assert!(tables.contains(&rule.table), "{}", rule.table);
        }
    }
}
