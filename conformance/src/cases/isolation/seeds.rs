//! The six seed cases: streamer B cannot reach streamer A's users, points, overlay settings,
//! tips or goals.

use crate::cases::support::*;
use crate::harness::{CaseResult, Harness, check_eq, check_err};
use datastore::*;
use serde_json::json;

/// Streamer B cannot read streamer A's users, by id, by name, in lists or in counts.
pub async fn cannot_get_user_from_another_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let alice = user(&*store, a, "alice").await?;
    check_eq!(store.get_user(b, alice).await?, None, "by id");
    check_eq!(
        store.get_user_by_username(b, "alice").await?,
        None,
        "by name"
    );
    check_eq!(
        store.get_user_by_username(b, "ALICE").await?,
        None,
        "by name, another case"
    );
    let page = store
        .list_users_with_points(
            b,
            PageRequest {
                offset: 0,
                limit: 100,
            },
        )
        .await?;
    check_eq!((page.items.len(), page.total), (0, 0), "list and total");
    check_eq!(store.count_users(b).await?, 0, "count");
    check_eq!(
        store.get_user(a, alice).await?.map(|u| u.id),
        Some(alice),
        "A still sees alice"
    );
    Ok(())
}

/// Streamer B cannot update or delete streamer A's user, and gets exactly the error a
/// missing user gives.
pub async fn cannot_update_user_from_another_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let alice = user(&*store, a, "alice").await?;
    let before = export(&*store, a).await?;
    let patch = ProfileUpdate {
        country: Some(Some("FR".into())),
        ..Default::default()
    };
    let foreign = store.update_user_profile(b, alice, patch.clone()).await;
    let missing = store
        .update_user_profile(b, UserId(alice.0 + 1000), patch)
        .await;
    check_err!(
        foreign.clone(),
        StoreError::not_found(Resource::User),
        "update A's user as B"
    );
    check_eq!(foreign, missing, "the same error as a missing user");
    check_err!(
        store.delete_user(b, alice).await,
        StoreError::not_found(Resource::User),
        "delete"
    );
    check_eq!(export(&*store, a).await?, before, "A's data is unchanged");
    Ok(())
}

/// Streamer B cannot see or move streamer A's points, ledger, drops, inventory or leaderboards.
pub async fn cannot_view_points_from_another_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let alice = funded(&*store, a, "alice", 900).await?;
    store
        .add_drop_points(
            a,
            alice,
            NewDrop {
                score: 50,
                is_perfect: true,
                powerup_used: None,
            },
        )
        .await?;
    store.purchase_powerup(a, alice, PowerupType::Boost).await?;
    let before = export(&*store, a).await?;
    check_eq!(store.get_points(b, alice).await?, None, "balances");
    check_eq!(store.points_summary(b, alice).await?, None, "summary");
    check_eq!(
        store
            .transaction_history(
                b,
                alice,
                HistoryRequest {
                    limit: 50,
                    before: None
                }
            )
            .await?,
        None,
        "history"
    );
    check_eq!(store.get_inventory(b, alice).await?, None, "inventory");
    check_eq!(store.leaderboard(b, 50).await?, vec![], "leaderboard");
    check_eq!(
        store.drop_leaderboard(b, 50).await?,
        vec![],
        "drop leaderboard"
    );
    check_eq!(
        store.analytics(b).await?,
        store.analytics(StreamerId(b.0 + 1000)).await?,
        "analytics"
    );
    let nf = StoreError::not_found(Resource::User);
    check_err!(
        store
            .earn_points(b, alice, PointDelta::new(5, PointSource::Chat))
            .await,
        nf,
        "earn"
    );
    check_err!(
        store
            .spend_points(b, alice, PointDelta::new(5, PointSource::Spend))
            .await,
        nf,
        "spend"
    );
    check_err!(
        store
            .set_points(
                b,
                alice,
                AdminSetPoints {
                    channel_points: 0,
                    drop_points: Some(0),
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
                b,
                alice,
                NewDrop {
                    score: 5,
                    is_perfect: false,
                    powerup_used: None
                }
            )
            .await,
        nf,
        "drop"
    );
    check_err!(
        store.use_powerup(b, alice, PowerupType::Boost).await,
        nf,
        "use a powerup"
    );
    check_eq!(export(&*store, a).await?, before, "A's data is unchanged");
    Ok(())
}

