//! Files the store must refuse at open, untouched: a database with a damaged page (found by
//! `quick_check` before anything is written) and an empty file (only a path with no file is
//! made into a new database).

use datastore::{
    NewStreamer, PointDelta, PointSource, PointStore, StreamerStore, SystemClock, UserStore,
};
use reference_store::{OpenError, OpenOptions, SqliteStore};
use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;

/// A store file with one streamer, 200 viewers and 2,000 ledger rows, fully checkpointed.
async fn filled(path: &Path) {
    let store = SqliteStore::open(path, Arc::new(SystemClock))
        .await
        .unwrap();
    let s = store
        .create_streamer(NewStreamer::named("butters"))
        .await
        .unwrap()
        .id;
    for i in 0..200 {
        let u = store
            .get_or_create_user(s, &format!("viewer-{i}"))
            .await
            .unwrap()
            .user
            .id;
        for n in 0..10 {
            store
                .earn_points(s, u, PointDelta::new(1 + n, PointSource::Chat))
                .await
                .unwrap();
        }
    }
    drop(store);
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
}

/// Overwrites page `page` (1-based) of the file with a pattern, keeping its size.
fn overwrite_page(path: &Path, page: i64) {
    use std::io::{Seek, SeekFrom, Write};
    let size = {
        let conn = Connection::open(path).unwrap();
        conn.pragma_query_value(None, "page_size", |r| r.get::<_, i64>(0))
            .unwrap()
    };
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(((page - 1) * size) as u64)).unwrap();
    f.write_all(&vec![0xA5; size as usize]).unwrap();
    f.sync_all().unwrap();
}

fn ledger_page(path: &Path) -> i64 {
    let conn = Connection::open(path).unwrap();
    // A page of the ledger's table b-tree below its root: the rows, not the index.
    let root: i64 = conn
        .query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'point_transactions'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let pages: i64 = conn
        .pragma_query_value(None, "page_count", |r| r.get(0))
        .unwrap();
    assert!(pages > root + 1, "the ledger spans pages");
    root
}

fn files_beside(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_damaged_ledger_page_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    filled(&path).await;
    let page = ledger_page(&path);
    overwrite_page(&path, page);
    let before = std::fs::read(&path).unwrap();
    let beside = files_beside(&path);

    let err = SqliteStore::open(&path, Arc::new(SystemClock))
        .await
        .expect_err("a damaged file is refused");
    let message = err.to_string();
    assert!(matches!(err, OpenError::Corrupt { .. }), "{err:?}");
    assert!(
        message.contains("quick_check") && message.contains("backup"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is untouched"
    );
    assert_eq!(files_beside(&path), beside, "nothing is left beside it");

    // The check is what refuses it: without it the damaged file opens (and would serve).
    let unchecked = SqliteStore::open_with(
        &path,
        Arc::new(SystemClock),
        OpenOptions {
            check_on_open: false,
            ..OpenOptions::default()
        },
    )
    .await;
    assert!(unchecked.is_ok(), "only quick_check notices this page");
}

#[tokio::test]
async fn an_undamaged_file_opens_and_a_missing_one_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    filled(&path).await;
    SqliteStore::open(&path, Arc::new(SystemClock))
        .await
        .unwrap();
    let fresh = dir.path().join("new.db");
    SqliteStore::open(&fresh, Arc::new(SystemClock))
        .await
        .unwrap();
    assert!(fresh.exists());
}

#[tokio::test]
async fn an_empty_file_is_not_adopted_as_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    std::fs::write(&path, b"").unwrap();
    let err = SqliteStore::open(&path, Arc::new(SystemClock))
        .await
        .expect_err("an empty file is refused");
    assert!(matches!(err, OpenError::Empty { .. }), "{err:?}");
    assert!(err.to_string().contains("empty file"), "{err}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    assert_eq!(files_beside(&path), vec!["k.db".to_owned()]);
}
