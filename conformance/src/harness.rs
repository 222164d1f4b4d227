//! How cases run: the store factory, per-case state, the watchdog and failure reporting.

use crate::model::ModelStore;
use datastore::{Clock, DataStore, ManualClock, StoreError, Timestamp};
use futures_util::future::BoxFuture;
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a backend's factory gets to build one fresh, empty store.
#[derive(Debug, Clone)]
pub struct StoreContext {
    clock: Arc<ManualClock>,
    dir: PathBuf,
}

impl StoreContext {
    /// The clock the store must read time from. The suite moves it; a store that reads the
    /// system time instead fails the expiry and cooldown cases.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// An empty directory that lives until the case ends: put the database files here.
    pub fn scratch_dir(&self) -> &Path {
        &self.dir
    }
}

type BuildStore = dyn Fn(StoreContext) -> BoxFuture<'static, Arc<dyn DataStore>> + Send + Sync;

/// Builds fresh, empty stores: the one thing a backend gives the suite.
#[derive(Clone)]
pub struct Factory(Arc<BuildStore>);

impl fmt::Debug for Factory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Factory")
    }
}

impl Factory {
    /// A factory from an async function (or closure) that builds an empty store.
    pub fn new<F, Fut, S>(build: F) -> Self
    where
        F: Fn(StoreContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = S> + Send + 'static,
        S: DataStore + 'static,
    {
        Factory(Arc::new(move |ctx| {
            let fut = build(ctx);
            Box::pin(async move { Arc::new(fut.await) as Arc<dyn DataStore> })
        }))
    }

    /// The factory of [`ModelStore`].
    pub fn model() -> Self {
        Factory::new(|ctx: StoreContext| async move { ModelStore::new(ctx.clock()) })
    }

    /// This factory with every store it builds passed through `wrap` (used to inject faults).
    pub fn wrapped(
        &self,
        wrap: impl Fn(Arc<dyn DataStore>) -> Arc<dyn DataStore> + Send + Sync + 'static,
    ) -> Self {
        let inner = self.0.clone();
        let wrap = Arc::new(wrap);
        Factory(Arc::new(move |ctx| {
            let fut = inner(ctx);
            let wrap = wrap.clone();
            Box::pin(async move { wrap(fut.await) })
        }))
    }
}

/// The instant every case's clock starts at: 2026-01-01T00:00:00Z.
pub const START: Timestamp = Timestamp::saturating_from_millis(1_767_225_600_000);

/// The property test's seed when none is given.
const DEFAULT_SEED: u64 = 0x4b49_434b; // "KICK"

/// Settings of a suite run, read from the environment.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Sequences each property test runs (`CONFORMANCE_PROPTEST_CASES`, default 32).
    pub proptest_cases: u32,
    /// Longest operation sequence (`CONFORMANCE_PROPTEST_MAX_OPS`, default 40).
    pub proptest_max_ops: usize,
    /// Watchdog per case (`CONFORMANCE_CASE_TIMEOUT_SECS`, default 300).
    pub case_timeout: Duration,
    /// Most steps proptest takes to shrink a failing sequence (default 2048; the sensitivity
    /// test, which only needs to know that a fault was caught, uses 0).
    pub proptest_shrink_iters: u32,
    /// The property test's random seed (`CONFORMANCE_PROPTEST_SEED`: a number, or `random` for
    /// a fresh one each run; default fixed, so a run is repeatable). A failure prints it.
    pub proptest_seed: u64,
}

impl Options {
    /// The options from the environment, with defaults.
    pub fn from_env() -> Self {
        fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
            match std::env::var(name) {
                Ok(v) => v
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}")),
                Err(_) => default,
            }
        }
        Options {
            proptest_cases: var("CONFORMANCE_PROPTEST_CASES", 32),
            proptest_max_ops: var("CONFORMANCE_PROPTEST_MAX_OPS", 40),
            case_timeout: Duration::from_secs(var("CONFORMANCE_CASE_TIMEOUT_SECS", 300)),
            proptest_shrink_iters: 2048,
            proptest_seed: match std::env::var("CONFORMANCE_PROPTEST_SEED").ok() {
                Some(v) if v.eq_ignore_ascii_case("random") => std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(0),
                Some(v) => v.trim().parse().unwrap_or_else(|_| {
                    panic!(
                        "CONFORMANCE_PROPTEST_SEED must be a decimal number or `random`, not {v:?}"
                    )
                }),
                None => DEFAULT_SEED,
            },
        }
    }
}

/// What a case gets: fresh stores on demand, and a clock it controls.
#[derive(Clone)]
pub struct Harness {
    factory: Factory,
    clock: Arc<ManualClock>,
    scratch: Arc<Mutex<Vec<tempfile::TempDir>>>,
    options: Options,
}

impl fmt::Debug for Harness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harness")
            .field("clock", &self.clock.now())
            .finish_non_exhaustive()
    }
}

impl Harness {
    /// A harness whose stores come from `factory`.
    pub fn new(factory: Factory, options: Options) -> Self {
        Harness {
            factory,
            clock: Arc::new(ManualClock::new(START)),
            scratch: Arc::default(),
            options,
        }
    }

    /// The clock of [`Harness::store`]'s stores.
    pub fn clock(&self) -> &ManualClock {
        &self.clock
    }

    /// The run's options.
    pub fn options(&self) -> Options {
        self.options
    }

    /// A fresh, empty store of the backend under test, on the harness clock.
    pub async fn store(&self) -> Arc<dyn DataStore> {
        self.store_on(self.clock.clone()).await
    }

