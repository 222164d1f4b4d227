//! Small helpers the cases share.

use crate::harness::{Failure, check, check_eq};
use datastore::*;
use std::sync::Arc;

/// Creates a streamer with only a username.
pub async fn streamer(store: &dyn DataStore, username: &str) -> Result<StreamerId, Failure> {
    Ok(store
        .create_streamer(NewStreamer::named(username))
        .await?
        .id)
}

/// Gets or creates a user.
pub async fn user(store: &dyn DataStore, s: StreamerId, name: &str) -> Result<UserId, Failure> {
    Ok(store.get_or_create_user(s, name).await?.user.id)
}

/// Creates a user holding `points` channel points.
pub async fn funded(
    store: &dyn DataStore,
    s: StreamerId,
    name: &str,
    points: i64,
) -> Result<UserId, Failure> {
    let u = user(store, s, name).await?;
    if points > 0 {
        store
            .earn_points(s, u, PointDelta::new(points, PointSource::Sub))
            .await?;
    }
    Ok(u)
}

/// The streamer's export, which must exist.
pub async fn export(store: &dyn DataStore, s: StreamerId) -> Result<StreamerExport, Failure> {
    store
        .export_streamer(s)
        .await?
        .ok_or_else(|| Failure(format!("streamer {s} has no export")))
}

/// Every event the streamer keeps, read page by page from the start, with the last page's
/// `last_id`.
pub async fn all_events(store: &dyn DataStore, s: StreamerId) -> StoreResult<EventPage> {
    let mut after = EventId::START;
    let mut events = Vec::new();
    loop {
        let page = store.read_events(s, after, MAX_EVENT_PAGE).await?;
        if page.events.is_empty() {
            return Ok(EventPage {
                events,
                last_id: page.last_id,
            });
        }
        after = page.next_after(after);
        events.extend(page.events);
    }
}

/// A user's channel points.
pub async fn balance(store: &dyn DataStore, s: StreamerId, u: UserId) -> Result<i64, Failure> {
    Ok(store
        .get_points(s, u)
        .await?
        .ok_or_else(|| Failure(format!("user {u} has no points")))?
        .channel_points)
}

/// Checks the data invariants of one streamer's export: balances and quantities in range,
/// each user's ledger summing to their channel points, at most one default layout, and every
/// row belonging to one of the streamer's own users.
pub fn check_invariants(e: &StreamerExport) -> Result<(), Failure> {
    let users: std::collections::BTreeSet<UserId> = e.users.iter().map(|u| u.id).collect();
    for u in &e.users {
        check_eq!(
            u.streamer_id,
            e.streamer.id,
            "user {} belongs to another streamer",
            u.id
        );
    }
    for p in &e.points {
        check!(
            users.contains(&p.user_id),
            "points row of a foreign user {}",
            p.user_id
        );
        check!(
            (0..=validate::MAX_BALANCE).contains(&p.channel_points)
                && (0..=validate::MAX_BALANCE).contains(&p.drop_points)
                && p.total_drops >= 0,
            "balances out of range: {p:?}"
        );
        let ledger: i64 = e
            .transactions
            .iter()
            .filter(|t| t.user_id == p.user_id)
            .map(|t| t.amount)
            .sum();
        check_eq!(
            ledger,
            p.channel_points,
            "the ledger of user {} does not sum to their channel points",
            p.user_id
        );
    }
    for t in &e.transactions {
        check!(
            users.contains(&t.user_id),
            "ledger row of a foreign user: {t:?}"
        );
        if !e.points.iter().any(|p| p.user_id == t.user_id) {
            return Err(Failure(format!(
                "ledger row for a user without balances: {t:?}"
            )));
        }
    }
    for r in &e.inventory {
        check!(
            users.contains(&r.user_id),
            "inventory of a foreign user: {r:?}"
        );
        check!(
            (0..=validate::MAX_QUANTITY).contains(&r.quantity),
            "quantity out of range: {r:?}"
        );
    }
    let linked = e
        .purchases
        .iter()
        .map(|p| p.user_id)
        .chain(e.drops.iter().map(|d| d.user_id))
        .chain(e.cooldowns.iter().map(|c| c.user_id))
        .chain(e.user_sessions.iter().map(|s| s.user_id));
    for u in linked {
        check!(users.contains(&u), "a row points at foreign user {u}");
    }
    check!(
        e.layouts.iter().filter(|l| l.is_default).count() <= 1,
        "more than one default layout"
    );
    Ok(())
}

/// Runs `n` copies of `f` at once and returns their results.
pub async fn concurrently<T, F, Fut>(n: usize, f: F) -> Result<Vec<T>, Failure>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(f(i))).collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(
            t.await
                .map_err(|e| Failure(format!("a concurrent call panicked: {e}")))?,
        );
    }
    Ok(out)
}

/// A store shared by concurrent tasks.
pub type Shared = Arc<dyn DataStore>;
