//! The `kick-overlay` binary as an operator runs it.

mod common;

use common::process::bin;
use std::io::{BufRead, BufReader, Lines};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn streamer_add_prints_a_key_once_and_refuses_duplicates_and_reserved_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested").join("k.db");
    let out = bin()
        .args([
            "streamer",
            "add",
            "butters",
            "--display-name",
            "Butters",
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("koa_") && l.len() == 68),
        "{stdout}"
    );
    let out = bin()
        .args(["streamer", "add", "BUTTERS", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = bin()
        .args(["streamer", "add", "api", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reserved"));
    let out = bin()
        .args(["streamer", "list", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("butters\tButters"));
    let out = bin()
        .args([
            "streamer",
            "rotate-key",
            "butters",
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("koa_"));
}

/// `streamer list` has a header; `streamer remove` says what it would delete and deletes only
/// with `--yes`; commands that only read or change a database never create one; options belong
/// to their command.
#[test]
fn streamer_list_remove_and_options_that_belong_to_their_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let db_arg = db.to_str().unwrap();
    for command in [
        vec!["streamer", "list", "--db", db_arg],
        vec!["streamer", "remove", "x", "--yes", "--db", db_arg],
        vec!["streamer", "rotate-key", "x", "--db", db_arg],
    ] {
        let (ok, _, err) = run(&command);
        assert!(
            !ok && err.contains("there is no database at"),
            "{command:?}: {err}"
        );
        assert!(!db.exists(), "{command:?} created the database");
    }
    assert!(run(&["streamer", "add", "butters", "--db", db_arg]).0);
    let (ok, _, _) = run(&["streamer", "add", "keeper", "--db", db_arg]);
    assert!(ok);
    let (ok, out, _) = run(&["streamer", "list", "--db", db_arg]);
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "ID\tUSERNAME\tDISPLAY NAME", "{out}");
    assert_eq!(lines.len(), 3, "{out}");

    let (ok, out, err) = run(&["streamer", "remove", "butters", "--db", db_arg]);
    assert!(
        !ok && err.contains("--yes") && err.contains("0 viewers"),
        "{out}{err}"
    );
    let (_, listed, _) = run(&["streamer", "list", "--db", db_arg]);
    assert!(
        listed.contains("butters"),
        "nothing is deleted without --yes"
    );
    let (ok, out, err) = run(&["streamer", "remove", "butters", "--yes", "--db", db_arg]);
    assert!(ok && out.contains("Deleted streamer butters"), "{out}{err}");
    let (_, listed, _) = run(&["streamer", "list", "--db", db_arg]);
    assert!(
        !listed.contains("butters") && listed.contains("keeper"),
        "{listed}"
    );
    let (ok, _, err) = run(&["streamer", "remove", "butters", "--yes", "--db", db_arg]);
    assert!(!ok && err.contains("no streamer is called"), "{err}");

    // --host and --port are the server's; --db follows its command.
    let out = bin()
        .args(["--port", "6000", "streamer", "list", "--db", db_arg])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .args(["--db", db_arg, "streamer", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("hint: --db follows the command"),
        "the error says where --db goes: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An argument that is not UTF-8 (a file name may be any bytes) gets clap's error and the
    // hint, never a panic.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"\xff.db");
        let out = bin()
            .arg("--db")
            .arg(name)
            .args(["streamer", "list"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("hint: --db follows") && !err.contains("panicked"),
            "{err}"
        );
    }
    for (args, hint) in [
        (
            vec!["--port", "1", "serve"],
            Some("hint: --host and --port are the server's"),
        ),
        (
            vec!["streamer", "--db", db_arg, "list"],
            Some("--db follows the command"),
        ),
        (
            vec!["streamer", "list", "--port", "1"],
            Some("--host and --port are the server's"),
        ),
        (
            vec![
                "migrate-legacy",
                "--db",
                db_arg,
                "--streamer",
                "x",
                "--dry-run",
                "--vacuum",
            ],
            None,
        ),
    ] {
        let out = bin().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        match hint {
            Some(h) => assert!(err.contains(h), "{args:?}: {err}"),
            None => assert!(
                !err.contains("hint:"),
                "no hint for a mistake of another kind: {err}"
            ),
        }
    }
    // A weak operator key stops the server before it makes a database.
    let fresh = dir.path().join("never.db");
    let out = bin()
        .args(["--db", fresh.to_str().unwrap(), "--port", "0"])
        .env("KICKOVERLAY_OPERATOR_KEY", "short")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16 characters"));
    assert!(
        !fresh.exists(),
        "no database is made for a server that does not start"
    );
    let out = bin()
        .args(["streamer", "list", "--port", "6000", "--db", db_arg])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let help = bin().args(["streamer", "list", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--db") && !help.contains("created") && !help.contains("--port"),
        "{help}"
    );
}

#[test]
fn a_foreign_file_is_refused_with_a_message_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.db");
    std::fs::write(&db, b"these are my notes, not a database").unwrap();
    let out = bin()
        .args(["streamer", "list", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("notes.db"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        b"these are my notes, not a database"
    );
    let out = bin().args(["--port", "not-a-port"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A server started on `db` at a free port: the process, its address, what it logged until it
/// was serving, and the rest of its log.
struct Served {
    child: Child,
    addr: String,
    log: String,
    lines: Lines<BufReader<ChildStderr>>,
}

fn serve(db: &Path) -> Served {
    let mut child = bin()
        .args(["--db", db.to_str().unwrap(), "--port", "0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        let line = lines.next().expect("the server logs").expect("a log line");
        log.push_str(&line);
        log.push('\n');
        if let Some(rest) = line.split("serving on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
        assert!(Instant::now() < deadline, "no start line: {log}");
    };
    Served {
        child,
        addr,
        log,
        lines,
    }
}

/// Stops a server as an operator does, with SIGTERM, and requires a clean exit.
fn stop(child: &mut Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit {status:?}");
}

/// GET `url` with an optional bearer token: status and JSON body.
fn get(url: &str, bearer: Option<&str>) -> (u16, serde_json::Value) {
    send(reqwest::Method::GET, url, bearer, None)
}

/// A request with an optional bearer token and JSON body: status and JSON body.
fn send(
    method: reqwest::Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut r = reqwest::Client::new().request(method, url);
        if let Some(t) = bearer {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    })
}

#[test]
fn serve_starts_says_how_to_add_a_streamer_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("kick-overlay.db");
    let Served {
        mut child,
        addr,
        log,
        lines,
    } = serve(&db);
    assert!(
        log.contains("no streamer yet") && log.contains("streamer add"),
        "{log}"
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, body) = rt.block_on(async {
        let r = reqwest::get(format!("http://{addr}/api/health"))
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    });
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    stop(&mut child);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let rest = rest.join("\n");
    assert!(
        rest.contains("GET") && rest.contains("/api/health") && rest.contains("status=200"),
        "a request line: {rest}"
    );
    let latency = rest
        .split("latency_ms=")
        .nth(1)
        .and_then(|v| v.split_whitespace().next())
        .expect("the request line has a latency");
    assert!(
        latency.parse::<f64>().is_ok() && latency.split('.').nth(1).is_none_or(|d| d.len() <= 1),
        "latency_ms is a rounded number: {latency}"
    );
    assert!(rest.contains("SIGTERM"), "{rest}");
    assert!(db.exists());
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn migrate_legacy_then_a_second_run_then_rollback_then_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kick-overlay.db");
    let generated = legacy_fixtures::generate(&db, &legacy_fixtures::Spec::default()).unwrap();
    let original = std::fs::read(&db).unwrap();
    let db_arg = db.to_str().unwrap();

    // A legacy file is refused by every command that opens the store, and left alone.
    let (ok, _, err) = run(&["streamer", "list", "--db", db_arg]);
    assert!(!ok && err.contains("must be migrated"), "{err}");
    let (ok, _, err) = run(&["migrate-legacy", "--db", db_arg, "--dry-run"]);
    assert!(
        !ok && err.contains("--streamer"),
        "the streamer is never guessed: {err}"
    );
    let (ok, out, err) = run(&[
        "migrate-legacy",
        "--db",
        db_arg,
        "--streamer",
        "codingbutter",
        "--dry-run",
    ]);
    assert!(
        ok && out.contains("Dry run") && err.contains("verify:"),
        "{out}{err}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), original);
    let (ok, _, err) = run(&["migrate-legacy", "--db", db_arg, "--streamer", "api"]);
    assert!(!ok && err.contains("reserved"), "{err}");

    let (ok, out, err) = run(&[
        "migrate-legacy",
        "--db",
        db_arg,
        "--streamer",
        "codingbutter",
        "--display-name",
        "Butters",
        "--vacuum",
    ]);
    assert!(ok, "{err}");
    assert!(
        err.contains("compacted from") && err.contains("journal in WAL mode"),
        "{err}"
    );
    for step in [
        "inspect:",
        "defaults:",
        "backup:",
        "copy:",
        "verify:",
        "check integrity:",
        "commit:",
    ] {
        assert!(err.contains(step), "the log names the step {step}: {err}");
    }
    assert!(out.contains("Migrated ") && out.contains("koa_"), "{out}");
    let key: String = out[out.find("koa_").unwrap()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let (ok, out, _) = run(&["streamer", "list", "--db", db_arg]);
    assert!(ok && out.contains("codingbutter\tButters"), "{out}");

    // The server then serves the old data under /codingbutter/api/…: a viewer's legacy session
    // still logs them in, an expired one does not, and their points are on the leaderboard.
    let mut served = serve(&db);
    let base = format!("http://{}/codingbutter/api", served.addr);
    let (token, user_id) = &generated.live_user_session;
    let (status, me) = get(&format!("{base}/me"), Some(token));
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"].as_i64(), Some(*user_id), "{me}");
    let (status, _) = get(&format!("{base}/me"), Some(&generated.expired_user_session));
    assert_eq!(status, 401);
    let (status, user) = get(&format!("{base}/users/{user_id}"), None);
    assert_eq!(
        (status, &user["username"]),
        (200, &me["username"]),
        "{user}"
    );
    let (status, board) = get(&format!("{base}/leaderboard?limit=100"), None);
    assert_eq!(status, 200, "{board}");
    let totals: Vec<i64> = board
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["total_points"].as_i64().unwrap())
        .collect();
    assert!(
        !totals.is_empty() && totals.windows(2).all(|w| w[0] >= w[1]),
        "{board}"
    );
    let (status, points) = get(&format!("{base}/users/{user_id}/points"), None);
    assert_eq!(status, 200, "{points}");
    let p = &points["points"];
    let total = p["channel_points"].as_i64().unwrap() + p["drop_points"].as_i64().unwrap();
    let entry = board
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"].as_i64() == Some(*user_id));
    match entry {
        Some(r) => assert_eq!(r["total_points"].as_i64(), Some(total), "{board}"),
        None => assert!(
            total <= *totals.last().unwrap(),
            "a viewer with {total} points is missing from the board: {board}"
        ),
    }
    // The legacy theme and layout are the streamer's, and the 120-character viewer is there.
    let (status, theme) = get(&format!("{base}/theme"), None);
    let legacy_theme: serde_json::Value =
        serde_json::from_str(legacy_fixtures::THEME_CONFIG).unwrap();
    assert_eq!(
        (status, &theme["theme"], &theme["is_default"]),
        (200, &legacy_theme, &serde_json::json!(false)),
        "{theme}"
    );
    let (status, layout) = get(&format!("{base}/overlay/layouts/main"), None);
    let legacy_layout: serde_json::Value =
        serde_json::from_str(legacy_fixtures::OVERLAY_LAYOUT_CONFIG).unwrap();
    assert_eq!(
        (status, &layout["layout"], &layout["is_default"]),
        (200, &legacy_layout, &serde_json::json!(true)),
        "{layout}"
    );
    let long = legacy_fixtures::LONG_USERNAME;
    let (status, viewer) = get(&format!("{base}/users/by-name/{long}"), None);
    assert_eq!(
        (status, viewer["username"].as_str()),
        (200, Some(long)),
        "{viewer}"
    );
    // The goal whose id the legacy admin route made from a URL segment is listed, moved on
    // and deleted like any other; only a PUT, which writes an id whole, applies the rules of
    // new ids.
    let odd_goal = legacy_fixtures::LONG_GOAL_ID;
    let goal_url = format!(
        "{base}/goals/{}",
        percent_encoding::utf8_percent_encode(odd_goal, percent_encoding::NON_ALPHANUMERIC)
    );
    let (status, goals) = get(&format!("{base}/goals"), None);
    assert!(
        status == 200
            && goals
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["id"] == odd_goal),
        "{goals}"
    );
    let progress = serde_json::json!({"current_value": 5});
    let (status, goal) = send(
        reqwest::Method::PATCH,
        &format!("{goal_url}/progress"),
        Some(&key),
        Some(progress),
    );
    assert_eq!(
        (status, goal["current_value"].as_i64()),
        (200, Some(5)),
        "{goal}"
    );
    let replace = serde_json::json!({"label": "Odd", "current_value": 1, "target_value": 9});
    let (status, refused) = send(reqwest::Method::PUT, &goal_url, Some(&key), Some(replace));
    assert_eq!(status, 400, "{refused}");
    let (status, _) = send(reqwest::Method::DELETE, &goal_url, Some(&key), None);
    assert_eq!(status, 204);
    let (_, goals) = get(&format!("{base}/goals"), None);
    assert!(
        !goals
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == odd_goal),
        "{goals}"
    );
    stop(&mut served.child);

    let (ok, out, _) = run(&["migrate-legacy", "--db", db_arg, "--streamer", "another"]);
    assert!(
        ok && out.contains("already a multi-tenant database")
            && out.contains("no streamer another was made"),
        "{out}"
    );

    // The deleted goal is a write since the migration: the rollback says so and stops.
    let (ok, _, err) = run(&["rollback", "--db", db_arg]);
    assert!(!ok && err.contains("(goals: 1)"), "{err}");
    let (ok, out, err) = run(&["rollback", "--db", db_arg, "--force"]);
    assert!(ok && out.contains("Restored"), "{out}{err}");

    let (ok, _, err) = run(&["rollback", "--db", db_arg]);
    assert!(!ok && err.contains("legacy file already"), "{err}");

    // The restored legacy file imports into a shared database under another name.
    let shared = dir.path().join("shared.db");
    let shared_arg = shared.to_str().unwrap();
    assert!(run(&["streamer", "add", "someone", "--db", shared_arg]).0);
    let (ok, out, err) = run(&[
        "import-legacy",
        "--db",
        shared_arg,
        "--streamer",
        "butters",
        db_arg,
    ]);
    assert!(
        ok && out.contains("Imported ") && out.contains("koa_"),
        "{out}{err}"
    );
    let (ok, _, err) = run(&[
        "import-legacy",
        "--db",
        shared_arg,
        "--streamer",
        "BUTTERS",
        db_arg,
    ]);
    assert!(!ok && err.contains("already exists"), "{err}");
}
