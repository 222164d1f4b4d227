//! Between PostgreSQL and the contract: errors, times, JSON documents and enums.

use datastore::{ConflictKind, StoreError, StoreResult, Timestamp, TokenHash};
use serde_json::{Map, Value};
use std::str::FromStr;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::FromSql;

/// The unique constraints a write can hit, by name, and the contract's conflict each one is.
/// Every other failure is a bug (the store checks the rules before it writes) and becomes
/// `Backend`.
const UNIQUE: &[(&str, ConflictKind)] = &[
    ("streamers_username", ConflictKind::StreamerUsername),
    ("streamers_kick_user_id", ConflictKind::KickUserId),
    ("user_sessions_pkey", ConflictKind::SessionToken),
    ("streamer_sessions_pkey", ConflictKind::SessionToken),
    ("overlay_layouts_name", ConflictKind::LayoutName),
];

/// The contract's error for a PostgreSQL error: a unique violation of a known constraint is
/// its `Conflict` (by SQLSTATE and constraint name, never by message); anything else is logged
/// and becomes `Backend`.
pub(crate) fn db_error(e: tokio_postgres::Error) -> StoreError {
    // A row written for a streamer or a viewer deleted by a concurrent operation after this one
    // checked it exists: the same `NotFound` the check would have given a moment later.
    if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION)
        && let Some(name) = e.as_db_error().and_then(|d| d.constraint())
    {
        if name.ends_with("_streamer_id_user_id_fkey") {
            return StoreError::not_found(datastore::Resource::User);
        }
        if name.ends_with("_streamer_id_fkey") {
            return StoreError::not_found(datastore::Resource::Streamer);
        }
    }
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION)
        && let Some(name) = e.as_db_error().and_then(|d| d.constraint())
        && let Some((_, kind)) = UNIQUE.iter().find(|(c, _)| *c == name)
    {
        return StoreError::conflict(*kind);
    }
    let message = crate::migrations::describe(&e);
    tracing::error!(error = %message, "PostgreSQL failed");
    StoreError::backend(message)
}

fn bad_value(column: &str, e: impl std::fmt::Display) -> StoreError {
    tracing::error!(column, error = %e, "a stored value is invalid");
    StoreError::backend(format!("column {column} holds an invalid value: {e}"))
}

/// Column `column` of `row`.
pub(crate) fn get<'a, T: FromSql<'a>>(row: &'a Row, column: &str) -> StoreResult<T> {
    row.try_get(column).map_err(|e| bad_value(column, e))
}

/// A stored time (Unix milliseconds).
pub(crate) fn ts(row: &Row, column: &str) -> StoreResult<Timestamp> {
    let ms: i64 = get(row, column)?;
    Timestamp::from_millis(ms).map_err(|e| bad_value(column, e))
}

/// A stored count or quantity, as the contract's `u64`.
pub(crate) fn count(row: &Row, column: &str) -> StoreResult<u64> {
    let n: i64 = get(row, column)?;
    u64::try_from(n).map_err(|e| bad_value(column, e))
}

/// A stored JSON document.
pub(crate) fn json(row: &Row, column: &str) -> StoreResult<Value> {
    let text: &str = get(row, column)?;
    serde_json::from_str(text).map_err(|e| bad_value(column, e))
}

/// A stored JSON object.
pub(crate) fn json_object(row: &Row, column: &str) -> StoreResult<Map<String, Value>> {
    match json(row, column)? {
        Value::Object(m) => Ok(m),
        _ => Err(bad_value(column, "not a JSON object")),
    }
}

/// A stored enum (`PowerupType`, `PointSource`) by its text.
pub(crate) fn parse<T: FromStr>(row: &Row, column: &str) -> StoreResult<T>
where
    T::Err: std::fmt::Display,
{
    let text: &str = get(row, column)?;
    text.parse().map_err(|e| bad_value(column, e))
}

/// A stored hash (32 bytes).
pub(crate) fn token_hash(row: &Row, column: &str) -> StoreResult<TokenHash> {
    let bytes: &[u8] = get(row, column)?;
    <[u8; 32]>::try_from(bytes)
        .map(TokenHash)
        .map_err(|_| bad_value(column, "not 32 bytes"))
}

/// A JSON document as stored.
pub(crate) fn json_text(v: &Value) -> String {
    v.to_string()
}
