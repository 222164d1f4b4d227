//! Points writes: earn, spend, admin set, drops and bulk awards, their bounds and races.

use super::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq, check_err};
use datastore::*;
use std::time::Duration;

fn delta(amount: i64, source: PointSource, description: &str) -> PointDelta {
    PointDelta {
        amount,
        source,
        description: Some(description.into()),
    }
}

/// Earning and spending move channel points and write one ledger row each.
pub async fn earn_and_spend_move_balance_and_ledger(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = user(&*store, s, "viewer").await?;
    check_eq!(
        store.get_points(s, u).await?,
        Some(Points::ZERO),
        "a new user has nothing"
    );
    h.clock().advance(Duration::from_secs(1));
    let t1 = h.clock().now();
    let earned = store
        .earn_points(s, u, delta(100, PointSource::Chat, "hello"))
        .await?;
    check_eq!(
        earned,
        Points {
            channel_points: 100,
            drop_points: 0,
            total_drops: 0,
            last_updated: Some(t1),
        },
        "after earning"
    );
    h.clock().advance(Duration::from_secs(1));
    let t2 = h.clock().now();
    let spent = store
        .spend_points(s, u, delta(30, PointSource::Spend, "text-to-speech"))
        .await?;
    check_eq!(
        (spent.channel_points, spent.last_updated),
        (70, Some(t2)),
        "after spending"
    );
    check_eq!(
        store.get_points(s, u).await?,
        Some(spent),
        "get_points agrees"
    );
    let history = store
        .transaction_history(
            s,
            u,
            HistoryRequest {
                limit: 10,
                before: None,
            },
        )
        .await?
        .unwrap_or_default();
    let got: Vec<(i64, PointSource, Option<&str>, Timestamp, UserId)> = history
        .iter()
        .map(|t| {
            (
                t.amount,
                t.source,
                t.description.as_deref(),
                t.created_at,
                t.user_id,
            )
        })
        .collect();
    check_eq!(
        got,
        vec![
            (-30, PointSource::Spend, Some("text-to-speech"), t2, u),
            (100, PointSource::Chat, Some("hello"), t1, u),
        ],
        "the ledger, newest first"
    );
    check_invariants(&export(&*store, s).await?)
}

/// A spend the balance does not cover fails with the balance and changes nothing, not even
/// creating a balance row.
pub async fn spend_refuses_insufficient_balance_and_changes_nothing(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let rich = funded(&*store, s, "rich", 50).await?;
    let poor = user(&*store, s, "poor").await?;
    let before = export(&*store, s).await?;
    h.clock().advance(Duration::from_secs(1));
    check_err!(
        store
            .spend_points(s, rich, PointDelta::new(51, PointSource::Gamble))
            .await,
        StoreError::InsufficientPoints {
            balance: 50,
            required: 51
        },
        "one more than the balance"
    );
    check_err!(
        store
            .spend_points(s, poor, PointDelta::new(1, PointSource::Spend))
            .await,
        StoreError::InsufficientPoints {
            balance: 0,
            required: 1
        },
        "a user without points"
    );
    check_eq!(export(&*store, s).await?, before, "nothing changed");
    let exact = store
        .spend_points(s, rich, PointDelta::new(50, PointSource::Duel))
        .await?;
    check_eq!(
        exact.channel_points,
        0,
        "spending the whole balance is allowed"
    );
    Ok(())
}

/// Concurrent spends never overdraw: with 100 points and 25 spends of 10, exactly 10 succeed.
pub async fn concurrent_spends_never_overdraw(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = funded(&*store, s, "viewer", 100).await?;
    let results = concurrently(25, |_| {
        let store = store.clone();
        async move {
            store
                .spend_points(s, u, PointDelta::new(10, PointSource::Spend))
                .await
        }
    })
    .await?;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::InsufficientPoints { .. })))
        .count();
    check_eq!((ok, refused), (10, 15), "successes and refusals");
    check_eq!(balance(&*store, s, u).await?, 0, "the balance");
    check_invariants(&export(&*store, s).await?)
}