/// Streamer B cannot read, change or delete streamer A's overlay settings, layouts or theme.
pub async fn cannot_access_overlay_settings_from_another_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    store
        .upsert_overlay_setting(a, "alert.sound", "ding", Some("A's sound"))
        .await?;
    store
        .upsert_layout(
            a,
            &LayoutId::new("main"),
            LayoutInput {
                name: "A".into(),
                is_default: true,
                layout: json!({"a": 1}),
            },
        )
        .await?;
    store.set_theme(a, json!({"primary": "#aa0000"})).await?;
    let before = export(&*store, a).await?;
    check_eq!(
        store.get_overlay_setting(b, "alert.sound").await?,
        None,
        "a setting"
    );
    check_eq!(store.list_overlay_settings(b).await?, vec![], "settings");
    check_eq!(
        store.get_layout(b, &LayoutId::new("main")).await?,
        None,
        "a layout"
    );
    check_eq!(store.list_layouts(b).await?, vec![], "layouts");
    check_eq!(store.get_theme(b).await?, None, "theme");
    check_err!(
        store.delete_overlay_setting(b, "alert.sound").await,
        StoreError::not_found(Resource::OverlaySetting),
        "delete a setting"
    );
    check_err!(
        store.delete_layout(b, &LayoutId::new("main")).await,
        StoreError::not_found(Resource::Layout),
        "delete a layout"
    );
    let own = store
        .upsert_overlay_setting(b, "alert.sound", "boop", None)
        .await?;
    check_eq!(
        own.description,
        None,
        "B's new setting does not inherit A's description"
    );
    check_eq!(export(&*store, a).await?, before, "A's data is unchanged");
    Ok(())
}

/// Streamer B cannot read, change or delete streamer A's tips.
pub async fn cannot_access_tips_from_another_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let t = store.create_tip(a, NewTip::new("A's tip")).await?;
    let before = export(&*store, a).await?;
    check_eq!(store.get_tip(b, t.id).await?, None, "get");
    check_eq!(store.list_tips(b).await?, vec![], "list");
    check_eq!(store.list_enabled_tips(b).await?, vec![], "enabled list");
    let nf = StoreError::not_found(Resource::Tip);
    check_err!(
        store
            .update_tip(
                b,
                t.id,
                TipPatch {
                    content: Some("B was here".into()),
                    ..Default::default()
                }
            )
            .await,
        nf,
        "update"
    );
    check_err!(store.delete_tip(b, t.id).await, nf, "delete");
    check_eq!(export(&*store, a).await?, before, "A's data is unchanged");
    Ok(())
}

/// Streamer B cannot read, change or delete streamer A's goals; upserting the same goal id
/// creates B's own.
pub async fn cannot_access_goals_from_another_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let g = GoalId::new("followers");
    store
        .upsert_goal(
            a,
            &g,
            GoalInput {
                label: "A".into(),
                current_value: 5,
                target_value: 10,
                enabled: true,
            },
        )
        .await?;
    let before = export(&*store, a).await?;
    check_eq!(store.get_goal(b, &g).await?, None, "get");
    check_eq!(store.list_goals(b).await?, vec![], "list");
    check_eq!(store.list_enabled_goals(b).await?, vec![], "enabled list");
    let nf = StoreError::not_found(Resource::Goal);
    check_err!(store.set_goal_progress(b, &g, 9).await, nf, "progress");
    check_err!(store.delete_goal(b, &g).await, nf, "delete");
    let own = store
        .upsert_goal(
            b,
            &g,
            GoalInput {
                label: "B".into(),
                current_value: 0,
                target_value: 3,
                enabled: true,
            },
        )
        .await?;
    check_eq!(
        (own.label.as_str(), own.current_value),
        ("B", 0),
        "B's own goal"
    );
    check_eq!(export(&*store, a).await?, before, "A's data is unchanged");
    Ok(())
}
