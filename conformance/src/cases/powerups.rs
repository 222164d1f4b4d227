//! Powerups: configuration, inventory and purchases.

use super::support::*;
use crate::harness::{CaseResult, Failure, Harness, check, check_eq, check_err};
use datastore::*;
use serde_json::json;
use std::time::Duration;

fn input(cost: i64, enabled: bool) -> PowerupConfigInput {
    PowerupConfigInput {
        name: "Custom".into(),
        description: "custom powerup".into(),
        cost,
        emoji: "✨".into(),
        effect: "does things".into(),
        variables: json!({"duration": 1234})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        enabled,
    }
}

/// Enabled powerups are listed by cost then id; all powerups by id.
pub async fn powerup_lists_by_cost_and_by_id(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let enabled: Vec<(PowerupType, i64)> = store
        .list_enabled_powerups(s)
        .await?
        .iter()
        .map(|p| (p.id, p.cost))
        .collect();
    check_eq!(
        enabled,
        vec![
            (PowerupType::Boost, 250),
            (PowerupType::Powerdrop, 300),
            (PowerupType::Shield, 400),
            (PowerupType::Tnt, 500),
            (PowerupType::Magnet, 600),
            (PowerupType::Ghost, 750),
        ],
        "the defaults by cost"
    );
    store
        .update_powerup(
            s,
            PowerupType::Shield,
            PowerupConfigPatch {
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await?;
    store
        .update_powerup(
            s,
            PowerupType::Ghost,
            PowerupConfigPatch {
                cost: Some(250),
                ..Default::default()
            },
        )
        .await?;
    let enabled: Vec<PowerupType> = store
        .list_enabled_powerups(s)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    check_eq!(
        enabled,
        vec![
            PowerupType::Boost,
            PowerupType::Ghost,
            PowerupType::Powerdrop,
            PowerupType::Tnt,
            PowerupType::Magnet,
        ],
        "disabled left out, equal costs by id"
    );
    let all: Vec<PowerupType> = store.list_powerups(s).await?.iter().map(|p| p.id).collect();
    check_eq!(all, PowerupType::ALL.to_vec(), "all, by id");
    Ok(())
}

/// Upsert replaces a whole configuration (keeping `created_at`); update changes the given
/// fields only.
pub async fn upsert_and_update_powerup(h: Harness) -> CaseResult {
    let store = h.store().await;
    let created = h.clock().now();
    let s = streamer(&*store, "chan").await?;
    h.clock().advance(Duration::from_secs(60));
    let c = store
        .upsert_powerup(s, PowerupType::Tnt, input(42, false))
        .await?;
    check_eq!(
        c,
        PowerupConfig {
            id: PowerupType::Tnt,
            name: "Custom".into(),
            description: "custom powerup".into(),
            cost: 42,
            emoji: "✨".into(),
            effect: "does things".into(),
            variables: input(0, true).variables,
            enabled: false,
            created_at: created,
            updated_at: h.clock().now(),
        },
        "replaced, created_at kept"
    );
    check_eq!(
        store.get_powerup(s, PowerupType::Tnt).await?,
        Some(c.clone()),
        "get"
    );
    h.clock().advance(Duration::from_secs(60));
    let u = store
        .update_powerup(
            s,
            PowerupType::Tnt,
            PowerupConfigPatch {
                cost: Some(7),
                name: Some("Tiny TNT".into()),
                ..Default::default()
            },
        )
        .await?;
    check_eq!(
        u,
        PowerupConfig {
            cost: 7,
            name: "Tiny TNT".into(),
            updated_at: h.clock().now(),
            ..c
        },
        "only cost and name changed"
    );
    check_err!(
        store
            .update_powerup(
                StreamerId(s.0 + 1000),
                PowerupType::Tnt,
                PowerupConfigPatch::default()
            )
            .await,
        StoreError::not_found(Resource::Powerup),
        "no configuration for an unknown streamer"
    );
    Ok(())
}

/// Inventory: add gives more, use takes one only while any is left, and a used-up row stays
/// at zero.
pub async fn inventory_add_and_use(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = user(&*store, s, "viewer").await?;
    check_eq!(store.get_inventory(s, u).await?, Some(vec![]), "empty");
    let item = |powerup, quantity| InventoryItem { powerup, quantity };
    check_eq!(
        store.add_powerup(s, u, PowerupType::Tnt, 2).await?,
        item(PowerupType::Tnt, 2),
        "add"
    );
    store.add_powerup(s, u, PowerupType::Boost, 1).await?;
    check_eq!(
        store.use_powerup(s, u, PowerupType::Tnt).await?,
        item(PowerupType::Tnt, 1),
        "use"
    );
    check_eq!(
        store.use_powerup(s, u, PowerupType::Tnt).await?,
        item(PowerupType::Tnt, 0),
        "use"
    );
    check_err!(
        store.use_powerup(s, u, PowerupType::Tnt).await,
        StoreError::NoPowerupLeft {
            powerup: PowerupType::Tnt
        },
        "none left"
    );
    check_err!(
        store.use_powerup(s, u, PowerupType::Ghost).await,
        StoreError::NoPowerupLeft {
            powerup: PowerupType::Ghost
        },
        "never had any"
    );
    check_eq!(
        store.get_inventory(s, u).await?,
        Some(vec![item(PowerupType::Boost, 1), item(PowerupType::Tnt, 0)]),
        "by id, the used-up row kept at zero"
    );
    for q in [0, -1, validate::MAX_QUANTITY + 1] {
        let r = store.add_powerup(s, u, PowerupType::Tnt, q).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "quantity {q}: {r:?}"
        );
    }
    store
        .add_powerup(s, u, PowerupType::Magnet, validate::MAX_QUANTITY)
        .await?;
    let r = store.add_powerup(s, u, PowerupType::Magnet, 1).await;
    check!(
        matches!(r, Err(StoreError::InvalidInput { .. })),
        "past the maximum: {r:?}"
    );
    check_eq!(
        store.get_inventory(s, UserId(u.0 + 1000)).await?,
        None,
        "unknown user"
    );
    Ok(())
}

/// A purchase spends the configured cost (with a ledger row), adds one and records it.
pub async fn purchase_spends_adds_and_records(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = funded(&*store, s, "viewer", 1000).await?;
    h.clock().advance(Duration::from_secs(2));
    let r = store.purchase_powerup(s, u, PowerupType::Tnt).await?;
    check_eq!(
        (
            r.purchase.user_id,
            r.purchase.powerup,
            r.purchase.cost,
            r.purchase.purchased_at
        ),
        (u, PowerupType::Tnt, 500, h.clock().now()),
        "the purchase"
    );
    check_eq!(
        (r.quantity, r.points.channel_points),
        (1, 500),
        "quantity and balance"
    );
    let r2 = store.purchase_powerup(s, u, PowerupType::Tnt).await?;
    check_eq!(
        (r2.quantity, r2.points.channel_points),
        (2, 0),
        "a second one"
    );
    let e = export(&*store, s).await?;
    check_eq!(
        e.purchases,
        vec![r.purchase, r2.purchase],
        "purchases recorded"
    );
    let spends: Vec<(i64, PointSource)> = e
        .transactions
        .iter()
        .filter(|t| t.amount < 0)
        .map(|t| (t.amount, t.source))
        .collect();
    check_eq!(
        spends,
        vec![(-500, PointSource::Spend), (-500, PointSource::Spend)],
        "ledger rows"
    );
    check_invariants(&e)
}

/// Purchases of a disabled powerup, without enough points, or for an unknown user fail and
/// change nothing.
pub async fn purchase_refuses_and_changes_nothing(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = funded(&*store, s, "viewer", 499).await?;
    store
        .update_powerup(
            s,
            PowerupType::Ghost,
            PowerupConfigPatch {
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await?;
    let before = export(&*store, s).await?;
    check_err!(
        store.purchase_powerup(s, u, PowerupType::Tnt).await,
        StoreError::InsufficientPoints {
            balance: 499,
            required: 500
        },
        "one point short"
    );
    check_err!(
        store.purchase_powerup(s, u, PowerupType::Ghost).await,
        StoreError::PowerupDisabled {
            powerup: PowerupType::Ghost
        },
        "disabled"
    );
    check_err!(
        store
            .purchase_powerup(s, UserId(u.0 + 1000), PowerupType::Tnt)
            .await,
        StoreError::not_found(Resource::User),
        "unknown user"
    );
    check_eq!(export(&*store, s).await?, before, "nothing changed");
    Ok(())
}

/// The user whose username is the streamer's (ignoring ASCII case) buys at cost 0, recorded
/// so, with no ledger row; no one else does.
pub async fn streamer_buys_free(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "CodingButter").await?;
    let owner = user(&*store, s, "codingbutter").await?;
    let r = store.purchase_powerup(s, owner, PowerupType::Ghost).await?;
    check_eq!(
        (r.purchase.cost, r.quantity, r.points.channel_points),
        (0, 1, 0),
        "free for the owner"
    );
    let e = export(&*store, s).await?;
    check_eq!(e.transactions.len(), 0, "no ledger row for a free purchase");
    check_eq!(e.points.len(), 0, "no balance row either");
    let other = user(&*store, s, "codingbutter_fan").await?;
    check_err!(
        store.purchase_powerup(s, other, PowerupType::Ghost).await,
        StoreError::InsufficientPoints {
            balance: 0,
            required: 750
        },
        "a similar name pays"
    );
    Ok(())
}

/// Concurrent purchases never overdraw.
pub async fn concurrent_purchases_never_overdraw(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = funded(&*store, s, "viewer", 1000).await?;
    let results = concurrently(12, |_| {
        let store = store.clone();
        async move { store.purchase_powerup(s, u, PowerupType::Boost).await }
    })
    .await?;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    check_eq!(ok, 4, "1000 points buy four boosts at 250");
    check_eq!(balance(&*store, s, u).await?, 0, "the balance");
    let inv = store
        .get_inventory(s, u)
        .await?
        .ok_or(Failure("no inventory".into()))?;
    check_eq!(
        inv,
        vec![InventoryItem {
            powerup: PowerupType::Boost,
            quantity: 4
        }],
        "inventory"
    );
    let e = export(&*store, s).await?;
    check_eq!(e.purchases.len(), 4, "purchases");
    check_invariants(&e)
}

/// Bad configurations are refused with `InvalidInput` and change nothing.
pub async fn powerup_inputs_are_validated(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let before = store.list_powerups(s).await?;
    let mut big = serde_json::Map::new();
    big.insert(
        "blob".into(),
        json!("x".repeat(validate::MAX_DOCUMENT_BYTES)),
    );
    let bad = [
        PowerupConfigInput {
            cost: -1,
            ..input(1, true)
        },
        PowerupConfigInput {
            cost: validate::MAX_AMOUNT + 1,
            ..input(1, true)
        },
        PowerupConfigInput {
            name: "".into(),
            ..input(1, true)
        },
        PowerupConfigInput {
            emoji: "".into(),
            ..input(1, true)
        },
        PowerupConfigInput {
            variables: big.clone(),
            ..input(1, true)
        },
    ];
    for b in bad {
        let r = store.upsert_powerup(s, PowerupType::Tnt, b.clone()).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{b:?}: {r:?}"
        );
    }
    for p in [
        PowerupConfigPatch {
            cost: Some(-5),
            ..Default::default()
        },
        PowerupConfigPatch {
            variables: Some(big),
            ..Default::default()
        },
    ] {
        let r = store.update_powerup(s, PowerupType::Tnt, p.clone()).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{p:?}: {r:?}"
        );
    }
    check_eq!(store.list_powerups(s).await?, before, "nothing changed");
    check!(
        "rocket".parse::<PowerupType>().is_err(),
        "unknown powerup names do not parse"
    );
    Ok(())
}