    /// A fresh, empty store of the backend under test, on its own clock.
    pub async fn store_on(&self, clock: Arc<ManualClock>) -> Arc<dyn DataStore> {
        let dir = tempfile::Builder::new()
            .prefix("conformance-")
            .tempdir()
            .expect("the suite needs a temporary directory");
        let ctx = StoreContext {
            clock,
            dir: dir.path().to_path_buf(),
        };
        self.scratch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(dir);
        (self.factory.0)(ctx).await
    }

    /// The factory of the backend under test.
    pub fn factory(&self) -> &Factory {
        &self.factory
    }
}

/// Why a case failed: a readable account, with where the check is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure(format!("unexpected store error: {e} ({e:?})"))
    }
}

/// The result of one case.
pub type CaseResult = Result<(), Failure>;

/// A case: an async function over a [`Harness`].
pub type CaseFn = fn(Harness) -> BoxFuture<'static, CaseResult>;

/// One named case of the suite.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// The case's name, which is also its test's name.
    pub name: &'static str,
    /// The module (domain) it belongs to; `isolation` for the cross-tenant cases.
    pub module: &'static str,
    /// Runs it.
    pub run: CaseFn,
}

/// Runs one case on a fresh harness, under the watchdog. A panic inside the store or the case
/// becomes a failure; so does a case still running after [`Options::case_timeout`] (it is
/// aborted at its next await).
pub async fn run_case(case: &Case, factory: &Factory, options: Options) -> CaseResult {
    let harness = Harness::new(factory.clone(), options);
    let mut task = tokio::spawn((case.run)(harness));
    match tokio::time::timeout(options.case_timeout, &mut task).await {
        Err(_) => {
            task.abort();
            Err(timed_out(options))
        }
        Ok(Err(join)) => Err(Failure(format!("panicked: {}", panic_text(join)))),
        Ok(Ok(result)) => result,
    }
}

fn timed_out(options: Options) -> Failure {
    Failure(format!(
        "timed out after {:?} (CONFORMANCE_CASE_TIMEOUT_SECS): the store hung or is far too slow",
        options.case_timeout
    ))
}

fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a non-text panic".to_owned()),
        Err(e) => e.to_string(),
    }
}

/// A runtime for one test: two worker threads, timers on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Runs `case` on its own thread and runtime, and panics with its failure. The calling thread
/// waits with a deadline, so even a store that blocks its thread forever (a deadlock, a
/// blocking call on a runtime thread) fails the test instead of hanging it; the stuck thread
/// is abandoned and ends with the test process.
pub fn run_test_case(case: &Case, factory: Factory, options: Options) {
    let (tx, rx) = std::sync::mpsc::channel();
    let case = *case;
    std::thread::Builder::new()
        .name(format!("case {}", case.name))
        .spawn(move || {
            let rt = runtime();
            let result = rt.block_on(run_case(&case, &factory, options));
            let _ = tx.send(result);
            // Do not wait for tasks or blocking threads a hung store still holds.
            rt.shutdown_background();
        })
        .expect("a thread for the case");
    let grace = Duration::from_secs(5);
    let result = match rx.recv_timeout(options.case_timeout + grace) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(timed_out(options)),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(Failure(
            "the case's thread died before reporting (a panic outside the case's task)".into(),
        )),
    };
    if let Err(f) = result {
        panic!("conformance case `{}` failed:\n{f}", case.name);
    }
}

/// Fails the case unless the condition holds.
macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err($crate::harness::Failure(format!(
                "{} ({}:{})", format!($($msg)+), file!(), line!()
            )));
        }
    };
}

/// Fails the case unless the two values are equal, showing both.
macro_rules! check_eq {
    ($left:expr, $right:expr, $($msg:tt)+) => {{
        let (l, r) = (&$left, &$right);
        if l != r {
            return Err($crate::harness::Failure(format!(
                "{}\n   got: {:?}\nwanted: {:?}\n({}:{})",
                format!($($msg)+), l, r, file!(), line!()
            )));
        }
    }};
}

/// Fails the case unless the result is the given error.
macro_rules! check_err {
    ($result:expr, $err:expr, $($msg:tt)+) => {{
        match $result {
            Err(e) if e == $err => {}
            other => {
                return Err($crate::harness::Failure(format!(
                    "{}\n   got: {:?}\nwanted: Err({:?})\n({}:{})",
                    format!($($msg)+), other, $err, file!(), line!()
                )));
            }
        }
    }};
}

pub(crate) use {check, check_eq, check_err};

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options {
            case_timeout: Duration::from_millis(300),
            ..Options::from_env()
        }
    }

    fn failure_of(case: Case) -> String {
        let result = std::panic::catch_unwind(|| run_test_case(&case, Factory::model(), options()));
        match result {
            Err(p) => p
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "a non-text panic".into()),
            Ok(()) => "the case passed".into(),
        }
    }

    #[test]
    fn a_case_that_never_wakes_up_times_out() {
        let case = Case {
            name: "pending_forever",
            module: "harness",
            run: |_| Box::pin(std::future::pending()),
        };
        assert!(failure_of(case).contains("timed out"));
    }

    #[test]
    fn a_case_that_blocks_its_thread_times_out() {
        let case = Case {
            name: "blocks_forever",
            module: "harness",
            run: |_| {
                Box::pin(async {
                    std::thread::sleep(Duration::from_secs(3600));
                    Ok(())
                })
            },
        };
        assert!(failure_of(case).contains("timed out"));
    }

    #[test]
    fn a_panicking_case_fails_with_its_message() {
        let case = Case {
            name: "panics",
            module: "harness",
            run: |_| Box::pin(async { panic!("the store exploded") }),
        };
        assert!(failure_of(case).contains("the store exploded"));
    }
}
