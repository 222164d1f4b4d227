//! Fault-injecting wrappers (filled in below).
