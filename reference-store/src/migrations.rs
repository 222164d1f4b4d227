//! The schema's versioned migrations, and how they are applied.
//!
//! Each migration is a file `migrations/NNN-what.sql`, built into the binary. A file's
//! version is `PRAGMA user_version`: the number of migrations applied to it. Opening a store
//! applies the pending ones, each in its own `BEGIN IMMEDIATE` transaction that also bumps the
//! version, so a crash leaves the file at a whole version and two processes opening one file
//! never apply a migration twice. Applying them again is a no-op.
//!
//! Rules: never edit or remove a migration that has shipped; add a new one. Never make a change
//! that an older program of the same major version cannot read.
//!
//! Our files are marked with `PRAGMA application_id` = [`APPLICATION_ID`], so a legacy
//! single-streamer database or another program's file is refused, never "upgraded".

use crate::open_error::OpenError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// `PRAGMA application_id` of a multi-tenant KickOverlay database: "KOMT".
pub const APPLICATION_ID: i32 = 0x4B4F_4D54;

/// One migration: its file name, its SQL, and the constraints it loosens.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The file name under `migrations/`.
    pub name: &'static str,
    /// The statements.
    pub sql: &'static str,
    /// Constraints the migration loosens by rewriting a table's definition, which SQLite's
    /// `ALTER TABLE` cannot do (see [`Relax`]).
    pub relax: &'static [Relax],
}

/// A constraint made looser in place: in the definition of `table`, the text `from` becomes
/// `to`. Only for a change every existing row still satisfies (a CHECK that accepts more): the
/// table's rows are not touched or re-checked. SQLite's documented procedure: with
/// `writable_schema` on, edit `sqlite_schema`, then bump `schema_version` so every connection
/// reads the new definition.
#[derive(Debug, Clone, Copy)]
pub struct Relax {
    /// The table.
    pub table: &'static str,
    /// The constraint as the table's definition holds it.
    pub from: &'static str,
    /// What it becomes.
    pub to: &'static str,
}

/// Every migration, in order. A file at version `n` has had the first `n` applied.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "001-tenant-tables.sql",
        sql: include_str!("../migrations/001-tenant-tables.sql"),
        relax: &[],
    },
    Migration {
        name: "002-query-indexes.sql",
        sql: include_str!("../migrations/002-query-indexes.sql"),
        relax: &[],
    },
    Migration {
        name: "003-admin-keys.sql",
        sql: include_str!("../migrations/003-admin-keys.sql"),
        relax: &[],
    },
    Migration {
        name: "004-migration-audit.sql",
        sql: include_str!("../migrations/004-migration-audit.sql"),
        relax: &[],
    },
    Migration {
        name: "005-audit-normalised.sql",
        sql: include_str!("../migrations/005-audit-normalised.sql"),
        relax: &[],
    },
    Migration {
        name: "006-legacy-values.sql",
        sql: include_str!("../migrations/006-legacy-values.sql"),
        relax: &[
            Relax {
                table: "users",
                from: "CHECK (length(username) BETWEEN 1 AND 64)",
                to: "CHECK (length(username) >= 1)",
            },
            Relax {
                table: "tips",
                from: " CHECK (length(content) >= 1)",
                to: "",
            },
            Relax {
                table: "goals",
                from: "CHECK (target_value > 0)",
                to: "CHECK (target_value >= 0)",
            },
            Relax {
                table: "goals",
                from: "CHECK (length(id) BETWEEN 1 AND 128)",
                to: "CHECK (length(id) >= 1)",
            },
            Relax {
                table: "overlay_settings",
                from: "CHECK (length(key) BETWEEN 1 AND 128)",
                to: "CHECK (length(key) >= 1)",
            },
        ],
    },
    Migration {
        name: "007-code-secrets.sql",
        sql: include_str!("../migrations/007-code-secrets.sql"),
        relax: &[],
    },
    Migration {
        name: "008-events-and-overlay-keys.sql",
        sql: include_str!("../migrations/008-events-and-overlay-keys.sql"),
        relax: &[],
    },
    Migration {
        name: "009-kick-economy.sql",
        sql: include_str!("../migrations/009-kick-economy.sql"),
        relax: &[],
    },
    Migration {
        name: "010-drop-leaderboard-index.sql",
        sql: include_str!("../migrations/010-drop-leaderboard-index.sql"),
        relax: &[],
    },
];

