//! Cross-tenant isolation: the seed cases, the known ways isolation breaks in practice, the
//! table-driven sweep and the model-based property test.
//!
//! Every case here must fail under at least one of the fault-injecting wrappers of
//! [`crate::faults`]; `tests/sensitivity.rs` checks that.

use super::support::*;
use crate::harness::{CaseResult, Failure, Harness, check, check_eq, check_err};
use crate::populate::{ALPHA, BRAVO, Population, populate};
use datastore::*;
use serde_json::json;
use std::time::Duration;

/// Two populated streamers, A ("alpha") then B ("bravo").
async fn two(h: &Harness) -> Result<(Shared, Population, Population), Failure> {
    let store = h.store().await;
    let now = h.clock().now();
    let a = populate(&*store, h.clock(), ALPHA, now).await?;
    let b = populate(&*store, h.clock(), BRAVO, h.clock().now()).await?;
    Ok((store, a, b))
}

/// A user id that exists nowhere.
fn missing_user(p: &Population) -> UserId {
    UserId(p.users.iter().map(|(u, _)| u.0).max().unwrap_or(0) + 1_000_000)
}

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

/// Streamer B cannot see or move streamer A's points, ledger, drops, inventory or leaderboard.
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

/// The same username under two streamers is two users with separate everything.
pub async fn same_username_under_two_streamers_is_two_users(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let ua = store.get_or_create_user(a, "alice").await?;
    let ub = store.get_or_create_user(b, "ALICE").await?;
    check!(
        ua.created && ub.created,
        "each streamer creates its own alice"
    );
    check!(ua.user.id != ub.user.id, "two users");
    check_eq!((ua.user.streamer_id, ub.user.streamer_id), (a, b), "owners");
    store
        .earn_points(a, ua.user.id, PointDelta::new(100, PointSource::Chat))
        .await?;
    check_eq!(
        balance(&*store, b, ub.user.id).await?,
        0,
        "B's alice has nothing"
    );
    store
        .bulk_award(b, &["alice".into()], PointDelta::new(5, PointSource::Watch))
        .await?;
    check_eq!(
        balance(&*store, a, ua.user.id).await?,
        100,
        "B's award did not reach A's alice"
    );
    store.delete_user(b, ub.user.id).await?;
    check_eq!(
        store.get_user_by_username(a, "alice").await?,
        Some(ua.user),
        "A's alice stays"
    );
    Ok(())
}

/// Goal ids, setting keys, layout ids and names, providers, verification codes, session token
/// hashes and cooldown commands are unique per streamer: the same one under two streamers is
/// two independent rows.
pub async fn same_keys_under_two_streamers_are_independent(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    for (p, other) in [(&a, &b), (&b, &a)] {
        let s = p.streamer;
        let setting = store
            .get_overlay_setting(s, crate::populate::SHARED_KEY)
            .await?;
        check_eq!(
            setting.map(|x| x.value),
            Some(format!("{}-value", p.username)),
            "{}'s shared setting",
            p.username
        );
        let goal = store.get_goal(s, &GoalId::new("followers")).await?;
        check_eq!(
            goal.map(|g| g.label),
            Some(format!("{} goal 0", p.username)),
            "goal"
        );
        let layout = store.get_layout(s, &LayoutId::new("main")).await?;
        check!(
            layout.is_some_and(|l| l.layout["owner"] == json!(p.username) && l.is_default),
            "{}'s main layout is its own and its default",
            p.username
        );
        let token = store.get_oauth_token(s, "kick").await?;
        check_eq!(
            token.map(|t| t.access_token),
            Some(format!("access-{}-kick", p.username)),
            "token"
        );
        let shared = SessionToken::new("shared-viewer-token").hash();
        let sess = store.get_user_session(s, &shared).await?;
        check_eq!(
            sess.map(|x| x.user_id),
            Some(p.rich_user),
            "the shared token's session"
        );
        check_eq!(
            store.get_user_session(s, &other.user_sessions[0]).await?,
            None,
            "the other's live session"
        );
        let e = export(&*store, s).await?;
        check_eq!(e.cooldowns.len(), 2, "{}'s own cooldowns", p.username);
        check_invariants(&e)?;
    }
    // Same layout name under both: each streamer's "Main" is its own.
    let named = |p: &Population| LayoutId::new(format!("only-{}", p.username));
    check!(
        store.get_layout(a.streamer, &named(&b)).await?.is_none(),
        "A cannot see B's layout named Main"
    );
    // A cooldown started by A's alice does not hold B's alice back.
    let (a_alice, b_alice) = (a.users[1].0, b.users[1].0);
    h.clock().advance(Duration::from_secs(31));
    check_eq!(
        store
            .check_cooldown(a.streamer, a_alice, "!drop", Duration::from_secs(60))
            .await?,
        CooldownCheck::Ready,
        "A's alice"
    );
    check_eq!(
        store
            .check_cooldown(b.streamer, b_alice, "!drop", Duration::from_secs(60))
            .await?,
        CooldownCheck::Ready,
        "B's alice is not cooling down because of A's"
    );
    Ok(())
}

