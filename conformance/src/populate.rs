//! A fully populated streamer: every kind of row, with the awkward data real installs have.

use crate::canon::IdKind;
use crate::harness::Failure;
use datastore::*;
use serde_json::json;
use std::time::Duration;

/// Names every populated streamer shares (so the same name exists under several streamers).
pub const SHARED_USERNAMES: [&str; 4] = ["alice", "Zoë", "o'brien\"; DROP TABLE users;--", "bob"];
/// Setting keys, goal ids and layout ids every populated streamer shares.
pub const SHARED_KEY: &str = "shared.key";
/// Kick user ids every populated streamer links (to viewers of the same names).
pub const SHARED_KICK_IDS: [i64; 2] = [501, 502];
/// Delivery ids every populated streamer records.
pub const SHARED_DELIVERIES: [&str; 2] = ["shared-delivery-1", "shared-delivery-2"];

/// Which streamer to populate. Values (prices, amounts, descriptions) derive from the Kick user
/// id, so two populated streamers differ wherever a cross-tenant read could show it.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    /// The streamer's username.
    pub username: &'a str,
    /// Its Kick user id; also seeds the per-streamer values.
    pub kick_user_id: i64,
    /// Another streamer's username, given to one of this streamer's viewers (a viewer may be
    /// called like some other channel without being its owner).
    pub neighbour: &'a str,
}

impl Spec<'static> {
    /// A streamer populated on its own (its namesake viewer is called `other`).
    pub const fn solo(username: &'static str, kick_user_id: i64) -> Self {
        Spec {
            username,
            kick_user_id,
            neighbour: "other",
        }
    }
}

/// Streamer A of the isolation cases and the sweep.
pub const ALPHA: Spec<'static> = Spec {
    username: "alpha",
    kick_user_id: 1013,
    neighbour: "bravo",
};
/// Streamer B of the isolation cases and the sweep.
pub const BRAVO: Spec<'static> = Spec {
    username: "bravo",
    kick_user_id: 2042,
    neighbour: "alpha",
};
/// The stand-in for A in the sweep's world without A when A is populated first: same shape
/// as A (so the same ids), different content, deleted before B is populated.
pub const DECOY: Spec<'static> = Spec {
    username: "decoy",
    kick_user_id: 3071,
    neighbour: "bravo",
};

/// The values that make one populated streamer's rows differ from another's, derived from
/// the Kick user id (a unit test checks [`ALPHA`], [`BRAVO`] and [`DECOY`] differ in all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Values {
    sub: i64,
    tip: i64,
    owner_gift: i64,
    namesake_gift: i64,
    set_channel: i64,
    set_drop: i64,
    ghost_cost: i64,
    tnt_cost: i64,
    price_bump: i64,
    disabled: PowerupType,
    /// How many times the theme is set: streamers record different numbers of events, so a
    /// read of another streamer's counter shows.
    theme_writes: i64,
    /// What a Kick subscription earns the shared Kick viewer.
    kick_earn: i64,
    /// The economy's chat points.
    chat_points: i64,
}

impl Values {
    fn of(k: i64) -> Self {
        Values {
            sub: 2000 + k % 100,
            tip: 100 + k % 11,
            owner_gift: 1000 + k % 89,
            namesake_gift: 4000 + k % 83,
            set_channel: 700 + k % 79,
            set_drop: 10 + k % 13,
            ghost_cost: 800 + k % 50,
            tnt_cost: 300 + k % 97,
            price_bump: 1 + k % 31,
            disabled: if k % 4 < 2 {
                PowerupType::Magnet
            } else {
                PowerupType::Shield
            },
            theme_writes: 1 + k % 5,
            kick_earn: 150 + k % 13,
            chat_points: 20 + k % 9,
        }
    }

