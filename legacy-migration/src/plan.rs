//! What a run copies, from where, to which streamer.

use crate::tables::{TABLES, Table, expired};
use std::collections::BTreeMap;

/// Where the legacy rows are and where they go.
pub(crate) struct Plan<'a> {
    /// `legacy_` (tables renamed aside in place) or `legacy.` (an attached file).
    pub src: &'a str,
    /// The streamer that gets the rows.
    pub streamer_id: i64,
    /// The run's start, in Unix milliseconds: the time of NULL legacy times.
    pub now: i64,
    /// The instant before which sessions, codes and cooldowns have expired and are left behind:
    /// the run's start, or `i64::MIN` (nothing expires) to copy them all.
    pub expire_before: i64,
    /// Copy the theme and layout documents into the streamer's theme and default layout (runs
    /// recorded before schema version 6 left them as settings only).
    pub documents: bool,
    /// The legacy file has `point_transactions`.
    pub ledger: bool,
    /// Added to each own-id table's ids (0 unless they collide), by target table.
    pub offsets: BTreeMap<&'static str, i64>,
    /// Values the copy normalises, by `legacy_table.column`, as the pre-flight scan counted
    /// them (verify finds exactly these changed).
    pub normalised: BTreeMap<String, u64>,
    /// Expired rows the copy leaves behind, by legacy table, as the pre-flight scan counted
    /// them.
    pub expired: BTreeMap<String, u64>,
}

impl Plan<'_> {
    /// The tables this file has.
    pub fn tables(&self) -> impl Iterator<Item = &'static Table> + '_ {
        TABLES.iter().filter(|t| self.ledger || !t.optional)
    }

    /// The offset of `target`'s own ids.
    pub fn offset(&self, target: &str) -> i64 {
        self.offsets.get(target).copied().unwrap_or(0)
    }

    /// The offset of user ids.
    pub fn user_offset(&self) -> i64 {
        self.offset("users")
    }

    /// A legacy table's name as SQL reads it.
    pub fn legacy(&self, table: &str) -> String {
        format!("{}{table}", self.src)
    }

    /// ` AND <the row has not expired>` for a table whose rows expire (its columns prefixed
    /// with `alias`), else nothing: the legacy rows the copy takes.
    pub fn live(&self, table: &Table, alias: &str) -> String {
        if table.ephemeral {
            format!(" AND NOT {}", expired(alias, self.expire_before))
        } else {
            String::new()
        }
    }
}
