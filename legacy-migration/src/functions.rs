//! The SQL functions the legacy copy runs: legacy timestamps to Unix milliseconds, and session
//! tokens to the SHA-256 hashes the store keeps.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Error};
use sha2::{Digest, Sha256};
use time::{Date, Month, PrimitiveDateTime, Time};

/// Registers `legacy_ms(value, column, now)`, `legacy_time_ok(value)` and
/// `legacy_token_hash(token)` on `conn`.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("legacy_ms", 3, flags, legacy_ms)?;
    // Whether `legacy_ms` accepts the value: the pre-flight scan's test, which names the row
    // where `legacy_ms` could only name the column.
    conn.create_scalar_function("legacy_time_ok", 1, flags, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Null => true,
            ValueRef::Text(t) => std::str::from_utf8(t).ok().and_then(parse_time).is_some(),
            _ => false,
        })
    })?;
    conn.create_scalar_function("legacy_token_hash", 1, flags, |ctx| {
        let token = text(ctx, 0, "session_token")?;
        Ok(Sha256::digest(token.as_bytes()).to_vec())
    })
}

/// `legacy_ms(value, column, now)`: a legacy time as Unix milliseconds; `now` (the migration's
/// start) for a NULL; an error naming the column and the value for anything else.
fn legacy_ms(ctx: &Context<'_>) -> rusqlite::Result<i64> {
    let column: String = ctx.get(1)?;
    let now: i64 = ctx.get(2)?;
    if let ValueRef::Null = ctx.get_raw(0) {
        return Ok(now);
    }
    let value = text(ctx, 0, &column)?;
    parse_time(value).ok_or_else(|| {
        user_error(format!(
            "{column} holds {value:?}, which is not a timestamp (expected \
             'YYYY-MM-DD HH:MM:SS' or ISO-8601 like '2025-12-07T18:04:05.123Z')"
        ))
    })
}

fn text<'a>(ctx: &'a Context<'_>, i: usize, column: &str) -> rusqlite::Result<&'a str> {
    match ctx.get_raw(i) {
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map_err(|_| user_error(format!("{column} holds text that is not UTF-8"))),
        other => Err(user_error(format!(
            "{column} holds a {} where text was expected",
            other.data_type()
        ))),
    }
}

fn user_error(message: String) -> Error {
    Error::UserFunctionError(message.into())
}

/// Parses the two forms a legacy file holds, both UTC: SQLite's `YYYY-MM-DD HH:MM:SS` and
/// JavaScript's `YYYY-MM-DDTHH:MM:SS.sssZ` (the `T` or a space, fractional seconds of any
/// length and the `Z` each optional). Milliseconds are kept; finer digits are dropped.
pub(crate) fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b' ' | b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let part = &b[from..to];
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let mut rest = &b[19..];
    let mut millis = 0u32;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        millis = fraction[..digits]
            .iter()
            .chain(std::iter::repeat(&b'0'))
            .take(3)
            .fold(0, |n, d| n * 10 + u32::from(d - b'0'));
        rest = &fraction[digits..];
    }
    if !(rest.is_empty() || rest == b"Z") {
        return None;
    }
    let year = i32::try_from(num(0, 4)?).ok()?;
    let month = Month::try_from(u8::try_from(num(5, 7)?).ok()?).ok()?;
    let date = Date::from_calendar_date(year, month, u8::try_from(num(8, 10)?).ok()?).ok()?;
    let time = Time::from_hms_milli(
        u8::try_from(num(11, 13)?).ok()?,
        u8::try_from(num(14, 16)?).ok()?,
        u8::try_from(num(17, 19)?).ok()?,
        u16::try_from(millis).ok()?,
    )
    .ok()?;
    let at = PrimitiveDateTime::new(date, time).assume_utc();
    Some(at.unix_timestamp() * 1000 + i64::from(at.millisecond()))
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn both_legacy_forms_parse_to_the_same_instant() {
        let sqlite = parse_time("2025-12-07 18:04:05").unwrap();
        assert_eq!(sqlite, 1_765_130_645_000);
        assert_eq!(parse_time("2025-12-07T18:04:05.123Z"), Some(sqlite + 123));
        assert_eq!(parse_time("2025-12-07T18:04:05Z"), Some(sqlite));
        assert_eq!(parse_time("2025-12-07T18:04:05.1Z"), Some(sqlite + 100));
        assert_eq!(parse_time("2025-12-07 18:04:05.123456"), Some(sqlite + 123));
        assert_eq!(parse_time("1970-01-01 00:00:00"), Some(0));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "2025-12-07",
            "2025-13-07 18:04:05",
            "2025-02-30 18:04:05",
            "2025-12-07 24:00:00",
            "2025-12-07 18:04:05+01:00",
            "2025-12-07 18:04:05.",
            "2025/12/07 18:04:05",
            "yesterday at noon!!",
            "2025-12-07 18:04:0x",
        ] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }
}