    /// Each value, for comparing two streamers field by field.
    #[cfg(test)]
    fn fields(&self) -> [String; 13] {
        [
            self.sub.to_string(),
            self.tip.to_string(),
            self.owner_gift.to_string(),
            self.namesake_gift.to_string(),
            self.set_channel.to_string(),
            self.set_drop.to_string(),
            self.ghost_cost.to_string(),
            self.tnt_cost.to_string(),
            self.price_bump.to_string(),
            self.disabled.to_string(),
            self.theme_writes.to_string(),
            self.kick_earn.to_string(),
            self.chat_points.to_string(),
        ]
    }
}

/// What [`populate`] created: the ids and names another streamer will try to reach.
#[derive(Debug, Clone)]
pub struct Population {
    /// The streamer.
    pub streamer: StreamerId,
    /// Its username.
    pub username: String,
    /// Its Kick user id.
    pub kick_user_id: i64,
    /// Users, with their usernames; the first is the streamer's own user (the channel owner).
    pub users: Vec<(UserId, String)>,
    /// A user with points, inventory, purchases, drops, a cooldown and sessions.
    pub rich_user: UserId,
    /// Tips.
    pub tips: Vec<TipId>,
    /// Ledger ids (for `before` cursors).
    pub transactions: Vec<TransactionId>,
    /// Goal ids.
    pub goals: Vec<GoalId>,
    /// Overlay setting keys.
    pub settings: Vec<String>,
    /// Layout ids.
    pub layouts: Vec<LayoutId>,
    /// Layout names, in the order of `layouts`.
    pub layout_names: Vec<String>,
    /// OAuth providers.
    pub providers: Vec<String>,
    /// Viewer session token hashes (live and expired).
    pub user_sessions: Vec<TokenHash>,
    /// Streamer session token hashes (live and expired).
    pub streamer_sessions: Vec<TokenHash>,
    /// The hash of the streamer's admin key (derived from its username and Kick id, so no two
    /// populated streamers share it).
    pub admin_key: TokenHash,
    /// The hash of the streamer's overlay key (derived likewise, never its admin key).
    pub overlay_key: TokenHash,
    /// The id of the streamer's latest event once populated.
    pub last_event: EventId,
    /// Verification (username, code) pairs (live, expired, verified).
    pub codes: Vec<(String, String)>,
    /// Commands with a cooldown.
    pub commands: Vec<String>,
    /// Recorded delivery ids: [`SHARED_DELIVERIES`] and ones only this streamer has.
    pub deliveries: Vec<DeliveryId>,
    /// Kick users linked to viewers, with their usernames: [`SHARED_KICK_IDS`] and one only
    /// this streamer has.
    pub kick_viewers: Vec<(i64, String)>,
    /// The watch minutes awarded.
    pub watch_minutes: Vec<i64>,
}

impl Population {
    /// The user ids.
    pub fn user_ids(&self) -> impl Iterator<Item = UserId> + '_ {
        self.users.iter().map(|(id, _)| *id)
    }

    /// The usernames, plus each in upper case (the same user, ignoring case).
    pub fn usernames(&self) -> Vec<String> {
        self.users
            .iter()
            .flat_map(|(_, n)| [n.clone(), n.to_ascii_uppercase()])
            .collect()
    }

    /// The Kick users, as a delivery names them.
    pub fn kick(&self, i: usize) -> KickViewer {
        let (k, name) = &self.kick_viewers[i % self.kick_viewers.len()];
        KickViewer::new(*k, name.clone())
    }

    /// This population with its numeric ids passed through `map` (to aim another world's
    /// calls at the ids this one had).
    pub fn map_ids(&self, mut map: impl FnMut(IdKind, i64) -> i64) -> Population {
        Population {
            streamer: StreamerId(map(IdKind::Streamer, self.streamer.0)),
            users: self
                .users
                .iter()
                .map(|(id, n)| (UserId(map(IdKind::User, id.0)), n.clone()))
                .collect(),
            rich_user: UserId(map(IdKind::User, self.rich_user.0)),
            tips: self
                .tips
                .iter()
                .map(|t| TipId(map(IdKind::Tip, t.0)))
                .collect(),
            transactions: self
                .transactions
                .iter()
                .map(|t| TransactionId(map(IdKind::Transaction, t.0)))
                .collect(),
            ..self.clone()
        }
    }
}