/// Concurrent earns lose no update.
pub async fn concurrent_earns_lose_no_update(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = user(&*store, s, "viewer").await?;
    let results = concurrently(40, |_| {
        let store = store.clone();
        async move {
            store
                .earn_points(s, u, PointDelta::new(7, PointSource::Watch))
                .await
        }
    })
    .await?;
    check!(
        results.iter().all(|r| r.is_ok()),
        "every earn succeeds: {results:?}"
    );
    check_eq!(balance(&*store, s, u).await?, 280, "the balance");
    let e = export(&*store, s).await?;
    check_eq!(e.transactions.len(), 40, "one ledger row per earn");
    check_invariants(&e)
}

/// An admin set writes the new balances and an `admin` ledger row of the difference.
pub async fn set_points_records_an_adjustment(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = funded(&*store, s, "viewer", 100).await?;
    store
        .add_drop_points(
            s,
            u,
            NewDrop {
                score: 9,
                is_perfect: false,
                powerup_used: None,
            },
        )
        .await?;
    let lowered = store
        .set_points(
            s,
            u,
            AdminSetPoints {
                channel_points: 40,
                drop_points: None,
                description: None,
            },
        )
        .await?;
    check_eq!(
        (
            lowered.channel_points,
            lowered.drop_points,
            lowered.total_drops
        ),
        (40, 9, 1),
        "channel points set, drop points kept"
    );
    let reset = store
        .set_points(
            s,
            u,
            AdminSetPoints {
                channel_points: 40,
                drop_points: Some(0),
                description: Some("season reset".into()),
            },
        )
        .await?;
    check_eq!(
        (reset.channel_points, reset.drop_points),
        (40, 0),
        "drop points reset"
    );
    let history = store
        .transaction_history(
            s,
            u,
            HistoryRequest {
                limit: 2,
                before: None,
            },
        )
        .await?
        .unwrap_or_default();
    let got: Vec<(i64, PointSource, Option<&str>)> = history
        .iter()
        .map(|t| (t.amount, t.source, t.description.as_deref()))
        .collect();
    check_eq!(
        got,
        vec![
            (0, PointSource::Admin, Some("season reset")),
            (-60, PointSource::Admin, Some("adjustment")),
        ],
        "adjustment rows"
    );
    for bad in [
        AdminSetPoints {
            channel_points: -1,
            drop_points: None,
            description: None,
        },
        AdminSetPoints {
            channel_points: 1,
            drop_points: Some(-1),
            description: None,
        },
        AdminSetPoints {
            channel_points: validate::MAX_BALANCE + 1,
            drop_points: None,
            description: None,
        },
    ] {
        let r = store.set_points(s, u, bad.clone()).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{bad:?}: {r:?}"
        );
    }
    check_invariants(&export(&*store, s).await?)
}

/// A drop adds drop points, counts the drop and records it, and writes no ledger row.
pub async fn add_drop_points_counts_and_records(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = funded(&*store, s, "dropper", 5).await?;
    store
        .add_drop_points(
            s,
            u,
            NewDrop {
                score: 50,
                is_perfect: false,
                powerup_used: None,
            },
        )
        .await?;
    h.clock().advance(Duration::from_secs(3));
    let p = store
        .add_drop_points(
            s,
            u,
            NewDrop {
                score: 200,
                is_perfect: true,
                powerup_used: Some(PowerupType::Ghost),
            },
        )
        .await?;
    check_eq!(
        (
            p.channel_points,
            p.drop_points,
            p.total_drops,
            p.last_updated
        ),
        (5, 250, 2, Some(h.clock().now())),
        "balances after two drops"
    );
    let e = export(&*store, s).await?;
    let drops: Vec<(UserId, i64, bool, Option<PowerupType>)> = e
        .drops
        .iter()
        .map(|d| (d.user_id, d.score, d.is_perfect, d.powerup_used))
        .collect();
    check_eq!(
        drops,
        vec![
            (u, 50, false, None),
            (u, 200, true, Some(PowerupType::Ghost))
        ],
        "drop history"
    );
    check_eq!(e.transactions.len(), 1, "drops write no ledger rows");
    for score in [-1, validate::MAX_DROP_SCORE + 1] {
        let r = store
            .add_drop_points(
                s,
                u,
                NewDrop {
                    score,
                    is_perfect: false,
                    powerup_used: None,
                },
            )
            .await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "score {score}: {r:?}"
        );
    }
    check_eq!(
        export(&*store, s).await?,
        e,
        "refused drops changed nothing"
    );
    Ok(())
}

