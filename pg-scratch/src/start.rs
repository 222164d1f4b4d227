//! Finding or starting the server, and preparing this process's database on it.

use crate::server::{APP_PASSWORD, APP_ROLE, Server, URL_VAR};
use crate::throwaway::{INSTALL, start_throwaway};
use tokio_postgres::error::SqlState;

/// Finds or starts the server and prepares this process's database (run on a thread of its
/// own, outside any async runtime).
pub(crate) fn server() -> Server {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime to prepare PostgreSQL");
    let (admin, throwaway): (tokio_postgres::Config, _) = match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => (
            url.parse()
                .unwrap_or_else(|e| panic!("{URL_VAR} is not a connection string: {e}")),
            None,
        ),
        _ => {
            let (config, watchdog) = start_throwaway();
            (config, Some(watchdog))
        }
    };
    let owner = runtime.block_on(prepare(admin));
    Server::new(owner, throwaway)
}

/// Creates the app role (once per server) and this process's database; drops the databases of
/// test processes that have ended.
async fn prepare(admin: tokio_postgres::Config) -> tokio_postgres::Config {
    let (client, connection) = admin
        .connect(tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test server ({e}); {INSTALL}"));
    tokio::spawn(connection);
    let host = host_tag();
    let create_role = format!("CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_PASSWORD}'");
    match client.batch_execute(&create_role).await {
        Ok(()) => {}
        Err(e)
            if e.code() == Some(&SqlState::DUPLICATE_OBJECT)
                || e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {}
        Err(e) => panic!("cannot create the test role {APP_ROLE}: {e}"),
    }
    for row in client
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'kickoverlay\\_test\\_%'",
            &[],
        )
        .await
        .expect("list the test databases")
    {
        let name: String = row.get(0);
        // kickoverlay_test_<pid>_<host>_<n>: only those of processes that ended on the same host (a
        // server shared by several machines keeps the others').
        let mut parts = name
            .strip_prefix("kickoverlay_test_")
            .unwrap_or("")
            .split('_');
        let pid = parts.next().and_then(|pid| pid.parse::<i32>().ok());
        let ours = parts.next() == Some(host.as_str());
        if let Some(pid) = pid
            && ours
            && !alive(pid)
        {
            let _ = client
                .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let db = format!("kickoverlay_test_{}_{host}_{nanos}", std::process::id());
    client
        .batch_execute(&format!("CREATE DATABASE \"{db}\""))
        .await
        .unwrap_or_else(|e| panic!("cannot create the test database {db}: {e}"));
    let mut owner = admin.clone();
    owner.dbname(&db);
    owner
}

/// A short tag of the host name, for the names of its test databases.
fn host_tag() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    // FNV-1a: stable across runs and builds, unlike the standard library's hasher.
    let hash = name.trim().bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{:08x}", hash as u32)
}

/// Whether process `pid` still runs.
fn alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks that the process exists.
    let exists = unsafe { libc::kill(pid, 0) == 0 };
    exists || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}
