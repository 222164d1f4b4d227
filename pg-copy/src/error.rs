//! [`CopyError`]: why a copy was refused or failed. Whatever the error, the tables in PostgreSQL
//! are left as they were (the copy is one transaction; only the empty schema may have been
//! created or upgraded), and the SQLite file is never written.

/// Why [`copy`](crate::copy) refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The SQLite file could not be read.
    #[error("cannot read the SQLite database {path}: {reason}")]
    Sqlite {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The SQLite file is not a KickOverlay database at this program's version.
    #[error(
        "{path} is not a KickOverlay database at schema version {expected} (it is at {found}): start a server on it once with this version of kick-overlay to upgrade it, then copy"
    )]
    SqliteVersion {
        /// The file.
        path: String,
        /// Its `user_version`.
        found: i64,
        /// The version this program writes.
        expected: i64,
    },
    /// The file is not a KickOverlay database at all.
    #[error("{0} is not a KickOverlay database")]
    Foreign(String),
    /// No owner login was given: the schema cannot be prepared and loaded without it.
    #[error("copying needs the database owner's login (--database-owner-url)")]
    NoOwner,
    /// PostgreSQL could not be opened as the store.
    #[error(transparent)]
    Connect(#[from] pg_store::ConnectError),
    /// The PostgreSQL schema already holds data.
    #[error(
        "the PostgreSQL schema {schema} is not empty ({rows} rows in {table}): copy into an empty schema or database"
    )]
    NotEmpty {
        /// The schema.
        schema: String,
        /// A table with rows.
        table: String,
        /// How many.
        rows: i64,
    },
    /// PostgreSQL failed during the copy.
    #[error("PostgreSQL failed while copying: {0}")]
    Postgres(String),
    /// The copy does not match the file: nothing was committed.
    #[error("the copy does not match the SQLite file, so nothing was committed: {0}")]
    Mismatch(String),
}

impl From<tokio_postgres::Error> for CopyError {
    fn from(e: tokio_postgres::Error) -> Self {
        CopyError::Postgres(match e.as_db_error() {
            Some(db) => format!("{} ({})", db.message(), db.code().code()),
            None => e.to_string(),
        })
    }
}