/// A bulk award reaches each named user once (names differing only in ASCII case are one
/// user), creating the missing ones with the first spelling given.
pub async fn bulk_award_creates_and_awards_each_user_once(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let alice = funded(&*store, s, "alice", 10).await?;
    let names: Vec<String> = ["ALICE", "alice", "newbie", "NEWBIE", "zoë", "ZOË"]
        .map(String::from)
        .to_vec();
    let r = store
        .bulk_award(s, &names, PointDelta::new(5, PointSource::Watch))
        .await?;
    check_eq!(
        r,
        BulkAward {
            awarded: 4,
            created: 3
        },
        "distinct users and new users"
    );
    check_eq!(balance(&*store, s, alice).await?, 15, "the existing user");
    let newbie = store
        .get_user_by_username(s, "Newbie")
        .await?
        .ok_or_else(|| crate::harness::Failure("newbie was not created".into()))?;
    check_eq!(newbie.username, "newbie", "the first spelling is kept");
    check_eq!(
        balance(&*store, s, newbie.id).await?,
        5,
        "the new user's award"
    );
    check_eq!(store.count_users(s).await?, 4, "users");
    let e = export(&*store, s).await?;
    check_eq!(
        e.transactions.len(),
        5,
        "one ledger row per awarded user, plus alice's first"
    );
    check_invariants(&e)?;
    check_eq!(
        store
            .bulk_award(s, &[], PointDelta::new(5, PointSource::Watch))
            .await?,
        BulkAward {
            awarded: 0,
            created: 0
        },
        "an empty award"
    );
    check_err!(
        store
            .bulk_award(
                StreamerId(s.0 + 1000),
                &names,
                PointDelta::new(5, PointSource::Watch)
            )
            .await,
        StoreError::not_found(Resource::Streamer),
        "unknown streamer"
    );
    Ok(())
}

/// A bulk award with one bad name, one balance past the maximum or too many names changes
/// nothing at all.
pub async fn bulk_award_is_all_or_nothing(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let full = user(&*store, s, "full").await?;
    store
        .set_points(
            s,
            full,
            AdminSetPoints {
                channel_points: validate::MAX_BALANCE,
                drop_points: None,
                description: None,
            },
        )
        .await?;
    funded(&*store, s, "someone", 1).await?;
    let before = export(&*store, s).await?;
    let award = PointDelta::new(5, PointSource::Watch);
    let bad_name: Vec<String> = vec!["someone".into(), "fresh".into(), " bad".into()];
    let r = store.bulk_award(s, &bad_name, award.clone()).await;
    check!(
        matches!(r, Err(StoreError::InvalidInput { .. })),
        "a bad name: {r:?}"
    );
    let overflow: Vec<String> = vec!["someone".into(), "fresh".into(), "FULL".into()];
    let r = store.bulk_award(s, &overflow, award.clone()).await;
    check!(
        matches!(r, Err(StoreError::InvalidInput { .. })),
        "an overflow: {r:?}"
    );
    let many: Vec<String> = (0..=validate::MAX_BULK_USERS)
        .map(|i| format!("v{i}"))
        .collect();
    let r = store.bulk_award(s, &many, award).await;
    check!(
        matches!(r, Err(StoreError::InvalidInput { .. })),
        "too many names: {r:?}"
    );
    check_eq!(export(&*store, s).await?, before, "nothing changed");
    Ok(())
}

