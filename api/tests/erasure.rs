//! Deleting a streamer or a viewer leaves none of their content readable in the database file
//! or its write-ahead log: not in free pages, not in old versions of pages, not in the log.

mod common;

use common::world::{A_MARKERS, World};
use common::{OPERATOR_KEY, TestServer};
use serde_json::json;

/// The database file and its write-ahead log, as bytes.
fn files(s: &TestServer) -> Vec<(String, Vec<u8>)> {
    let db = s.dir.path().join("data").join("kick-overlay.db");
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let path = format!("{}{suffix}", db.display());
            std::fs::read(&path).ok().map(|bytes| (path, bytes))
        })
        .collect()
}

/// Where each marker is still found: `(marker, file, count)` for every marker found.
fn found(s: &TestServer, markers: &[&str]) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    for (path, bytes) in files(s) {
        for m in markers {
            let n = bytes
                .windows(m.len())
                .filter(|w| *w == m.as_bytes())
                .count();
            if n > 0 {
                out.push((m.to_string(), path.clone(), n));
            }
        }
    }
    out
}

#[tokio::test]
async fn a_deleted_streamer_leaves_none_of_its_bytes_in_the_files() {
    let s = TestServer::start().await;
    let w = World::build(&s).await.expect("the world");
    // Churn A's data too, so old versions of its pages exist.
    for i in 0..50 {
        s.call(
            "POST",
            &format!("/alpha/api/users/{}/points", w.a_user),
            Some(&w.a.key),
            Some(json!({"amount": i + 1, "source": "chat", "description": "ALPHA-LEDGER-NOTE"})),
        )
        .await;
    }
    let before = found(&s, A_MARKERS);
    assert!(
        A_MARKERS
            .iter()
            .all(|m| before.iter().any(|(f, _, _)| f == m)),
        "every marker is in the files before the delete: {before:?}"
    );
    let r = s
        .call("DELETE", "/api/streamers/alpha", Some(OPERATOR_KEY), None)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let after = found(&s, A_MARKERS);
    assert!(
        after.is_empty(),
        "a deleted streamer's bytes are still readable: {after:?}"
    );
    // B is untouched.
    let r = s.get(&format!("/bravo/api/users/{}", w.b_user), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    s.stop().await;
}

#[tokio::test]
async fn a_deleted_viewer_leaves_none_of_their_bytes_in_the_files() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let k = Some(t.key.as_str());
    let name = "ERASE-ME-VIEWER-7731";
    let r = s
        .call(
            "POST",
            "/butters/api/users",
            k,
            Some(json!({"username": name})),
        )
        .await;
    let id = r.json["id"].as_i64().expect("an id");
    let keep = s
        .call(
            "POST",
            "/butters/api/users",
            k,
            Some(json!({"username": "KEEP-ME-VIEWER"})),
        )
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    for i in 0..30 {
        for user in [id, keep] {
            s.call(
                "POST",
                &format!("/butters/api/users/{user}/points"),
                k,
                Some(json!({"amount": i + 1, "source": "chat",
                            "description": format!("NOTE-OF-{user}-ERASE-LEDGER")})),
            )
            .await;
        }
    }
    s.call(
        "PATCH",
        &format!("/butters/api/users/{id}"),
        k,
        Some(json!({"voice_id": "ERASE-ME-VOICE"})),
    )
    .await;
    let note = format!("NOTE-OF-{id}-ERASE-LEDGER");
    let markers = [name, note.as_str(), "ERASE-ME-VOICE"];
    assert!(
        found(&s, &markers).len() >= 2,
        "the viewer's data is in the files"
    );
    let r = s
        .call("DELETE", &format!("/butters/api/users/{id}"), k, None)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let after = found(&s, &markers);
    assert!(
        after.is_empty(),
        "a deleted viewer's bytes are still readable: {after:?}"
    );
    let kept = format!("NOTE-OF-{keep}-ERASE-LEDGER");
    assert!(
        !found(&s, &["KEEP-ME-VIEWER", kept.as_str()]).is_empty(),
        "the other viewer stays"
    );
    s.stop().await;
}
