//! Kick webhook deliveries under load: the real `kick-overlay` on a fresh SQLite file, trusting
//! the test-only key of `fixtures/kick/`, and CLIENTS concurrent clients posting signed
//! deliveries over loopback keep-alive connections for BENCH_SECONDS. Every delivery is signed
//! before the clock starts, so the figures are the server's: verifying the signature, reading
//! the payload, planning and applying the delivery (one transaction) and ringing the streams.
//!
//! Two phases: `chat`, plain chat messages (each earns its sender the chat points and marks
//! them a recent chatter), and `mixed`, chat with commands among it (gambles, coin flips,
//! `!points`, purchases and uses of a powerup) and Kicks. Prints deliveries per second and the
//! latency's p50, p99 and maximum; fails when a delivery is not applied.
//!
//! `cargo bench -p api --bench webhook`; CLIENTS (16), BENCH_SECONDS (10), STREAMERS (10),
//! VIEWERS per streamer (200) and PRESIGN (deliveries signed per phase, 20,000; a phase ends
//! early when they run out) override the defaults. Loopback only; the server and this client
//! share the machine's cores.

use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const OPERATOR_KEY: &str = "webhook-bench-operator-key";
/// The first streamer's Kick user id; streamer `i` has `CHANNEL + i`.
const CHANNEL: i64 = 700_000;