/// Amounts outside 1 to MAX_AMOUNT and balances past MAX_BALANCE are refused, changing nothing.
pub async fn amounts_and_balances_are_bounded(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = funded(&*store, s, "viewer", 10).await?;
    for amount in [0, -5, validate::MAX_AMOUNT + 1, i64::MIN, i64::MAX] {
        let e = store
            .earn_points(s, u, PointDelta::new(amount, PointSource::Chat))
            .await;
        check!(
            matches!(e, Err(StoreError::InvalidInput { .. })),
            "earn {amount}: {e:?}"
        );
        let sp = store
            .spend_points(s, u, PointDelta::new(amount, PointSource::Spend))
            .await;
        check!(
            matches!(sp, Err(StoreError::InvalidInput { .. })),
            "spend {amount}: {sp:?}"
        );
    }
    let long = "x".repeat(validate::MAX_TEXT_CHARS + 1);
    let r = store
        .earn_points(
            s,
            u,
            PointDelta {
                amount: 1,
                source: PointSource::Chat,
                description: Some(long),
            },
        )
        .await;
    check!(
        matches!(r, Err(StoreError::InvalidInput { .. })),
        "a long description: {r:?}"
    );
    store
        .set_points(
            s,
            u,
            AdminSetPoints {
                channel_points: validate::MAX_BALANCE,
                drop_points: None,
                description: None,
            },
        )
        .await?;
    let before = export(&*store, s).await?;
    let r = store
        .earn_points(s, u, PointDelta::new(1, PointSource::Chat))
        .await;
    check!(
        matches!(r, Err(StoreError::InvalidInput { .. })),
        "past the maximum: {r:?}"
    );
    store
        .add_drop_points(
            s,
            u,
            NewDrop {
                score: 0,
                is_perfect: false,
                powerup_used: None,
            },
        )
        .await?;
    check_eq!(
        balance(&*store, s, u).await?,
        validate::MAX_BALANCE,
        "the balance stays at the maximum"
    );
    check_eq!(
        export(&*store, s).await?.transactions,
        before.transactions,
        "no ledger row"
    );
    Ok(())
}

/// Every point operation on a user id that does not exist finds nothing.
pub async fn point_operations_on_unknown_users_are_not_found(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let real = user(&*store, s, "real").await?;
    let ghost = UserId(real.0 + 1000);
    let nf = StoreError::not_found(Resource::User);
    check_eq!(store.get_points(s, ghost).await?, None, "get_points");
    check_err!(
        store
            .earn_points(s, ghost, PointDelta::new(1, PointSource::Chat))
            .await,
        nf,
        "earn"
    );
    check_err!(
        store
            .spend_points(s, ghost, PointDelta::new(1, PointSource::Spend))
            .await,
        nf,
        "spend"
    );
    check_err!(
        store
            .set_points(
                s,
                ghost,
                AdminSetPoints {
                    channel_points: 1,
                    drop_points: None,
                    description: None
                }
            )
            .await,
        nf,
        "set"
    );
    check_err!(
        store
            .add_drop_points(
                s,
                ghost,
                NewDrop {
                    score: 1,
                    is_perfect: false,
                    powerup_used: None
                }
            )
            .await,
        nf,
        "drop"
    );
    check_eq!(store.points_summary(s, ghost).await?, None, "summary");
    check_eq!(
        store
            .transaction_history(
                s,
                ghost,
                HistoryRequest {
                    limit: 5,
                    before: None
                }
            )
            .await?,
        None,
        "history"
    );
    check_eq!(store.count_users(s).await?, 1, "nothing was created");
    Ok(())
}

/// Concurrent bulk awards naming the same new viewers in opposite orders all succeed, create
/// each viewer once, and award each of them once per award.
pub async fn concurrent_bulk_awards_create_each_viewer_once(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let names: Vec<String> = (0..20).map(|i| format!("new{i}")).collect();
    let reversed: Vec<String> = names.iter().rev().cloned().collect();
    let results = concurrently(8, |i| {
        let store = store.clone();
        let names = if i % 2 == 0 {
            names.clone()
        } else {
            reversed.clone()
        };
        async move {
            store
                .bulk_award(s, &names, PointDelta::new(3, PointSource::Watch))
                .await
        }
    })
    .await?;
    check!(
        results.iter().all(|r| r.is_ok()),
        "every award succeeds: {results:?}"
    );
    check_eq!(store.count_users(s).await?, 20, "each viewer created once");
    let e = export(&*store, s).await?;
    check!(
        e.points.iter().all(|p| p.channel_points == 24),
        "each viewer awarded once per award: {:?}",
        e.points
    );
    check_eq!(
        e.transactions.len(),
        160,
        "one ledger row per viewer and award"
    );
    check_invariants(&e)
}
