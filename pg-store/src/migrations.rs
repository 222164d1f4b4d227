//! The schema, as numbered SQL migrations, and how they are applied.
//!
//! Migrations are applied on connect with the owner's login, in one transaction under an
//! advisory lock (two servers starting at once apply them once), and recorded in
//! `schema_migrations`. A schema newer than [`LATEST`] is refused; so is an older one when no
//! owner login was given. After the migrations the owner grants the server's login the rights on
//! the tables it needs, and no more (it owns nothing, so row-level security binds it).

use crate::connect_error::ConnectError;
use tokio_postgres::Client;

/// One migration: a version and the SQL that takes the schema to it.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its number, from 1, without gaps.
    pub version: i32,
    /// The file it comes from.
    pub name: &'static str,
    /// Its statements.
    pub sql: &'static str,
}

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "001-tenant-tables.sql",
        sql: include_str!("../migrations/001-tenant-tables.sql"),
    },
    Migration {
        version: 2,
        name: "002-row-security.sql",
        sql: include_str!("../migrations/002-row-security.sql"),
    },
    Migration {
        version: 3,
        name: "003-events-and-overlay-keys.sql",
        sql: include_str!("../migrations/003-events-and-overlay-keys.sql"),
    },
    Migration {
        version: 4,
        name: "004-kick-economy.sql",
        sql: include_str!("../migrations/004-kick-economy.sql"),
    },
    Migration {
        version: 5,
        name: "005-live-changed-events.sql",
        sql: include_str!("../migrations/005-live-changed-events.sql"),
    },
    Migration {
        version: 6,
        name: "006-drop-leaderboard-index.sql",
        sql: include_str!("../migrations/006-drop-leaderboard-index.sql"),
    },
];

/// The schema version this program writes.
pub const LATEST: i32 = MIGRATIONS.len() as i32;

/// An identifier, quoted for SQL.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A string, quoted as an SQL literal that reads the same whatever
/// `standard_conforming_strings` says (an `E''` string, its quotes and backslashes escaped).
pub(crate) fn quote_literal(text: &str) -> String {
    format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

fn failed(e: impl std::fmt::Display) -> ConnectError {
    ConnectError::Migration(e.to_string())
}

/// Applies the pending migrations to `schema` (creating it if needed) with the owner's
/// connection `owner`, then grants `server_role` what the store needs.
pub(crate) async fn apply(
    owner: &mut Client,
    schema: &str,
    server_role: &str,
) -> Result<(), ConnectError> {
    let exists = owner
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&server_role])
        .await
        .map_err(failed)?;
    if exists.is_none() {
        return Err(ConnectError::MissingRole(server_role.to_owned()));
    }
    let tx = owner.transaction().await.map_err(failed)?;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('kickoverlay-migrations:' || $1::text))",
        &[&schema],
    )
    .await
    .map_err(failed)?;
    let s = quote_ident(schema);
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {s};
         SET LOCAL search_path = {s};
         CREATE TABLE IF NOT EXISTS schema_migrations (
             version     integer PRIMARY KEY,
             name        text NOT NULL,
             applied_at  timestamptz NOT NULL DEFAULT now()
         );"
    ))
    .await
    .map_err(failed)?;
    let found: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .map_err(failed)?
        .get(0);
    if found > LATEST {
        return Err(ConnectError::NewerSchema {
            schema: schema.to_owned(),
            found,
            supported: LATEST,
        });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.batch_execute(m.sql)
            .await
            .map_err(|e| ConnectError::Migration(format!("{}: {}", m.name, describe(&e))))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )
        .await
        .map_err(failed)?;
        tracing::info!(schema, migration = m.name, "applied a migration");
    }
    let r = quote_ident(server_role);
    tx.batch_execute(&format!(
        "GRANT USAGE ON SCHEMA {s} TO {r};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r};
         REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM {r};
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r};"
    ))
    .await
    .map_err(failed)?;
    tx.commit().await.map_err(failed)
}

/// The version of `schema` as the server's login sees it (0 when it has no tables yet).
pub(crate) async fn version(client: &Client) -> Result<i32, ConnectError> {
    match client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await
    {
        Ok(row) => Ok(row.get(0)),
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE) => Ok(0),
        Err(e) => Err(failed(describe(&e))),
    }
}

/// An error with PostgreSQL's own message, where there is one.
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}