fn main() -> ExitCode {
    match bench() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("webhook bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Config {
    clients: usize,
    seconds: u64,
    streamers: usize,
    viewers: usize,
    presign: usize,
}

impl Config {
    fn from_env() -> Result<Config, String> {
        let get = |name: &str, default: usize| match std::env::var(name) {
            Err(_) => Ok(default),
            Ok(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name}={v:?} is not a positive whole number")),
        };
        Ok(Config {
            clients: get("CLIENTS", 16)?,
            seconds: get("BENCH_SECONDS", 10)? as u64,
            streamers: get("STREAMERS", 10)?,
            viewers: get("VIEWERS", 200)?,
            presign: get("PRESIGN", 20_000)?,
        })
    }
}

fn bench() -> Result<bool, String> {
    let config = Config::from_env()?;
    println!(
        "CLIENTS={} BENCH_SECONDS={} STREAMERS={} VIEWERS={} PRESIGN={} (SQLite, loopback)",
        config.clients, config.seconds, config.streamers, config.viewers, config.presign
    );
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/kick");
    let pem = std::fs::read_to_string(fixtures.join("test-only-private-key.pem"))
        .map_err(|e| format!("the test key: {e}"))?;
    let key = SigningKey::<Sha256>::new(
        rsa::PrivateKey::from_pkcs8_pem(&pem).map_err(|e| format!("the test key: {e}"))?,
    );
    let dir = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
    let server = Server::start(
        &dir.path().join("bench.db"),
        &fixtures.join("test-only-public-key.pem"),
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("no runtime: {e}"))?;
    let base = format!("http://{}", server.addr);
    runtime.block_on(setup(&base, &config))?;
    let mut ok = true;
    for phase in [Phase::Chat, Phase::Mixed] {
        let started = Instant::now();
        let deliveries = presign(&key, &config, phase);
        println!(
            "{}: {} deliveries signed in {:.1} s (not timed)",
            phase.name(),
            deliveries.len(),
            started.elapsed().as_secs_f64()
        );
        let report = runtime.block_on(post_all(&base, &config, deliveries))?;
        ok &= report.print(phase.name());
    }
    drop(server);
    Ok(ok)
}

/// Creates the streamers (with Kick user ids) and, for the mixed phase, switches cooldowns
/// off so every command runs.
async fn setup(base: &str, config: &Config) -> Result<(), String> {
    let client = reqwest::Client::new();
    let on = json!({"enabled": true, "cooldown_secs": 0});
    for i in 0..config.streamers {
        let r = client
            .post(format!("{base}/api/streamers"))
            .bearer_auth(OPERATOR_KEY)
            .header("content-type", "application/json")
            .body(
                json!({"username": format!("bench{i}"), "kick_user_id": CHANNEL + i as i64})
                    .to_string(),
            )
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let text = r.text().await.map_err(|e| e.to_string())?;
        let created: Value = serde_json::from_str(&text).map_err(|e| format!("{text}: {e}"))?;
        let key = created["admin_key"]
            .as_str()
            .ok_or(format!("no key: {text}"))?;
        let economy = json!({"commands": {"gamble": on, "coinflip": on, "points": on, "shop": on,
                                          "use_powerup": on, "gamble_max": 100000}});
        let r = client
            .put(format!("{base}/bench{i}/api/economy"))
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(economy.to_string())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !r.status().is_success() {
            return Err(format!("the economy: {}", r.status()));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Chat,
    Mixed,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Chat => "chat",
            Phase::Mixed => "mixed",
        }
    }
}

/// One signed delivery: its headers and body.
struct Signed {
    id: String,
    timestamp: String,
    kind: &'static str,
    signature: String,
    body: Vec<u8>,
}

/// `config.presign` deliveries of `phase`, signed on every core.
fn presign(key: &SigningKey<Sha256>, config: &Config, phase: Phase) -> Vec<Signed> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let stamp = datastore::Clock::now(&datastore::SystemClock).to_string();
    let per = config.presign.div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let stamp = stamp.clone();
                s.spawn(move || {
                    (t * per..((t + 1) * per).min(config.presign))
                        .map(|n| one(key, config, phase, n, &stamp))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

fn one(key: &SigningKey<Sha256>, config: &Config, phase: Phase, n: usize, stamp: &str) -> Signed {
    let channel = CHANNEL + (n % config.streamers) as i64;
    let viewer = (n / config.streamers) % config.viewers;
    let sender = json!({"user_id": 10_000 + viewer, "username": format!("viewer{viewer}")});
    let broadcaster = json!({"user_id": channel, "username": format!("channel{channel}")});
    let content = match (phase, n % 20) {
        (Phase::Chat, _) | (Phase::Mixed, 0..=12) => "hello chat",
        (Phase::Mixed, 13 | 14) => "!gamble 10",
        (Phase::Mixed, 15) => "!coinflip 10",
        (Phase::Mixed, 16) => "!points",
        (Phase::Mixed, 17) => "!drop -buy boost",
        (Phase::Mixed, 18) => "!boost",
        (Phase::Mixed, _) => "",
    };
    let (kind, body) = if content.is_empty() {
        (
            "kicks.gifted",
            json!({"broadcaster": broadcaster, "sender": sender, "gift": {"amount": 5}}),
        )
    } else {
        (
            "chat.message.sent",
            json!({"broadcaster": broadcaster, "sender": sender, "content": content, "created_at": stamp}),
        )
    };
    let id = format!("bench-{}-{n:08}", phase.name());
    let body = body.to_string().into_bytes();
    let mut message = format!("{id}.{stamp}.").into_bytes();
    message.extend_from_slice(&body);
    let signature = base64::engine::general_purpose::STANDARD.encode(key.sign(&message).to_bytes());
    Signed {
        id,
        timestamp: stamp.to_owned(),
        kind,
        signature,
        body,
    }
}

struct Report {
    sent: usize,
    failed: Vec<String>,
    elapsed: Duration,
    latencies_us: Vec<u64>,
}

impl Report {
    fn print(mut self, phase: &str) -> bool {
        self.latencies_us.sort_unstable();
        let at = |q: f64| {
            let i = ((self.latencies_us.len() as f64 - 1.0) * q).round() as usize;
            self.latencies_us.get(i).copied().unwrap_or(0) as f64 / 1000.0
        };
        println!(
            "{phase}: {} deliveries in {:.1} s = {:.0} deliveries/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.sent,
            self.elapsed.as_secs_f64(),
            self.sent as f64 / self.elapsed.as_secs_f64().max(1e-9),
            at(0.5),
            at(0.99),
            at(1.0),
        );
        for f in self.failed.iter().take(5) {
            println!("  not applied: {f}");
        }
        if !self.failed.is_empty() {
            println!("{phase}: {} deliveries were not applied", self.failed.len());
        }
        self.failed.is_empty()
    }
}

/// Posts the deliveries from `config.clients` clients until they run out or the time is up.
async fn post_all(base: &str, config: &Config, deliveries: Vec<Signed>) -> Result<Report, String> {
    let deliveries = Arc::new(deliveries);
    let next = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(config.seconds);
    let url = format!("{base}/api/kick/webhook");
    let mut tasks = Vec::new();
    for _ in 0..config.clients {
        let (deliveries, next, failed, url) = (
            deliveries.clone(),
            next.clone(),
            failed.clone(),
            url.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(d) = deliveries.get(n) else { break };
                let sent = Instant::now();
                let answer = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("Kick-Event-Message-Id", &d.id)
                    .header("Kick-Event-Message-Timestamp", &d.timestamp)
                    .header("Kick-Event-Signature", &d.signature)
                    .header("Kick-Event-Type", d.kind)
                    .header("Kick-Event-Version", "1")
                    .body(d.body.clone())
                    .send()
                    .await;
                let outcome = match answer {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let text = r.text().await.unwrap_or_default();
                        (status == 200 && text.contains("\"applied\""))
                            .then_some(())
                            .ok_or(format!("{}: {status} {text}", d.id))
                    }
                    Err(e) => Err(format!("{}: {e}", d.id)),
                };
                latencies.push(sent.elapsed().as_micros() as u64);
                if let Err(e) = outcome
                    && let Ok(mut f) = failed.lock()
                {
                    f.push(e);
                }
            }
            latencies
        }));
    }
    let mut latencies_us = Vec::new();
    for t in tasks {
        latencies_us.extend(t.await.map_err(|e| e.to_string())?);
    }
    let elapsed = started.elapsed();
    let failed = failed.lock().map(|f| f.clone()).unwrap_or_default();
    Ok(Report {
        sent: latencies_us.len(),
        failed,
        elapsed,
        latencies_us,
    })
}

/// The `kick-overlay` process.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(db: &Path, public_key: &Path) -> Result<Server, String> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kick-overlay"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("KICKOVERLAY_") {
                cmd.env_remove(name);
            }
        }
        cmd.arg("--db")
            .arg(db)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .arg("--kick-public-key")
            .arg(public_key)
            // Signing takes a while before the clock starts: stamps stay valid.
            .args(["--kick-replay-window-secs", "86400"])
            // Replies go nowhere (no token is stored): nothing leaves the machine.
            .args(["--kick-api-url", "http://127.0.0.1:9"])
            .env("KICKOVERLAY_OPERATOR_KEY", OPERATOR_KEY)
            .env("RUST_LOG", "warn,kick_overlay=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start kick-overlay: {e}"))?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("serving on http://").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_owned());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => Ok(Server { child, addr }),
            Err(_) => {
                let _ = child.kill();
                Err("the server did not start".into())
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