/// Making a layout the default unsets only the same streamer's other defaults.
pub async fn default_layout_is_per_streamer(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    store
        .upsert_layout(
            b.streamer,
            &LayoutId::new("brb"),
            LayoutInput {
                name: "BRB".into(),
                is_default: true,
                layout: json!({}),
            },
        )
        .await?;
    let defaults = |l: Vec<OverlayLayout>| {
        l.into_iter()
            .filter(|l| l.is_default)
            .map(|l| l.id.0)
            .collect::<Vec<_>>()
    };
    check_eq!(
        defaults(store.list_layouts(a.streamer).await?),
        vec!["main"],
        "A keeps its default"
    );
    check_eq!(
        defaults(store.list_layouts(b.streamer).await?),
        vec!["brb"],
        "B's moved"
    );
    Ok(())
}

/// Deleting streamer A leaves streamer B's data whole and working, and A's ids reach nothing.
pub async fn deleted_streamer_leaves_others_working(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    let b_before = export(&*store, b.streamer).await?;
    store.delete_streamer(a.streamer).await?;
    check_eq!(
        export(&*store, b.streamer).await?,
        b_before,
        "B's data is whole"
    );
    let ids: Vec<StreamerId> = store.list_streamers().await?.iter().map(|s| s.id).collect();
    check_eq!(ids, vec![b.streamer], "only B is left");
    let s = b.streamer;
    store
        .earn_points(s, b.rich_user, PointDelta::new(10, PointSource::Chat))
        .await?;
    store
        .purchase_powerup(s, b.rich_user, PowerupType::Boost)
        .await?;
    store.create_tip(s, NewTip::new("still here")).await?;
    store
        .bulk_award(
            s,
            &["alice".into(), "newcomer".into()],
            PointDelta::new(5, PointSource::Watch),
        )
        .await?;
    check_eq!(
        store
            .get_user_session(s, &b.user_sessions[0])
            .await?
            .map(|x| x.user_id),
        Some(b.rich_user),
        "B's viewers stay logged in"
    );
    for u in a.user_ids() {
        check_eq!(store.get_user(s, u).await?, None, "A's user {u} as B");
        check_eq!(
            store.get_user(a.streamer, u).await?,
            None,
            "A's user {u} as A"
        );
    }
    check_invariants(&export(&*store, s).await?)?;
    let again = streamer(&*store, "alpha").await?;
    check_eq!(
        store.count_users(again).await?,
        0,
        "a new alpha starts empty"
    );
    Ok(())
}