/// The schema version of a fully migrated file.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// What a file holds before migrating.
struct Found {
    application_id: i32,
    version: i64,
    tables: i64,
}

fn inspect(conn: &Connection) -> rusqlite::Result<Found> {
    Ok(Found {
        application_id: conn.pragma_query_value(None, "application_id", |r| r.get(0))?,
        version: conn.pragma_query_value(None, "user_version", |r| r.get(0))?,
        tables: conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )?,
    })
}

/// Refuses a file that is neither empty nor ours, or that is newer than this program. Reads
/// only: a refused file is left exactly as it was. (Reading is also what finds a file that is
/// not a database at all.)
pub fn refuse_unknown(conn: &Connection, path: &Path) -> Result<(), OpenError> {
    let found = inspect(conn).map_err(|e| OpenError::from_sqlite(path, e))?;
    let fresh = found.application_id == 0 && found.version == 0 && found.tables == 0;
    if !fresh && found.application_id != APPLICATION_ID {
        return Err(OpenError::Foreign {
            path: path.to_path_buf(),
            application_id: found.application_id,
            tables: found.tables,
        });
    }
    if found.version > LATEST {
        return Err(OpenError::TooNew {
            path: path.to_path_buf(),
            found: found.version,
            supported: LATEST,
        });
    }
    Ok(())
}

/// Brings the file open on `conn` to version `target` (at most [`LATEST`]), refusing a foreign
/// or newer file. The store calls it with [`LATEST`]; tests call it with less to build an old
/// file.
pub fn migrate(conn: &mut Connection, path: &Path, target: i64) -> Result<(), OpenError> {
    let target = target.clamp(0, LATEST);
    refuse_unknown(conn, path)?;
    let before = inspect(conn).map_err(|e| OpenError::from_sqlite(path, e))?;
    for (index, migration) in MIGRATIONS.iter().enumerate().take(target as usize) {
        let version = index as i64 + 1;
        let failed = |e: rusqlite::Error| OpenError::Migration {
            path: path.to_path_buf(),
            name: migration.name,
            message: e.to_string(),
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        // Another process may have migrated while this one waited for the lock.
        let current: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(failed)?;
        if current >= version {
            continue;
        }
        apply(&tx, migration).map_err(failed)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(failed)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(failed)?;
        tx.commit().map_err(failed)?;
        tracing::info!(path = %path.display(), migration = migration.name, "applied a migration");
    }
    // Upgrading an existing database (one with tables, so made by an earlier version) is a
    // one-way step: say so to whoever runs it.
    if before.tables > 0 && before.version < target {
        tracing::warn!(
            path = %path.display(),
            from = before.version,
            to = target,
            "upgraded the database's schema: earlier versions of kick-overlay cannot open it any more"
        );
    }
    Ok(())
}

/// Creates the whole schema inside the caller's transaction and marks the file as ours at
/// [`LATEST`]: for the legacy migration, which must create the schema, move the rows and verify
/// them in one transaction. (`user_version` and `application_id` live in the file header, which
/// a rollback restores like any page.) A `user_version` the legacy file carries (its own app's
/// numbering) means nothing to this schema: it is reset first, so every migration applies.
pub fn create_all(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.pragma_update(None, "user_version", 0)?;
    apply_pending(tx)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)
}

