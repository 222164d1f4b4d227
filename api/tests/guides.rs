//! The README's walk-through, its overlay URLs and its operator example, and the migration
//! guide, run as a reader pastes them: every `sh` block between a document's markers runs in
//! `bash -euo pipefail` in a scratch directory, with `cargo run -p api --` standing for the
//! `kick-overlay` binary this package builds and the documents' ports for free ones. A line
//! `cargo run -p legacy-fixtures -- …` runs the generator's own command line in-process (shell
//! variables do not carry across it). What the reader is told to expect is then checked.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn doc(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text between `<!-- name:begin -->` and `<!-- name:end -->`.
fn section<'a>(text: &'a str, name: &str) -> &'a str {
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let start = text.find(&begin).unwrap_or_else(|| panic!("no {begin}")) + begin.len();
    let stop = text[start..]
        .find(&end)
        .unwrap_or_else(|| panic!("no {end}"))
        + start;
    &text[start..stop]
}

/// The `sh` code blocks of `text`, in order.
fn sh_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("```sh\n") {
        let body = &rest[at + 6..];
        let end = body.find("```").expect("a closed code block");
        blocks.push(body[..end].to_owned());
        rest = &body[end + 3..];
    }
    assert!(!blocks.is_empty(), "no sh blocks in the section");
    blocks
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The documents' commands as this test runs them: the binary for `cargo run -p api`, free
/// ports for the documents' ones.
fn adapt(script: &str, ports: &[(u16, u16)]) -> String {
    let mut s = script
        .replace("cargo run -q -p api --", "\"$KO\"")
        .replace("cargo run -p api --", "\"$KO\"");
    for (doc, real) in ports {
        s = s
            .replace(&format!("localhost:{doc}"), &format!("127.0.0.1:{real}"))
            .replace(&format!("--port {doc}"), &format!("--port {real}"));
    }
    s
}

/// Runs `blocks` in `dir` as one pasted session; answers what it printed. Panics, with the
/// output, when a command fails.
fn paste(blocks: &[String], dir: &Path, ports: &[(u16, u16)]) -> String {
    let script = adapt(&blocks.join("\n"), ports);
    let mut out = String::new();
    let mut pending = String::new();
    let run_bash = |pending: &mut String, out: &mut String| {
        if pending.trim().is_empty() {
            return;
        }
        let result = Command::new("bash")
            .arg("-c")
            .arg(format!("set -euo pipefail\n{pending}"))
            .current_dir(dir)
            .env("KO", env!("CARGO_BIN_EXE_kick-overlay"))
            .env_remove("KICKOVERLAY_DB")
            .env_remove("KICKOVERLAY_PORT")
            .env_remove("KICKOVERLAY_HOST")
            .env_remove("KICKOVERLAY_OPERATOR_KEY")
            .output()
            .expect("bash runs");
        let stdout = String::from_utf8_lossy(&result.stdout);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(
            result.status.success(),
            "the pasted commands failed ({}):\n{pending}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            result.status
        );
        out.push_str(&stdout);
        pending.clear();
    };
    for line in script.lines() {
        if let Some(args) = line.strip_prefix("cargo run -p legacy-fixtures -- ") {
            run_bash(&mut pending, &mut out);
            let argv = std::iter::once("generate-legacy").chain(args.split_whitespace());
            let mut parsed = <legacy_fixtures::cli::Args as clap::Parser>::try_parse_from(argv)
                .unwrap_or_else(|e| panic!("{line}: {e}"));
            parsed.out = dir.join(&parsed.out);
            let printed = legacy_fixtures::cli::run(&parsed).unwrap_or_else(|e| panic!("{e}"));
            out.push_str(&printed);
            out.push('\n');
        } else {
            pending.push_str(line);
            pending.push('\n');
        }
    }
    run_bash(&mut pending, &mut out);
    out
}

/// The set-up command, `cargo run -p api`, in `dir`: the server on its default database, at a
/// free port. Answers the process and its address.
fn set_up_server(dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kick-overlay"))
        .args(["--port", "0"])
        .current_dir(dir)
        .env_remove("KICKOVERLAY_DB")
        .env_remove("KICKOVERLAY_OPERATOR_KEY")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        let line = lines.next().expect("the server logs").expect("a log line");
        if let Some(rest) = line.split("serving on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
        assert!(Instant::now() < deadline, "the server did not start");
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}

fn stop(mut child: Child) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

fn get(url: &str) -> (u16, Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = reqwest::get(url).await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    })
}

