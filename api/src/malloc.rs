//! The C allocator's settings for a server process.
//!
//! SQLite's connections allocate their page caches with `malloc`. Under writes, each reader
//! connection empties its page cache at the start of every read (the file changed since its
//! last one), freeing and reallocating its pages. glibc hands the top of a thread's heap back to
//! the kernel as soon as 128 KiB of it is free, with an `madvise` that flushes the TLB of every
//! core, and the next allocation faults the pages back in. A profile of `scripts/bench-api`'s
//! write load put 14 % of the server's time there; keeping up to 32 MiB free per heap
//! took the endpoint from about 7,800 to 9,300 requests a second (BENCHMARKS.md), with no
//! measurable change in resident memory.

/// The free memory a heap keeps before glibc returns it to the kernel.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: libc::c_int = 32 << 20;

/// Raises glibc's trim threshold (to 32 MiB); a no-op with other C libraries.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes a parameter of glibc's allocator, under the allocator's
        // own lock; it is called before any other thread exists. It returns 0 when it refuses
        // a value, which leaves the default in place: nothing to handle.
        let accepted = unsafe { libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD) };
        if accepted == 0 {
            eprintln!("warning: glibc refused the malloc trim threshold; keeping its default");
        }
    }
}
