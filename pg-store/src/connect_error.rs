//! [`ConnectError`]: why a store could not be opened on a database.

/// Why [`PgStore::connect`](crate::PgStore::connect) refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// A connection string could not be read.
    #[error("the {which} connection string is invalid: {reason}")]
    BadUrl {
        /// `server` or `owner`.
        which: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The schema name is not one the store accepts.
    #[error(
        "the schema name {0:?} is invalid: use lowercase ASCII letters, digits and _, starting with a letter or _"
    )]
    BadSchema(String),
    /// The database could not be reached or refused the login.
    #[error("cannot connect to PostgreSQL as the {which} login: {reason}")]
    Unreachable {
        /// `server` or `owner`.
        which: &'static str,
        /// What PostgreSQL or the network said.
        reason: String,
    },
    /// The server's login is too powerful: row-level security would not hold against it.
    #[error(
        "the server's login {role:?} {why}: connect as a role that owns nothing and cannot bypass row-level security, and give the owner's login separately (see the pg-store documentation)"
    )]
    PrivilegedLogin {
        /// The role the server logged in as.
        role: String,
        /// What makes it unfit (a superuser, BYPASSRLS, the owner of the tables).
        why: String,
    },
    /// The schema was written by a newer version of KickOverlay.
    #[error(
        "the schema {schema:?} is at version {found}, newer than this program's {supported}: run a newer kick-overlay"
    )]
    NewerSchema {
        /// The schema.
        schema: String,
        /// Its version.
        found: i32,
        /// The newest version this program knows.
        supported: i32,
    },
    /// The schema is older than this program and no owner login was given to upgrade it.
    #[error(
        "the schema {schema:?} is at version {found}, older than this program's {supported}: connect once with the owner's login to apply the migrations"
    )]
    OlderSchema {
        /// The schema.
        schema: String,
        /// Its version (0: not created yet).
        found: i32,
        /// The version this program needs.
        supported: i32,
    },
    /// The server's login does not exist; the owner cannot grant it anything.
    #[error(
        "the server's login {0:?} does not exist: create it first (CREATE ROLE … LOGIN PASSWORD …)"
    )]
    MissingRole(String),
    /// A migration or a check failed.
    #[error("preparing the schema failed: {0}")]
    Migration(String),
}