/// Writes cannot create rows of B that point at A's users: sessions, cooldowns, inventory,
/// purchases and drops all refuse A's user ids, and nothing changes.
pub async fn writes_cannot_link_rows_across_streamers(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    let (s, them) = (b.streamer, a.rich_user);
    let a_before = export(&*store, a.streamer).await?;
    let b_before = export(&*store, s).await?;
    let nf = StoreError::not_found(Resource::User);
    let later = h
        .clock()
        .now()
        .checked_add(Duration::from_secs(60))
        .unwrap_or(Timestamp::MAX);
    check_err!(
        store
            .create_user_session(
                s,
                NewUserSession {
                    user_id: them,
                    token_hash: SessionToken::new("x").hash(),
                    expires_at: later
                }
            )
            .await,
        nf,
        "a session for A's user"
    );
    check_err!(
        store
            .check_cooldown(s, them, "!new", Duration::from_secs(5))
            .await,
        nf,
        "a cooldown"
    );
    check_err!(
        store.add_powerup(s, them, PowerupType::Tnt, 1).await,
        nf,
        "inventory"
    );
    check_err!(
        store.purchase_powerup(s, them, PowerupType::Boost).await,
        nf,
        "a purchase"
    );
    check_err!(
        store
            .add_drop_points(
                s,
                them,
                NewDrop {
                    score: 1,
                    is_perfect: false,
                    powerup_used: None
                }
            )
            .await,
        nf,
        "a drop"
    );
    check_eq!(export(&*store, a.streamer).await?, a_before, "A unchanged");
    check_eq!(export(&*store, s).await?, b_before, "B unchanged");
    Ok(())
}

