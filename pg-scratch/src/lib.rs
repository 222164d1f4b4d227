//! PostgreSQL for tests, found or started, and a fresh schema for every store.
//!
//! [`server`] finds the server once per test process:
//!
//! * `KICKOVERLAY_TEST_DATABASE_URL` set: that server, reached with that login (a role that
//!   may create databases and roles: `postgres://postgres@127.0.0.1:5432/postgres`);
//! * otherwise a throwaway server, started from the machine's PostgreSQL binaries
//!   (`KICKOVERLAY_PG_BIN`, else `/usr/lib/postgresql/<newest>/bin`, else `initdb` on `PATH`)
//!   in a temporary directory, listening on a socket in that directory only. PostgreSQL
//!   refuses to run as root, so under root it runs as the `postgres` user (or `nobody`). It
//!   stops, and its directory is removed, when the test process exits: a watchdog shell reads
//!   the test process's end of a pipe and stops the server at end of file. It runs without
//!   flushing to disk (tests need no durability) unless `KICKOVERLAY_PG_DURABLE=1`, which the
//!   benchmarks set, gives it PostgreSQL's defaults.
//!
//! Without either, [`server`] panics with a message saying how to install PostgreSQL: a test
//! that needs it fails, never skips.
//!
//! Each test process gets a database of its own (`kickoverlay_test_<pid>_<host>_<n>`; those of test
//! processes no longer running are dropped on the next run), and [`Server::scratch`] a new
//! schema in it for every store. The store logs in as `kickoverlay_test_app`, a role that owns
//! nothing, and migrates with the server's own login.

#![warn(missing_docs)]

mod server;
mod start;
mod strings;
mod throwaway;

use std::sync::OnceLock;

pub use server::{APP_ROLE, Scratch, Server, URL_VAR};
pub use strings::conn_string;

/// The server of this test process, found or started on first use.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        std::thread::spawn(start::server)
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}
