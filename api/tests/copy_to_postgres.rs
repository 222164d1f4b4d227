//! `kick-overlay copy-to-postgres`: a SQLite deployment moved into PostgreSQL serves the same
//! answers, its file untouched, and a copy into a schema that holds data is refused.

mod common;

use common::TestServer;
use common::process::{Process, bin};
use common::world::World;
use serde_json::Value;
use std::path::Path;

fn digest(path: &Path) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    Sha256::digest(std::fs::read(path).expect("the SQLite file")).to_vec()
}

/// Runs `copy-to-postgres` from `db` into `scratch`: its exit status and output.
fn copy(db: &Path, scratch: &pg_scratch::Scratch) -> (bool, String) {
    let out = bin()
        .args(["copy-to-postgres", "--db", db.to_str().unwrap()])
        .args(["--database-url", &scratch.server_url])
        .args(["--database-owner-url", &scratch.owner_url])
        .args(["--database-schema", &scratch.schema])
        .output()
        .expect("the command runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn get(addr: &str, path: &str, token: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("http://{addr}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_deployment_serves_the_same_answers_and_its_file_is_untouched() {
    // A SQLite deployment with two streamers and everything the isolation world holds.
    let s = TestServer::start().await;
    let w = World::build(&s).await.expect("the world builds");
    let dir = s.stop_keeping_files().await;
    let db = dir.path().join("data").join("kick-overlay.db");
    let before = digest(&db);

    let scratch = pg_scratch::server().scratch();
    let (ok, out) = copy(&db, &scratch);
    assert!(ok, "the copy failed: {out}");
    assert!(out.contains("Copied 2 streamers"), "{out}");
    assert!(out.contains(&w.a.name) && out.contains(&w.b.name), "{out}");
    assert_eq!(digest(&db), before, "the SQLite file changed");
    for side in ["kick-overlay.db-wal", "kick-overlay.db-shm"] {
        assert!(
            !dir.path().join("data").join(side).exists(),
            "the copy left {side} beside the file"
        );
    }

    // The same answers from a server on each.
    let sqlite = Process::start(&db, &[], None);
    let pg = Process::start(
        &db,
        &[
            "--database-url",
            &scratch.server_url,
            "--database-schema",
            &scratch.schema,
        ],
        None,
    );
    for t in [&w.a, &w.b] {
        for path in [
            format!("/{}/api/export", t.name),
            format!("/{}/api/leaderboard", t.name),
            format!("/{}/api/analytics", t.name),
        ] {
            let on_sqlite = get(&sqlite.addr, &path, &t.key).await;
            let on_pg = get(&pg.addr, &path, &t.key).await;
            assert_eq!(on_sqlite.0, 200, "{path} on SQLite: {:?}", on_sqlite.1);
            assert_eq!(on_pg, on_sqlite, "{path} differs");
        }
    }
    // A viewer's session and the dashboard session still open what they opened.
    let me = format!("/{}/api/me", w.a.name);
    let on_pg = get(&pg.addr, &me, &w.a_session).await;
    assert_eq!(on_pg.0, 200, "{on_pg:?}");
    assert_eq!(on_pg, get(&sqlite.addr, &me, &w.a_session).await);
    // New rows continue the id sequences: a new tip's id is above every copied one.
    let tip = reqwest::Client::new()
        .post(format!("http://{}/{}/api/tips", pg.addr, w.a.name))
        .bearer_auth(&w.a.key)
        .header("content-type", "application/json")
        .body(r#"{"content": "after the move"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(tip.status().as_u16(), 201);
    let tip: Value = serde_json::from_str(&tip.text().await.unwrap()).unwrap();
    assert!(tip["id"].as_i64().unwrap() > w.a_tip, "{tip}");
    sqlite.terminate();
    pg.terminate();

    // A second copy into the same schema is refused and changes nothing.
    let (ok, out) = copy(&db, &scratch);
    assert!(!ok, "a copy into a schema with data was accepted: {out}");
    assert!(out.contains("is not empty"), "{out}");
    assert_eq!(digest(&db), before);
}

#[tokio::test]
async fn a_file_that_is_no_deployment_is_refused_before_postgresql_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("notes.db");
    std::fs::write(&foreign, b"not a database at all, just some text").unwrap();
    let scratch = pg_scratch::server().scratch();
    let (ok, out) = copy(&foreign, &scratch);
    assert!(!ok, "{out}");
    assert!(out.contains("is not a KickOverlay database"), "{out}");
    let missing = dir.path().join("missing.db");
    let (ok, out) = copy(&missing, &scratch);
    assert!(!ok && out.contains("there is no database"), "{out}");
    // And nothing was created in PostgreSQL.
    let admin = pg_scratch::server().admin().await;
    let schemas = admin
        .query(
            "SELECT 1 FROM pg_namespace WHERE nspname = $1",
            &[&scratch.schema],
        )
        .await
        .unwrap();
    assert!(schemas.is_empty(), "the schema was created");
}
