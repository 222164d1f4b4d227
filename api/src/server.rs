//! Running the server: the listener, the store on disk, graceful shutdown.

use crate::connections::{self, Limits, Stopped};
use crate::filters;
use crate::live::LiveConfig;
use crate::rate_limit::{CodeLimits, DEFAULT_PER_ADDRESS, DEFAULT_PER_STREAMER};
use crate::state::AppState;
use crate::{openapi, routes};
use datastore::{Clock, DataStore, SessionToken, SystemClock};
use reference_store::{OpenError, OpenOptions, SqliteStore};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The shortest operator key accepted.
pub const MIN_OPERATOR_KEY_CHARS: usize = 16;

/// Where the server's data is.
#[derive(Debug, Clone)]
pub enum Backend {
    /// The embedded SQLite file.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL database.
    Postgres(pg_store::PgOptions),
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// PostgreSQL could not be used.
    #[error(transparent)]
    Postgres(#[from] pg_store::ConnectError),
    /// The database's directory could not be created.
    #[error("cannot create the directory {path}: {source}")]
    Directory {
        /// The directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A command that needs an existing database was given a path with no file.
    #[error(
        "there is no database at {0}: start the server (`kick-overlay`) or add a streamer \
         (`kick-overlay streamer add NAME`) to create one, or name another file with --db"
    )]
    NoDatabase(String),
    /// Another server process serves this file already.
    #[error(
        "{0} is already being served by another kick-overlay process: stop that one first, or \
         serve another file with --db (commands such as `streamer add` may run beside a server)"
    )]
    InUse(String),
    /// The operator key is too short to be a secret.
    #[error("KICKOVERLAY_OPERATOR_KEY must be at least {MIN_OPERATOR_KEY_CHARS} characters")]
    WeakOperatorKey,
}

/// Opens (creating and migrating on first use) the SQLite store at `path`, creating its
/// directory when missing; an existing file is checked for damage first.
pub async fn open_store(path: &Path) -> Result<(Arc<dyn DataStore>, Arc<dyn Clock>), StartError> {
    open_store_checked(path, true).await
}

/// [`open_store`], checking an existing file for damage (SQLite's `quick_check`, which reads
/// the whole file) only when `check` is set.
pub async fn open_store_checked(
    path: &Path,
    check: bool,
) -> Result<(Arc<dyn DataStore>, Arc<dyn Clock>), StartError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StartError::Directory {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let options = OpenOptions {
        check_on_open: check,
        ..OpenOptions::default()
    };
    let store = SqliteStore::open_with(path, clock.clone(), options).await?;
    Ok((Arc::new(store), clock))
}

/// Opens the store `backend` names: a PostgreSQL database (migrated with the owner's login when
/// one is given), or the SQLite file, created when missing unless `must_exist`, and checked for
/// damage when `check` is set.
pub async fn open_backend(
    backend: &Backend,
    check: bool,
    must_exist: bool,
) -> Result<(Arc<dyn DataStore>, Arc<dyn Clock>), StartError> {
    match backend {
        Backend::Sqlite(path) if must_exist => open_existing_store(path).await,
        Backend::Sqlite(path) => open_store_checked(path, check).await,
        Backend::Postgres(options) => {
            let clock: Arc<dyn Clock> = Arc::new(SystemClock);
            let store = pg_store::PgStore::connect(options.clone(), clock.clone()).await?;
            Ok((Arc::new(store), clock))
        }
    }
}

/// Opens the PostgreSQL store for a server, with its event doorbell: the rings of every
/// process's writes to this deployment, which [`ring_from`] passes to the server's streams.
pub async fn open_postgres_serving(
    options: &pg_store::PgOptions,
) -> Result<(Arc<dyn DataStore>, Arc<dyn Clock>, pg_store::EventDoorbell), StartError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = pg_store::PgStore::connect(options.clone(), clock.clone()).await?;
    let doorbell = store.event_doorbell().await?;
    Ok((Arc::new(store), clock, doorbell))
}

