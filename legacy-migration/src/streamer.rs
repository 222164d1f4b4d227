//! The streamer a run creates: its names checked before anything is touched, then its row.

use crate::error::LegacyError;
use rusqlite::Transaction;

/// Inserts the streamer and returns its id.
pub(crate) fn create_streamer(
    tx: &Transaction<'_>,
    username: &str,
    display_name: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    tx.query_row(
        "INSERT INTO streamers (username, display_name, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?3) RETURNING id",
        rusqlite::params![username, display_name, now],
        |r| r.get(0),
    )
}

/// The streamer name rules of the store, checked before anything is touched.
pub(crate) fn validate_names(streamer: &str, display_name: &str) -> Result<(), LegacyError> {
    datastore::validate::streamer_username(streamer)
        .and_then(|()| {
            datastore::validate::name(
                "display_name",
                display_name,
                datastore::validate::MAX_NAME_CHARS,
            )
        })
        .map_err(|e| LegacyError::Streamer(e.to_string()))
}
