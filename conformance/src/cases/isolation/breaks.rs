//! The ways isolation breaks in practice: shared names and keys, per-streamer defaults and
//! uniqueness, deleted streamers, writes that would link rows across streamers, telltale
//! errors, unknown streamers and credentials used under the wrong streamer.

use super::setup::{missing_user, two};
use crate::cases::support::*;
use crate::harness::{CaseResult, Failure, Harness, check, check_eq, check_err};
use crate::populate::Population;
use datastore::*;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

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
    // A's alice is as rich as a balance may be: an award to B's alice that looked at her
    // balance (an overflow check joining users by name alone) would refuse.
    let full = AdminSetPoints {
        channel_points: validate::MAX_BALANCE,
        drop_points: None,
        description: None,
    };
    store.set_points(a, ua.user.id, full).await?;
    check_eq!(
        balance(&*store, b, ub.user.id).await?,
        0,
        "B's alice has nothing"
    );
    store
        .bulk_award(b, &["alice".into()], PointDelta::new(5, PointSource::Watch))
        .await?;
    check_eq!(
        balance(&*store, b, ub.user.id).await?,
        5,
        "B's alice got the award"
    );
    check_eq!(
        balance(&*store, a, ua.user.id).await?,
        validate::MAX_BALANCE,
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
    let (fh, mh) = (a.admin_key, SessionToken::new("never").hash());
    same!("check_admin_key", |x| store.check_admin_key(s, &x), fh, mh);
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
    let (fk, mk) = (a.kick_viewers[2].0, 987_654_321);
    same!("get_kick_viewer", |k| store.get_kick_viewer(s, k), fk, mk);
    let (fd, md) = (
        a.deliveries[1].clone(),
        DeliveryId("never-delivered".into()),
    );
    same!(
        "delivery_seen",
        |d| store.delivery_seen(s, &d),
        fd.clone(),
        md.clone()
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
    check_eq!(
        store.drop_leaderboard(x, 10).await?,
        vec![],
        "drop leaderboard"
    );
    check_eq!(store.list_powerups(x).await?, vec![], "powerups");
    check_eq!(store.list_tips(x).await?, vec![], "tips");
    check_eq!(store.list_goals(x).await?, vec![], "goals");
    check_eq!(store.list_overlay_settings(x).await?, vec![], "settings");
    check_eq!(store.list_layouts(x).await?, vec![], "layouts");
    check_eq!(store.get_theme(x).await?, None, "theme");
    check_eq!(store.purge_expired_user_sessions(x).await?, 0, "purge");
    check_eq!(
        store.check_admin_key(x, &a.admin_key).await?,
        false,
        "admin key"
    );
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
        store.set_admin_key(x, &a.admin_key).await,
        ns,
        "set an admin key"
    );
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
    check_eq!(
        store.get_stream_state(x).await?,
        StreamState {
            live: false,
            changed_at: None
        },
        "live state"
    );
    check_eq!(store.list_duels(x).await?, vec![], "duels");
    check_eq!(
        store.get_kick_viewer(x, a.kick_viewers[0].0).await?,
        None,
        "a Kick link"
    );
    check_eq!(
        store.get_economy_config(x).await?,
        EconomyConfig::default(),
        "economy"
    );
    check_eq!(
        store.delivery_seen(x, &a.deliveries[0]).await?,
        false,
        "a delivery"
    );
    check_eq!(
        store.purge_deliveries(x, h.clock().now()).await?,
        0,
        "purge deliveries"
    );
    check!(
        !store.list_live_streamers().await?.contains(&x),
        "not listed live"
    );
    let d = Delivery {
        id: DeliveryId("x-1".into()),
        effects: vec![Step::Chatted { viewer: a.kick(0) }],
        command: vec![],
    };
    check_err!(store.apply_delivery(x, d).await, ns, "a delivery");
    check_err!(
        store
            .award_watch_minute(
                x,
                WatchMinute {
                    minute: WatchMinute::minute_of(h.clock().now()),
                    amount: 5,
                    window: Duration::from_secs(60)
                }
            )
            .await,
        ns,
        "a watch minute"
    );
    check_err!(
        store.set_economy_config(x, EconomyConfig::default()).await,
        ns,
        "set the economy"
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
    check_eq!(
        store.check_admin_key(b.streamer, &a.admin_key).await?,
        false,
        "A's admin key under B"
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

/// A streamer created with the username and Kick id another streamer had (deleted, or renamed
/// away) starts empty: nothing is keyed by the channel's name or Kick id, so nothing carries
/// over. The renamed streamer keeps all of its own data.
pub async fn a_new_streamer_inherits_nothing(h: Harness) -> CaseResult {
    use crate::populate::{ALPHA, BRAVO, populate};
    let store = h.store().await;
    let now = h.clock().now();
    let gone = populate(&*store, h.clock(), ALPHA, now).await?;
    let renamed = populate(&*store, h.clock(), BRAVO, h.clock().now()).await?;
    store.delete_streamer(gone.streamer).await?;
    let before = export(&*store, renamed.streamer).await?;
    store
        .update_streamer(
            renamed.streamer,
            StreamerUpdate {
                username: Some("bravo_old".into()),
                kick_user_id: Some(None),
                ..Default::default()
            },
        )
        .await?;
    let after = export(&*store, renamed.streamer).await?;
    check_eq!(
        (
            after.users.len(),
            after.tips.len(),
            after.oauth_tokens.len(),
            &after.theme
        ),
        (
            before.users.len(),
            before.tips.len(),
            before.oauth_tokens.len(),
            &before.theme
        ),
        "the renamed streamer keeps its data"
    );
    for (old, name) in [(&gone, "ALPHA"), (&renamed, "bravo")] {
        let fresh = store
            .create_streamer(NewStreamer {
                kick_user_id: Some(old.kick_user_id),
                ..NewStreamer::named(name)
            })
            .await?;
        let s = fresh.id;
        let e = export(&*store, s).await?;
        check_eq!(
            (
                e.users.len(),
                e.transactions.len(),
                e.oauth_tokens.len(),
                e.overlay_settings.len(),
                e.layouts.len(),
                e.tips.len(),
                e.goals.len(),
                e.verification_codes.len(),
                e.user_sessions.len(),
                e.streamer_sessions.len(),
                e.theme.is_some(),
                e.admin_key.is_some(),
            ),
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, false),
            "a new {name} starts empty"
        );
        check!(
            e.powerups.iter().all(|p| p.created_at == fresh.created_at),
            "a new {name} gets fresh default powerups, not {}'s",
            old.username
        );
        check_eq!(
            store.get_oauth_token(s, "kick").await?,
            None,
            "{name}'s token"
        );
        check_eq!(store.get_theme(s).await?, None, "{name}'s theme");
        check_eq!(
            store.get_overlay_setting(s, &old.settings[1]).await?,
            None,
            "{name}'s settings"
        );
        check_eq!(
            store.get_user_by_username(s, "alice").await?,
            None,
            "{name}'s users"
        );
        for t in old.streamer_sessions.iter().chain(&old.user_sessions) {
            check!(
                store.get_streamer_session(s, t).await?.is_none()
                    && store.get_user_session(s, t).await?.is_none(),
                "{}'s sessions do not open {name}",
                old.username
            );
        }
        check_eq!(
            store.check_admin_key(s, &old.admin_key).await?,
            false,
            "{}'s admin key does not open {name}",
            old.username
        );
        check_eq!(
            store.latest_verification_code(s, &old.codes[4].0).await?,
            None,
            "{name}'s codes"
        );
        check_eq!(
            store.get_stream_state(s).await?,
            StreamState {
                live: false,
                changed_at: None
            },
            "{name}'s live state"
        );
        check_eq!(store.list_duels(s).await?, vec![], "{name}'s duels");
        check_eq!(
            store.get_economy_config(s).await?,
            EconomyConfig::default(),
            "{name}'s economy"
        );
        for id in &old.deliveries {
            check!(
                !store.delivery_seen(s, id).await?,
                "{name} does not know {}'s delivery {id:?}",
                old.username
            );
        }
        for (k, _) in &old.kick_viewers {
            check_eq!(
                store.get_kick_viewer(s, *k).await?,
                None,
                "{name} links no Kick user {k}"
            );
        }
    }
    Ok(())
}

/// Two streamers working at the same time stay apart: every id an operation returns is the
/// streamer's own row (a shared "last inserted id" or per-connection state would hand one
/// streamer the other's), and each ends with exactly its own rows. Every task waits for the
/// others before it creates its tip, so the creations overlap whatever the scheduler does.
pub async fn concurrent_tenants_stay_apart(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let per_tenant = 12;
    let together = Arc::new(tokio::sync::Barrier::new(2 * per_tenant));
    let results = concurrently(2 * per_tenant, |i| {
        let store = store.clone();
        let together = together.clone();
        let (s, n) = if i % 2 == 0 { (a, i / 2) } else { (b, i / 2) };
        async move {
            let mut wrong = Vec::new();
            let before = async {
                let u = store
                    .get_or_create_user(s, &format!("viewer{n}"))
                    .await?
                    .user;
                if store.get_user(s, u.id).await?.is_none() || u.streamer_id != s {
                    wrong.push(format!("user {} returned to streamer {s}", u.id));
                }
                store
                    .earn_points(s, u.id, PointDelta::new(n as i64 + 1, PointSource::Chat))
                    .await
            }
            .await;
            // Every task reaches the barrier, failed or not, so none waits forever.
            together.wait().await;
            before?;
            let content = format!("{s}:{n}");
            let t = store.create_tip(s, NewTip::new(content.clone())).await?;
            let back = store.get_tip(s, t.id).await?;
            if back.as_ref().map(|x| &x.content) != Some(&content) {
                wrong.push(format!(
                    "tip {} returned to streamer {s} reads back {back:?}",
                    t.id
                ));
            }
            Ok::<_, StoreError>(wrong)
        }
    })
    .await?;
    let mut wrong = Vec::new();
    for r in results {
        wrong.extend(r?);
    }
    check!(
        wrong.is_empty(),
        "operations returned another streamer's rows: {wrong:?}"
    );
    for s in [a, b] {
        let e = export(&*store, s).await?;
        check_eq!(
            (e.users.len(), e.tips.len()),
            (per_tenant, per_tenant),
            "rows of {s}"
        );
        check!(
            e.tips
                .iter()
                .all(|t| t.content.starts_with(&format!("{s}:"))),
            "{s} holds only its own tips"
        );
        check_invariants(&e)?;
    }
    Ok(())
}

/// An admin key opens only its own streamer: A's key is no key under B and B's none under A,
/// B setting its key to A's hash leaves A's key as it was (both work, each under its own
/// streamer), and deleting B leaves A's key working.
pub async fn admin_key_of_another_streamer_is_refused(h: Harness) -> CaseResult {
    let (store, a, b) = two(&h).await?;
    let a_key = export(&*store, a.streamer).await?.admin_key;
    check!(
        a_key.as_ref().is_some_and(|k| k.key_hash == a.admin_key),
        "A's key is set: {a_key:?}"
    );
    for (p, other) in [(&a, &b), (&b, &a)] {
        check_eq!(
            store.check_admin_key(p.streamer, &other.admin_key).await?,
            false,
            "{}'s key under {}",
            other.username,
            p.username
        );
        check_eq!(
            store.check_admin_key(p.streamer, &p.admin_key).await?,
            true,
            "{}'s key under {}",
            p.username,
            p.username
        );
    }
    h.clock().advance(Duration::from_secs(60));
    store.set_admin_key(b.streamer, &a.admin_key).await?;
    check_eq!(
        store.check_admin_key(a.streamer, &a.admin_key).await?,
        true,
        "A's key still works under A"
    );
    check_eq!(
        store.check_admin_key(b.streamer, &a.admin_key).await?,
        true,
        "the same hash is now B's key too"
    );
    check_eq!(
        store.check_admin_key(b.streamer, &b.admin_key).await?,
        false,
        "B's old key stopped working"
    );
    check_eq!(
        export(&*store, a.streamer).await?.admin_key,
        a_key,
        "A's key is untouched"
    );
    store.set_admin_key(b.streamer, &b.admin_key).await?;
    check_eq!(
        (
            store.check_admin_key(a.streamer, &a.admin_key).await?,
            store.check_admin_key(a.streamer, &b.admin_key).await?,
        ),
        (true, false),
        "B's new key is B's only"
    );
    store.delete_streamer(b.streamer).await?;
    check_eq!(
        store.check_admin_key(a.streamer, &a.admin_key).await?,
        true,
        "A's key works after B is deleted"
    );
    check_eq!(
        store.check_admin_key(b.streamer, &a.admin_key).await?,
        false,
        "the deleted B has no key"
    );
    check_eq!(
        export(&*store, a.streamer).await?.admin_key,
        a_key,
        "A's key is untouched"
    );
    Ok(())
}
