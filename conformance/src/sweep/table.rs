//! The sweep's table: one entry per [`datastore::OPERATIONS`] name.
//!
//! Each entry calls its operation as streamer B (`e.s()`) aimed at streamer A's ids and names
//! (`e.them`), and records every result with `e.see`. Operator-level operations (streamers)
//! are called on B itself: they must not touch A. A test (`tests/coverage.rs`) fails when an
//! operation has no entry here; to keep the two in step, add the entry in the same change that
//! adds the method to the trait and to `OPERATIONS`.

use crate::populate::{code_secret, fresh_token};
use crate::sweep::env::{Env, SweepEntry};
use datastore::*;
use serde_json::json;
use std::time::Duration;

macro_rules! entries {
    ($($op:ident |$e:ident| $body:block)*) => {
        /// Every entry, in [`datastore::OPERATIONS`] order.
        pub const ENTRIES: &[SweepEntry] = &[$(
            SweepEntry {
                operation: stringify!($op),
                run: |mut $e: Env| Box::pin(async move {
                    $body
                    $e
                }),
            },
        )*];
    };
}

fn them_users(e: &Env) -> Vec<UserId> {
    e.them.user_ids().collect()
}

entries! {
    // Streamers: operator-level; B's own calls must not touch A.
    create_streamer |e| {
        let r = e.store.create_streamer(NewStreamer {
            username: "charlie".into(),
            display_name: None,
            kick_user_id: Some(3003),
            avatar_url: None,
        }).await;
        e.see(r);
    }
    get_streamer |e| {
        let r = e.store.get_streamer(e.s()).await;
        e.see(r);
    }
    get_streamer_by_username |e| {
        for n in [e.me.username.clone(), e.me.username.to_ascii_uppercase()] {
            let r = e.store.get_streamer_by_username(&n).await;
            e.see(r);
        }
    }
    get_streamer_by_kick_user_id |e| {
        let r = e.store.get_streamer_by_kick_user_id(e.me.kick_user_id).await;
        e.see(r);
    }
    update_streamer |e| {
        let r = e.store.update_streamer(e.s(), StreamerUpdate {
            username: Some("bravo_renamed".into()),
            display_name: Some("Renamed".into()),
            kick_user_id: Some(Some(4004)),
            avatar_url: Some(None),
        }).await;
        e.see(r);
    }
    list_streamers |e| {
        let a = e.them.streamer;
        let r = e.store.list_streamers().await
            .map(|l| l.into_iter().filter(|s| s.id != a).collect::<Vec<_>>());
        e.see(r);
    }
    list_live_streamers |e| {
        // B's view (A left out), then again once B went off: whether A is live must not decide
        // whether B is listed.
        let a = e.them.streamer;
        let r = e.store.list_live_streamers().await
            .map(|l| l.into_iter().filter(|s| *s != a).collect::<Vec<_>>());
        e.see(r);
        let at = e.clock.now();
        let r = e.store.apply_delivery(e.s(), Delivery {
            id: DeliveryId("sweep-off".into()),
            effects: vec![Step::SetLive { live: false, at }],
            command: vec![],
        }).await;
        e.see(r);
        let r = e.store.list_live_streamers().await
            .map(|l| l.into_iter().filter(|s| *s != a).collect::<Vec<_>>());
        e.see(r);
    }
    delete_streamer |e| {
        let r = e.store.delete_streamer(e.s()).await;
        e.see(r);
        let r = e.store.export_streamer(e.s()).await;
        e.see(r);
    }

    // Users.
    get_or_create_user |e| {
        for n in e.them.usernames() {
            let r = e.store.get_or_create_user(e.s(), &n).await;
            e.see(r);
        }
    }
    get_user |e| {
        for u in them_users(&e) {
            let r = e.store.get_user(e.s(), u).await;
            e.see(r);
        }
    }
    get_user_by_username |e| {
        for n in e.them.usernames() {
            let r = e.store.get_user_by_username(e.s(), &n).await;
            e.see(r);
        }
    }
    update_user_profile |e| {
        for u in them_users(&e) {
            let r = e.store.update_user_profile(e.s(), u, ProfileUpdate {
                country: Some(Some("FR".into())),
                voice_id: Some(None),
                ..Default::default()
            }).await;
            e.see(r);
        }
    }
    delete_user |e| {
        for u in them_users(&e) {
            let r = e.store.delete_user(e.s(), u).await;
            e.see(r);
        }
    }
    list_users_with_points |e| {
        for (offset, limit) in [(0, 3), (3, 1000), (0, 1000), (100, 10)] {
            let r = e.store.list_users_with_points(e.s(), PageRequest { offset, limit }).await;
            e.see(r);
        }
    }
    count_users |e| {
        let r = e.store.count_users(e.s()).await;
        e.see(r);
    }

    // Points.
    get_points |e| {
        for u in them_users(&e) {
            let r = e.store.get_points(e.s(), u).await;
            e.see(r);
        }
    }
    earn_points |e| {
        for u in them_users(&e) {
            let r = e.store.earn_points(e.s(), u, PointDelta::new(10, PointSource::Chat)).await;
            e.see(r);
        }
    }
    spend_points |e| {
        for u in them_users(&e) {
            let r = e.store.spend_points(e.s(), u, PointDelta::new(1, PointSource::Spend)).await;
            e.see(r);
        }
    }
    set_points |e| {
        for u in them_users(&e) {
            let r = e.store.set_points(e.s(), u, AdminSetPoints {
                channel_points: 5,
                drop_points: Some(5),
                description: None,
            }).await;
            e.see(r);
        }
    }
    add_drop_points |e| {
        for u in them_users(&e) {
            let r = e.store.add_drop_points(e.s(), u, NewDrop {
                score: 100,
                is_perfect: true,
                powerup_used: None,
            }).await;
            e.see(r);
        }
    }
    leaderboard |e| {
        for limit in [1, 3, 50, 1000] {
            let r = e.store.leaderboard(e.s(), limit).await;
            e.see(r);
        }
    }
    drop_leaderboard |e| {
        for limit in [1, 3, 50, 1000] {
            let r = e.store.drop_leaderboard(e.s(), limit).await;
            e.see(r);
        }
    }
    points_summary |e| {
        for u in them_users(&e) {
            let r = e.store.points_summary(e.s(), u).await;
            e.see(r);
        }
    }
    transaction_history |e| {
        for u in them_users(&e) {
            let r = e.store.transaction_history(e.s(), u, HistoryRequest { limit: 50, before: None }).await;
            e.see(r);
        }
        // A's ledger ids as cursors into B's own ledger.
        for before in e.them.transactions.clone() {
            let r = e.store.transaction_history(e.s(), e.me.rich_user, HistoryRequest {
                limit: 50,
                before: Some(before),
            }).await;
            e.see(r);
        }
    }
    bulk_award |e| {
        let mut names = e.them.usernames();
        names.extend(e.me.users.iter().map(|(_, n)| n.clone()));
        let r = e.store.bulk_award(e.s(), &names, PointDelta::new(5, PointSource::Watch)).await;
        e.see(r);
    }

    // Powerups.
    list_enabled_powerups |e| {
        let r = e.store.list_enabled_powerups(e.s()).await;
        e.see(r);
    }
    list_powerups |e| {
        let r = e.store.list_powerups(e.s()).await;
        e.see(r);
    }
    get_powerup |e| {
        for p in PowerupType::ALL {
            let r = e.store.get_powerup(e.s(), p).await;
            e.see(r);
        }
    }
    upsert_powerup |e| {
        let r = e.store.upsert_powerup(e.s(), PowerupType::Tnt, PowerupConfigInput {
            name: "Big TNT".into(),
            description: "B's own".into(),
            cost: 1,
            emoji: "💥".into(),
            effect: "boom".into(),
            variables: serde_json::Map::new(),
            enabled: false,
        }).await;
        e.see(r);
    }
    update_powerup |e| {
        for p in PowerupType::ALL {
            let r = e.store.update_powerup(e.s(), p, PowerupConfigPatch {
                cost: Some(1),
                enabled: Some(true),
                ..Default::default()
            }).await;
            e.see(r);
        }
    }
    get_inventory |e| {
        for u in them_users(&e) {
            let r = e.store.get_inventory(e.s(), u).await;
            e.see(r);
        }
    }
    add_powerup |e| {
        for u in them_users(&e) {
            let r = e.store.add_powerup(e.s(), u, PowerupType::Tnt, 3).await;
            e.see(r);
        }
    }
    use_powerup |e| {
        for u in them_users(&e) {
            for p in [PowerupType::Boost, PowerupType::Shield, PowerupType::Magnet] {
                let r = e.store.use_powerup(e.s(), u, p).await;
                e.see(r);
            }
        }
    }
    purchase_powerup |e| {
        for u in them_users(&e) {
            let r = e.store.purchase_powerup(e.s(), u, PowerupType::Boost).await;
            e.see(r);
        }
        // B's own users, every powerup: prices, enabled flags and the owner's free purchase
        // must come from B's configuration and B's username only (B has a viewer named like
        // streamer A, who must pay).
        let own: Vec<UserId> = e.me.user_ids().collect();
        for u in own {
            for p in PowerupType::ALL {
                let r = e.store.purchase_powerup(e.s(), u, p).await;
                e.see(r);
            }
        }
    }

    // Overlay.
    get_overlay_setting |e| {
        for k in e.them.settings.clone() {
            let r = e.store.get_overlay_setting(e.s(), &k).await;
            e.see(r);
        }
    }
    list_overlay_settings |e| {
        let r = e.store.list_overlay_settings(e.s()).await;
        e.see(r);
    }
    upsert_overlay_setting |e| {
        // No description: B's own description (if any) must be kept, never A's.
        for k in e.them.settings.clone() {
            let r = e.store.upsert_overlay_setting(e.s(), &k, "written by B", None).await;
            e.see(r);
        }
    }
    delete_overlay_setting |e| {
        for k in e.them.settings.clone() {
            let r = e.store.delete_overlay_setting(e.s(), &k).await;
            e.see(r);
        }
    }
    get_layout |e| {
        for l in e.them.layouts.clone() {
            let r = e.store.get_layout(e.s(), &l).await;
            e.see(r);
        }
    }
    list_layouts |e| {
        let r = e.store.list_layouts(e.s()).await;
        e.see(r);
    }
    upsert_layout |e| {
        // A's ids with A's names (unique per streamer only); the last one becomes B's
        // default: A's default must stay A's default.
        let ids = e.them.layouts.clone();
        let names = e.them.layout_names.clone();
        for (i, (l, name)) in ids.iter().zip(names).enumerate() {
            let r = e.store.upsert_layout(e.s(), l, LayoutInput {
                name,
                is_default: i + 1 == ids.len(),
                layout: json!({"by": "B"}),
            }).await;
            e.see(r);
        }
    }
    delete_layout |e| {
        for l in e.them.layouts.clone() {
            let r = e.store.delete_layout(e.s(), &l).await;
            e.see(r);
        }
    }
    get_theme |e| {
        let r = e.store.get_theme(e.s()).await;
        e.see(r);
        // A brand-new streamer has no theme: it must not be handed anyone else's.
        if let Ok(c) = e.store.create_streamer(NewStreamer::named("charlie")).await {
            let r = e.store.get_theme(c.id).await;
            e.see(r);
        }
    }
    set_theme |e| {
        let r = e.store.set_theme(e.s(), json!({"primary": "#000000"})).await;
        e.see(r);
    }

    // Tips.
    list_enabled_tips |e| {
        let r = e.store.list_enabled_tips(e.s()).await;
        e.see(r);
    }
    list_tips |e| {
        let r = e.store.list_tips(e.s()).await;
        e.see(r);
    }
    get_tip |e| {
        for t in e.them.tips.clone() {
            let r = e.store.get_tip(e.s(), t).await;
            e.see(r);
        }
    }
    create_tip |e| {
        let r = e.store.create_tip(e.s(), NewTip::new("B's new tip")).await;
        e.see(r);
    }
    update_tip |e| {
        for t in e.them.tips.clone() {
            let r = e.store.update_tip(e.s(), t, TipPatch {
                content: Some("rewritten by B".into()),
                enabled: Some(true),
                sort_order: Some(-5),
            }).await;
            e.see(r);
        }
    }
    delete_tip |e| {
        for t in e.them.tips.clone() {
            let r = e.store.delete_tip(e.s(), t).await;
            e.see(r);
        }
    }

    // Goals.
    list_enabled_goals |e| {
        let r = e.store.list_enabled_goals(e.s()).await;
        e.see(r);
    }
    list_goals |e| {
        let r = e.store.list_goals(e.s()).await;
        e.see(r);
    }
    get_goal |e| {
        for g in e.them.goals.clone() {
            let r = e.store.get_goal(e.s(), &g).await;
            e.see(r);
        }
    }
    upsert_goal |e| {
        for g in e.them.goals.clone() {
            let r = e.store.upsert_goal(e.s(), &g, GoalInput {
                label: "B's goal".into(),
                current_value: 1,
                target_value: 2,
                enabled: true,
            }).await;
            e.see(r);
        }
    }
    set_goal_progress |e| {
        for g in e.them.goals.clone() {
            let r = e.store.set_goal_progress(e.s(), &g, 99).await;
            e.see(r);
        }
    }
    delete_goal |e| {
        for g in e.them.goals.clone() {
            let r = e.store.delete_goal(e.s(), &g).await;
            e.see(r);
        }
    }

    // OAuth tokens.
    get_oauth_token |e| {
        for p in e.them.providers.clone() {
            let r = e.store.get_oauth_token(e.s(), &p).await;
            e.see(r);
        }
    }
    upsert_oauth_token |e| {
        let expires_at = e.clock.now();
        for p in e.them.providers.clone() {
            let r = e.store.upsert_oauth_token(e.s(), OAuthTokenInput {
                provider: p,
                access_token: "B-access".into(),
                refresh_token: None,
                expires_at,
                scope: None,
            }).await;
            e.see(r);
        }
    }
    delete_oauth_token |e| {
        for p in e.them.providers.clone() {
            let r = e.store.delete_oauth_token(e.s(), &p).await;
            e.see(r);
        }
    }

    // Sessions.
    create_user_session |e| {
        let expires_at = e.clock.now().checked_add(Duration::from_secs(3600)).unwrap_or(Timestamp::MAX);
        // A session for A's users must not be creatable, whatever the token.
        for (i, u) in them_users(&e).into_iter().enumerate() {
            let r = e.store.create_user_session(e.s(), NewUserSession {
                user_id: u,
                token_hash: fresh_token(i as u32),
                expires_at,
            }).await;
            e.see(r);
        }
        // A's token hashes, for B's own user: uniqueness is per streamer only.
        for h in e.them.user_sessions.clone() {
            let r = e.store.create_user_session(e.s(), NewUserSession {
                user_id: e.me.rich_user,
                token_hash: h,
                expires_at,
            }).await;
            e.see(r);
        }
    }
    get_user_session |e| {
        for h in e.them.user_sessions.clone() {
            let r = e.store.get_user_session(e.s(), &h).await;
            e.see(r);
        }
    }
    delete_user_session |e| {
        for h in e.them.user_sessions.clone() {
            let r = e.store.delete_user_session(e.s(), &h).await;
            e.see(r);
        }
    }
    purge_expired_user_sessions |e| {
        let r = e.store.purge_expired_user_sessions(e.s()).await;
        e.see(r);
    }
    create_streamer_session |e| {
        let expires_at = e.clock.now().checked_add(Duration::from_secs(3600)).unwrap_or(Timestamp::MAX);
        for h in e.them.streamer_sessions.clone() {
            let r = e.store.create_streamer_session(e.s(), &h, expires_at).await;
            e.see(r);
        }
    }
    get_streamer_session |e| {
        for h in e.them.streamer_sessions.clone() {
            let r = e.store.get_streamer_session(e.s(), &h).await;
            e.see(r);
        }
    }
    delete_streamer_session |e| {
        for h in e.them.streamer_sessions.clone() {
            let r = e.store.delete_streamer_session(e.s(), &h).await;
            e.see(r);
        }
    }
    purge_expired_streamer_sessions |e| {
        let r = e.store.purge_expired_streamer_sessions(e.s()).await;
        e.see(r);
    }
    set_admin_key |e| {
        // A's key hash as B's own key (a hash may be any number of streamers' keys), then a
        // fresh one: A's key must stay A's, untouched, whatever B sets.
        for h in [e.them.admin_key, fresh_token(0)] {
            let r = e.store.set_admin_key(e.s(), &h).await;
            e.see(r);
        }
    }
    check_admin_key |e| {
        // A's key under B's id opens nothing; B's own still works.
        for h in [e.them.admin_key, e.me.admin_key] {
            let r = e.store.check_admin_key(e.s(), &h).await;
            e.see(r);
        }
    }
    set_overlay_key |e| {
        // A's overlay key, then A's admin key, as B's overlay key, then a fresh one: A's keys
        // must stay A's, untouched (the sweep checks A's overlay key still opens A).
        for h in [e.them.overlay_key, e.them.admin_key, fresh_token(1)] {
            let r = e.store.set_overlay_key(e.s(), &h).await;
            e.see(r);
        }
    }
    check_overlay_key |e| {
        // A's overlay key under B's id opens nothing; B's own does; no admin key is one.
        for h in [e.them.overlay_key, e.me.overlay_key, e.them.admin_key, e.me.admin_key] {
            let r = e.store.check_overlay_key(e.s(), &h).await;
            e.see(r);
        }
    }

    // Verification codes.
    create_verification_code |e| {
        let expires_at = e.clock.now().checked_add(Duration::from_secs(600)).unwrap_or(Timestamp::MAX);
        for (u, c) in e.them.codes.clone() {
            let secret_hash = code_secret(&u, &c);
            let r = e.store.create_verification_code(e.s(), NewVerificationCode {
                username: u,
                code: c,
                secret_hash,
                expires_at,
            }).await;
            e.see(r);
        }
    }
    get_verification_code |e| {
        for (u, c) in e.them.codes.clone() {
            let r = e.store.get_verification_code(e.s(), &u, &c).await;
            e.see(r);
        }
    }
    latest_verification_code |e| {
        for (u, _) in e.them.codes.clone() {
            let r = e.store.latest_verification_code(e.s(), &u).await;
            e.see(r);
        }
    }
    mark_verification_code_verified |e| {
        for (u, c) in e.them.codes.clone() {
            let r = e.store.mark_verification_code_verified(e.s(), &u, &c).await;
            e.see(r);
        }
    }
    delete_verification_codes |e| {
        for (u, _) in e.them.codes.clone() {
            let r = e.store.delete_verification_codes(e.s(), &u).await;
            e.see(r);
        }
    }
    redeem_verification_code |e| {
        // A's codes with A's own secrets, and with a wrong one: as B, none exists.
        for (u, c) in e.them.codes.clone() {
            for h in [code_secret(&u, &c), fresh_token(7)] {
                let r = e.store.redeem_verification_code(e.s(), &u, &c, &h).await;
                e.see(r);
            }
        }
    }
    purge_expired_verification_codes |e| {
        let r = e.store.purge_expired_verification_codes(e.s()).await;
        e.see(r);
    }

    // Cooldowns.
    check_cooldown |e| {
        for u in them_users(&e) {
            for c in e.them.commands.clone() {
                let r = e.store.check_cooldown(e.s(), u, &c, Duration::from_secs(60)).await;
                e.see(r);
            }
        }
    }
    purge_expired_cooldowns |e| {
        let r = e.store.purge_expired_cooldowns(e.s()).await;
        e.see(r);
    }

    // Reports.
    analytics |e| {
        let r = e.store.analytics(e.s()).await;
        e.see(r);
    }
    export_streamer |e| {
        let r = e.store.export_streamer(e.s()).await;
        e.see(r);
    }
    stream_export |e| {
        let r = crate::held_export::collect_stream(&*e.store, e.s()).await;
        e.see(r);
    }

    // Events.
    read_events |e| {
        // From the start, around A's latest id (A records more events than B) and past it:
        // B's own events and B's own counter, whatever A recorded.
        let theirs = e.them.last_event.get();
        for after in [0, 1, theirs - 1, theirs, theirs + 1, i64::MAX] {
            for limit in [1, 3, MAX_EVENT_PAGE] {
                let r = e.store.read_events(e.s(), EventId(after), limit).await;
                e.see(r);
            }
        }
    }
    purge_events |e| {
        // By count (B keeps three), then by age (everything B recorded while populating is
        // older than an hour): A's events stay, whatever B purges.
        for retention in [
            EventRetention { max_age: Duration::from_secs(365 * 24 * 3600), max_count: 3 },
            EventRetention { max_age: Duration::from_secs(3600), max_count: MAX_EVENT_RETENTION_COUNT },
        ] {
            let r = e.store.purge_events(e.s(), retention).await;
            e.see(r);
            let r = e.store.read_events(e.s(), EventId::START, MAX_EVENT_PAGE).await;
            e.see(r);
        }
    }

    // Kick.
    apply_delivery |e| {
        // A's delivery ids, naming A's Kick users and viewer names: B's own deliveries, landing
        // in B's own viewers (created or linked as B's), whatever A recorded or linked.
        let now = e.clock.now();
        for (i, id) in e.them.deliveries.clone().into_iter().enumerate() {
            let r = e.store.apply_delivery(e.s(), Delivery {
                id,
                effects: vec![
                    Step::Chatted { viewer: e.them.kick(i) },
                    Step::Earn {
                        viewer: e.them.kick(i + 1),
                        amount: 11,
                        source: PointSource::Chat,
                        description: None,
                    },
                    Step::Alert { kind: AlertKind::Follow, viewer: Some(e.them.kick(i + 2)), amount: 1 },
                ],
                command: vec![Step::Spend {
                    viewer: e.them.kick(i + 1),
                    amount: 1,
                    source: PointSource::Spend,
                    description: None,
                }],
            }).await;
            e.see(r);
        }
        // Challenges of every name of A's viewers, by a challenger of B's own: a viewer only A
        // has is no opponent.
        let challenger = KickViewer::new(777, "sweep_challenger");
        for (n, name) in e.them.usernames().into_iter().enumerate() {
            let r = e.store.apply_delivery(e.s(), Delivery {
                id: DeliveryId(format!("sweep-duel-{n}")),
                effects: vec![Step::Earn {
                    viewer: challenger.clone(),
                    amount: 10,
                    source: PointSource::Sub,
                    description: None,
                }],
                command: vec![Step::ChallengeDuel {
                    challenger: challenger.clone(),
                    opponent: name,
                    stake: 10,
                    expires_in: Duration::from_secs(60),
                }],
            }).await;
            e.see(r);
        }
        // B goes off: A's live state is A's.
        let r = e.store.apply_delivery(e.s(), Delivery {
            id: DeliveryId("sweep-live".into()),
            effects: vec![Step::SetLive { live: false, at: now }],
            command: vec![],
        }).await;
        e.see(r);
    }
    delivery_seen |e| {
        let mut ids = e.them.deliveries.clone();
        ids.push(DeliveryId("never-delivered".into()));
        for id in ids {
            let r = e.store.delivery_seen(e.s(), &id).await;
            e.see(r);
        }
    }
    purge_deliveries |e| {
        // Everything B recorded: A's records stay.
        let now = e.clock.now();
        let r = e.store.purge_deliveries(e.s(), now).await;
        e.see(r);
        for id in e.them.deliveries.clone() {
            let r = e.store.delivery_seen(e.s(), &id).await;
            e.see(r);
        }
    }
    get_stream_state |e| {
        let r = e.store.get_stream_state(e.s()).await;
        e.see(r);
        // A brand-new streamer has no live state: it must not be handed anyone else's.
        if let Ok(c) = e.store.create_streamer(NewStreamer::named("charlie")).await {
            let r = e.store.get_stream_state(c.id).await;
            e.see(r);
        }
    }
    award_watch_minute |e| {
        // B's viewers named like A's (and A's Kick users, as B's own) chat; then A's minutes
        // and a fresh one: B's minutes and B's chatters only.
        let effects = (0..e.them.kick_viewers.len())
            .map(|i| Step::Chatted { viewer: e.them.kick(i) })
            .collect();
        let r = e.store.apply_delivery(e.s(), Delivery {
            id: DeliveryId("sweep-chat".into()),
            effects,
            command: vec![],
        }).await;
        e.see(r);
        let mut minutes = e.them.watch_minutes.clone();
        minutes.push(e.clock.now().as_millis().div_euclid(60_000));
        for minute in minutes {
            let r = e.store.award_watch_minute(e.s(), WatchMinute {
                minute,
                amount: 5,
                window: Duration::from_secs(600),
            }).await;
            e.see(r);
        }
    }
    list_duels |e| {
        let r = e.store.list_duels(e.s()).await;
        e.see(r);
        if let Ok(c) = e.store.create_streamer(NewStreamer::named("charlie")).await {
            let r = e.store.list_duels(c.id).await;
            e.see(r);
        }
    }
    get_kick_viewer |e| {
        let mut ids: Vec<i64> = e.them.kick_viewers.iter().map(|(k, _)| *k).collect();
        ids.push(123_456_789);
        for k in ids {
            let r = e.store.get_kick_viewer(e.s(), k).await;
            e.see(r);
        }
    }
    get_economy_config |e| {
        let r = e.store.get_economy_config(e.s()).await;
        e.see(r);
        // A brand-new streamer has the default economy, not anyone else's.
        if let Ok(c) = e.store.create_streamer(NewStreamer::named("charlie")).await {
            let r = e.store.get_economy_config(c.id).await;
            e.see(r);
        }
    }
    set_economy_config |e| {
        let r = e.store.set_economy_config(e.s(), EconomyConfig {
            chat_points: 1,
            thank_in_chat: false,
            ..EconomyConfig::default()
        }).await;
        e.see(r);
    }
}
