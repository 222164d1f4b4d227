//! The SQLite side: the file opened read-only, one snapshot for everything read, every table's
//! rows in a canonical order, and the figures the copy is checked against.

use crate::error::CopyError;
use crate::tables::{Kind, Table};
use crate::value::{Value, from_sqlite};
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::path::Path;

/// One streamer's figures, compared between the two sides and reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Viewers.
    pub users: i64,
    /// Ledger rows.
    pub ledger_rows: i64,
    /// The sum of the ledger.
    pub ledger_sum: i64,
    /// The sum of the viewers' channel points.
    pub channel_points: i64,
    /// The sum of the viewers' drop points.
    pub drop_points: i64,
}

/// The statements that give every streamer's [`Figures`], one per figure, as
/// `(streamer_id, value)` rows; the same text runs on both sides.
pub const FIGURES: &[&str] = &[
    "SELECT streamer_id, count(*) FROM users GROUP BY streamer_id",
    "SELECT streamer_id, count(*) FROM point_transactions GROUP BY streamer_id",
    "SELECT streamer_id, CAST(sum(amount) AS BIGINT) FROM point_transactions GROUP BY streamer_id",
    "SELECT streamer_id, CAST(sum(channel_points) AS BIGINT) FROM user_points GROUP BY streamer_id",
    "SELECT streamer_id, CAST(sum(drop_points) AS BIGINT) FROM user_points GROUP BY streamer_id",
];

/// Sets figure `i` of `f` to `v`.
pub fn set_figure(f: &mut Figures, i: usize, v: i64) {
    match i {
        0 => f.users = v,
        1 => f.ledger_rows = v,
        2 => f.ledger_sum = v,
        3 => f.channel_points = v,
        _ => f.drop_points = v,
    }
}

/// The `SELECT` of every row of `table`, in the canonical order (by every column, NULLs first),
/// with `nulls_first` appended to each key where the engine needs it said.
pub fn select_all(table: &Table, nulls_first: &str) -> String {
    let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
    let order: Vec<String> = (1..=columns.len())
        .map(|i| format!("{i}{nulls_first}"))
        .collect();
    format!(
        "SELECT {} FROM {} ORDER BY {}",
        columns.join(", "),
        table.name,
        order.join(", ")
    )
}

/// `path` as an SQLite URI that opens it immutable.
fn immutable_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for c in absolute.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// The SQLite file, open read-only inside one read transaction.
pub struct Source {
    conn: Connection,
    path: String,
}

impl Source {
    /// Opens `path` read-only and starts the snapshot everything is read from. Refuses a file
    /// that is not a KickOverlay database at this program's schema version.
    pub fn open(path: &Path) -> Result<Source, CopyError> {
        let shown = path.display().to_string();
        let failed = |e: rusqlite::Error| CopyError::Sqlite {
            path: shown.clone(),
            reason: e.to_string(),
        };
        if !path.is_file() {
            return Err(CopyError::Sqlite {
                path: shown,
                reason: "there is no such file".to_owned(),
            });
        }
        // Without a write-ahead log beside it (a server stopped cleanly), the file is opened
        // immutable: read as it is, with no lock or shared-memory file made next to it. With
        // one, SQLite must read the log too, and makes its shared-memory file to do so.
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = if Path::new(&wal).exists() {
            Connection::open_with_flags(path, flags)
        } else {
            Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
        }
        .map_err(failed)?;
        conn.busy_timeout(reference_store::BUSY_TIMEOUT)
            .map_err(failed)?;
        let application_id: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|_| CopyError::Foreign(shown.clone()))?;
        if application_id != reference_store::migrations::APPLICATION_ID {
            return Err(CopyError::Foreign(shown));
        }
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(failed)?;
        if version != reference_store::migrations::LATEST {
            return Err(CopyError::SqliteVersion {
                path: shown,
                found: version,
                expected: reference_store::migrations::LATEST,
            });
        }
        conn.execute_batch("BEGIN").map_err(failed)?;
        // The first read fixes the snapshot.
        conn.query_row("SELECT count(*) FROM streamers", [], |r| r.get::<_, i64>(0))
            .map_err(failed)?;
        Ok(Source { conn, path: shown })
    }

    fn failed(&self, e: rusqlite::Error) -> CopyError {
        CopyError::Sqlite {
            path: self.path.clone(),
            reason: e.to_string(),
        }
    }

    /// Every row of `table`, in the canonical order, to `each`.
    pub fn rows(
        &self,
        table: &Table,
        mut each: impl FnMut(Vec<Value>) -> bool,
    ) -> Result<(), CopyError> {
        let mut stmt = self
            .conn
            .prepare(&select_all(table, ""))
            .map_err(|e| self.failed(e))?;
        let kinds: Vec<Kind> = table.columns.iter().map(|(_, k)| *k).collect();
        let mut rows = stmt.query([]).map_err(|e| self.failed(e))?;
        while let Some(row) = rows.next().map_err(|e| self.failed(e))? {
            let values = kinds
                .iter()
                .enumerate()
                .map(|(i, k)| from_sqlite(row, i, *k))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| self.failed(e))?;
            if !each(values) {
                break;
            }
        }
        Ok(())
    }

    /// Where `table`'s id sequence stands: the highest id it ever handed out (SQLite's
    /// AUTOINCREMENT record, which remembers deleted rows too), so no id is ever reused.
    pub fn sequence(&self, table: &Table) -> Result<i64, CopyError> {
        let recorded: Option<i64> = self
            .conn
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                [table.name],
                |r| r.get(0),
            )
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(|e| self.failed(e))?;
        let max: Option<i64> = self
            .conn
            .query_row(&format!("SELECT max(id) FROM {}", table.name), [], |r| {
                r.get(0)
            })
            .map_err(|e| self.failed(e))?;
        Ok(recorded.unwrap_or(0).max(max.unwrap_or(0)))
    }

    /// Every streamer's [`Figures`].
    pub fn figures(&self) -> Result<BTreeMap<i64, Figures>, CopyError> {
        let mut out: BTreeMap<i64, Figures> = BTreeMap::new();
        let ids = self
            .conn
            .prepare("SELECT id FROM streamers")
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, i64>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.failed(e))?;
        for id in ids {
            out.insert(id, Figures::default());
        }
        for (i, sql) in FIGURES.iter().enumerate() {
            let rows = self
                .conn
                .prepare(sql)
                .and_then(|mut s| {
                    s.query_map([], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(|e| self.failed(e))?;
            for (streamer, v) in rows {
                set_figure(out.entry(streamer).or_default(), i, v.unwrap_or(0));
            }
        }
        Ok(out)
    }
}