/// The login secret hash a populated code of `username` and `code` was issued with.
pub fn code_secret(username: &str, code: &str) -> TokenHash {
    SessionToken::new(format!("code-secret-{username}-{code}")).hash()
}

/// A token hash no population uses, distinct per `n`.
pub fn fresh_token(n: u32) -> TokenHash {
    SessionToken::new(format!("fresh-token-{n}")).hash()
}

/// Creates the streamer of `spec` and fills it with every kind of row, starting the clock at
/// `start` (each step one second later). Names come in two sets: ones every populated streamer
/// has ([`SHARED_USERNAMES`], [`SHARED_KEY`], `followers`, `main`, `kick`, …) and ones only this
/// streamer has (containing its username). Every populated streamer has the same number of rows
/// of each kind, so populating two streamers consumes the same ids in either order.
pub async fn populate(
    store: &dyn DataStore,
    clock: &ManualClock,
    spec: Spec<'_>,
    start: Timestamp,
) -> Result<Population, Failure> {
    let Spec {
        username,
        kick_user_id,
        neighbour,
    } = spec;
    let v = Values::of(kick_user_id);
    let mut step = 0u64;
    let mut tick = || {
        step += 1;
        clock.set(
            start
                .checked_add(Duration::from_secs(step))
                .unwrap_or(start),
        );
    };
    let later = |d: u64| start.checked_add(Duration::from_secs(d)).unwrap_or(start);

    tick();
    let streamer = store
        .create_streamer(NewStreamer {
            username: username.to_owned(),
            display_name: Some(format!("{username} (display)")),
            kick_user_id: Some(kick_user_id),
            avatar_url: Some(format!("https://example.test/{username}.png")),
        })
        .await?;
    let s = streamer.id;

    // The owner's user differs from the streamer's username only in case.
    let mut names = vec![username.to_ascii_uppercase()];
    names.extend(SHARED_USERNAMES.iter().map(|n| (*n).to_owned()));
    names.push(format!("only_{username}"));
    names.push(neighbour.to_owned());
    let mut users = Vec::new();
    for n in &names {
        tick();
        let u = store.get_or_create_user(s, n).await?.user;
        users.push((u.id, n.clone()));
    }
    let owner = users[0].0;
    let rich = users[1].0;
    // `bob` (users[4]) never gets a points row, as some legacy users have none.

    tick();
    store
        .update_user_profile(
            s,
            rich,
            ProfileUpdate {
                voice_id: Some(Some("en-US-Wavenet-D".into())),
                drop_image: Some(Some(format!("https://example.test/{username}/drop.png"))),
                country: Some(Some("de".into())),
            },
        )
        .await?;
    let namesake = users[6].0; // named like the neighbouring streamer
    for (u, amount, source) in [
        (rich, v.sub, PointSource::Sub),
        (rich, 25, PointSource::Chat),
        (owner, v.owner_gift, PointSource::Gift),
        (users[2].0, v.tip, PointSource::Tip),
        (namesake, v.namesake_gift, PointSource::Gift),
    ] {
        tick();
        store
            .earn_points(s, u, PointDelta::new(amount, source))
            .await?;
    }
    tick();
    store
        .spend_points(
            s,
            rich,
            PointDelta {
                amount: 500,
                source: PointSource::Spend,
                description: Some("text-to-speech".into()),
            },
        )
        .await?;
    tick();
    store
        .set_points(
            s,
            users[3].0,
            AdminSetPoints {
                channel_points: v.set_channel,
                drop_points: Some(v.set_drop),
                description: None,
            },
        )
        .await?;
    for (score, perfect, powerup) in [(50, false, None), (200, true, Some(PowerupType::Tnt))] {
        tick();
        store
            .add_drop_points(
                s,
                rich,
                NewDrop {
                    score,
                    is_perfect: perfect,
                    powerup_used: powerup,
                },
            )
            .await?;
    }
    tick();
    store
        .bulk_award(
            s,
            &[
                names[1].to_ascii_uppercase(),
                names[2].clone(),
                format!("watcher_{username}"),
            ],
            PointDelta::new(5, PointSource::Watch),
        )
        .await?;
    if let Some(u) = store
        .get_user_by_username(s, &format!("watcher_{username}"))
        .await?
    {
        users.push((u.id, u.username));
    }

    // Powerups: a purchase, a free purchase by the owner, a gift, and a used-up powerup.
    tick();
    store.purchase_powerup(s, rich, PowerupType::Boost).await?;
    tick();
    store.purchase_powerup(s, owner, PowerupType::Ghost).await?;
    tick();
    store.add_powerup(s, rich, PowerupType::Shield, 2).await?;
    tick();
    store.add_powerup(s, rich, PowerupType::Magnet, 1).await?;
    tick();
    store.use_powerup(s, rich, PowerupType::Magnet).await?;
    // Each streamer prices and disables powerups its own way.
    for (p, config) in default_powerups() {
        let (cost, enabled) = match p {
            PowerupType::Ghost => (v.ghost_cost, false),
            PowerupType::Tnt => (v.tnt_cost, true),
            other => (config.cost + v.price_bump, other != v.disabled),
        };
        let patch = PowerupConfigPatch {
            cost: Some(cost),
            enabled: Some(enabled),
            ..Default::default()
        };
        tick();
        store.update_powerup(s, p, patch).await?;
    }

    // Overlay.
    let only_key = format!("only.{username}");
    for (key, value, desc) in [
        (
            SHARED_KEY,
            format!("{username}-value"),
            format!("{username}'s shared setting"),
        ),
        (
            only_key.as_str(),
            "1".to_owned(),
            format!("only {username} has it"),
        ),
    ] {
        tick();
        store
            .upsert_overlay_setting(s, key, &value, Some(&desc))
            .await?;
    }
    let layouts = vec![
        LayoutId::new("main"),
        LayoutId::new("brb"),
        LayoutId::new(format!("only-{username}")),
    ];
    let layout_names = vec![
        "Main".to_owned(),
        "Be right back".to_owned(),
        format!("{username}'s scene"),
    ];
    for (i, id) in layouts.iter().enumerate() {
        tick();
        store
            .upsert_layout(
                s,
                id,
                LayoutInput {
                    name: layout_names[i].clone(),
                    is_default: i == 0,
                    layout: json!({"owner": username, "widgets": [{"kind": "goal", "x": i}]}),
                },
            )
            .await?;
    }
    for draft in 1..v.theme_writes {
        tick();
        store.set_theme(s, json!({"draft": draft})).await?;
    }
    tick();
    store
        .set_theme(
            s,
            json!({"primary": format!("#{kick_user_id:06x}"), "font": "Inter"}),
        )
        .await?;

    // Tips and goals.
    let mut tips = Vec::new();
    for (content, enabled, order) in [
        (format!("{username}: type !drop to play"), true, 2),
        ("Follow for more 🎉 <b>&amp;</b>".to_owned(), true, 1),
        (format!("{username}: hidden tip"), false, 0),
    ] {
        tick();
        let t = store
            .create_tip(
                s,
                NewTip {
                    content,
                    enabled,
                    sort_order: order,
                },
            )
            .await?;
        tips.push(t.id);
    }
    let goals = vec![
        GoalId::new("followers"),
        GoalId::new("subscribers"),
        GoalId::new(format!("only_{username}")),
    ];
    for (i, g) in goals.iter().enumerate() {
        tick();
        store
            .upsert_goal(
                s,
                g,
                GoalInput {
                    label: format!("{username} goal {i}"),
                    current_value: 10 * i as i64,
                    target_value: 100,
                    enabled: i != 1,
                },
            )
            .await?;
    }

    // Credentials.
    let providers = vec!["kick".to_owned(), format!("only_{username}")];
    for p in &providers {
        tick();
        store
            .upsert_oauth_token(
                s,
                OAuthTokenInput {
                    provider: p.clone(),
                    access_token: format!("access-{username}-{p}"),
                    refresh_token: Some(format!("refresh-{username}")),
                    expires_at: later(7200),
                    scope: Some("chat:write user:read".into()),
                },
            )
            .await?;
    }
    let far = later(90 * 24 * 3600);
    let user_sessions = vec![
        SessionToken::new(format!("{username}-viewer-live")).hash(),
        SessionToken::new(format!("{username}-viewer-expired")).hash(),
        // The same token under every streamer: hashes are unique per streamer only.
        SessionToken::new("shared-viewer-token").hash(),
    ];
    for (i, h) in user_sessions.iter().enumerate() {
        tick();
        store
            .create_user_session(
                s,
                NewUserSession {
                    user_id: rich,
                    token_hash: *h,
                    expires_at: if i == 1 { later(3600) } else { far },
                },
            )
            .await?;
    }
    let streamer_sessions = vec![
        SessionToken::new(format!("{username}-admin-live")).hash(),
        SessionToken::new(format!("{username}-admin-expired")).hash(),
        SessionToken::new("shared-admin-token").hash(),
    ];
    for (i, h) in streamer_sessions.iter().enumerate() {
        tick();
        store
            .create_streamer_session(s, h, if i == 1 { later(3600) } else { far })
            .await?;
    }
    let admin_key = SessionToken::new(format!("{username}-admin-key-{kick_user_id}")).hash();
    tick();
    store.set_admin_key(s, &admin_key).await?;
    let overlay_key = SessionToken::new(format!("{username}-overlay-key-{kick_user_id}")).hash();
    tick();
    store.set_overlay_key(s, &overlay_key).await?;
    let codes = vec![
        (names[1].clone(), "123456".to_owned()),
        (names[2].clone(), format!("{kick_user_id}")),
        (format!("viewer_{username}"), "EXPIRED1".to_owned()),
        ("newcomer".to_owned(), "ABC123".to_owned()),
        (format!("only_{username}"), format!("LIVE{kick_user_id}")),
    ];
    for (i, (u, c)) in codes.iter().enumerate() {
        tick();
        store
            .create_verification_code(
                s,
                NewVerificationCode {
                    username: u.clone(),
                    code: c.clone(),
                    secret_hash: code_secret(u, c),
                    expires_at: if i == 2 { later(600) } else { far },
                },
            )
            .await?;
    }
    tick();
    store
        .mark_verification_code_verified(s, &codes[0].0, &codes[0].1)
        .await?;
    // A's confirmed code got one wrong redemption: a counter B must never move or reset.
    tick();
    store
        .redeem_verification_code(s, &codes[0].0, &codes[0].1, &fresh_token(99))
        .await?;
    let commands = vec!["!drop".to_owned(), "!tts".to_owned()];
    tick();
    store
        .check_cooldown(s, rich, &commands[0], Duration::from_secs(30))
        .await?;
    tick();
    store
        .check_cooldown(s, rich, &commands[1], Duration::from_secs(30 * 24 * 3600))
        .await?;

    // Kick: deliveries (two ids every streamer records, two its own), viewers linked to Kick
    // users (the name-only alice linked, a Kick viewer every streamer has, one only this one
    // has), the stream live, a watch minute, an open duel and the economy.
    let kick_viewers = vec![
        (SHARED_KICK_IDS[0], names[1].clone()),
        (SHARED_KICK_IDS[1], "kick_shared".to_owned()),
        (kick_user_id * 10 + 3, format!("kick_only_{username}")),
    ];
    let kv = |i: usize| KickViewer::new(kick_viewers[i].0, kick_viewers[i].1.clone());
    let deliveries = vec![
        DeliveryId(SHARED_DELIVERIES[0].to_owned()),
        DeliveryId(format!("only-{username}-1")),
        DeliveryId(SHARED_DELIVERIES[1].to_owned()),
        DeliveryId(format!("only-{username}-2")),
    ];
    let steps = [
        (
            vec![
                Step::SetLive {
                    live: true,
                    at: clock.now(),
                },
                Step::Chatted { viewer: kv(0) },
                Step::Earn {
                    viewer: kv(0),
                    amount: v.chat_points,
                    source: PointSource::Chat,
                    description: None,
                },
            ],
            vec![],
        ),
        (
            vec![
                Step::Alert {
                    kind: AlertKind::Follow,
                    viewer: Some(kv(2)),
                    amount: 1,
                },
                Step::AdvanceGoal {
                    goal: GoalId::new("followers"),
                    by: 1,
                },
            ],
            vec![Step::Speak {
                viewer: kv(2),
                text: format!("hello from {username}"),
                voice: None,
                cost: 0,
            }],
        ),
        (
            vec![
                Step::Earn {
                    viewer: kv(1),
                    amount: v.kick_earn,
                    source: PointSource::Sub,
                    description: None,
                },
                Step::Chatted { viewer: kv(1) },
                Step::Chatted { viewer: kv(2) },
            ],
            vec![Step::Wager {
                viewer: kv(0),
                stake: 10,
                payout: 20,
                source: PointSource::Gamble,
                description: None,
            }],
        ),
    ];
    for (id, (effects, command)) in deliveries.iter().zip(steps) {
        tick();
        store
            .apply_delivery(
                s,
                Delivery {
                    id: id.clone(),
                    effects,
                    command,
                },
            )
            .await?;
    }
    tick();
    let minute = clock.now().as_millis().div_euclid(60_000);
    store
        .award_watch_minute(
            s,
            WatchMinute {
                minute,
                amount: 5,
                window: Duration::from_secs(600),
            },
        )
        .await?;
    tick();
    store
        .apply_delivery(s, open_duel(deliveries[3].clone(), kv(0)))
        .await?;
    tick();
    store
        .set_economy_config(
            s,
            EconomyConfig {
                chat_points: v.chat_points,
                follower_goal: format!("only_{username}"),
                ..EconomyConfig::default()
            },
        )
        .await?;
    for (k, _) in &kick_viewers[1..] {
        if let Some(u) = store.get_kick_viewer(s, *k).await? {
            users.push((u.id, u.username));
        }
    }

    let transactions = store
        .export_streamer(s)
        .await?
        .ok_or_else(|| Failure(format!("populated streamer {username} has no export")))?
        .transactions
        .iter()
        .map(|t| t.id)
        .collect();
    let last_event = store.read_events(s, EventId::START, 1).await?.last_id;
    Ok(Population {
        streamer: s,
        username: username.to_owned(),
        kick_user_id,
        users,
        rich_user: rich,
        tips,
        transactions,
        goals,
        settings: vec![SHARED_KEY.to_owned(), only_key],
        layouts,
        layout_names,
        providers,
        user_sessions,
        streamer_sessions,
        admin_key,
        overlay_key,
        last_event,
        codes,
        commands,
        deliveries,
        kick_viewers,
        watch_minutes: vec![minute],
    })
}

/// The delivery that opens a populated streamer's duel: its alice challenges `kick_shared` for
/// 50 points, for an hour (the sweep opens it again once the populated one expired).
pub fn open_duel(id: DeliveryId, challenger: KickViewer) -> Delivery {
    Delivery {
        id,
        effects: vec![],
        command: vec![Step::ChallengeDuel {
            challenger,
            opponent: "kick_shared".into(),
            stake: 50,
            expires_in: Duration::from_secs(3600),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A must differ from B (they live side by side) and from the decoy (which stands in for
    /// A's absence); B and the decoy never exist at the same time.
    #[test]
    fn populated_streamers_differ_in_every_value() {
        for (a, b) in [(ALPHA, BRAVO), (ALPHA, DECOY)] {
            let (x, y) = (Values::of(a.kick_user_id), Values::of(b.kick_user_id));
            for (n, (p, q)) in x.fields().iter().zip(y.fields().iter()).enumerate() {
                assert_ne!(p, q, "{} and {} share value #{n}", a.username, b.username);
            }
        }
    }
}