/// For every addressed operation, A's resource and a missing one give B identical results
/// (same value or same error, same text).
pub async fn foreign_and_missing_resources_give_identical_errors(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    let s = b.streamer;
    let (fu, mu) = (a.rich_user, missing_user(&a));
    let (ft, mt) = (a.tips[0], TipId(a.tips[0].0 + 1_000_000));
    let fg = GoalId::new(format!("only_{}", a.username));
    let mg = GoalId::new("never_existed");
    let mut mismatches = Vec::new();
    macro_rules! same {
        ($what:expr, |$x:ident| $call:expr, $foreign:expr, $missing:expr) => {{
            let f = {
                let $x = $foreign;
                $call.await
            };
            let m = {
                let $x = $missing;
                $call.await
            };
            let (fs, ms) = (
                format!(
                    "{f:?} / {}",
                    f.as_ref().err().map(|e| e.to_string()).unwrap_or_default()
                ),
                format!(
                    "{m:?} / {}",
                    m.as_ref().err().map(|e| e.to_string()).unwrap_or_default()
                ),
            );
            if fs != ms {
                mismatches.push(format!("{}: foreign gave {fs}, missing gave {ms}", $what));
            }
        }};
    }
    same!("get_user", |u| store.get_user(s, u), fu, mu);
    same!(
        "update_user_profile",
        |u| store.update_user_profile(s, u, ProfileUpdate::default()),
        fu,
        mu
    );
    same!("delete_user", |u| store.delete_user(s, u), fu, mu);
    same!("get_points", |u| store.get_points(s, u), fu, mu);
    same!(
        "earn_points",
        |u| store.earn_points(s, u, PointDelta::new(1, PointSource::Chat)),
        fu,
        mu
    );
    same!(
        "spend_points",
        |u| store.spend_points(s, u, PointDelta::new(1, PointSource::Spend)),
        fu,
        mu
    );
    same!("points_summary", |u| store.points_summary(s, u), fu, mu);
    same!(
        "transaction_history",
        |u| store.transaction_history(
            s,
            u,
            HistoryRequest {
                limit: 5,
                before: None
            }
        ),
        fu,
        mu
    );
    same!("get_inventory", |u| store.get_inventory(s, u), fu, mu);
    same!(
        "use_powerup",
        |u| store.use_powerup(s, u, PowerupType::Shield),
        fu,
        mu
    );
    same!(
        "purchase_powerup",
        |u| store.purchase_powerup(s, u, PowerupType::Boost),
        fu,
        mu
    );
    same!(
        "check_cooldown",
        |u| store.check_cooldown(s, u, "!drop", Duration::from_secs(1)),
        fu,
        mu
    );
    same!("get_tip", |t| store.get_tip(s, t), ft, mt);
    same!(
        "update_tip",
        |t| store.update_tip(s, t, TipPatch::default()),
        ft,
        mt
    );
    same!("delete_tip", |t| store.delete_tip(s, t), ft, mt);
    same!(
        "get_goal",
        |g| store.get_goal(s, &g),
        fg.clone(),
        mg.clone()
    );
    same!(
        "set_goal_progress",
        |g| store.set_goal_progress(s, &g, 1),
        fg.clone(),
        mg.clone()
    );
    same!(
        "delete_goal",
        |g| store.delete_goal(s, &g),
        fg.clone(),
        mg.clone()
    );
    let (fk, mk) = (format!("only.{}", a.username), "never.existed".to_owned());
    same!(
        "get_overlay_setting",
        |k| store.get_overlay_setting(s, &k),
        fk.clone(),
        mk.clone()
    );
    same!(
        "delete_overlay_setting",
        |k| store.delete_overlay_setting(s, &k),
        fk.clone(),
        mk.clone()
    );
    let (fl, ml) = (
        LayoutId::new(format!("only-{}", a.username)),
        LayoutId::new("never"),
    );
    same!(
        "get_layout",
        |l| store.get_layout(s, &l),
        fl.clone(),
        ml.clone()
    );
    same!(
        "delete_layout",
        |l| store.delete_layout(s, &l),
        fl.clone(),
        ml.clone()
    );
    let (fp, mp) = (format!("only_{}", a.username), "never".to_owned());
    same!(
        "get_oauth_token",
        |p| store.get_oauth_token(s, &p),
        fp.clone(),
        mp.clone()
    );
    same!(
        "delete_oauth_token",
        |p| store.delete_oauth_token(s, &p),
        fp.clone(),
        mp.clone()
    );
    let (fh, mh) = (a.user_sessions[0], SessionToken::new("never").hash());
    same!(
        "get_user_session",
        |x| store.get_user_session(s, &x),
        fh,
        mh
    );
    same!(
        "delete_user_session",
        |x| store.delete_user_session(s, &x),
        fh,
        mh
    );
    let (fh, mh) = (a.streamer_sessions[0], SessionToken::new("never").hash());
    same!(
        "get_streamer_session",
        |x| store.get_streamer_session(s, &x),
        fh,
        mh
    );
    same!(
        "delete_streamer_session",
        |x| store.delete_streamer_session(s, &x),
        fh,
        mh
    );
    let fc = a.codes[1].clone();
    let mc = ("never_seen".to_owned(), "NOPE".to_owned());
    same!(
        "mark_verification_code_verified",
        |c| store.mark_verification_code_verified(s, &c.0, &c.1),
        fc.clone(),
        mc.clone()
    );
    same!(
        "get_verification_code",
        |c| store.get_verification_code(s, &c.0, &c.1),
        fc.clone(),
        mc.clone()
    );
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "A's resources are distinguishable from missing ones:\n  {}",
            mismatches.join("\n  ")
        )))
    }
}

