//! Why a store could not be opened.

use std::path::{Path, PathBuf};

/// Why a store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file could not be opened or created (missing directory, permissions, …).
    #[error("cannot open the database file {path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// SQLite's account of the failure.
        message: String,
    },
    /// The file is not an SQLite database, or it is damaged.
    #[error("{path} is not a usable SQLite database (corrupt or not a database): {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// SQLite's account of the failure.
        message: String,
    },
    /// The file exists but is empty (0 bytes, no write-ahead log): only a path with no file is
    /// made into a new database. Nothing was changed in it.
    #[error(
        "{path} is an empty file, not a database: remove it to start a new database there, or \
         name another file with --db"
    )]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file is an SQLite database of something else: a legacy single-streamer KickOverlay
    /// file, or another application's. Nothing was changed in it.
    #[error(
        "{path} is not a multi-tenant KickOverlay database (application id {application_id:#x}, \
         {tables} tables); a legacy single-streamer file must be migrated \
         (`kick-overlay migrate-legacy --db {path} --streamer NAME`), not opened"
    )]
    Foreign {
        /// The file.
        path: PathBuf,
        /// The file's `PRAGMA application_id`.
        application_id: i32,
        /// How many tables it holds.
        tables: i64,
    },
    /// The file was written by a newer version of this store, whose schema this one does not
    /// know. Nothing was changed in it.
    #[error(
        "{path} has schema version {found}, newer than this program's {supported}: upgrade the \
         program"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// The file's schema version.
        found: i64,
        /// The newest version this program knows.
        supported: i64,
    },
    /// A migration failed; the file is left at the last version that applied.
    #[error("migration {name} failed on {path}: {message}")]
    Migration {
        /// The file.
        path: PathBuf,
        /// The migration's file name.
        name: &'static str,
        /// SQLite's account of the failure.
        message: String,
    },
    /// The async runtime could not run the open.
    #[error("the open did not complete: {0}")]
    Runtime(String),
}

impl OpenError {
    /// Classifies an SQLite error met while opening or first reading `path`.
    pub(crate) fn from_sqlite(path: &Path, e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{CannotOpen, NotADatabase, PermissionDenied, ReadOnly};
        let message = e.to_string();
        let path = path.to_path_buf();
        match e.sqlite_error_code() {
            Some(NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
                OpenError::Corrupt { path, message }
            }
            Some(CannotOpen) | Some(PermissionDenied) | Some(ReadOnly) | None => {
                OpenError::Io { path, message }
            }
            Some(_) => OpenError::Io { path, message },
        }
    }
}
