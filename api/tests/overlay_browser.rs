//! The overlay page in a real browser: headless Chromium, driven through chromedriver's
//! WebDriver HTTP protocol, against a real `kick-overlay` process with two streamers.
//!
//! Chromium and chromedriver are Debian's (`/usr/bin/chromium`, `/usr/bin/chromedriver`);
//! `.ci/run` installs them. Without them the test fails: a browser test that skips would look
//! like a pass.
//!
//! With `KICKOVERLAY_SCREENSHOT=docs/overlay.png` (a path relative to the repository's root)
//! the test also writes a 1280x720 screenshot of the first streamer's page there.

mod common;

use common::kick::{self, Delivery};
use common::process::{Process, add_streamer, add_streamer_with};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Fails (never skips) when the browser or its driver is missing, saying how to get them.
fn require_browser() {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "{missing:?} missing: the overlay's browser test needs Chromium and chromedriver. Run \
         .ci/run (it installs them), or `apt-get install chromium chromium-driver`"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Sends one HTTP request and waits for the whole answer, without an async runtime: what a
/// `Drop` can still do.
fn blocking_request(addr: &str, method: &str, path: &str) {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let _ = s.read_to_end(&mut Vec::new());
}

/// A chromedriver process on a port of its own, killed when dropped.
struct Chromedriver {
    child: Child,
    addr: String,
}

impl Chromedriver {
    async fn start(http: &reqwest::Client) -> Chromedriver {
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{CHROMEDRIVER} does not start: {e}"));
        let driver = Chromedriver {
            child,
            addr: format!("127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = http
                .get(format!("http://{}/status", driver.addr))
                .send()
                .await
                && let Ok(text) = r.text().await
                && serde_json::from_str::<Value>(&text).is_ok_and(|v| v["value"]["ready"] == true)
            {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver was not ready within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver session: one headless Chromium. Dropping it ends the session, which closes
/// the browser (a test that panics leaves no Chromium behind).
struct Browser {
    http: reqwest::Client,
    driver: String,
    id: String,
    ended: bool,
}

impl Browser {
    async fn open(driver: &Chromedriver, http: &reqwest::Client) -> Browser {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,720",
                         "--hide-scrollbars", "--force-device-scale-factor=1"]
            }
        }}});
        let r = http
            .post(format!("http://{}/session", driver.addr))
            .body(caps.to_string())
            .header("content-type", "application/json")
            .send()
            .await
            .expect("chromedriver answers");
        let v: Value = serde_json::from_str(&r.text().await.expect("a body")).expect("JSON");
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("Chromium does not start under chromedriver: {v}"))
            .to_owned();
        let browser = Browser {
            http: http.clone(),
            driver: driver.addr.clone(),
            id,
            ended: false,
        };
        // The window holds more than the page: size it so the page gets 1280x720.
        let frame = browser
            .js("return [window.outerWidth - window.innerWidth, \
                 window.outerHeight - window.innerHeight];")
            .await;
        let (dw, dh) = (
            frame[0].as_i64().unwrap_or(0),
            frame[1].as_i64().unwrap_or(0),
        );
        browser
            .command(
                reqwest::Method::POST,
                "/window/rect",
                Some(json!({"width": 1280 + dw, "height": 720 + dh})),
            )
            .await;
        assert_eq!(
            browser
                .js("return [window.innerWidth, window.innerHeight];")
                .await,
            json!([1280, 720]),
            "the page's size"
        );
        browser
    }

    /// A WebDriver command: its `value`, or a panic with the driver's error.
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("http://{}/session/{}{path}", self.driver, self.id);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = req.send().await.expect("chromedriver answers");
        let status = r.status();
        let v: Value = serde_json::from_str(&r.text().await.expect("a body")).expect("JSON");
        assert!(status.is_success(), "WebDriver {path}: {status} {v}");
        v["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// Runs `script` (a function body) in the page and answers what it returns.
    async fn js(&self, script: &str) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// The page's whole document, hidden parts included.
    async fn document(&self) -> String {
        self.js("return document.documentElement.outerHTML;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// What the page shows, as text.
    async fn text(&self) -> String {
        self.js("return document.body.innerText;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Polls `script` until it returns `want`, at most `limit`: how long it took, or a panic
    /// saying what it returned last.
    async fn wait_for(&self, script: &str, want: &Value, limit: Duration, what: &str) -> Duration {
        let start = Instant::now();
        loop {
            let got = self.js(script).await;
            if &got == want {
                return start.elapsed();
            }
            if start.elapsed() > limit {
                panic!(
                    "{what}: still {got} after {limit:?}, not {want}; the page shows:\n{}",
                    self.text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn screenshot(&self) -> Vec<u8> {
        let b64 = self
            .command(reqwest::Method::GET, "/screenshot", None)
            .await;
        base64_decode(b64.as_str().expect("base64 text"))
    }

    async fn quit(mut self) {
        self.command(reqwest::Method::DELETE, "", None).await;
        self.ended = true;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.ended {
            blocking_request(&self.driver, "DELETE", &format!("/session/{}", self.id));
        }
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// The server's API, as the streamer's tools call it.
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(&self, method: &str, path: &str, key: &str, body: Value) -> Value {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("the server answers");
        let status = r.status().as_u16();
        let text = r.text().await.expect("a body");
        assert!((200..300).contains(&status), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A viewer of `streamer` with `points` channel points: their id.
    async fn viewer(&self, streamer: &str, key: &str, name: &str, points: i64) -> i64 {
        let u = self
            .call(
                "POST",
                &format!("/{streamer}/api/users"),
                key,
                json!({ "username": name }),
            )
            .await;
        let id = u["id"].as_i64().expect("a user id");
        self.earn(streamer, key, id, points, "watch").await;
        id
    }

    async fn earn(&self, streamer: &str, key: &str, id: i64, amount: i64, source: &str) -> Value {
        self.call(
            "POST",
            &format!("/{streamer}/api/users/{id}/points"),
            key,
            json!({ "amount": amount, "source": source }),
        )
        .await
    }
}

/// Two streamers on one server, each with viewers, goals and tips of its own.
struct Setup {
    _dir: tempfile::TempDir,
    db: PathBuf,
    server: Process,
    api: Api,
    a_key: String,
    b_key: String,
    alice: i64,
    bob: i64,
    carol: i64,
    b_fan: i64,
    first_tip: i64,
}

/// What only streamer A's data holds: none of it may ever reach B's page.
const A_ONLY: &[&str] = &[
    "alpha",
    "alice",
    "bob",
    "carol",
    "dave",
    "Followers",
    "Subscribers",
    "!points",
    "!drop",
    "Butter",
    "#ff8800",
    "erin",
];

/// Streamer A's Kick channel: the test key signs its deliveries.
const A_CHANNEL: i64 = 4242;

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("kick-overlay.db");
    let a_key = add_streamer_with(&db, "alpha", &["--kick-user-id", &A_CHANNEL.to_string()]);
    let b_key = add_streamer(&db, "bravo");
    let kick_key = kick::fixtures().join("test-only-public-key.pem");
    let server = Process::start(
        &db,
        &["--kick-public-key", kick_key.to_str().unwrap()],
        None,
    );
    let api = Api {
        http: reqwest::Client::new(),
        base: format!("http://{}", server.addr),
    };
    let a = |p: &str| format!("/alpha/api/{p}");
    let alice = api.viewer("alpha", &a_key, "alice", 1250).await;
    let bob = api.viewer("alpha", &a_key, "bob", 980).await;
    let carol = api.viewer("alpha", &a_key, "carol", 640).await;
    api.viewer("alpha", &a_key, "dave", 420).await;
    api.call(
        "PUT",
        &a("goals/followers"),
        &a_key,
        json!({"label": "Followers", "current_value": 73, "target_value": 100}),
    )
    .await;
    api.call(
        "PUT",
        &a("goals/subscribers"),
        &a_key,
        json!({"label": "Subscribers", "current_value": 12, "target_value": 25}),
    )
    .await;
    let first_tip = api
        .call(
            "POST",
            &a("tips"),
            &a_key,
            json!({"content": "Type !points in chat to see your balance"}),
        )
        .await["id"]
        .as_i64()
        .expect("a tip id");
    api.call(
        "POST",
        &a("tips"),
        &a_key,
        json!({"content": "Type !drop to play the drop game"}),
    )
    .await;
    let b_fan = api.viewer("bravo", &b_key, "bravo-fan", 300).await;
    api.call(
        "PUT",
        "/bravo/api/goals/kicks",
        &b_key,
        json!({"label": "Kicks", "current_value": 5, "target_value": 50}),
    )
    .await;
    api.call(
        "POST",
        "/bravo/api/tips",
        &b_key,
        json!({"content": "Bravo's own tip"}),
    )
    .await;
    Setup {
        _dir: dir,
        db,
        server,
        api,
        a_key,
        b_key,
        alice,
        bob,
        carol,
        b_fan,
        first_tip,
    }
}

/// A server started on a given port (the first one's, after it stopped), killed when dropped.
struct Restarted(Child);

impl Restarted {
    fn on(db: &Path, port: u16) -> Restarted {
        let mut child = common::process::bin()
            .args(["--db", db.to_str().unwrap(), "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stderr = child.stderr.take().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let kept = log.clone();
        // Drained all the time, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if line.contains("serving on http://") {
                    let _ = tx.send(());
                }
                let mut log = kept.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let server = Restarted(child);
        if rx.recv_timeout(Duration::from_secs(60)).is_err() {
            panic!(
                "the second server did not start on port {port}:\n{}",
                log.lock().unwrap()
            );
        }
        server
    }
}

impl Drop for Restarted {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The text of viewer `id`'s points on the leaderboard (null when not on it).
fn points_of(id: i64) -> String {
    format!(
        "const r = document.querySelector('#leaderboard li[data-user-id=\"{id}\"] .points'); \
         return r ? r.textContent : null;"
    )
}

const READY: &str = "return document.documentElement.dataset.loaded === 'true' \
                     && document.documentElement.dataset.live === 'true';";
const BOARD_NAMES: &str = "return Array.from(document.querySelectorAll('#leaderboard .name'), \
                           n => n.textContent);";
/// The page's stream state and whether its badge is hidden.
const ON_AIR: &str = "return [document.documentElement.dataset.stream, \
                      document.getElementById('on-air').hidden];";
const TICKER: &str =
    "return Array.from(document.querySelectorAll('#ticker li'), n => n.textContent);";

/// Sends Kick's `event`, signed by the test key, to the server at `base`; it must be accepted.
async fn send(http: &reqwest::Client, base: &str, event: (String, Value)) {
    let r = Delivery::signed(event).send_to(http, base).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_shows_its_streamer_live_and_nothing_of_another() {
    require_browser();
    let mut s = setup().await;
    let http = reqwest::Client::new();
    let driver = Chromedriver::start(&http).await;
    let (a, b) = (
        Browser::open(&driver, &http).await,
        Browser::open(&driver, &http).await,
    );
    let base = &s.api.base;
    a.goto(&format!("{base}/alpha/overlay")).await;
    b.goto(&format!("{base}/bravo/overlay")).await;
    let t = Value::Bool(true);
    let ready = Duration::from_secs(15);
    a.wait_for(READY, &t, ready, "A's page loads and listens")
        .await;
    b.wait_for(READY, &t, ready, "B's page loads and listens")
        .await;

    // A's page shows A's leaderboard, goals and a tip.
    assert_eq!(
        a.js(BOARD_NAMES).await,
        json!(["alice", "bob", "carol", "dave"])
    );
    let shown = a.text().await;
    for want in [
        "1,250",
        "980",
        "Followers",
        "73 / 100",
        "Subscribers",
        "12 / 25",
        "Type !points in chat to see your balance",
    ] {
        assert!(shown.contains(want), "A's page lacks {want:?}:\n{shown}");
    }
    assert_eq!(b.js(BOARD_NAMES).await, json!(["bravo-fan"]));
    assert_eq!(a.js(TICKER).await, json!([]), "no events yet");

    // Set at load: a reload would lose both.
    let origin = a
        .js("window.overlayMarker = 'still-the-first-load'; return performance.timeOrigin;")
        .await;

    // An earn made through the API shows within one second of the API's answer.
    let after = s.api.earn("alpha", &s.a_key, s.alice, 25, "chat").await;
    let answered = Instant::now();
    assert_eq!(after["channel_points"], 1275, "{after}");
    let took = a
        .wait_for(
            &points_of(s.alice),
            &json!("1,275"),
            Duration::from_secs(5),
            "alice's new balance on A's page",
        )
        .await;
    let since_answer = answered.elapsed();
    assert!(
        since_answer <= Duration::from_secs(1),
        "the new balance showed {since_answer:?} after the API answered ({took:?} of polling)"
    );
    assert_eq!(a.js(TICKER).await, json!(["alice +25 \u{b7} chat"]));

    // The board re-ranks in place, goals and purchases follow.
    s.api.earn("alpha", &s.a_key, s.bob, 400, "sub").await;
    a.wait_for(
        BOARD_NAMES,
        &json!(["bob", "alice", "carol", "dave"]),
        Duration::from_secs(2),
        "bob passes alice",
    )
    .await;
    s.api
        .call(
            "PATCH",
            "/alpha/api/goals/followers/progress",
            &s.a_key,
            json!({"current_value": 80}),
        )
        .await;
    a.wait_for(
        "return document.querySelector('#goals li[data-goal-id=\"followers\"] .goal-figures')\
         .textContent;",
        &json!("80 / 100"),
        Duration::from_secs(2),
        "the followers goal's progress",
    )
    .await;
    s.api
        .call(
            "POST",
            &format!("/alpha/api/users/{}/powerups/shield/purchase", s.carol),
            &s.a_key,
            json!({}),
        )
        .await;
    a.wait_for(
        "return document.querySelector('#ticker li').textContent;",
        &json!("carol bought a shield"),
        Duration::from_secs(2),
        "the purchase in the ticker",
    )
    .await;
    assert_eq!(
        a.js(&points_of(s.carol)).await,
        json!("240"),
        "the shield's 400 points are off carol's balance"
    );
    // A new theme restyles the page; a value that is not a colour is not applied.
    s.api
        .call(
            "PUT",
            "/alpha/api/theme",
            &s.a_key,
            json!({"siteName": "Butter", "siteNameAccent": "Cast", "brandColor": "#ff8800",
                   "brandColorForeground": "url(https://example.com/x.png)"}),
        )
        .await;
    a.wait_for(
        "const s = getComputedStyle(document.documentElement); \
         return [document.querySelector('h1').textContent, \
                 s.getPropertyValue('--brand').trim(), s.getPropertyValue('--brand-fg').trim()];",
        &json!(["ButterCast", "#ff8800", "#0b0e0f"]),
        Duration::from_secs(2),
        "the new theme",
    )
    .await;
    // Disabling the tip on show brings the next one.
    s.api
        .call(
            "PUT",
            &format!("/alpha/api/tips/{}", s.first_tip),
            &s.a_key,
            json!({"enabled": false}),
        )
        .await;
    a.wait_for(
        "return document.getElementById('tip').textContent;",
        &json!("Type !drop to play the drop game"),
        Duration::from_secs(2),
        "the remaining tip",
    )
    .await;
    // Kick's deliveries: the stream going live lights the badge, a follow shows in the ticker.
    assert_eq!(a.js(ON_AIR).await, json!(["offline", true]));
    send(&http, base, kick::live(A_CHANNEL, true, kick::now())).await;
    a.wait_for(
        ON_AIR,
        &json!(["live", false]),
        Duration::from_secs(2),
        "the badge on A's page once the stream is live",
    )
    .await;
    send(&http, base, kick::follow(A_CHANNEL, (77, "erin"))).await;
    a.wait_for(
        "return document.querySelector('#ticker li').textContent;",
        &json!("erin followed"),
        Duration::from_secs(2),
        "the follow in the ticker",
    )
    .await;
    assert_eq!(
        a.js(TICKER).await[1],
        json!("The stream is live"),
        "the stream going live in the ticker"
    );
    // A page opened now reads the live state with the rest.
    let late = Browser::open(&driver, &http).await;
    late.goto(&format!("{base}/alpha/overlay")).await;
    late.wait_for(READY, &t, ready, "a late page loads").await;
    assert_eq!(late.js(ON_AIR).await, json!(["live", false]));
    late.quit().await;
    let kept = a
        .js("return [window.overlayMarker, performance.timeOrigin];")
        .await;
    assert_eq!(
        kept,
        json!(["still-the-first-load", origin]),
        "A's page reloaded"
    );

    // B's page, open all along, shows none of it. B's own earn, made after A's, arrives: had
    // B's stream carried A's events, they would have come first.
    s.api.earn("bravo", &s.b_key, s.b_fan, 7, "chat").await;
    b.wait_for(
        &points_of(s.b_fan),
        &json!("307"),
        Duration::from_secs(2),
        "B's own earn on B's page",
    )
    .await;
    assert_eq!(b.js(TICKER).await, json!(["bravo-fan +7 \u{b7} chat"]));
    let b_doc = b.document().await;
    for leak in A_ONLY {
        assert!(
            !b_doc.contains(leak),
            "B's page shows A's {leak:?}:\n{}",
            b.text().await
        );
    }
    assert!(b.text().await.contains("Bravo's own tip"));
    assert_eq!(
        b.js(ON_AIR).await,
        json!(["offline", true]),
        "B's page shows A's stream live"
    );

    // The page survives the server dropping its stream: the server stops (closing every
    // stream) and another starts on the same port and data. The browser reconnects by itself,
    // says which event it saw last, and gets what it missed.
    let port: u16 = s.server.addr.rsplit(':').next().unwrap().parse().unwrap();
    s.server.terminate();
    s.server.wait_exit(Duration::from_secs(15));
    a.wait_for(
        "return document.documentElement.dataset.live;",
        &json!("false"),
        Duration::from_secs(5),
        "A's page sees its stream end",
    )
    .await;
    let _second = Restarted::on(&s.db, port);
    s.api.earn("alpha", &s.a_key, s.alice, 200, "tip").await;
    a.wait_for(
        &points_of(s.alice),
        &json!("1,475"),
        Duration::from_secs(10),
        "an earn made on the new server, on A's page",
    )
    .await;
    assert_eq!(
        a.js("return document.documentElement.dataset.live;").await,
        json!("true")
    );
    assert_eq!(
        a.js("return [window.overlayMarker, performance.timeOrigin];")
            .await,
        json!(["still-the-first-load", origin]),
        "A's page reloaded"
    );

    if let Ok(target) = std::env::var("KICKOVERLAY_SCREENSHOT") {
        write_screenshot(&a, &s, &target).await;
    }
    a.quit().await;
    b.quit().await;
    drop(s.server);
}

/// Writes A's page as a PNG, over a dark backdrop standing in for the stream (OBS shows the
/// page's transparent background as the stream itself).
async fn write_screenshot(a: &Browser, s: &Setup, target: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(target);
    s.api
        .call(
            "POST",
            &format!("/alpha/api/users/{}/drops", s.alice),
            &s.a_key,
            json!({"score": 200, "is_perfect": true}),
        )
        .await;
    a.wait_for(
        "return document.querySelector('#ticker li').textContent;",
        &json!("alice dropped for 200 \u{b7} perfect!"),
        Duration::from_secs(2),
        "the drop in the ticker",
    )
    .await;
    a.js("document.body.style.background = \
         '#2a3542'; \
         return null;")
        .await;
    // Let the entry animations finish.
    tokio::time::sleep(Duration::from_millis(900)).await;
    let png = a.screenshot().await;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let (w, h) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), (1280, 720), "the screenshot's size");
    let path: PathBuf = path;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("the screenshot's directory");
    }
    std::fs::write(&path, &png).expect("writing the screenshot");
    println!("wrote {} ({} bytes)", path.display(), png.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_streamer_gets_the_same_page_and_an_unknown_one_the_api_s_404() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("kick-overlay.db");
    add_streamer(&db, "alpha");
    add_streamer(&db, "bravo");
    let server = Process::start(&db, &[], None);
    let http = reqwest::Client::new();
    let get = |path: &str| {
        let req = http.get(format!("http://{}{path}", server.addr));
        async move {
            let r = req.send().await.expect("the server answers");
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            (status, headers, r.text().await.expect("a body"))
        }
    };
    let (status, headers, a_page) = get("/alpha/overlay").await;
    assert_eq!(status, 200, "{a_page}");
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"));
    assert!(a_page.starts_with("<!doctype html>"));
    // Nothing of the streamer is in the page: it reads everything from the API beside it.
    let (_, _, b_page) = get("/bravo/overlay").await;
    assert_eq!(a_page, b_page);
    assert!(!a_page.contains("alpha") && !a_page.contains("bravo"));
    let (_, _, upper) = get("/ALPHA/overlay").await;
    assert_eq!(upper, a_page, "the streamer's name matches ignoring case");

    let (status, headers, missing) = get("/nobody/overlay").await;
    let (api_status, api_headers, api_missing) = get("/nobody/api/goals").await;
    assert_eq!((status, &missing), (404, &api_missing));
    assert_eq!(api_status, 404);
    assert_eq!(headers["content-type"], api_headers["content-type"]);
    drop(server);
}
