//! Helpers the legacy test files share.
#![allow(dead_code)]

use datastore::{ManualClock, Timestamp};
use legacy_fixtures::{Generated, Spec, generate};
use legacy_migration::{LegacyError, MigrateOptions, Migrated, migrate_in_place};
use reference_store::SqliteStore;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn legacy_file(dir: &Path, name: &str, spec: &Spec) -> (PathBuf, Generated) {
    let path = dir.join(name);
    let generated = generate(&path, spec).expect("generate a legacy file");
    (path, generated)
}

pub fn quiet() -> impl FnMut(legacy_migration::Event) {
    |_| {}
}

pub fn migrate(path: &Path, options: &MigrateOptions) -> Result<Migrated, LegacyError> {
    migrate_in_place(path, options, &mut quiet())
}

/// Every row of every legacy table, as text, by table: what "the original data" is.
pub fn legacy_dump(path: &Path) -> BTreeMap<String, Vec<String>> {
    let conn =
        Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            (t, rows)
        })
        .collect()
}

pub fn scalar(path: &Path, sql: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

pub async fn open(path: &Path) -> SqliteStore {
    let clock = Arc::new(ManualClock::new(
        Timestamp::from_millis(1_800_000_000_000).unwrap(),
    ));
    SqliteStore::open(path, clock)
        .await
        .expect("open the migrated file")
}

/// The id of the streamer a default migration creates (`codingbutter`).
pub async fn default_streamer(store: &SqliteStore) -> datastore::StreamerId {
    use datastore::StreamerStore;
    store
        .get_streamer_by_username("codingbutter")
        .await
        .unwrap()
        .expect("the migrated streamer")
        .id
}
