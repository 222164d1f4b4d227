//! Limits and validation shared by every backend.
//!
//! A backend calls these (usually through the `validate` methods of the input types) before it
//! changes anything, so every backend accepts and refuses exactly the same inputs, with the same
//! [`StoreError::InvalidInput`]. The limits keep every per-user sum the contract computes (a
//! balance, a leaderboard total) far from `i64` overflow; sums over a whole streamer
//! (analytics) saturate instead.

use crate::error::{StoreError, StoreResult};
use std::time::Duration;

/// Longest viewer username, in characters.
pub const MAX_USERNAME_CHARS: usize = 64;
/// Longest streamer username, in characters (it is a URL path segment).
pub const MAX_STREAMER_USERNAME_CHARS: usize = 32;
/// Longest display name, label or layout name, in characters.
pub const MAX_NAME_CHARS: usize = 128;
/// Longest URL (avatar, drop image), in characters.
pub const MAX_URL_CHARS: usize = 2048;
/// Longest free text (descriptions, tips, effects), in characters.
pub const MAX_TEXT_CHARS: usize = 1000;
/// Longest key (setting key, goal id, layout id, provider, command, voice id), in characters.
pub const MAX_KEY_CHARS: usize = 128;
/// Longest overlay setting value, in bytes.
pub const MAX_SETTING_VALUE_BYTES: usize = 16 * 1024;
/// Largest JSON document (layout, theme, powerup variables), serialized, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
/// Longest OAuth token or scope, in characters.
pub const MAX_TOKEN_CHARS: usize = 4096;
/// Longest verification code, in characters.
pub const MAX_CODE_CHARS: usize = 32;
/// Largest amount one earn, spend or award moves.
pub const MAX_AMOUNT: i64 = 1_000_000_000;
/// Largest balance (channel points, drop points) or goal value: a trillion, a million years of
/// watching at the legacy rate, and far enough from `i64::MAX` that a streamer-wide sum only
/// saturates with millions of users at the maximum.
pub const MAX_BALANCE: i64 = 1_000_000_000_000;
/// Largest score of one drop.
pub const MAX_DROP_SCORE: i64 = 1_000_000;
/// Largest quantity of one powerup a user can hold.
pub const MAX_QUANTITY: i64 = 1_000_000;
/// Largest absolute tip sort order.
pub const MAX_SORT_ORDER: i64 = 1_000_000_000;
/// Longest command cooldown.
pub const MAX_COOLDOWN: Duration = Duration::from_secs(30 * 24 * 3600);
/// Largest page or leaderboard size.
pub const MAX_PAGE_LIMIT: u32 = 1000;
/// Deepest nesting of a JSON document (layouts, themes, powerup variables): well under what
/// JSON parsers accept (serde_json stops at 128), so every backend can store and read it back.
pub const MAX_DOCUMENT_DEPTH: usize = 32;
/// Most usernames one bulk award may name.
pub const MAX_BULK_USERS: usize = 100_000;

