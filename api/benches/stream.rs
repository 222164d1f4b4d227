//! Live event streams under load: the real `kick-overlay` on a fresh SQLite file, thousands of
//! open `GET /{streamer}/api/events` streams, and earns posted at a steady rate. Measures how
//! long an earn takes to reach every stream of its streamer (from the moment it was sent), the
//! server's memory per open stream, and checks that every stream got every event exactly once
//! (the run fails otherwise).
//!
//! `cargo bench -p api --bench stream`; STREAMS, STREAMERS, SECONDS and RATE override the
//! defaults (3,000 streams spread over 100 streamers, 10 s of 200 earns a second). Loopback
//! only; the server and this client share the machine's cores. BENCHMARKS.md has the figures.

use serde_json::Value;
use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

/// The operator key the server is started with.
const OPERATOR_KEY: &str = "stream-bench-operator-key";
/// Tasks posting earns, each on its own keep-alive connection, sharing the rate.
const WRITERS: u64 = 4;
/// Streams being opened at once (the rest wait), so the listener's backlog never overflows.
const OPENING_AT_ONCE: usize = 64;
/// How long the server is left alone before its memory is read, and after the last expected
/// event arrived (so that a duplicate arriving late is still seen).
const SETTLE: Duration = Duration::from_secs(1);
/// How long the streams may go without a new event before the missing ones count as lost.
const DRAIN: Duration = Duration::from_secs(10);
/// The longest all the streams may take to open.
const OPEN_LIMIT: Duration = Duration::from_secs(120);
/// Lines of the server's log kept, to show when something fails.
const LOG_LINES: usize = 50;

fn main() -> ExitCode {
    match bench() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("stream bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the benchmark and prints its report: `Ok(false)` when a stream missed or repeated an
/// event, or a write failed.
fn bench() -> Result<bool, String> {
    let config = Config::from_env()?;
    println!(
        "STREAMS={} STREAMERS={} SECONDS={} RATE={} ({WRITERS} writers, one viewer per streamer, \
         SQLite)",
        config.streams, config.streamers, config.seconds, config.rate
    );
    // Other work on the machine moves the tails: say how busy it was.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        println!("load average before the run: {}", load.join(" "));
    }
    let files = raise_file_limit(config.streams as usize + 256)?;
    let dir = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
    let max_connections = (config.streams + 256).max(4096);
    let mut server = Server::start(&dir.path().join("bench.db"), max_connections)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("no runtime: {e}"))?;
    let outcome = runtime.block_on(run(&config, &server));
    drop(runtime);
    let stopped = server.stop();
    let report = match outcome {
        Ok(report) => report,
        Err(e) => {
            eprintln!("the server's log, last lines:\n{}", server.log_tail());
            return Err(e);
        }
    };
    stopped?;
    println!("open-file limit of the bench process: {files}");
    Ok(report.print())
}

/// The run's parameters.
#[derive(Debug, Clone, Copy)]
struct Config {
    streams: u64,
    streamers: u64,
    seconds: u64,
    rate: u64,
}

impl Config {
    fn from_env() -> Result<Config, String> {
        let get = |name: &str, default: u64| match std::env::var(name) {
            Err(_) => Ok(default),
            Ok(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name}={v:?} is not a positive whole number")),
        };
        Ok(Config {
            streams: get("STREAMS", 3000)?,
            streamers: get("STREAMERS", 100)?,
            seconds: get("SECONDS", 10)?,
            rate: get("RATE", 200)?,
        })
    }

    /// How many streams watch each streamer (stream `i` watches streamer `i % streamers`).
    fn streams_per_streamer(&self) -> Vec<u64> {
        let n = self.streamers as usize;
        let mut per = vec![0; n];
        for i in 0..self.streams as usize {
            per[i % n] += 1;
        }
        per
    }
}

