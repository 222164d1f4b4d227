//! Command cooldowns.

use super::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq, check_err};
use datastore::*;
use std::time::Duration;

/// The first check passes and starts the cooldown; later checks say exactly how long remains
/// and change nothing; when it has passed the command runs again. Cooldowns are per user and
/// per command.
pub async fn cooldown_checks_and_sets(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = user(&*store, s, "viewer").await?;
    let other = user(&*store, s, "other").await?;
    let minute = Duration::from_secs(60);
    check_eq!(
        store.check_cooldown(s, u, "!drop", minute).await?,
        CooldownCheck::Ready,
        "first"
    );
    let started = h.clock().now();
    h.clock().advance(Duration::from_millis(20_500));
    check_eq!(
        store
            .check_cooldown(s, u, "!drop", Duration::from_secs(3600))
            .await?,
        CooldownCheck::Active {
            remaining_ms: 39_500
        },
        "cooling down; a longer cooldown asked now does not extend it"
    );
    check_eq!(
        store.check_cooldown(s, u, "!tts", minute).await?,
        CooldownCheck::Ready,
        "another command"
    );
    check_eq!(
        store.check_cooldown(s, other, "!drop", minute).await?,
        CooldownCheck::Ready,
        "another user"
    );
    let e = export(&*store, s).await?;
    let drop_cd = e
        .cooldowns
        .iter()
        .find(|c| c.user_id == u && c.command == "!drop");
    check_eq!(
        drop_cd.map(|c| (c.last_used_at, c.expires_at)),
        Some((started, started.checked_add(minute).unwrap_or(started))),
        "the recorded cooldown"
    );
    h.clock().advance(Duration::from_millis(39_500));
    check_eq!(
        store.check_cooldown(s, u, "!drop", minute).await?,
        CooldownCheck::Ready,
        "passed"
    );
    check_eq!(
        store.check_cooldown(s, u, "!drop", minute).await?,
        CooldownCheck::Active {
            remaining_ms: 60_000
        },
        "and started again"
    );
    check_eq!(
        store.check_cooldown(s, u, "!zero", Duration::ZERO).await?,
        CooldownCheck::Ready,
        "a zero cooldown"
    );
    check_eq!(
        store.check_cooldown(s, u, "!zero", Duration::ZERO).await?,
        CooldownCheck::Ready,
        "never blocks"
    );
    check_eq!(
        store.check_cooldown(s, u, "!DROP", minute).await?,
        CooldownCheck::Ready,
        "commands are compared exactly"
    );
    for (cmd, d) in [
        ("", minute),
        ("has space", minute),
        ("!ok", validate::MAX_COOLDOWN + Duration::from_secs(1)),
    ] {
        let r = store.check_cooldown(s, u, cmd, d).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{cmd:?} {d:?}: {r:?}"
        );
    }
    check_err!(
        store
            .check_cooldown(s, UserId(u.0 + 1000), "!drop", minute)
            .await,
        StoreError::not_found(Resource::User),
        "unknown user"
    );
    Ok(())
}

/// Of many concurrent checks of one cooldown, exactly one gets `Ready`.
pub async fn concurrent_cooldown_checks_let_one_through(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = user(&*store, s, "viewer").await?;
    let results = concurrently(16, |_| {
        let store = store.clone();
        async move {
            store
                .check_cooldown(s, u, "!drop", Duration::from_secs(60))
                .await
        }
    })
    .await?;
    let ready = results
        .iter()
        .filter(|r| matches!(r, Ok(CooldownCheck::Ready)))
        .count();
    let active = results
        .iter()
        .filter(|r| matches!(r, Ok(CooldownCheck::Active { .. })))
        .count();
    check_eq!(
        (ready, active),
        (1, 15),
        "one through, the rest cooling down"
    );
    Ok(())
}
