//! Analytics and export.

use super::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq};
use crate::populate::{Spec, populate};
use datastore::*;

/// Analytics counts users, points, drops and purchases of one streamer.
pub async fn analytics_counts_one_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    check_eq!(
        store.analytics(s).await?,
        Analytics {
            users: 0,
            channel_points: 0,
            drop_points: 0,
            drops: 0,
            perfect_drops: 0,
            purchases: vec![]
        },
        "an empty streamer"
    );
    let owner = user(&*store, s, "CHAN").await?;
    let a = funded(&*store, s, "a", 2000).await?;
    let b = funded(&*store, s, "b", 300).await?;
    user(&*store, s, "c").await?;
    store.purchase_powerup(s, a, PowerupType::Tnt).await?;
    store.purchase_powerup(s, a, PowerupType::Tnt).await?;
    store.purchase_powerup(s, b, PowerupType::Boost).await?;
    store.purchase_powerup(s, owner, PowerupType::Tnt).await?;
    for (score, perfect) in [(50, false), (200, true), (100, true)] {
        store
            .add_drop_points(
                s,
                b,
                NewDrop {
                    score,
                    is_perfect: perfect,
                    powerup_used: None,
                },
            )
            .await?;
    }
    check_eq!(
        store.analytics(s).await?,
        Analytics {
            users: 4,
            channel_points: 1000 + 50,
            drop_points: 350,
            drops: 3,
            perfect_drops: 2,
            purchases: vec![
                PurchaseStats {
                    powerup: PowerupType::Boost,
                    purchases: 1,
                    points_spent: 250
                },
                PurchaseStats {
                    powerup: PowerupType::Tnt,
                    purchases: 3,
                    points_spent: 1000
                },
            ],
        },
        "after activity"
    );
    Ok(())
}

/// The export holds every row of the streamer, each list in its documented order, and
/// satisfies the data invariants.
pub async fn export_holds_everything_in_order(h: Harness) -> CaseResult {
    let store = h.store().await;
    let p = populate(&*store, h.clock(), Spec::solo("chan", 5), h.clock().now()).await?;
    let e = export(&*store, p.streamer).await?;
    check_eq!(e.streamer.id, p.streamer, "the streamer");
    check_eq!(e.users.len(), p.users.len(), "users");
    check!(
        !e.points.is_empty() && e.points.len() < e.users.len(),
        "balance rows for some users"
    );
    check_eq!(
        e.tips.iter().map(|t| t.id).collect::<Vec<_>>(),
        p.tips,
        "tips, by id"
    );
    check_eq!(e.goals.len(), 3, "goals");
    check_eq!(e.layouts.len(), 3, "layouts");
    check!(e.theme.is_some(), "theme");
    check_eq!(e.oauth_tokens.len(), 2, "tokens");
    check_eq!(
        (e.user_sessions.len(), e.streamer_sessions.len()),
        (3, 3),
        "sessions"
    );
    check_eq!(
        e.admin_key.as_ref().map(|k| k.key_hash),
        Some(p.admin_key),
        "the admin key"
    );
    check_eq!(e.verification_codes.len(), 5, "verification codes");
    check_eq!(e.cooldowns.len(), 2, "cooldowns");
    check_eq!(
        (e.purchases.len(), e.drops.len()),
        (2, 2),
        "purchases and drops"
    );
    check!(
        e.inventory.iter().any(|r| r.quantity == 0),
        "a used-up inventory row"
    );
    check_eq!(e.powerups.len(), 6, "powerups");
    fn sorted<T: Ord + Clone>(v: Vec<T>) -> bool {
        let mut s = v.clone();
        s.sort();
        s == v
    }
    check!(
        sorted(e.users.iter().map(|u| u.id).collect()),
        "users by id"
    );
    check!(
        sorted(e.points.iter().map(|r| r.user_id).collect()),
        "points by user"
    );
    check!(
        sorted(e.transactions.iter().map(|r| r.id).collect()),
        "ledger by id"
    );
    check!(
        sorted(e.inventory.iter().map(|r| (r.user_id, r.powerup)).collect()),
        "inventory"
    );
    check!(
        sorted(e.purchases.iter().map(|r| r.id).collect()),
        "purchases by id"
    );
    check!(
        sorted(e.drops.iter().map(|r| r.id).collect()),
        "drops by id"
    );
    check!(
        sorted(
            e.cooldowns
                .iter()
                .map(|r| (r.user_id, r.command.clone()))
                .collect()
        ),
        "cooldowns"
    );
    check!(
        sorted(e.user_sessions.iter().map(|r| r.token_hash).collect()),
        "viewer sessions"
    );
    check!(
        sorted(e.streamer_sessions.iter().map(|r| r.token_hash).collect()),
        "streamer sessions"
    );
    check!(
        sorted(e.oauth_tokens.iter().map(|r| r.provider.clone()).collect()),
        "tokens"
    );
    check!(
        sorted(e.powerups.iter().map(|r| r.id).collect()),
        "powerups"
    );
    check!(
        sorted(e.overlay_settings.iter().map(|r| r.key.clone()).collect()),
        "settings"
    );
    check!(
        sorted(e.layouts.iter().map(|r| r.id.clone()).collect()),
        "layouts"
    );
    check!(sorted(e.tips.iter().map(|r| r.id).collect()), "tips");
    check!(
        sorted(e.goals.iter().map(|r| r.id.clone()).collect()),
        "goals"
    );
    let codes: Vec<(String, String)> = e
        .verification_codes
        .iter()
        .map(|c| (c.username.clone(), c.code.clone()))
        .collect();
    check_eq!(codes, p.codes, "verification codes in issue order");
    check_invariants(&e)?;
    let round_trip: StreamerExport = serde_json::from_value(
        serde_json::to_value(&e).map_err(|x| crate::harness::Failure(x.to_string()))?,
    )
    .map_err(|x| crate::harness::Failure(x.to_string()))?;
    check_eq!(round_trip, e, "the export survives serde");
    Ok(())
}

/// The streamed export is the export, part by part, in order; it stops when the reader stops
/// and sends nothing for a streamer that does not exist.
pub async fn streamed_export_is_the_export_in_parts(h: Harness) -> CaseResult {
    let store = h.store().await;
    let p = populate(&*store, h.clock(), Spec::solo("chan", 5), h.clock().now()).await?;
    let e = export(&*store, p.streamer).await?;
    let whole = crate::held_export::Collector::new(usize::MAX);
    check!(
        store
            .stream_export(p.streamer, Box::new(whole.clone()))
            .await?,
        "the streamer exists"
    );
    check_eq!(
        whole.parts(),
        e.clone().into_parts(),
        "every part, in order"
    );

    let first_three = crate::held_export::Collector::new(3);
    check!(
        store
            .stream_export(p.streamer, Box::new(first_three.clone()))
            .await?,
        "stopped early, still found"
    );
    check_eq!(
        first_three.parts(),
        e.into_parts().into_iter().take(3).collect::<Vec<_>>(),
        "nothing after the reader stopped"
    );

    let none = crate::held_export::Collector::new(usize::MAX);
    check!(
        !store
            .stream_export(StreamerId(p.streamer.0 + 1_000_000), Box::new(none.clone()))
            .await?,
        "no such streamer"
    );
    check_eq!(none.parts(), Vec::new(), "nothing sent for it");
    Ok(())
}