/// Raises this process's soft open-file limit to the hard one; fails when that is below
/// `needed`. Returns the limit.
fn raise_file_limit(needed: usize) -> Result<libc::rlim_t, String> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit for the call's duration.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(format!(
            "cannot read the open-file limit: {}",
            io::Error::last_os_error()
        ));
    }
    if lim.rlim_cur < lim.rlim_max {
        lim.rlim_cur = lim.rlim_max;
        // SAFETY: `lim` is a valid rlimit; failure leaves the limit as it was.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
            return Err(format!(
                "cannot raise the open-file limit: {}",
                io::Error::last_os_error()
            ));
        }
    }
    if lim.rlim_cur < needed as libc::rlim_t {
        return Err(format!(
            "the open-file limit is {}, and the streams need {needed}: raise it (`ulimit -n`)",
            lim.rlim_cur
        ));
    }
    Ok(lim.rlim_cur)
}

/// The `kick-overlay` process.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    addr: String,
    log: Arc<Mutex<VecDeque<String>>>,
    stopped: bool,
}

impl Server {
    /// Starts the server on a new database `db`, on a port of its own, and waits for its start
    /// line.
    fn start(db: &Path, max_connections: u64) -> Result<Server, String> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kick-overlay"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("KICKOVERLAY_") {
                cmd.env_remove(name);
            }
        }
        cmd.arg("--db")
            .arg(db)
            .args(["--host", "127.0.0.1", "--port", "0", "--max-connections"])
            .arg(max_connections.to_string())
            // Every stream comes from this one address: lift the stream limits to the run's.
            .args(["--max-streams", &max_connections.to_string()])
            .args(["--max-streams-per-address", &max_connections.to_string()])
            .env("KICKOVERLAY_OPERATOR_KEY", OPERATOR_KEY)
            // The start line (it names the port), and trouble; not a line per request.
            .env("RUST_LOG", "warn,kick_overlay=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start kick-overlay: {e}"))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let kept = log.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        // Drained all along, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("serving on http://").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_owned());
                }
                let mut log = kept.lock().unwrap_or_else(PoisonError::into_inner);
                if log.len() == LOG_LINES {
                    log.pop_front();
                }
                log.push_back(line);
            }
        });
        let mut server = Server {
            child,
            addr: String::new(),
            log,
            stopped: false,
        };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => server.addr = addr,
            Err(_) => {
                let _ = server.child.kill();
                return Err(format!("the server did not start:\n{}", server.log_tail()));
            }
        }
        Ok(server)
    }

    /// A `/proc/PID/status` figure in KiB (`VmRSS`, `VmHWM`).
    fn memory_kib(&self, field: &str) -> Result<u64, String> {
        let path = format!("/proc/{}/status", self.child.id());
        let status = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("{path} has no {field}"))
    }

    /// The last lines the server logged.
    fn log_tail(&self) -> String {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.iter().map(|l| format!("  {l}\n")).collect()
    }

    /// SIGTERM, then waits for the process (killing it after 30 s).
    fn stop(&mut self) -> Result<(), String> {
        self.stopped = true;
        let pid = libc::pid_t::try_from(self.child.id()).map_err(|e| e.to_string())?;
        // SAFETY: signals the child this process started and has not reaped yet.
        if unsafe { libc::kill(pid, libc::SIGTERM) } != 0 {
            let _ = self.child.kill();
            return Err(format!(
                "cannot signal the server: {}",
                io::Error::last_os_error()
            ));
        }
        let start = Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(format!("the server exited with {status}")),
                Ok(None) if start.elapsed() > Duration::from_secs(30) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return Err("the server did not stop within 30 s of SIGTERM".into());
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(format!("cannot wait for the server: {e}")),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if !self.stopped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What the whole client shares: the clock every time is measured on.
struct Shared {
    epoch: Instant,
    /// `points_changed` events received by all streams together.
    received: AtomicU64,
}

impl Shared {
    /// Microseconds since the epoch.
    fn now_us(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }
}

/// A streamer the bench made, with its admin key and its one viewer.
struct Tenant {
    name: String,
    key: String,
    user: i64,
}

/// The figures of a run.
struct Report {
    config: Config,
    setup: Duration,
    opening: Duration,
    rss_before_kib: u64,
    rss_open_kib: u64,
    hwm_kib: u64,
    writing: Duration,
    /// CPU seconds of the server and of this client from the first write until the last
    /// event arrived, and how long that was.
    cpu: (f64, f64, Duration),
    writes: Writes,
    expected: u64,
    received: u64,
    streams: Vec<StreamReport>,
    delivery_us: Vec<u64>,
}

async fn run(config: &Config, server: &Server) -> Result<Report, String> {
    let shared = Arc::new(Shared {
        epoch: Instant::now(),
        received: AtomicU64::new(0),
    });
    let addr = server.addr.clone();
    let started = Instant::now();
    let tenants = Arc::new(setup(&addr, config.streamers).await?);
    let setup_time = started.elapsed();
    tokio::time::sleep(SETTLE).await;
    let rss_before_kib = server.memory_kib("VmRSS")?;

    let (stop, stopped) = watch::channel(false);
    let opening = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    let opened = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut streams: Vec<JoinHandle<StreamReport>> = Vec::new();
    for i in 0..config.streams as usize {
        let streamer = i % tenants.len();
        streams.push(tokio::spawn(watch_stream(
            addr.clone(),
            format!("/{}/api/events", tenants[streamer].name),
            streamer,
            opening.clone(),
            opened.clone(),
            stopped.clone(),
            shared.clone(),
        )));
    }
    while opened.load(Ordering::SeqCst) < config.streams {
        let early = streams.iter().any(JoinHandle::is_finished);
        if early || started.elapsed() > OPEN_LIMIT {
            let _ = stop.send(true);
            let reports = join_streams(streams).await?;
            let fault = reports
                .iter()
                .flat_map(|r| r.faults.first())
                .next()
                .cloned()
                .unwrap_or_else(|| format!("not open within {OPEN_LIMIT:?}"));
            return Err(format!(
                "{} of {} streams opened; {fault}",
                opened.load(Ordering::SeqCst),
                config.streams
            ));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let opening_time = started.elapsed();
    tokio::time::sleep(SETTLE).await;
    let rss_open_kib = server.memory_kib("VmRSS")?;

    let started = Instant::now();
    let cpu_before = (
        cpu_seconds(server.child.id())?,
        cpu_seconds(std::process::id())?,
    );
    let writes = write(&addr, &tenants, config, &shared).await?;
    let writing = started.elapsed();
    let per = config.streams_per_streamer();
    let expected: u64 = writes.acked.iter().zip(&per).map(|(w, n)| w * n).sum();

    // Wait for the events still on their way: until all arrived, or none came for DRAIN.
    let mut seen = shared.received.load(Ordering::SeqCst);
    let mut progress = Instant::now();
    loop {
        let now = shared.received.load(Ordering::SeqCst);
        if now >= expected {
            break;
        }
        if now != seen {
            seen = now;
            progress = Instant::now();
        } else if progress.elapsed() > DRAIN {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let cpu = (
        cpu_seconds(server.child.id())? - cpu_before.0,
        cpu_seconds(std::process::id())? - cpu_before.1,
        started.elapsed(),
    );
    tokio::time::sleep(SETTLE).await;
    let hwm_kib = server.memory_kib("VmHWM")?;
    let _ = stop.send(true);
    let reports = join_streams(streams).await?;
    let mut delivery_us: Vec<u64> = reports
        .iter()
        .flat_map(|r| r.latencies_us.iter().copied())
        .collect();
    delivery_us.sort_unstable();
    Ok(Report {
        config: *config,
        setup: setup_time,
        opening: opening_time,
        rss_before_kib,
        rss_open_kib,
        hwm_kib,
        writing,
        cpu,
        writes,
        expected,
        received: reports.iter().map(|r| r.events).sum(),
        streams: reports,
        delivery_us,
    })
}

async fn join_streams(streams: Vec<JoinHandle<StreamReport>>) -> Result<Vec<StreamReport>, String> {
    let mut out = Vec::with_capacity(streams.len());
    for s in streams {
        out.push(s.await.map_err(|e| format!("a stream task failed: {e}"))?);
    }
    Ok(out)
}

/// Creates `streamers` streamers (`bench0`…) through the operator's route, and a viewer of
/// each through its admin key.
async fn setup(addr: &str, streamers: u64) -> Result<Vec<Tenant>, String> {
    let mut conn = Conn::open(addr)
        .await
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let mut out = Vec::new();
    for i in 0..streamers {
        let name = format!("bench{i}");
        let body = serde_json::json!({ "username": name }).to_string();
        let created = conn
            .call("POST", "/api/streamers", OPERATOR_KEY, &body, 201)
            .await?;
        let key = created["admin_key"]
            .as_str()
            .ok_or("the new streamer's answer has no admin_key")?
            .to_owned();
        let path = format!("/{name}/api/users");
        let viewer = conn
            .call("POST", &path, &key, r#"{"username":"viewer"}"#, 201)
            .await?;
        let user = viewer["id"].as_i64().ok_or("the new viewer has no id")?;
        out.push(Tenant { name, key, user });
    }
    Ok(out)
}

/// What one stream saw.
#[derive(Default)]
struct StreamReport {
    streamer: usize,
    /// `points_changed` events received.
    events: u64,
    /// The last event id received.
    last_id: i64,
    /// What went wrong: an event out of order or repeated, another event type, the connection.
    faults: Vec<String>,
    /// Each event's delivery latency: received minus the send time in its description.
    latencies_us: Vec<u64>,
    /// Whether the stream's preamble (`retry:`) arrived: the server has set the stream up.
    ready: bool,
}

impl StreamReport {
    /// Takes one frame (without its blank line) received at `now_us`.
    fn frame(&mut self, frame: &str, now_us: u64, shared: &Shared) {
        let (mut id, mut event, mut data) = (None, None, None);
        for line in frame.lines() {
            if line.starts_with(':') {
                continue; // a comment: keep-alive
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "id" => id = Some(value),
                "event" => event = Some(value),
                "data" => data = Some(value),
                "retry" => self.ready = true,
                _ => {}
            }
        }
        let Some(event) = event else { return };
        if event != "points_changed" {
            self.faults.push(format!("a {event} event: {frame:?}"));
            return;
        }
        shared.received.fetch_add(1, Ordering::Relaxed);
        self.events += 1;
        let id = id.and_then(|i| i.parse::<i64>().ok()).unwrap_or(-1);
        if id != self.last_id + 1 {
            self.faults.push(format!(
                "event id {id} after {} (a repeat or a gap)",
                self.last_id
            ));
        }
        self.last_id = self.last_id.max(id);
        let sent = data
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
            .and_then(|v| {
                v["data"]["description"]
                    .as_str()?
                    .strip_prefix("t=")?
                    .parse::<u64>()
                    .ok()
            });
        match sent {
            Some(sent) => self.latencies_us.push(now_us.saturating_sub(sent)),
            None => self.faults.push(format!("no send time in {frame:?}")),
        }
    }
}

/// One stream: opens `path`, then takes its frames until `stop`.
async fn watch_stream(
    addr: String,
    path: String,
    streamer: usize,
    opening: Arc<Semaphore>,
    opened: Arc<AtomicU64>,
    mut stop: watch::Receiver<bool>,
    shared: Arc<Shared>,
) -> StreamReport {
    let mut report = StreamReport {
        streamer,
        ..StreamReport::default()
    };
    let result: Result<(), String> = async {
        let mut permit = Some(opening.acquire().await.map_err(|e| e.to_string())?);
        let mut conn = Conn::open(&addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n");
        conn.send(request.as_bytes())
            .await
            .map_err(|e| format!("send: {e}"))?;
        let head = conn.head().await.map_err(|e| format!("head: {e}"))?;
        if head.status != 200 || !head.chunked {
            return Err(format!(
                "{path} answered {} (chunked: {})",
                head.status, head.chunked
            ));
        }
        let mut text = Vec::new();
        let mut now = shared.now_us();
        loop {
            let ended = dechunk(&mut conn.buf, &mut text)?;
            while let Some(end) = find(&text, b"\n\n") {
                let frame = String::from_utf8_lossy(&text[..end]).into_owned();
                text.drain(..end + 2);
                report.frame(&frame, now, &shared);
            }
            if ended {
                return Err("the server ended the stream".into());
            }
            if report.ready && permit.take().is_some() {
                opened.fetch_add(1, Ordering::SeqCst);
            }
            tokio::select! {
                read = conn.fill() => read.map_err(|e| format!("read: {e}"))?,
                _ = stop.wait_for(|s| *s) => return Ok(()),
            }
            now = shared.now_us();
        }
    }
    .await;
    if let Err(e) = result {
        report.faults.push(e);
    }
    report
}

/// What the writers did, all together.
#[derive(Default)]
struct Writes {
    sent: u64,
    /// Earns answered 200, per streamer.
    acked: Vec<u64>,
    failures: Vec<String>,
    round_trips_us: Vec<u64>,
}

/// Posts earns for `config.seconds` at `config.rate` over random streamers, from
/// [`WRITERS`] tasks.
async fn write(
    addr: &str,
    tenants: &Arc<Vec<Tenant>>,
    config: &Config,
    shared: &Arc<Shared>,
) -> Result<Writes, String> {
    let begin = tokio::time::Instant::now();
    let end = begin + Duration::from_secs(config.seconds);
    let period = Duration::from_secs_f64(WRITERS as f64 / config.rate as f64);
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        // Writers take turns: each starts a fraction of the period after the previous one.
        let first = begin + period.mul_f64(w as f64 / WRITERS as f64);
        tasks.push(tokio::spawn(writer(
            addr.to_owned(),
            tenants.clone(),
            shared.clone(),
            first,
            period,
            end,
            0x9E37_79B9_7F4A_7C15 ^ (w + 1),
        )));
    }
    let mut all = Writes {
        acked: vec![0; tenants.len()],
        ..Writes::default()
    };
    for t in tasks {
        let w = t.await.map_err(|e| format!("a writer failed: {e}"))??;
        all.sent += w.sent;
        for (a, b) in all.acked.iter_mut().zip(&w.acked) {
            *a += b;
        }
        all.failures.extend(w.failures);
        all.round_trips_us.extend(w.round_trips_us);
    }
    all.round_trips_us.sort_unstable();
    Ok(all)
}

/// One writer: an earn at `first`, then one every `period`, until `end`.
async fn writer(
    addr: String,
    tenants: Arc<Vec<Tenant>>,
    shared: Arc<Shared>,
    first: tokio::time::Instant,
    period: Duration,
    end: tokio::time::Instant,
    seed: u64,
) -> Result<Writes, String> {
    let connect = || async {
        Conn::open(&addr)
            .await
            .map_err(|e| format!("a writer cannot connect: {e}"))
    };
    let mut conn = connect().await?;
    let mut rng = XorShift(seed);
    let mut out = Writes {
        acked: vec![0; tenants.len()],
        ..Writes::default()
    };
    for k in 0u32.. {
        let at = first + period * k;
        if at >= end {
            break;
        }
        tokio::time::sleep_until(at).await;
        let s = rng.below(tenants.len());
        let t = &tenants[s];
        let path = format!("/{}/api/users/{}/points", t.name, t.user);
        let sent = shared.now_us();
        let body = format!(r#"{{"amount":1,"source":"chat","description":"t={sent}"}}"#);
        out.sent += 1;
        match conn.request("POST", &path, &t.key, &body).await {
            Ok((200, _)) => {
                out.acked[s] += 1;
                out.round_trips_us.push(shared.now_us() - sent);
            }
            Ok((status, body)) => out.failures.push(format!(
                "{path} answered {status}: {}",
                String::from_utf8_lossy(&body)
            )),
            Err(e) => {
                out.failures.push(format!("{path}: {e}"));
                conn = connect().await?;
            }
        }
    }
    Ok(out)
}

/// The CPU time process `pid` has used, user and system, in seconds.
fn cpu_seconds(pid: u32) -> Result<f64, String> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    // After the command name (in parentheses): state is the 3rd field, utime the 14th and
    // stime the 15th, in clock ticks.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    let (Some(user), Some(system)) = (ticks(11), ticks(12)) else {
        return Err(format!("{path} has no CPU times"));
    };
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if per_second <= 0 {
        return Err("no clock tick rate".into());
    }
    Ok((user + system) as f64 / per_second as f64)
}

/// A small fixed-seed generator, so runs pick the same streamers.
struct XorShift(u64);

impl XorShift {
    /// A number below `n`.
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A response's status line and framing.
struct Head {
    status: u16,
    length: Option<usize>,
    chunked: bool,
}

/// An HTTP/1.1 client connection: a socket and what was read from it but not used yet.
struct Conn {
    tcp: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: &str) -> io::Result<Conn> {
        let tcp = TcpStream::connect(addr).await?;
        tcp.set_nodelay(true)?;
        Ok(Conn {
            tcp,
            buf: Vec::new(),
        })
    }

    async fn send(&self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            self.tcp.writable().await?;
            match self.tcp.try_write(bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Appends what arrived to the buffer, waiting for something; fails at the end of the
    /// connection.
    async fn fill(&mut self) -> io::Result<()> {
        loop {
            self.tcp.readable().await?;
            let start = self.buf.len();
            self.buf.resize(start + 8192, 0);
            let read = self.tcp.try_read(&mut self.buf[start..]);
            self.buf.truncate(start + *read.as_ref().unwrap_or(&0));
            match read {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads a response's head.
    async fn head(&mut self) -> io::Result<Head> {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                let text = String::from_utf8_lossy(&self.buf[..end]).into_owned();
                self.buf.drain(..end + 4);
                let mut lines = text.split("\r\n");
                let status = lines
                    .next()
                    .and_then(|l| l.split(' ').nth(1))
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| bad(format!("no status line in {text:?}")))?;
                let mut head = Head {
                    status,
                    length: None,
                    chunked: false,
                };
                for line in lines {
                    let Some((name, value)) = line.split_once(':') else {
                        continue;
                    };
                    let value = value.trim();
                    if name.eq_ignore_ascii_case("content-length") {
                        head.length = value.parse().ok();
                    } else if name.eq_ignore_ascii_case("transfer-encoding") {
                        head.chunked = value.eq_ignore_ascii_case("chunked");
                    }
                }
                return Ok(head);
            }
            self.fill().await?;
        }
    }

    /// Sends a request with a JSON body and an admin or operator key, and reads the whole
    /// response.
    async fn request(
        &mut self,
        method: &str,
        path: &str,
        key: &str,
        body: &str,
    ) -> io::Result<(u16, Vec<u8>)> {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {key}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.send(request.as_bytes()).await?;
        let head = self.head().await?;
        let mut out = Vec::new();
        if head.chunked {
            while !dechunk(&mut self.buf, &mut out).map_err(bad)? {
                self.fill().await?;
            }
        } else {
            let n = head.length.unwrap_or(0);
            while self.buf.len() < n {
                self.fill().await?;
            }
            out.extend(self.buf.drain(..n));
        }
        Ok((head.status, out))
    }

    /// [`Conn::request`] that must answer `status`, with its body as JSON.
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        key: &str,
        body: &str,
        status: u16,
    ) -> Result<Value, String> {
        let (got, answer) = self
            .request(method, path, key, body)
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let answer = String::from_utf8_lossy(&answer);
        if got != status {
            return Err(format!("{method} {path} answered {got}: {answer}"));
        }
        serde_json::from_str(&answer).map_err(|e| format!("{method} {path}: {e}: {answer}"))
    }
}

/// Moves the complete chunks at the front of `buf` (a chunked body) onto `out`; `Ok(true)`
/// once the last, empty, chunk was read.
fn dechunk(buf: &mut Vec<u8>, out: &mut Vec<u8>) -> Result<bool, String> {
    let mut at = 0;
    let last = loop {
        let Some(eol) = find(&buf[at..], b"\r\n") else {
            break false;
        };
        let line = String::from_utf8_lossy(&buf[at..at + eol]);
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("a bad chunk size line {line:?}"))?;
        let data = at + eol + 2;
        if buf.len() < data + size + 2 {
            break false;
        }
        out.extend_from_slice(&buf[data..data + size]);
        at = data + size + 2;
        if size == 0 {
            break true;
        }
    };
    buf.drain(..at);
    Ok(last)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn bad(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// The `p`-th percentile (0–100) of `sorted`, nearest rank.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}

impl Report {
    /// Prints the report; `false` when the run failed its checks.
    fn print(&self) -> bool {
        let c = &self.config;
        let w = &self.writes;
        let acked: u64 = w.acked.iter().sum();
        println!(
            "set-up: {} streamers with a viewer each in {:.2} s; {} streams opened in {:.2} s",
            c.streamers,
            self.setup.as_secs_f64(),
            c.streams,
            self.opening.as_secs_f64()
        );
        println!(
            "writes: {} sent, {acked} acknowledged, {} failed, over {:.1} s ({:.1}/s)",
            w.sent,
            w.failures.len(),
            self.writing.as_secs_f64(),
            acked as f64 / self.writing.as_secs_f64()
        );
        let (server_cpu, client_cpu, busy) = self.cpu;
        println!(
            "CPU from the first write to the last event ({:.1} s), as a share of one core: \
             server {:.0} %, this client {:.0} %",
            busy.as_secs_f64(),
            100.0 * server_cpu / busy.as_secs_f64(),
            100.0 * client_cpu / busy.as_secs_f64()
        );
        let faulty: Vec<&StreamReport> = self
            .streams
            .iter()
            .filter(|s| !s.faults.is_empty() || s.events != w.acked[s.streamer])
            .collect();
        let ok = faulty.is_empty() && w.failures.is_empty() && self.received == self.expected;
        println!(
            "events: {} expected (each acknowledged write x the streams of its streamer), {} \
             received: {}",
            self.expected,
            self.received,
            if ok {
                "every stream got every event of its streamer once, in order"
            } else {
                "MISMATCH"
            }
        );
        let d = &self.delivery_us;
        println!(
            "delivery latency (earn sent -> stream got it), {} samples: p50 {}, p90 {}, p99 {}, \
             max {}",
            d.len(),
            ms(percentile(d, 50.0)),
            ms(percentile(d, 90.0)),
            ms(percentile(d, 99.0)),
            ms(d.last().copied().unwrap_or(0))
        );
        let r = &w.round_trips_us;
        println!(
            "write round trip (POST points, sent -> answer read): p50 {}, p99 {}, max {}",
            ms(percentile(r, 50.0)),
            ms(percentile(r, 99.0)),
            ms(r.last().copied().unwrap_or(0))
        );
        let rtt50 = percentile(r, 50.0).max(1);
        println!(
            "delivery p50 / write round trip p50: {:.2}",
            percentile(d, 50.0) as f64 / rtt50 as f64
        );
        let per_stream =
            self.rss_open_kib.saturating_sub(self.rss_before_kib) as f64 / c.streams as f64;
        println!(
            "server memory: resident {:.1} MiB before the streams, {:.1} MiB with them open and \
             idle: {per_stream:.1} KiB per open stream; peak resident (VmHWM) {:.1} MiB",
            self.rss_before_kib as f64 / 1024.0,
            self.rss_open_kib as f64 / 1024.0,
            self.hwm_kib as f64 / 1024.0
        );
        for f in w.failures.iter().take(10) {
            println!("  write failed: {f}");
        }
        for s in faulty.iter().take(10) {
            println!(
                "  a stream of bench{}: {} events of {} expected; {}",
                s.streamer,
                s.events,
                w.acked[s.streamer],
                s.faults.first().map_or("no fault seen", String::as_str)
            );
        }
        if !ok {
            println!(
                "FAILED: {} of {} streams missed or repeated events, {} writes failed",
                faulty.len(),
                self.streams.len(),
                w.failures.len()
            );
        }
        ok
    }
}
