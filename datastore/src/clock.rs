//! Time: the [`Timestamp`] type and the [`Clock`] a store reads it from.
//!
//! Stores never read the system time themselves: they ask the [`Clock`] they were built with.
//! Production uses [`SystemClock`]; tests use [`ManualClock`] so that expiry and cooldowns are
//! exact and two stores driven side by side see the same instants.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An instant in UTC with millisecond precision, between 1970-01-01 and 9999-12-31.
///
/// It serializes as RFC 3339 text with milliseconds and a `Z`, for example
/// `2025-12-07T18:04:05.123Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a value is not a [`Timestamp`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// The instant is before 1970 or after 9999.
    #[error("timestamp out of range (1970-01-01 to 9999-12-31)")]
    OutOfRange,
    /// The text is not RFC 3339.
    #[error("not an RFC 3339 timestamp: {0}")]
    Malformed(String),
}

impl Timestamp {
    /// The earliest representable instant, 1970-01-01T00:00:00.000Z.
    pub const MIN: Timestamp = Timestamp(0);
    /// The latest representable instant, 9999-12-31T23:59:59.999Z.
    pub const MAX: Timestamp = Timestamp(253_402_300_799_999);

    /// The instant `ms` milliseconds after the Unix epoch.
    pub fn from_millis(ms: i64) -> Result<Self, TimestampError> {
        if (Self::MIN.0..=Self::MAX.0).contains(&ms) {
            Ok(Timestamp(ms))
        } else {
            Err(TimestampError::OutOfRange)
        }
    }

    /// The instant `ms` milliseconds after the Unix epoch, clamped into range (usable in
    /// constants).
    pub const fn saturating_from_millis(ms: i64) -> Self {
        if ms < Self::MIN.0 {
            Self::MIN
        } else if ms > Self::MAX.0 {
            Self::MAX
        } else {
            Timestamp(ms)
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn as_millis(self) -> i64 {
        self.0
    }

    /// This instant plus `d` (milliseconds are kept, finer parts dropped), or `None` past
    /// [`Timestamp::MAX`].
    pub fn checked_add(self, d: Duration) -> Option<Self> {
        let ms = i64::try_from(d.as_millis()).ok()?;
        Self::from_millis(self.0.checked_add(ms)?).ok()
    }

    /// This instant minus `d`, or `None` before [`Timestamp::MIN`].
    pub fn checked_sub(self, d: Duration) -> Option<Self> {
        let ms = i64::try_from(d.as_millis()).ok()?;
        Self::from_millis(self.0.checked_sub(ms)?).ok()
    }

    /// How long after `earlier` this instant is; zero when it is not after it.
    pub fn saturating_since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(u64::try_from(self.0 - earlier.0).unwrap_or(0))
    }

    fn to_offset_date_time(self) -> OffsetDateTime {
        // In range by construction, so the conversion cannot fail.
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.to_offset_date_time();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    /// Parses RFC 3339 text with any offset; sub-millisecond digits are dropped.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = OffsetDateTime::parse(s, &Rfc3339)
            .map_err(|e| TimestampError::Malformed(e.to_string()))?;
        let ms = t.unix_timestamp_nanos().div_euclid(1_000_000);
        Self::from_millis(i64::try_from(ms).map_err(|_| TimestampError::OutOfRange)?)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// RFC 3339 text with milliseconds and a `Z`, as [`Timestamp`] serializes.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "An instant in UTC, RFC 3339 with milliseconds and a Z \
                (2025-12-07T18:04:05.123Z); read with any offset",
            "examples": ["2025-12-07T18:04:05.123Z"]
        })
    }
}

/// Where a store reads the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(Timestamp::MAX.0))
            .unwrap_or(0);
        Timestamp(ms.clamp(Timestamp::MIN.0, Timestamp::MAX.0))
    }
}

/// A clock that moves only when told to: exact, repeatable tests.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: Timestamp) -> Self {
        ManualClock(AtomicI64::new(start.0))
    }

    /// Moves the clock to `t`.
    pub fn set(&self, t: Timestamp) {
        self.0.store(t.0, Ordering::SeqCst);
    }

    /// Moves the clock forward by `d`, stopping at [`Timestamp::MAX`].
    pub fn advance(&self, d: Duration) {
        let now = self.now();
        self.set(now.checked_add(d).unwrap_or(Timestamp::MAX));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_rfc3339_with_millis() {
        let t = Timestamp::from_millis(1_765_130_645_123).unwrap();
        assert_eq!(t.to_string(), "2025-12-07T18:04:05.123Z");
        assert_eq!("2025-12-07T18:04:05.123Z".parse::<Timestamp>().unwrap(), t);
        assert_eq!(
            "2025-12-07T19:04:05.123+01:00"
                .parse::<Timestamp>()
                .unwrap(),
            t
        );
        assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59.999Z");
        assert_eq!(Timestamp::MIN.to_string(), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn rejects_out_of_range_and_malformed() {
        assert_eq!(Timestamp::from_millis(-1), Err(TimestampError::OutOfRange));
        assert_eq!(
            Timestamp::from_millis(Timestamp::MAX.0 + 1),
            Err(TimestampError::OutOfRange)
        );
        assert!(matches!(
            "2025-12-07 18:04:05".parse::<Timestamp>(),
            Err(TimestampError::Malformed(_))
        ));
        assert!(
            Timestamp::MAX
                .checked_add(Duration::from_millis(1))
                .is_none()
        );
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(Timestamp::from_millis(1000).unwrap());
        assert_eq!(c.now().as_millis(), 1000);
        c.advance(Duration::from_secs(2));
        assert_eq!(c.now().as_millis(), 3000);
    }
}
