//! The process's file limit: raised as far as allowed at start, and the connection limit kept
//! below it so the store and the listener always have descriptors left.

/// Descriptors kept for everything but client connections: the database, its journal and
/// shared memory for each store connection, the listener, logs, a margin.
pub const RESERVED_FILES: u64 = 64;

/// The fewest client connections a server may start with.
pub const MIN_CONNECTIONS: usize = 16;

/// Why the connection limit cannot be met.
#[derive(Debug, thiserror::Error)]
#[error(
    "the open-file limit is {limit}, which leaves fewer than {MIN_CONNECTIONS} connections \
     after {RESERVED_FILES} descriptors for the store: raise it (`ulimit -n`)"
)]
pub struct TooFewFiles {
    /// The soft limit after raising it.
    pub limit: u64,
}

/// Raises the soft open-file limit to the hard one and returns it (`None` where the platform
/// has no such limit).
pub fn raise_soft_limit() -> Option<u64> {
    imp::raise()
}

/// `wanted` connections, lowered to fit under a file limit of `limit`.
pub fn connections_within(wanted: usize, limit: Option<u64>) -> Result<usize, TooFewFiles> {
    let Some(limit) = limit else {
        return Ok(wanted);
    };
    let room = usize::try_from(limit.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
    if room < MIN_CONNECTIONS {
        return Err(TooFewFiles { limit });
    }
    Ok(wanted.min(room))
}

#[cfg(unix)]
mod imp {
    pub fn raise() -> Option<u64> {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `lim` is a valid, writable rlimit for the call's duration.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            // SAFETY: `raised` is a valid rlimit; failure leaves the limit as it was.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                lim = raised;
            }
        }
        // `rlim_t` is u64 on Linux and macOS, but not on every Unix.
        #[allow(clippy::useless_conversion)]
        Some(u64::try_from(lim.rlim_cur).unwrap_or(u64::MAX))
    }
}

#[cfg(not(unix))]
mod imp {
    pub fn raise() -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_stay_under_the_file_limit() {
        assert_eq!(connections_within(4096, Some(256)).unwrap(), 192);
        assert_eq!(connections_within(100, Some(1 << 20)).unwrap(), 100);
        assert_eq!(connections_within(100, None).unwrap(), 100);
        assert!(connections_within(100, Some(70)).is_err());
    }
}
