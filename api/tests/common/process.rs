//! The `kick-overlay` binary as a real process: started on a port of its own, its log kept,
//! stopped with SIGTERM or killed.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary, with none of the server's environment variables inherited.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kick-overlay"));
    for var in [
        "KICKOVERLAY_DB",
        "KICKOVERLAY_PORT",
        "KICKOVERLAY_HOST",
        "KICKOVERLAY_OPERATOR_KEY",
        "KICKOVERLAY_HEADER_TIMEOUT",
        "KICKOVERLAY_BODY_TIMEOUT",
        "KICKOVERLAY_MAX_CONNECTIONS",
        "KICKOVERLAY_SHUTDOWN_GRACE",
        "KICKOVERLAY_CODES_PER_ADDRESS",
        "KICKOVERLAY_CODES_PER_STREAMER",
        "KICKOVERLAY_PURGE_INTERVAL",
        "KICKOVERLAY_NO_INTEGRITY_CHECK",
        "KICKOVERLAY_DATABASE_URL",
        "KICKOVERLAY_DATABASE_OWNER_URL",
        "KICKOVERLAY_DATABASE_SCHEMA",
        "KICKOVERLAY_DATABASE_POOL",
        "KICKOVERLAY_EVENTS_KEEP_HOURS",
        "KICKOVERLAY_MAX_STREAMS",
        "KICKOVERLAY_MAX_STREAMS_PER_ADDRESS",
        "KICKOVERLAY_EVENTS_KEEP_COUNT",
        "KICKOVERLAY_CORS_ORIGINS",
        "KICKOVERLAY_KICK_PUBLIC_KEY",
        "KICKOVERLAY_KICK_REPLAY_WINDOW_SECS",
        "KICKOVERLAY_KICK_API_URL",
        "KICKOVERLAY_WATCH_INTERVAL_SECS",
        "KICKOVERLAY_KICK_DICE_SEED",
    ] {
        c.env_remove(var);
    }
    c.env("RUST_LOG", "info");
    c
}

/// Adds a streamer to `db` with the command line and returns its admin key.
pub fn add_streamer(db: &Path, name: &str) -> String {
    add_streamer_with(db, name, &[])
}

/// [`add_streamer`] with more of `streamer add`'s options (`--kick-user-id 7`).
pub fn add_streamer_with(db: &Path, name: &str, options: &[&str]) -> String {
    let out = bin()
        .args(["streamer", "add", name, "--db", db.to_str().unwrap()])
        .args(options)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .find(|l| l.starts_with("koa_"))
        .expect("an admin key")
        .to_owned()
}

/// A running server process.
pub struct Process {
    pub child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    log: Arc<Mutex<String>>,
}

impl Process {
    /// Starts the server on `db` with `args`, under an open-file limit of `files` when given,
    /// and waits for its start line.
    pub fn start(db: &Path, args: &[&str], files: Option<u32>) -> Process {
        Self::start_with_env(db, args, files, &[])
    }

    /// [`Process::start`] with environment variables `env` set for the server.
    pub fn start_with_env(
        db: &Path,
        args: &[&str],
        files: Option<u32>,
        env: &[(&str, &str)],
    ) -> Process {
        let mut cmd = match files {
            Some(n) => {
                let c = bin();
                let mut sh = Command::new("sh");
                sh.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(c.get_program());
                for (k, v) in c.get_envs() {
                    match v {
                        Some(v) => sh.env(k, v),
                        None => sh.env_remove(k),
                    };
                }
                sh
            }
            None => bin(),
        };
        cmd.args(["--db", db.to_str().unwrap(), "--port", "0"])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let kept = log.clone();
        // Drained all the time, so a server that logs a lot never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("serving on http://").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_owned());
                }
                let mut log = kept.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                panic!("no start line: {}", log.lock().unwrap());
            }
        };
        Process { child, addr, log }
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
    }

    /// Waits for the process to exit, at most `limit`: its status, and how long it took.
    pub fn wait_exit(&mut self, limit: Duration) -> (ExitStatus, Duration) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, start.elapsed());
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                panic!(
                    "the server was still running {limit:?} later: {}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
