//! Rate limits on the routes anyone may call without credentials and that make the store keep
//! something (verification codes): token buckets per client address and per streamer, in
//! memory, each bounded in how many keys it remembers.

use datastore::StreamerId;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The most keys (addresses, streamers) a limiter remembers; past it, keys whose bucket is full
/// again (idle long enough) are forgotten first, then the tenth used longest ago.
pub const MAX_KEYS: usize = 100_000;

/// A rate: up to `per_minute` requests in any minute, as a bucket of that many tokens that
/// refills evenly over the minute. 0 turns the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests per minute (also the burst).
    pub per_minute: u32,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets keyed by `K`.
#[derive(Debug)]
pub struct Limiter<K> {
    rate: Rate,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Eq + Hash + Copy> Limiter<K> {
    /// A limiter at `rate`.
    pub fn new(rate: Rate) -> Self {
        Limiter {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token of `key`'s bucket at `now`, or says how long until one is there.
    pub fn take(&self, key: K, now: Instant) -> Result<(), Duration> {
        if self.rate.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.rate.per_minute);
        let per_token = 60.0 / capacity;
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(&key) {
            buckets.retain(|_, b| refilled(b, now, capacity, per_token) < capacity);
            if buckets.len() >= MAX_KEYS {
                // Every key is in use: forget the tenth used longest ago, never all of them
                // (which would hand every key a full allowance again).
                let mut ages: Vec<Instant> = buckets.values().map(|b| b.at).collect();
                let cut = ages.len() / 10;
                let (_, oldest_kept, _) = ages.select_nth_unstable(cut);
                let oldest_kept = *oldest_kept;
                buckets.retain(|_, b| b.at >= oldest_kept);
                tracing::warn!(
                    keys = buckets.len(),
                    "a rate limiter forgot its oldest keys"
                );
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.tokens = refilled(bucket, now, capacity, per_token);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) * per_token))
        }
    }
}

fn refilled(b: &Bucket, now: Instant, capacity: f64, per_token: f64) -> f64 {
    let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
    (b.tokens + elapsed / per_token).min(capacity)
}

/// The key of a client address: an IPv4 address, or an IPv6 address's /64 (one subscriber's
/// network hands out a whole /64).
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// The limits on issuing verification codes.
#[derive(Debug)]
pub struct CodeLimits {
    /// Per client address.
    pub per_address: Limiter<IpAddr>,
    /// Per streamer, whoever asks.
    pub per_streamer: Limiter<StreamerId>,
}

impl CodeLimits {
    /// Limits at these rates.
    pub fn new(per_address: Rate, per_streamer: Rate) -> Self {
        CodeLimits {
            per_address: Limiter::new(per_address),
            per_streamer: Limiter::new(per_streamer),
        }
    }

    /// Takes a token for a code request from `client` under `streamer`, or says how long to
    /// wait. The address is checked first, so one client's flood does not spend the streamer's
    /// allowance.
    pub fn take(&self, client: Option<IpAddr>, streamer: StreamerId) -> Result<(), Duration> {
        let now = Instant::now();
        if let Some(ip) = client {
            self.per_address.take(address_key(ip), now)?;
        }
        self.per_streamer.take(streamer, now)
    }
}

/// The default limits: 10 code requests a minute per address, 600 per streamer.
pub const DEFAULT_PER_ADDRESS: Rate = Rate { per_minute: 10 };
/// See [`DEFAULT_PER_ADDRESS`].
pub const DEFAULT_PER_STREAMER: Rate = Rate { per_minute: 600 };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_evenly() {
        let l = Limiter::new(Rate { per_minute: 3 });
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.take(1, t).is_ok());
        }
        let wait = l.take(1, t).unwrap_err();
        assert!((19.9..=20.1).contains(&wait.as_secs_f64()), "{wait:?}");
        assert!(l.take(2, t).is_ok(), "keys are independent");
        assert!(l.take(1, t + Duration::from_secs(19)).is_err());
        assert!(l.take(1, t + Duration::from_secs(21)).is_ok());
        let off = Limiter::new(Rate { per_minute: 0 });
        assert!((0..100).all(|_| off.take(1, t).is_ok()));
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn the_key_table_stays_bounded_and_recent_keys_keep_their_state() {
        let l = Limiter::new(Rate { per_minute: 1 });
        let t = Instant::now();
        for k in 0..MAX_KEYS as u64 {
            let _ = l.take(k, t + Duration::from_micros(k));
        }
        let late = t + Duration::from_micros(MAX_KEYS as u64);
        let _ = l.take(u64::MAX, late);
        assert!(l.buckets.lock().unwrap().len() <= MAX_KEYS);
        // The most recent keys were kept, so they are still out of tokens.
        assert!(l.take(MAX_KEYS as u64 - 1, late).is_err());
    }
}
