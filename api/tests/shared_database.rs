//! Several servers, one PostgreSQL database: two `kick-overlay` processes serve the same
//! streamers, and a write acknowledged by either is seen by the other's very next read, the
//! leaderboard included (no server keeps a cache of its own on PostgreSQL). Concurrent writes
//! through both lose nothing, and each server's event streams carry the other's writes.

mod common;

use common::process::{Process, bin};
use common::sse::Sse;
use serde_json::{Value, json};
use std::time::Duration;

struct Client {
    http: reqwest::Client,
    key: String,
}

impl Client {
    async fn call(
        &self,
        addr: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("http://{addr}{path}"))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let r = req.send().await.expect("the server answers");
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// Two servers on one fresh PostgreSQL schema (one configured by options, one by the
/// environment), with a streamer `alpha` made by the command line; answers them and its key.
fn two_servers() -> (
    pg_scratch::Scratch,
    tempfile::TempDir,
    Process,
    Process,
    String,
) {
    let scratch = pg_scratch::server().scratch();
    let pg = [
        "--database-url",
        scratch.server_url.as_str(),
        "--database-owner-url",
        scratch.owner_url.as_str(),
        "--database-schema",
        scratch.schema.as_str(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let unused = dir.path().join("unused.db");
    // Both start together: the schema is created once (the migrations take a lock). The
    // second is configured through the environment instead of options.
    let one = Process::start(&unused, &pg, None);
    let two = Process::start_with_env(
        &unused,
        &[],
        None,
        &[
            ("KICKOVERLAY_DATABASE_URL", &scratch.server_url),
            ("KICKOVERLAY_DATABASE_OWNER_URL", &scratch.owner_url),
            ("KICKOVERLAY_DATABASE_SCHEMA", &scratch.schema),
        ],
    );
    // Its start line names where its data is (the log is kept by a thread: wait for it).
    let started = std::time::Instant::now();
    while !two.log().contains("serving on") && started.elapsed().as_secs() < 5 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        two.log().contains("postgresql schema"),
        "the second server is not on PostgreSQL: {}",
        two.log()
    );
    let out = bin()
        .args(["streamer", "add", "alpha"])
        .args(pg)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = stdout
        .lines()
        .find(|l| l.starts_with("koa_"))
        .expect("an admin key")
        .to_owned();
    assert!(!unused.exists(), "a PostgreSQL command made a SQLite file");
    (scratch, dir, one, two, key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_database_see_each_others_writes_at_once() {
    let (_scratch, _dir, one, two, key) = two_servers();
    let c = Client {
        http: reqwest::Client::new(),
        key,
    };

    // The streamer made by the command is served by both.
    let mut viewers = Vec::new();
    for (i, name) in ["ann", "bob", "cid"].iter().enumerate() {
        let addr = if i % 2 == 0 { &one.addr } else { &two.addr };
        let (status, body) = c
            .call(
                addr,
                "POST",
                "/alpha/api/users",
                Some(json!({ "username": name })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        viewers.push(body["id"].as_i64().unwrap());
    }

    for i in 0..30usize {
        let (writer, reader) = if i % 2 == 0 {
            (&one.addr, &two.addr)
        } else {
            (&two.addr, &one.addr)
        };
        let viewer = viewers[i % viewers.len()];
        let (status, written) = c
            .call(
                writer,
                "POST",
                &format!("/alpha/api/users/{viewer}/points"),
                Some(json!({ "amount": i + 1, "source": "chat" })),
            )
            .await;
        assert_eq!(status, 200, "{written}");
        let balance = written["channel_points"].as_i64().unwrap();
        let (_, read) = c
            .call(
                reader,
                "GET",
                &format!("/alpha/api/users/{viewer}/points"),
                None,
            )
            .await;
        assert_eq!(
            read["points"]["channel_points"].as_i64(),
            Some(balance),
            "write {i}: the other server read a stale balance: {read}"
        );
        let (_, board) = c.call(reader, "GET", "/alpha/api/leaderboard", None).await;
        let row = board
            .as_array()
            .and_then(|b| b.iter().find(|r| r["user_id"].as_i64() == Some(viewer)))
            .unwrap_or_else(|| panic!("write {i}: the viewer is missing from {board}"));
        assert_eq!(
            row["channel_points"].as_i64(),
            Some(balance),
            "write {i}: the other server's leaderboard is stale: {board}"
        );
    }

    // Concurrent earns through both servers, for one viewer: none is lost.
    let viewer = viewers[0];
    let path = format!("/alpha/api/users/{viewer}/points");
    let (_, start) = c.call(&one.addr, "GET", &path, None).await;
    let start = start["points"]["channel_points"].as_i64().unwrap();
    let c = std::sync::Arc::new(c);
    let mut tasks = Vec::new();
    for i in 0..60 {
        let c = c.clone();
        let addr = if i % 2 == 0 {
            one.addr.clone()
        } else {
            two.addr.clone()
        };
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            c.call(
                &addr,
                "POST",
                &path,
                Some(json!({ "amount": 1, "source": "watch" })),
            )
            .await
            .0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    for addr in [&one.addr, &two.addr] {
        let (_, now) = c.call(addr, "GET", &path, None).await;
        assert_eq!(
            now["points"]["channel_points"].as_i64(),
            Some(start + 60),
            "{now}"
        );
    }
    one.terminate();
    two.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_servers_streams_carry_the_other_servers_writes() {
    let (_scratch, _dir, one, two, key) = two_servers();
    let c = Client {
        http: reqwest::Client::new(),
        key,
    };
    let (status, viewer) = c
        .call(
            &one.addr,
            "POST",
            "/alpha/api/users",
            Some(json!({"username": "ann"})),
        )
        .await;
    assert_eq!(status, 201, "{viewer}");
    let viewer = viewer["id"].as_i64().unwrap();
    let mut on_one = Sse::open(&format!("http://{}", one.addr), "/alpha/api/events", None).await;
    let mut on_two = Sse::open(&format!("http://{}", two.addr), "/alpha/api/events", None).await;
    assert_eq!((on_one.status, on_two.status), (200, 200));
    for (i, writer) in [&one.addr, &two.addr, &one.addr, &two.addr]
        .into_iter()
        .enumerate()
    {
        let (status, written) = c
            .call(
                writer,
                "POST",
                &format!("/alpha/api/users/{viewer}/points"),
                Some(json!({"amount": i + 1, "source": "chat"})),
            )
            .await;
        assert_eq!(status, 200, "{written}");
        for stream in [&mut on_one, &mut on_two] {
            let e = stream
                .next(Duration::from_secs(5))
                .await
                .unwrap_or_else(|| panic!("write {i} through {writer} did not reach a stream"));
            assert_eq!(e.event, "points_changed");
            assert_eq!(e.data["data"]["amount"], i as i64 + 1);
            assert_eq!(e.data["data"]["channel_points"], written["channel_points"]);
        }
    }
    for stream in [&mut on_one, &mut on_two] {
        assert!(
            stream.next(Duration::from_millis(500)).await.is_none(),
            "no repeats"
        );
    }
    one.terminate();
    two.terminate();
}
