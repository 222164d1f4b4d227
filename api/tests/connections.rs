//! The server under clients that misbehave at the connection level: sockets that trickle or
//! never finish, more sockets than the process has files, shutdown with requests in progress,
//! and early answers on keep-alive connections. Real processes and raw sockets throughout.

mod common;

use common::TestServer;
use common::process::{Process, add_streamer};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// One HTTP/1.1 response read off a socket: status, headers (lower-case names) and body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads up to `n` responses from `s` (fewer if the server closes first) within `limit`.
fn answers(s: &mut TcpStream, n: usize, limit: Duration) -> (Vec<Answer>, bool) {
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let deadline = Instant::now() + limit;
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut closed = false;
    while out.len() < n && Instant::now() < deadline {
        if let Some(a) = parse_one(&mut buf) {
            out.push(a);
            continue;
        }
        let mut chunk = [0u8; 8192];
        match s.read(&mut chunk) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(k) => buf.extend_from_slice(&chunk[..k]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    while out.len() < n {
        match parse_one(&mut buf) {
            Some(a) => out.push(a),
            None => break,
        }
    }
    (out, closed)
}

fn parse_one(buf: &mut Vec<u8>) -> Option<Answer> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap_or(0));
    if buf.len() < end + 4 + len {
        return None;
    }
    let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).into_owned();
    buf.drain(..end + 4 + len);
    Some(Answer {
        status,
        headers,
        body,
    })
}

/// Whether the server closes `s` within `limit` (a read sees the end, or a reset).
fn closed_within(s: &mut TcpStream, limit: Duration) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let deadline = Instant::now() + limit;
    let mut chunk = [0u8; 4096];
    while Instant::now() < deadline {
        match s.read(&mut chunk) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return true,
        }
    }
    false
}

/// A complete GET of the health route on a fresh connection, with its latency.
fn health(addr: &str, limit: Duration) -> Result<Duration, String> {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.write_all(b"GET /api/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let (got, _) = answers(&mut s, 1, limit);
    match got.first() {
        Some(a) if a.status == 200 => Ok(start.elapsed()),
        Some(a) => Err(format!("status {}", a.status)),
        None => Err(format!("no answer within {limit:?}")),
    }
}

#[test]
fn trickling_sockets_beyond_the_file_limit_do_not_lock_out_other_clients() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    // A head timeout far longer than the test: only replacing idle sockets can save it.
    let server = Process::start(&db, &["--header-timeout", "600"], Some(256));
    let mut attackers = Vec::new();
    for _ in 0..300 {
        // Connecting may fail once the server stops accepting; the attack goes on regardless.
        if let Ok(mut s) = TcpStream::connect(&server.addr) {
            let _ = s.write_all(b"GET /api/health HTTP/1.1\r\nHost: t\r\nX-Slow: ");
            attackers.push(s);
        }
    }
    let mut worst = Duration::ZERO;
    for i in 0..20 {
        // The attack keeps trickling and reopening while good clients call.
        for s in attackers.iter_mut().take(10) {
            let _ = s.write_all(b"a");
        }
        match health(&server.addr, Duration::from_secs(5)) {
            Ok(took) => worst = worst.max(took),
            Err(e) => panic!(
                "good request {i} failed under attack ({e}); log tail: {}",
                tail(&server.log())
            ),
        }
        if let Ok(mut s) = TcpStream::connect(&server.addr) {
            let _ = s.write_all(b"GET /api/health HTTP/1.1\r\nHost: t\r\nX-Slow: ");
            attackers.push(s);
        }
    }
    eprintln!(
        "300+ trickling sockets under a 256-file limit: 20 of 20 good requests answered, worst {worst:?}"
    );
    assert!(
        server.log().contains("max_connections=192"),
        "{}",
        tail(&server.log())
    );
}

