//! Signed Kick webhook deliveries under load (written next).

fn main() {}