/// Applies the migrations a file of ours lacks inside the caller's transaction (for an import,
/// whose upgrade must commit or roll back with it). Returns the version it started from, or
/// `None` when the file was at [`LATEST`]. The caller has refused newer files.
pub fn apply_pending(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<Option<i64>> {
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version >= LATEST {
        return Ok(None);
    }
    for migration in MIGRATIONS.iter().skip(version.max(0) as usize) {
        apply(tx, migration)?;
    }
    tx.pragma_update(None, "user_version", LATEST)?;
    Ok(Some(version))
}

/// Runs one migration's statements and loosens its constraints, inside the caller's
/// transaction.
fn apply(tx: &rusqlite::Transaction<'_>, migration: &Migration) -> rusqlite::Result<()> {
    tx.execute_batch(migration.sql)?;
    if migration.relax.is_empty() {
        return Ok(());
    }
    let version: i64 = tx.pragma_query_value(None, "schema_version", |r| r.get(0))?;
    tx.pragma_update(None, "writable_schema", true)?;
    let edited = migration.relax.iter().try_for_each(|r| {
        let changed = tx.execute(
            "UPDATE sqlite_schema SET sql = replace(sql, ?2, ?3) \
             WHERE type = 'table' AND name = ?1 AND instr(sql, ?2) > 0",
            [r.table, r.from, r.to],
        )?;
        if changed == 1 {
            Ok(())
        } else {
            // The definition is not the one this migration was written for: change nothing.
            Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
                Some(format!(
                    "{}: table {} has no constraint {:?} to loosen",
                    migration.name, r.table, r.from
                )),
            ))
        }
    });
    tx.pragma_update(None, "writable_schema", false)?;
    edited?;
    tx.pragma_update(None, "schema_version", version + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_and_apply_to_an_empty_database() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert!(
                m.name.starts_with(&format!("{:03}-", i + 1)) && m.name.ends_with(".sql"),
                "migration {} is named {}",
                i + 1,
                m.name
            );
        }
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new(":memory:"), LATEST).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, LATEST);
    }

    /// A writer that keeps what the log says, for the test below.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn upgrading_an_existing_database_is_a_warning_and_creating_a_new_one_is_not() {
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_writer(move || sink.clone())
            .finish();
        let dir = tempfile::tempdir().unwrap();
        let older = dir.path().join("older.db");
        tracing::subscriber::with_default(subscriber, || {
            let mut fresh = Connection::open_in_memory().unwrap();
            migrate(&mut fresh, Path::new(":memory:"), LATEST).unwrap();
            let mut conn = Connection::open(&older).unwrap();
            migrate(&mut conn, &older, LATEST - 1).unwrap();
            let said = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
            assert!(said.is_empty(), "a new file is no upgrade: {said}");
            migrate(&mut conn, &older, LATEST).unwrap();
        });
        let said = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(
            said.contains("upgraded the database's schema") && said.contains("WARN"),
            "{said}"
        );
    }

    #[test]
    fn every_file_under_migrations_is_in_the_list() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS.iter().map(|m| m.name.to_owned()).collect();
        let missing: Vec<&String> = files.iter().filter(|f| !listed.contains(f)).collect();
        assert!(
            missing.is_empty(),
            "migrations/ has files MIGRATIONS does not list: {missing:?}"
        );
        assert_eq!(files, listed);
    }

    #[test]
    fn a_constraint_to_loosen_that_is_not_there_fails_and_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new(":memory:"), LATEST).unwrap();
        let before: Vec<String> = conn
            .prepare("SELECT sql FROM sqlite_schema ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get::<_, Option<String>>(0))
            .unwrap()
            .map(|s| s.unwrap().unwrap_or_default())
            .collect();
        let bogus = Migration {
            name: "999-bogus.sql",
            sql: "",
            relax: &[Relax {
                table: "users",
                from: "CHECK (length(username) BETWEEN 1 AND 64)",
                to: "CHECK (1)",
            }],
        };
        let tx = conn.transaction().unwrap();
        let err = apply(&tx, &bogus).unwrap_err();
        assert!(err.to_string().contains("no constraint"), "{err}");
        drop(tx);
        let after: Vec<String> = conn
            .prepare("SELECT sql FROM sqlite_schema ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get::<_, Option<String>>(0))
            .unwrap()
            .map(|s| s.unwrap().unwrap_or_default())
            .collect();
        assert_eq!(before, after);
    }
}
