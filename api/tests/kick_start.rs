//! Kick's public key at start: a key that cannot be read or used stops the server before it
//! touches anything (exit 1, with the reason); a key given as a file or as the PEM text itself
//! (SubjectPublicKeyInfo or PKCS#1) is used; without one the server says why at start and the
//! webhook refuses every delivery (503).

mod common;

use common::kick::{Delivery, chat, fixtures, now};
use common::process::{Process, bin};
use std::path::Path;
use std::time::Duration;

/// Runs the server on `db` with `args` and `env`, expecting it to refuse: its exit code and
/// what it said (`None`: still running after 20 s, stopped).
fn refused(db: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut child = bin()
        .args(["--db", db.to_str().unwrap(), "--port", "0"])
        .args(args)
        .envs(env.iter().copied())
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
fn a_key_that_cannot_be_used_stops_the_start_and_makes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(
        &garbage,
        "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let small = fixtures().join("test-only-small-public-key.pem");
    let private = fixtures().join("test-only-private-key.pem");
    let missing = dir.path().join("nowhere.pem");
    let cases: [(&str, String, &str); 4] = [
        (
            "a missing file",
            missing.display().to_string(),
            "cannot read the Kick public key file",
        ),
        (
            "not a key",
            garbage.display().to_string(),
            "not a PEM RSA public key",
        ),
        (
            "a 1024-bit key",
            small.display().to_string(),
            "at least 2048",
        ),
        (
            "a private key",
            private.display().to_string(),
            "not a PEM RSA public key",
        ),
    ];
    for (what, value, says) in cases {
        let (code, stderr) = refused(&db, &["--kick-public-key", &value], &[]);
        assert_eq!(code, Some(1), "{what}: {stderr}");
        assert!(stderr.contains(says), "{what}: {stderr}");
        assert!(!stderr.contains("serving on"), "{what}: {stderr}");
        // Through the environment too.
        let (code, stderr) = refused(&db, &[], &[("KICKOVERLAY_KICK_PUBLIC_KEY", &value)]);
        assert_eq!(code, Some(1), "{what} in the environment: {stderr}");
        assert!(stderr.contains(says), "{what}: {stderr}");
    }
    assert!(!db.exists(), "a refused start made the database");
    let (code, stderr) = refused(&db, &["--kick-api-url", "ftp://kick.example"], &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("not an http(s) URL"), "{stderr}");
    let (code, stderr) = refused(&db, &["--kick-replay-window-secs", "0"], &[]);
    assert_eq!(code, Some(2), "a bad command line: {stderr}");
}

async fn deliver(addr: &str) -> (u16, serde_json::Value) {
    let d = Delivery::signed(chat(900_001, (5_001, "ann"), "hi", now()));
    let r = d
        .send_to(&reqwest::Client::new(), &format!("http://{addr}"))
        .await;
    (r.status, r.json)
}

/// Environment variables for a server.
type Env<'a> = Vec<(&'a str, &'a str)>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_as_a_file_as_pem_text_or_as_pkcs1_verifies_deliveries() {
    let spki = fixtures().join("test-only-public-key.pem");
    let pkcs1 = fixtures().join("test-only-public-key-pkcs1.pem");
    let pem_text = std::fs::read_to_string(&spki).unwrap();
    let runs: [(&str, Vec<&str>, Env); 3] = [
        (
            "a file",
            vec!["--kick-public-key", spki.to_str().unwrap()],
            vec![],
        ),
        (
            "PKCS#1",
            vec!["--kick-public-key", pkcs1.to_str().unwrap()],
            vec![],
        ),
        (
            "the PEM text in the environment",
            vec![],
            vec![("KICKOVERLAY_KICK_PUBLIC_KEY", pem_text.as_str())],
        ),
    ];
    for (what, args, env) in runs {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("k.db");
        let out = bin()
            .args([
                "streamer",
                "add",
                "alpha",
                "--kick-user-id",
                "900001",
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
        let server = Process::start_with_env(&db, &args, None, &env);
        assert!(
            server
                .log()
                .contains("verified with the configured public key"),
            "{what}: {}",
            server.log()
        );
        let (status, json) = deliver(&server.addr).await;
        assert_eq!(status, 200, "{what}: {json}");
        assert_eq!(json["outcome"], "applied", "{what}: {json}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_key_the_server_says_why_and_the_webhook_answers_503() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let server = Process::start(&db, &[], None);
    let started = std::time::Instant::now();
    while !server.log().contains("KICKOVERLAY_KICK_PUBLIC_KEY")
        && started.elapsed() < Duration::from_secs(5)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(server.log().contains("is not set"), "{}", server.log());
    let (status, json) = deliver(&server.addr).await;
    assert_eq!(status, 503, "{json}");
    assert_eq!(json["error"]["code"], "unavailable");
}

#[test]
fn the_dice_seed_is_hidden_and_warned_about() {
    let help = bin().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--kick-public-key"), "{help}");
    assert!(help.contains("--kick-replay-window-secs"), "{help}");
    assert!(
        !help.contains("--kick-dice-seed"),
        "a test-only option in the help: {help}"
    );
    let dir = tempfile::tempdir().unwrap();
    let server = Process::start(&dir.path().join("k.db"), &["--kick-dice-seed", "7"], None);
    let started = std::time::Instant::now();
    while !server.log().contains("--kick-dice-seed") && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(server.log().contains("predictable"), "{}", server.log());
}
