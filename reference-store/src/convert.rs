//! Between SQLite and the contract: errors, times, JSON documents and enums.

use datastore::{ConflictKind, Resource, StoreError, StoreResult, Timestamp, TokenHash};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{ErrorCode, OptionalExtension, Row};
use serde_json::{Map, Value};
use std::str::FromStr;

/// The unique constraints a write can hit, by SQLite's name for them, and the contract's
/// conflict each one is. Every other constraint failure is a bug (the store checks the rules
/// before it writes) and becomes `Backend`.
const UNIQUE: &[(&str, ConflictKind)] = &[
    ("streamers.username", ConflictKind::StreamerUsername),
    ("streamers.kick_user_id", ConflictKind::KickUserId),
    (
        "user_sessions.streamer_id, user_sessions.token_hash",
        ConflictKind::SessionToken,
    ),
    (
        "streamer_sessions.streamer_id, streamer_sessions.token_hash",
        ConflictKind::SessionToken,
    ),
    (
        "overlay_layouts.streamer_id, overlay_layouts.name",
        ConflictKind::LayoutName,
    ),
];

/// The contract's error for an SQLite error.
pub(crate) fn store_error(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, Some(message)) = &e
        && f.code == ErrorCode::ConstraintViolation
        && let Some(columns) = message.strip_prefix("UNIQUE constraint failed: ")
        && let Some((_, kind)) = UNIQUE.iter().find(|(c, _)| *c == columns)
    {
        return StoreError::conflict(*kind);
    }
    tracing::error!(error = %e, "SQLite failed");
    StoreError::backend(e)
}

/// `.db()?` turns an SQLite result into a contract result.
pub(crate) trait Db<T> {
    fn db(self) -> StoreResult<T>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> StoreResult<T> {
        self.map_err(store_error)
    }
}

/// `.db_optional()?`: a query for at most one row, `None` when there is none.
pub(crate) trait DbOptional<T> {
    fn db_optional(self) -> StoreResult<Option<T>>;
}

impl<T> DbOptional<T> for rusqlite::Result<T> {
    fn db_optional(self) -> StoreResult<Option<T>> {
        self.optional().map_err(store_error)
    }
}

/// Deletes one row of a streamer; `NotFound(missing)` when there was none.
pub(crate) fn delete_one(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
    missing: Resource,
) -> StoreResult<()> {
    match conn.prepare_cached(sql).db()?.execute(params).db()? {
        0 => Err(StoreError::not_found(missing)),
        _ => Ok(()),
    }
}

/// A stored time (Unix milliseconds).
pub(crate) fn ts(row: &Row<'_>, column: &str) -> rusqlite::Result<Timestamp> {
    let ms: i64 = row.get(column)?;
    Timestamp::from_millis(ms).map_err(|e| bad_value(column, e))
}

/// [`ts`] by position: for hot rows read by index, `column` names it in errors.
pub(crate) fn ts_at(row: &Row<'_>, index: usize, column: &str) -> rusqlite::Result<Timestamp> {
    let ms: i64 = row.get(index)?;
    Timestamp::from_millis(ms).map_err(|e| bad_value(column, e))
}

/// A stored JSON document.
pub(crate) fn json(row: &Row<'_>, column: &str) -> rusqlite::Result<Value> {
    let text: String = row.get(column)?;
    serde_json::from_str(&text).map_err(|e| bad_value(column, e))
}

/// A stored JSON object.
pub(crate) fn json_object(row: &Row<'_>, column: &str) -> rusqlite::Result<Map<String, Value>> {
    match json(row, column)? {
        Value::Object(m) => Ok(m),
        _ => Err(bad_value(column, "not a JSON object")),
    }
}

/// A stored enum (`PowerupType`, `PointSource`) by its text.
pub(crate) fn parse<T: FromStr>(row: &Row<'_>, column: &str) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    let text: String = row.get(column)?;
    text.parse().map_err(|e| bad_value(column, e))
}

/// A stored token hash (32 bytes).
pub(crate) fn token_hash(row: &Row<'_>, column: &str) -> rusqlite::Result<TokenHash> {
    let bytes: Vec<u8> = row.get(column)?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map(TokenHash)
        .map_err(|_| bad_value(column, "not 32 bytes"))
}

/// A JSON document as stored.
pub(crate) fn json_text(v: &Value) -> String {
    v.to_string()
}

/// A count as the contract's `u64`.
pub(crate) struct Count(pub u64);

impl FromSql for Count {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let n = i64::column_result(value)?;
        u64::try_from(n)
            .map(Count)
            .map_err(|_| FromSqlError::OutOfRange(n))
    }
}

/// The error of a stored value the contract's type refuses.
pub(crate) fn bad_value(column: &str, e: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("column {column} holds an invalid value: {e}").into(),
    )
}