/// A streamer id that does not exist owns nothing: reads find nothing, creating writes say
/// `NotFound(Streamer)`, addressed writes say their row is not found.
pub async fn unknown_streamer_owns_nothing(h: Harness) -> CaseResult {
    let (store, a, _b) = two(&h).await?;
    let x = StreamerId(a.streamer.0 + 1_000_000);
    let u = a.rich_user;
    check_eq!(store.get_user(x, u).await?, None, "get_user");
    check_eq!(
        store.get_user_by_username(x, "alice").await?,
        None,
        "by name"
    );
    check_eq!(store.count_users(x).await?, 0, "count");
    check_eq!(store.leaderboard(x, 10).await?, vec![], "leaderboard");
    check_eq!(store.list_powerups(x).await?, vec![], "powerups");
    check_eq!(store.list_tips(x).await?, vec![], "tips");
    check_eq!(store.list_goals(x).await?, vec![], "goals");
    check_eq!(store.list_overlay_settings(x).await?, vec![], "settings");
    check_eq!(store.list_layouts(x).await?, vec![], "layouts");
    check_eq!(store.get_theme(x).await?, None, "theme");
    check_eq!(store.purge_expired_user_sessions(x).await?, 0, "purge");
    check_eq!(
        store.delete_verification_codes(x, "alice").await?,
        0,
        "delete codes"
    );
    check_eq!(store.export_streamer(x).await?, None, "export");
    check_eq!(store.analytics(x).await?.users, 0, "analytics");
    let ns = StoreError::not_found(Resource::Streamer);
    check_err!(
        store.get_or_create_user(x, "alice").await,
        ns,
        "create a user"
    );
    check_err!(
        store.create_tip(x, NewTip::new("x")).await,
        ns,
        "create a tip"
    );
    check_err!(store.set_theme(x, json!({})).await, ns, "set the theme");
    check_err!(
        store.upsert_overlay_setting(x, "k", "v", None).await,
        ns,
        "upsert a setting"
    );
    check_err!(
        store
            .bulk_award(x, &[], PointDelta::new(1, PointSource::Watch))
            .await,
        ns,
        "bulk award"
    );
    check_err!(
        store
            .earn_points(x, u, PointDelta::new(1, PointSource::Chat))
            .await,
        StoreError::not_found(Resource::User),
        "earn"
    );
    check_err!(
        store.delete_tip(x, a.tips[0]).await,
        StoreError::not_found(Resource::Tip),
        "delete a tip"
    );
    Ok(())
}

/// A's viewer and admin credentials are no session at all under B, and B's maintenance
/// (purges) never touches A's sessions.
pub async fn credentials_do_not_cross_streamers(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    for t in &a.user_sessions[..2] {
        check_eq!(
            store.get_user_session(b.streamer, t).await?,
            None,
            "A's viewer token under B"
        );
    }
    for t in &a.streamer_sessions[..2] {
        check_eq!(
            store.get_streamer_session(b.streamer, t).await?,
            None,
            "A's admin token under B"
        );
    }
    check!(
        store
            .get_streamer_session(a.streamer, &a.streamer_sessions[0])
            .await?
            .is_some(),
        "A's admin token works under A"
    );
    h.clock().advance(Duration::from_secs(7200));
    check_eq!(
        store.purge_expired_user_sessions(b.streamer).await?,
        1,
        "B purges its own"
    );
    check_eq!(
        store.purge_expired_streamer_sessions(b.streamer).await?,
        1,
        "B purges its own"
    );
    let e = export(&*store, a.streamer).await?;
    check_eq!(
        (e.user_sessions.len(), e.streamer_sessions.len()),
        (3, 3),
        "A's expired sessions stay"
    );
    Ok(())
}

macro_rules! sweep_cases {
    ($($name:ident => $family:ident),* $(,)?) => {$(
        /// The table-driven cross-tenant sweep over every operation of one family; see
        /// [`crate::sweep`].
        pub async fn $name(h: Harness) -> CaseResult {
            crate::sweep::run_family(h, Family::$family).await
        }
    )*};
}

sweep_cases! {
    cross_tenant_sweep_streamers => Streamers,
    cross_tenant_sweep_users => Users,
    cross_tenant_sweep_points => Points,
    cross_tenant_sweep_powerups => Powerups,
    cross_tenant_sweep_overlay => Overlay,
    cross_tenant_sweep_tips => Tips,
    cross_tenant_sweep_goals => Goals,
    cross_tenant_sweep_tokens => Tokens,
    cross_tenant_sweep_sessions => Sessions,
    cross_tenant_sweep_verification => Verification,
    cross_tenant_sweep_cooldowns => Cooldowns,
    cross_tenant_sweep_reports => Reports,
}

/// Random operation sequences across three streamers match [`crate::ModelStore`] step by
/// step, and the invariants hold after every step; see [`crate::props`].
pub async fn matches_model_under_random_operations(h: Harness) -> CaseResult {
    crate::props::matches_model(h).await
}