#[test]
fn bodies_that_trickle_do_not_lock_out_other_clients() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    add_streamer(&db, "butters");
    // Long timeouts: only replacing connections still reading their body can save it.
    let server = Process::start(
        &db,
        &[
            "--max-connections",
            "20",
            "--body-timeout",
            "600",
            "--header-timeout",
            "600",
        ],
        None,
    );
    let mut attackers = Vec::new();
    for _ in 0..40 {
        if let Ok(mut s) = TcpStream::connect(&server.addr) {
            let _ = s.write_all(
                b"POST /butters/api/users HTTP/1.1\r\nHost: t\r\n\
                  Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
            );
            attackers.push(s);
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    for i in 0..10 {
        if let Err(e) = health(&server.addr, Duration::from_secs(5)) {
            panic!(
                "good request {i} failed under a body trickle ({e}): {}",
                tail(&server.log())
            );
        }
    }
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

#[test]
fn a_head_or_body_that_never_finishes_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let key = add_streamer(&db, "butters");
    let server = Process::start(&db, &["--header-timeout", "1", "--body-timeout", "1"], None);
    let mut head = TcpStream::connect(&server.addr).unwrap();
    head.write_all(b"GET /api/health HTTP/1.1\r\nHost: t\r\nX-Slow: a")
        .unwrap();
    let start = Instant::now();
    assert!(
        closed_within(&mut head, Duration::from_secs(5)),
        "a head that never finishes is held"
    );
    eprintln!("an unfinished head was closed after {:?}", start.elapsed());

    let mut body = TcpStream::connect(&server.addr).unwrap();
    body.write_all(
        format!(
            "POST /butters/api/users HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {key}\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"username\""
        )
        .as_bytes(),
    )
    .unwrap();
    let (got, _) = answers(&mut body, 1, Duration::from_secs(5));
    let a = got
        .first()
        .expect("an answer to a body that never finishes");
    assert_eq!(a.status, 408, "{a:?}");
    assert_eq!(a.header("connection"), Some("close"), "{a:?}");
    assert!(a.body.contains("request_timeout"), "{a:?}");
    assert!(closed_within(&mut body, Duration::from_secs(2)));

    // An idle keep-alive connection is closed after the same time as a head.
    let mut idle = TcpStream::connect(&server.addr).unwrap();
    idle.write_all(b"GET /api/health HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let (got, _) = answers(&mut idle, 1, Duration::from_secs(5));
    assert_eq!(got.first().map(|a| a.status), Some(200));
    assert!(closed_within(&mut idle, Duration::from_secs(5)));
    // And the server still answers.
    health(&server.addr, Duration::from_secs(5)).unwrap();
}

#[test]
fn sigterm_lets_requests_in_progress_finish_then_closes_the_rest_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let key = add_streamer(&db, "butters");
    let mut server = Process::start(
        &db,
        &[
            "--shutdown-grace",
            "2",
            "--body-timeout",
            "60",
            "--header-timeout",
            "60",
        ],
        None,
    );
    let post = |name: &str| {
        let body = format!("{{\"username\": \"{name}\"}}");
        format!(
            "POST /butters/api/users HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {key}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    // Acknowledged before the signal.
    let mut before = TcpStream::connect(&server.addr).unwrap();
    before.write_all(post("before").as_bytes()).unwrap();
    let (got, _) = answers(&mut before, 1, Duration::from_secs(5));
    assert_eq!(got.first().map(|a| a.status), Some(201));
    // In progress when the signal comes: half its body sent, the rest during the grace.
    let finishing = post("during");
    let split = finishing.len() - 5;
    let mut during = TcpStream::connect(&server.addr).unwrap();
    during.write_all(&finishing.as_bytes()[..split]).unwrap();
    // Never finishes: a head half sent, and a body that stops.
    let mut stuck_head = TcpStream::connect(&server.addr).unwrap();
    stuck_head
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: t\r\nX-Slow: a")
        .unwrap();
    let stuck = post("never");
    let mut stuck_body = TcpStream::connect(&server.addr).unwrap();
    stuck_body
        .write_all(&stuck.as_bytes()[..stuck.len() - 5])
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));

    server.terminate();
    std::thread::sleep(Duration::from_millis(300));
    during.write_all(&finishing.as_bytes()[split..]).unwrap();
    let (got, _) = answers(&mut during, 1, Duration::from_secs(5));
    assert_eq!(
        got.first()
            .map(|a| (a.status, a.header("connection").map(str::to_owned))),
        Some((201, Some("close".to_owned()))),
        "a request in progress is answered during the grace: {}",
        server.log()
    );
    let (status, took) = server.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "exit {status:?}: {}", server.log());
    assert!(
        took < Duration::from_secs(5),
        "exit took {took:?} after the signal"
    );
    eprintln!("SIGTERM with a stuck head and a stuck body: exit 0 after {took:?}");
    assert!(closed_within(&mut stuck_head, Duration::from_secs(1)));
    assert!(closed_within(&mut stuck_body, Duration::from_secs(1)));
    assert!(server.log().contains("cut=1"), "{}", server.log());

    // Both acknowledged writes are there; the unfinished one is not.
    let server = Process::start(&db, &[], None);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let names: Vec<String> = rt.block_on(async {
        let r = reqwest::Client::new()
            .get(format!("http://{}/butters/api/export", server.addr))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        v["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_owned())
            .collect()
    });
    assert!(names.contains(&"before".to_owned()), "{names:?}");
    assert!(names.contains(&"during".to_owned()), "{names:?}");
    assert!(!names.contains(&"never".to_owned()), "{names:?}");
}

#[tokio::test]
async fn early_answers_leave_the_connection_usable_and_large_bodies_close_it() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let addr = s.base.trim_start_matches("http://").to_owned();
    let requests = [
        ("POST", "/butters/api/users", Some("koa_wrong"), 401),
        ("POST", "/nobody/api/users", Some(t.key.as_str()), 404),
        ("POST", "/butters/api/users", None, 401),
        ("GET", "/api/health", None, 200),
        (
            "POST",
            "/api/streamers",
            Some("not-the-operator-key-at-all"),
            401,
        ),
        ("PUT", "/butters/api/goals/x", Some("koa_wrong"), 401),
        ("POST", "/butters/api/users", Some(t.key.as_str()), 201),
        ("GET", "/api/health", None, 200),
    ];
    let body = r#"{"username": "pipelined", "padding": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#;
    let good = r#"{"username": "pipelined"}"#;
    // Each request's head, then its body a moment later: an answer given before the body
    // arrives must not leave the body to be read as the next request, nor drop the connection.
    let mut wire: Vec<(String, String)> = Vec::new();
    for (method, path, key, want) in requests {
        let b = if method == "GET" {
            ""
        } else if want == 201 {
            good
        } else {
            body
        };
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: t\r\n");
        if let Some(k) = key {
            head.push_str(&format!("Authorization: Bearer {k}\r\n"));
        }
        if !b.is_empty() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        head.push_str("\r\n");
        wire.push((head, b.to_owned()));
    }
    let got = tokio::task::spawn_blocking(move || {
        let mut sock = TcpStream::connect(&addr).unwrap();
        let mut statuses: Vec<(u16, Option<String>)> = Vec::new();
        for (head, body) in &wire {
            let sent = sock.write_all(head.as_bytes()).and_then(|()| {
                std::thread::sleep(Duration::from_millis(30));
                sock.write_all(body.as_bytes())
            });
            if sent.is_err() {
                break;
            }
            let (got, _) = answers(&mut sock, 1, Duration::from_secs(5));
            match got.first() {
                Some(a) => statuses.push((a.status, a.header("connection").map(str::to_owned))),
                None => break,
            }
        }
        // A declared body over the limit: answered, and the connection closes.
        let mut big = TcpStream::connect(&addr).unwrap();
        big.write_all(
            b"POST /api/streamers HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
              Content-Length: 10000000\r\n\r\n{",
        )
        .unwrap();
        let (big_answer, _) = answers(&mut big, 1, Duration::from_secs(5));
        let big_closed = closed_within(&mut big, Duration::from_secs(2));
        (statuses, big_answer, big_closed)
    })
    .await
    .unwrap();
    let (statuses, big_answer, big_closed) = got;
    let want: Vec<(u16, Option<String>)> = requests.iter().map(|r| (r.3, None)).collect();
    assert_eq!(statuses, want, "8 requests on one keep-alive connection");
    let a = big_answer.first().expect("an answer to an oversized body");
    assert_eq!(
        (a.status, a.header("connection")),
        (401, Some("close")),
        "credentials are checked first; the unread body closes the connection: {a:?}"
    );
    assert!(big_closed);
    s.stop().await;
}
