//! A throwaway PostgreSQL server in a temporary directory, from the installed binaries, run
//! as an unprivileged user under root, and stopped by a watchdog when the test process ends.

use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What to tell someone who has no PostgreSQL.
pub(crate) const INSTALL: &str = "these tests need PostgreSQL: install its server binaries (Debian and Ubuntu: \
     `apt-get install postgresql`; the project's .ci/run does this), or point \
     KICKOVERLAY_TEST_DATABASE_URL at a server whose login may create databases and roles \
     (postgres://postgres@127.0.0.1:5432/postgres)";

/// A throwaway server's watchdog: the shell that stops the server when its stdin closes.
#[derive(Debug)]
pub(crate) struct Throwaway {
    _stdin: Mutex<ChildStdin>,
    _child: Child,
}

/// The directory of the newest PostgreSQL server binaries installed.
fn bin_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("KICKOVERLAY_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|p| p.join("initdb").exists() && p.join("postgres").exists())
    })
}

/// Under root, the user PostgreSQL runs as: `postgres` if there is one, else `nobody`.
fn unprivileged() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    for name in [c"postgres", c"nobody"] {
        // SAFETY: getpwnam gets a NUL-terminated name; the record is read at once.
        let pw = unsafe { libc::getpwnam(name.as_ptr()) };
        if !pw.is_null() {
            // SAFETY: a non-null record from getpwnam.
            let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
            return Some((uid, gid));
        }
    }
    panic!(
        "PostgreSQL refuses to run as root, and there is no postgres or nobody user to run it as"
    );
}

/// `program` as a command, run as `user` when given.
fn command(program: &Path, user: Option<(u32, u32)>) -> Command {
    match user {
        Some((uid, gid)) => {
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={uid}"))
                .arg(format!("--regid={gid}"))
                .arg("--clear-groups")
                .arg("--")
                .arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// Starts a throwaway server; returns its administrator's login and its watchdog.
pub(crate) fn start_throwaway() -> (tokio_postgres::Config, Throwaway) {
    let bin = bin_dir().unwrap_or_else(|| panic!("no PostgreSQL server binaries found; {INSTALL}"));
    let user = unprivileged();
    let dir = tempfile::Builder::new()
        .prefix("kickoverlay-pg-")
        .tempdir()
        .expect("a temporary directory for PostgreSQL")
        .keep();
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
            .expect("give the temporary directory to the PostgreSQL user");
    }
    let data = dir.join("data");
    let out = command(&bin.join("initdb"), user)
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run initdb ({e}); {INSTALL}"));
    if !out.status.success() {
        panic!(
            "initdb failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let log = dir.join("postgres.log");
    let mut postgres = command(&bin.join("postgres"), user);
    postgres.arg("-D").arg(&data).arg("-k").arg(&dir).args([
        "-c",
        "listen_addresses=",
        "-p",
        "5432",
        "-c",
        "max_connections=400",
    ]);
    // Tests need no durability; benchmarks (KICKOVERLAY_PG_DURABLE=1) get PostgreSQL's own
    // defaults, as a deployment runs it: every commit flushed to disk.
    if std::env::var("KICKOVERLAY_PG_DURABLE").as_deref() != Ok("1") {
        postgres
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off"]);
    }
    // The watchdog: start the server, wait for end of file on stdin (this process ended),
    // then stop the server and remove its directory.
    let mut args: Vec<String> = Vec::new();
    args.push(postgres.get_program().to_string_lossy().into_owned());
    args.extend(
        postgres
            .get_args()
            .map(|a| a.to_string_lossy().into_owned()),
    );
    let script = "\"$@\" >\"$LOG\" 2>&1 & pid=$!; cat >/dev/null; kill -INT $pid 2>/dev/null; \
                  wait $pid; rm -rf \"$DIR\"";
    let child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("pg-watchdog")
        .args(&args)
        .env("LOG", &log)
        .env("DIR", &dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start PostgreSQL ({e}); {INSTALL}"));
    let mut child = child;
    let stdin = child.stdin.take().expect("the watchdog's stdin");
    let mut config = tokio_postgres::Config::new();
    config
        .host_path(&dir)
        .port(5432)
        .user("postgres")
        .dbname("postgres");
    wait_until_ready(&config, &log);
    (
        config,
        Throwaway {
            _stdin: Mutex::new(stdin),
            _child: child,
        },
    )
}

/// Waits for the server to accept connections (30 s at most).
fn wait_until_ready(config: &tokio_postgres::Config, log: &Path) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime to wait for PostgreSQL");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let attempt = runtime.block_on(config.connect(tokio_postgres::NoTls));
        match attempt {
            Ok(_) => return,
            Err(e) if Instant::now() > deadline => panic!(
                "the throwaway PostgreSQL did not start: {e}\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            ),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}
