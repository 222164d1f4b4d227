//! [`Server`]: this test process's PostgreSQL server and database, and the fresh schemas it
//! hands out.

use crate::strings::conn_string;
use crate::throwaway::Throwaway;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming a server for the tests.
pub const URL_VAR: &str = "KICKOVERLAY_TEST_DATABASE_URL";

/// The role stores log in as in tests: it owns nothing.
pub const APP_ROLE: &str = "kickoverlay_test_app";
pub(crate) const APP_PASSWORD: &str = "kickoverlay-test";

/// A PostgreSQL server for this test process, with a database of its own.
#[derive(Debug)]
pub struct Server {
    /// The administrator's login on this process's database.
    owner: tokio_postgres::Config,
    /// Keeps a throwaway server running (its watchdog stops it when this closes).
    _throwaway: Option<Throwaway>,
    next: AtomicU64,
}

/// A fresh schema, and the two logins a store needs to use it.
#[derive(Debug, Clone)]
pub struct Scratch {
    /// The owner's login (it creates and migrates the schema).
    pub owner_url: String,
    /// The server's login: a role that owns nothing.
    pub server_url: String,
    /// The schema, not created yet: the store's first connect creates it.
    pub schema: String,
}

impl Server {
    pub(crate) fn new(owner: tokio_postgres::Config, throwaway: Option<Throwaway>) -> Self {
        Server {
            owner,
            _throwaway: throwaway,
            next: AtomicU64::new(0),
        }
    }
    /// A new schema name in this process's database, with the logins to use it.
    pub fn scratch(&self) -> Scratch {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        Scratch {
            owner_url: conn_string(&self.owner, None),
            server_url: conn_string(&self.owner, Some((APP_ROLE, APP_PASSWORD))),
            schema: format!("case_{n}"),
        }
    }

    /// The administrator's login on this process's database.
    pub fn owner_url(&self) -> String {
        conn_string(&self.owner, None)
    }

    /// The server login of [`Server::scratch`] (it owns nothing).
    pub fn server_url(&self) -> String {
        conn_string(&self.owner, Some((APP_ROLE, APP_PASSWORD)))
    }

    /// An administrator's connection to this process's database.
    pub async fn admin(&self) -> tokio_postgres::Client {
        let (client, connection) = self
            .owner
            .connect(tokio_postgres::NoTls)
            .await
            .expect("connect to the test database as its administrator");
        tokio::spawn(connection);
        client
    }
}
