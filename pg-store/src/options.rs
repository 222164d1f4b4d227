//! [`PgOptions`]: where the store connects, as whom, and how many connections it keeps.

use std::time::Duration;

/// The schema the store uses when none is given.
pub const DEFAULT_SCHEMA: &str = "kickoverlay";

/// How [`PgStore::connect`](crate::PgStore::connect) reaches the database.
///
/// Two logins, on purpose: the server's own (`url`) owns nothing and cannot bypass row-level
/// security, so a statement missing its tenant predicate still meets the policies; the owner's
/// (`owner_url`), used only while connecting, creates and upgrades the schema and grants the
/// server's login what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgOptions {
    /// The server's login: a connection string (`postgres://user:password@host:port/db`, or
    /// `host=… user=… dbname=…`). Every operation runs as this role.
    pub url: String,
    /// The owner's login, in the same form. When given, pending migrations are applied with it
    /// on connect (a no-op when there are none); without it the schema must already be
    /// current.
    pub owner_url: Option<String>,
    /// The schema that holds the tables: lowercase ASCII letters, digits and `_`, starting with
    /// a letter or `_`.
    pub schema: String,
    /// Most connections the pool opens.
    pub max_connections: usize,
    /// How long an operation waits for a free connection before it fails.
    pub wait_timeout: Duration,
    /// How long opening one connection may take.
    pub connect_timeout: Duration,
}

impl PgOptions {
    /// Options for the server login `url`, with the default schema and pool.
    pub fn new(url: impl Into<String>) -> Self {
        PgOptions {
            url: url.into(),
            owner_url: None,
            schema: DEFAULT_SCHEMA.to_owned(),
            max_connections: 16,
            wait_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// These options, migrating with the owner login `owner_url` on connect.
    pub fn with_owner(mut self, owner_url: impl Into<String>) -> Self {
        self.owner_url = Some(owner_url.into());
        self
    }

    /// These options, on schema `schema`.
    pub fn with_schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }
}

/// Whether `name` is a schema name the store accepts (and so never needs quoting).
pub(crate) fn valid_schema(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'_'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
        && name.len() <= 63
}
