//! What the server checks before it serves a file: no damage, not an empty file, and no other
//! server on it. Each refusal is exit 1 with the reason, and leaves the file as it was.

mod common;

use common::process::{Process, add_streamer, bin};
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

/// Runs the server on `db` expecting it to refuse: its exit code and what it said. A server
/// still running after 20 s did not refuse: it is stopped and the code is `None`.
fn refused(db: &Path) -> (Option<i32>, String) {
    let mut child = bin()
        .args(["--db", db.to_str().unwrap(), "--port", "0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (code, stderr)
}

#[test]
fn a_damaged_database_is_refused_with_the_reason_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    add_streamer(&db, "butters");
    // Page 3 (4 KiB pages): a table's b-tree page, overwritten as a bad disk or copy would.
    let mut f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.seek(SeekFrom::Start(2 * 4096)).unwrap();
    f.write_all(&[0xA5; 4096]).unwrap();
    drop(f);
    let before = std::fs::read(&db).unwrap();
    let (code, stderr) = refused(&db);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("quick_check"), "{stderr}");
    assert!(!stderr.contains("serving on"), "{stderr}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is untouched");
}

#[test]
fn an_empty_file_is_refused_not_made_into_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    std::fs::write(&db, b"").unwrap();
    let (code, stderr) = refused(&db);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("empty file"), "{stderr}");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
}

#[test]
fn a_second_server_on_the_same_file_is_refused_and_commands_still_run_beside_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    add_streamer(&db, "butters");
    let mut first = Process::start(&db, &[], None);
    let (code, stderr) = refused(&db);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("already being served"), "{stderr}");
    // A command beside the server is fine, and the first server serves what it wrote.
    add_streamer(&db, "spicyrice");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        reqwest::get(format!("http://{}/spicyrice/api/leaderboard", first.addr))
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 200);
    first.terminate();
    let (exit, _) = first.wait_exit(Duration::from_secs(15));
    assert!(exit.success());
    // Once the first has stopped, another may serve the file.
    let _second = Process::start(&db, &[], None);
}