/// How often [`ring_from`] rings every open channel anyway: a write rings the doorbell just
/// after it commits, so a ring can be lost (its process stopped in between), and this bounds
/// how long such a write's events wait to reach the streams.
const RING_ALL_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Passes the doorbell's rings to `hub` until the doorbell stops: a streamer's ring to its
/// streams, a ring for everyone (after a reconnection, when rings may have been missed) to all.
/// Every 5 s it also rings all, since a ring can be lost; that is cheap, as the
/// hub reads only the streamers that have streams open.
pub async fn ring_from(mut doorbell: pg_store::EventDoorbell, hub: Arc<crate::live::EventHub>) {
    let mut timer = tokio::time::interval(RING_ALL_EVERY);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is at once; the doorbell's first ring is `Everyone` already.
    timer.tick().await;
    loop {
        tokio::select! {
            ring = doorbell.recv() => match ring {
                Some(pg_store::Doorbell::Streamer(s)) => hub.ring(s),
                Some(pg_store::Doorbell::Everyone) => hub.ring_all(),
                None => return,
            },
            _ = timer.tick() => hub.ring_all(),
        }
    }
}

/// Opens the SQLite store at `path`, which must exist (commands that only read or change
/// what is there never create a database).
pub async fn open_existing_store(
    path: &Path,
) -> Result<(Arc<dyn DataStore>, Arc<dyn Clock>), StartError> {
    if !path.exists() {
        return Err(StartError::NoDatabase(path.display().to_string()));
    }
    open_store(path).await
}

/// The claim a server holds on its database file for as long as it serves: one server per
/// file, so that what it caches (leaderboards) can never be stale behind another server's
/// writes. Released when dropped, or when the process ends however it ends.
#[derive(Debug)]
pub struct ServingClaim(#[allow(dead_code)] Option<std::fs::File>);

/// Claims `path` (which must exist) for one server: an exclusive advisory lock on the file,
/// separate from SQLite's own locks, so commands beside the server still work. Where the file
/// system has no such locks, the server starts unclaimed and says so.
pub fn claim_for_serving(path: &Path) -> Result<ServingClaim, StartError> {
    let file = std::fs::File::open(path).map_err(|e| {
        StartError::Open(OpenError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    })?;
    match file.try_lock() {
        Ok(()) => Ok(ServingClaim(Some(file))),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(StartError::InUse(path.display().to_string()))
        }
        Err(std::fs::TryLockError::Error(e)) => {
            tracing::warn!(
                path = %path.display(),
                error = %e,
                "cannot lock the database file: a second server on it would not be refused"
            );
            Ok(ServingClaim(None))
        }
    }
}

/// Refuses an operator key too short to be a secret ([`MIN_OPERATOR_KEY_CHARS`]).
pub fn check_operator_key(operator_key: Option<&str>) -> Result<(), StartError> {
    match operator_key {
        Some(k) if k.chars().count() < MIN_OPERATOR_KEY_CHARS => Err(StartError::WeakOperatorKey),
        _ => Ok(()),
    }
}

/// The state for a server over `store`, with the operator key if one is given. Kick's webhook
/// starts unconfigured (no public key: it answers 503; replies off).
pub fn state(
    store: Arc<dyn DataStore>,
    clock: Arc<dyn Clock>,
    operator_key: Option<&str>,
) -> Result<AppState, StartError> {
    check_operator_key(operator_key)?;
    let operator_key = operator_key.map(|k| SessionToken::new(k).hash());
    Ok(AppState {
        store: store.clone(),
        clock,
        operator_key,
        openapi: Arc::new(openapi::document(routes::all())),
        code_limits: Arc::new(CodeLimits::new(DEFAULT_PER_ADDRESS, DEFAULT_PER_STREAMER)),
        exports: Arc::new(tokio::sync::Semaphore::new(1)),
        events: crate::live::EventHub::new(store, LiveConfig::default()),
        cors: crate::cors::origins::CorsOrigins::none(),
        kick: Arc::new(crate::kick::settings::KickSettings::default()),
    })
}

/// Serves the API on `listener` within `limits` until `shutdown` completes, then lets requests
/// in progress finish within the limits' grace ([`connections`]).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> Stopped {
    let hub = state.events.clone();
    let routes = hyper_util::service::TowerToHyperService::new(warp::service(filters::api(state)));
    // Event streams never finish by themselves: end them as shutdown begins, so their
    // connections close cleanly instead of waiting out the grace.
    let shutdown = async move {
        shutdown.await;
        hub.close();
    };
    connections::serve(listener, routes, limits, shutdown).await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("Ctrl-C: shutting down"),
        _ = term => tracing::info!("SIGTERM: shutting down"),
    }
}
