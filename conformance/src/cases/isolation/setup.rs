//! What the isolation cases start from: two populated streamers, and ids that exist nowhere.

use crate::cases::support::Shared;
use crate::harness::{Failure, Harness};
use crate::populate::{ALPHA, BRAVO, Population, populate};
use datastore::{Clock, UserId};

/// Two populated streamers, A ("alpha") then B ("bravo").
pub(super) async fn two(h: &Harness) -> Result<(Shared, Population, Population), Failure> {
    let store = h.store().await;
    let now = h.clock().now();
    let a = populate(&*store, h.clock(), ALPHA, now).await?;
    let b = populate(&*store, h.clock(), BRAVO, h.clock().now()).await?;
    Ok((store, a, b))
}

/// A user id that exists nowhere.
pub(super) fn missing_user(p: &Population) -> UserId {
    UserId(p.users.iter().map(|(u, _)| u.0).max().unwrap_or(0) + 1_000_000)
}