#[test]
fn the_readme_walk_through_and_overlay_urls_work_as_pasted() {
    let readme = doc("README.md");
    let dir = tempfile::tempdir().unwrap();
    let (server, addr) = set_up_server(dir.path());
    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    let printed = paste(
        &sh_blocks(section(&readme, "walkthrough")),
        dir.path(),
        &[(5050, port)],
    );
    assert!(printed.contains("the admin key is koa_"), "{printed}");
    // Every answer the walk-through prints is on a line of its own: none is an error, and the
    // writes answer what they did.
    let answers: Vec<Value> = printed
        .lines()
        .filter(|l| l.starts_with('{') || l.starts_with('['))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(answers.len(), 14, "{printed}");
    // The walk-through ends watching the event stream while bob earns: the event arrives.
    let event = printed
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .unwrap_or_else(|| panic!("the stream printed no event: {printed}"));
    let event: Value = serde_json::from_str(event).expect("the event's JSON");
    assert_eq!(
        (
            &event["type"],
            &event["data"]["username"],
            &event["data"]["channel_points"]
        ),
        (
            &Value::from("points_changed"),
            &Value::from("bob"),
            &Value::from(35)
        ),
        "{printed}"
    );
    for answer in &answers {
        assert!(
            answer.get("error").is_none(),
            "a pasted command failed: {answer}"
        );
    }
    assert_eq!(
        (&answers[5]["id"], &answers[5]["username"]),
        (&Value::from(1), &Value::from("alice")),
        "{printed}"
    );
    assert_eq!(
        answers[6],
        serde_json::json!({"awarded": 2, "created": 1}),
        "{printed}"
    );
    assert_eq!(answers[7]["channel_points"], 525, "{printed}");
    assert_eq!(answers[9]["points"]["channel_points"], 275, "{printed}");

    let base = format!("http://{addr}/codingbutter/api");
    let (_, board) = get(&format!("{base}/leaderboard"));
    let rows: Vec<(&str, i64, i64)> = board
        .as_array()
        .expect("a leaderboard")
        .iter()
        .map(|r| {
            (
                r["username"].as_str().unwrap(),
                r["channel_points"].as_i64().unwrap(),
                r["drop_points"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, vec![("alice", 275, 200), ("bob", 35, 0)], "{board}");
    let (_, goals) = get(&format!("{base}/goals"));
    assert_eq!(goals[0]["label"], "Followers", "{goals}");
    let (_, tips) = get(&format!("{base}/tips"));
    assert_eq!(
        tips[0]["content"], "Type !drop in chat to play the drop game",
        "{tips}"
    );
    let (_, theme) = get(&format!("{base}/theme"));
    assert_eq!(
        (&theme["theme"]["siteName"], &theme["is_default"]),
        (&Value::from("Butter"), &Value::from(false)),
        "{theme}"
    );

    // Every URL of the overlay table answers, and answers something.
    let urls: Vec<String> = section(&readme, "overlay-urls")
        .split_whitespace()
        .filter_map(|w| {
            w.trim_end_matches(',')
                .strip_prefix("http://localhost:5050")
        })
        .map(|path| format!("http://{addr}{path}"))
        .collect();
    assert!(urls.len() >= 13, "{urls:?}");
    for url in urls {
        let (status, body) = get(&url);
        let empty = body.is_null()
            || body.as_array().is_some_and(Vec::is_empty)
            || body.as_object().is_some_and(serde_json::Map::is_empty);
        assert!(status == 200 && !empty, "{url}: {status} {body}");
    }
    stop(server);
}

#[test]
fn the_readme_operator_example_works_as_pasted() {
    let readme = doc("README.md");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    let printed = paste(
        &sh_blocks(section(&readme, "operator")),
        dir.path(),
        &[(5051, free_port())],
    );
    let created: Value = serde_json::from_str(printed.trim()).expect("the operator's answer");
    assert_eq!(created["streamer"]["username"], "spicyrice", "{printed}");
    assert!(
        created["admin_key"]
            .as_str()
            .is_some_and(|k| k.starts_with("koa_"))
    );
    assert!(dir.path().join("data/operator-demo.db").exists());
}

#[test]
fn the_migration_guide_works_as_pasted() {
    let guide = doc("docs/migrating-a-legacy-install.md");
    let dir = tempfile::tempdir().unwrap();
    let printed = paste(
        &sh_blocks(section(&guide, "guide")),
        dir.path(),
        &[(5052, free_port())],
    );
    for expected in [
        "rows would move to streamer oldchannel",
        "Migrated ",
        "Admin key",
        "\"siteName\":\"Butter\"",
        "\"is_default\":false",
        "\"id\":\"main\"",
        "Restored ",
        "Created streamer firstchannel",
        "Imported ",
    ] {
        assert!(
            printed.contains(expected),
            "{expected:?} missing from:\n{printed}"
        );
    }
    let demo = dir.path().join("data/legacy-demo");
    let left: Vec<String> = std::fs::read_dir(&demo)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("-wal") || n.ends_with("-shm"))
        .collect();
    assert!(left.is_empty(), "files left beside the databases: {left:?}");
}
