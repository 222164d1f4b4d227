//! The C allocator's settings for a server process.
//!
//! SQLite's connections allocate their page caches with `malloc`. Under writes, each reader
//! connection empties its page cache at the start of every read (the file changed since its
//! last one), freeing and reallocating its pages. By default glibc hands the top of a thread's
//! heap back to the kernel as soon as 128 KiB of it is free, with an `madvise` that flushes the
//! TLB of every core, and the next allocation faults the pages back in. A profile of
//! `scripts/bench-api`'s write load put 14 % of the server's time there. Keeping up to 4 MiB
//! free per heap took that endpoint from 6,100–6,500 to 7,200–7,800 requests a second in
//! alternating runs (32 MiB did no better; BENCHMARKS.md). The cost is memory a heap may keep
//! unused: at most the threshold per malloc arena (glibc makes at most eight per core, and this
//! server uses a few); the benchmark's peak resident memory did not measurably change. Setting
//! the threshold also fixes glibc's mmap threshold at its default of 128 KiB (it no longer
//! adapts).

/// The free memory a heap keeps before glibc returns it to the kernel.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: libc::c_int = 4 << 20;

/// Raises glibc's trim threshold (to 4 MiB) and limits its heaps (arenas) to one per core; a
/// no-op with other C libraries. Call it first thing in `main`, before other threads allocate.
///
/// glibc gives threads that allocate at once heaps of their own, up to eight per core, and each
/// keeps its free memory. The server's allocating threads are its runtime's workers (one per
/// core) and a few for SQLite's blocking work; at most one heap per core, shared by all of
/// them (glibc hands heaps out in turn, not by thread), keeps that memory bounded:
/// `scripts/bench-api` measured 2–4 MiB less peak memory at the same request rates within the
/// machine's noise (BENCHMARKS.md).
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        for (what, param, value) in [
            ("trim threshold", libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD),
            ("arena limit", libc::M_ARENA_MAX, arenas),
        ] {
            // SAFETY: mallopt only changes a parameter of glibc's allocator, under the
            // allocator's own lock. It returns 0 when it refuses a value, which leaves the
            // default in place.
            let accepted = unsafe { libc::mallopt(param, value) };
            if accepted == 0 {
                tracing::warn!("glibc refused the malloc {what}; keeping its default");
            }
        }
    }
}