fn chars_between(field: &str, s: &str, min: usize, max: usize) -> StoreResult<()> {
    let n = s.chars().count();
    if n < min {
        return Err(StoreError::invalid(field, "must not be empty"));
    }
    if n > max {
        return Err(StoreError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

/// Free text: no control characters other than newline and tab, at most `max` characters,
/// at least `min`.
pub fn text(field: &str, s: &str, min: usize, max: usize) -> StoreResult<()> {
    chars_between(field, s, min, max)?;
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(StoreError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    if min > 0 && s.trim().is_empty() {
        return Err(StoreError::invalid(field, "must not be blank"));
    }
    Ok(())
}

/// Optional free text of at most `max` characters.
pub fn optional_text(field: &str, s: Option<&str>, max: usize) -> StoreResult<()> {
    s.map_or(Ok(()), |s| text(field, s, 0, max))
}

/// A single-line name: 1 to `max` characters, no control characters, no surrounding spaces.
pub fn name(field: &str, s: &str, max: usize) -> StoreResult<()> {
    text(field, s, 1, max)?;
    if s.contains(['\n', '\t']) {
        return Err(StoreError::invalid(field, "must be a single line"));
    }
    if s.trim() != s {
        return Err(StoreError::invalid(
            field,
            "must not start or end with whitespace",
        ));
    }
    Ok(())
}

/// A viewer username: any single-line text of 1 to [`MAX_USERNAME_CHARS`] characters (unicode,
/// quotes and SQL-looking text are data like any other). Compared ignoring ASCII case.
pub fn username(s: &str) -> StoreResult<()> {
    name("username", s, MAX_USERNAME_CHARS)
}

/// A streamer username: 1 to [`MAX_STREAMER_USERNAME_CHARS`] ASCII letters, digits, `_` or `-`
/// (it appears in every URL of the streamer). Compared ignoring ASCII case.
pub fn streamer_username(s: &str) -> StoreResult<()> {
    chars_between("username", s, 1, MAX_STREAMER_USERNAME_CHARS)?;
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(StoreError::invalid(
            "username",
            "may hold only ASCII letters, digits, '_' and '-'",
        ));
    }
    Ok(())
}

/// A key (setting key, goal id, layout id, provider, command): 1 to [`MAX_KEY_CHARS`] ASCII
/// letters, digits, `_`, `-`, `.` or `:`.
pub fn key(field: &str, s: &str) -> StoreResult<()> {
    chars_between(field, s, 1, MAX_KEY_CHARS)?;
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
    {
        return Err(StoreError::invalid(
            field,
            "may hold only ASCII letters, digits, '_', '-', '.' and ':'",
        ));
    }
    Ok(())
}

/// A chat command (`!drop`): 1 to [`MAX_KEY_CHARS`] characters, no whitespace or control
/// characters. Compared exactly.
pub fn command(s: &str) -> StoreResult<()> {
    chars_between("command", s, 1, MAX_KEY_CHARS)?;
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(StoreError::invalid(
            "command",
            "must not contain whitespace or control characters",
        ));
    }
    Ok(())
}

/// An optional URL: at most [`MAX_URL_CHARS`] characters, no whitespace or control characters.
pub fn optional_url(field: &str, s: Option<&str>) -> StoreResult<()> {
    let Some(s) = s else { return Ok(()) };
    chars_between(field, s, 1, MAX_URL_CHARS)?;
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(StoreError::invalid(field, "must not contain whitespace"));
    }
    Ok(())
}

/// An ISO 3166-1 alpha-2 country code in either case; returns it upper-cased.
pub fn country(s: Option<&str>) -> StoreResult<Option<String>> {
    let Some(s) = s else { return Ok(None) };
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(Some(s.to_ascii_uppercase()))
    } else {
        Err(StoreError::invalid(
            "country",
            "must be a two-letter ISO 3166-1 code",
        ))
    }
}

/// An amount moved by one earn, spend or award: 1 to [`MAX_AMOUNT`].
pub fn amount(field: &str, n: i64) -> StoreResult<()> {
    in_range(field, n, 1, MAX_AMOUNT)
}

/// A balance set by an admin: 0 to [`MAX_BALANCE`].
pub fn balance(field: &str, n: i64) -> StoreResult<()> {
    in_range(field, n, 0, MAX_BALANCE)
}

/// `current + delta` as a new balance, refused past [`MAX_BALANCE`].
pub fn add_to_balance(field: &str, current: i64, delta: i64) -> StoreResult<i64> {
    match current.checked_add(delta) {
        Some(n) if (0..=MAX_BALANCE).contains(&n) => Ok(n),
        _ => Err(StoreError::invalid(
            field,
            format!("the balance would leave the range 0 to {MAX_BALANCE}"),
        )),
    }
}

/// `n` within `min..=max`.
pub fn in_range(field: &str, n: i64, min: i64, max: i64) -> StoreResult<()> {
    if (min..=max).contains(&n) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            format!("must be between {min} and {max}"),
        ))
    }
}

/// A JSON document of at most [`MAX_DOCUMENT_BYTES`] serialized and [`MAX_DOCUMENT_DEPTH`]
/// levels of nesting; `object` requires a JSON object.
pub fn document(field: &str, v: &serde_json::Value, object: bool) -> StoreResult<()> {
    if object && !v.is_object() {
        return Err(StoreError::invalid(field, "must be a JSON object"));
    }
    if depth(v) > MAX_DOCUMENT_DEPTH {
        return Err(StoreError::invalid(
            field,
            format!("must nest at most {MAX_DOCUMENT_DEPTH} levels deep"),
        ));
    }
    let len = serde_json::to_vec(v)
        .map_err(|e| StoreError::invalid(field, e.to_string()))?
        .len();
    if len > MAX_DOCUMENT_BYTES {
        return Err(StoreError::invalid(
            field,
            format!("must be at most {MAX_DOCUMENT_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// How deeply `v` nests (a scalar is 0, `[]` and `{}` are 1), without recursion.
fn depth(v: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &serde_json::Value>> = match v {
            serde_json::Value::Array(a) => Box::new(a.iter()),
            serde_json::Value::Object(o) => Box::new(o.values()),
            _ => continue,
        };
        deepest = deepest.max(d + 1);
        stack.extend(children.map(|c| (c, d + 1)));
    }
    deepest
}

/// A page or leaderboard size: 1 to [`MAX_PAGE_LIMIT`].
pub fn limit(n: u32) -> StoreResult<()> {
    if (1..=MAX_PAGE_LIMIT).contains(&n) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE_LIMIT}"),
        ))
    }
}

/// A command cooldown: at most [`MAX_COOLDOWN`].
pub fn cooldown(d: Duration) -> StoreResult<()> {
    if d <= MAX_COOLDOWN {
        Ok(())
    } else {
        Err(StoreError::invalid("cooldown", "must be at most 30 days"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_accept_unicode_and_quotes_but_not_control_or_padding() {
        assert!(username("Zoë").is_ok());
        assert!(username("o'brien\"; DROP TABLE users;--").is_ok());
        assert!(username("").is_err());
        assert!(username(" padded").is_err());
        assert!(username("a\u{0}b").is_err());
        assert!(username("two\nlines").is_err());
        assert!(username(&"x".repeat(MAX_USERNAME_CHARS)).is_ok());
        assert!(username(&"x".repeat(MAX_USERNAME_CHARS + 1)).is_err());
    }

    #[test]
    fn streamer_usernames_are_url_safe() {
        assert!(streamer_username("coding_butter-2").is_ok());
        assert!(streamer_username("with space").is_err());
        assert!(streamer_username("é").is_err());
        assert!(streamer_username("a/b").is_err());
    }

    #[test]
    fn balances_stay_in_range() {
        assert_eq!(add_to_balance("amount", 5, -5), Ok(0));
        assert!(add_to_balance("amount", 5, -6).is_err());
        assert!(add_to_balance("amount", MAX_BALANCE, 1).is_err());
        assert!(add_to_balance("amount", i64::MAX, 1).is_err());
    }

    #[test]
    fn documents_are_bounded_in_depth() {
        let mut deep = serde_json::json!(1);
        for _ in 0..MAX_DOCUMENT_DEPTH {
            deep = serde_json::json!([deep]);
        }
        assert_eq!(depth(&deep), MAX_DOCUMENT_DEPTH);
        assert!(document("layout", &deep, false).is_ok());
        let too_deep = serde_json::json!({ "a": deep });
        assert!(document("layout", &too_deep, true).is_err());
        assert_eq!(depth(&serde_json::json!({})), 1);
        assert_eq!(depth(&serde_json::json!(null)), 0);
    }

    #[test]
    fn countries_are_normalised() {
        assert_eq!(country(Some("de")), Ok(Some("DE".into())));
        assert!(country(Some("DEU")).is_err());
        assert!(country(Some("1A")).is_err());
        assert_eq!(country(None), Ok(None));
    }
}
