//! The operations the property test draws, and how each runs on a store.

use super::kick_ops;
use crate::canon::{Canon, IdKind, observe};
use datastore::*;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// One store and its canonical ids.
pub(crate) struct Side {
    pub(crate) store: Arc<dyn DataStore>,
    pub(crate) canon: Canon,
    /// The store operation the last step observed (`None` for a step that calls none): what
    /// the coverage test reads, so helper lookups never count as a step's operation.
    pub(crate) last_call: Option<&'static str>,
}

/// An id no store will ever hand out, for handles that name nothing.
const ABSENT: i64 = 9_000_000_000;

const STREAMERS: [&str; 5] = ["alpha", "bravo", "charlie", "delta", "ALPHA"];
const NAMES: [&str; 10] = [
    "alice",
    "ALICE",
    "bob",
    "Zoë",
    "ZOË",
    "o'brien",
    "x'; DROP TABLE users;--",
    "alpha",
    "Bravo",
    "",
];
/// Users every streamer gets at setup, and that steps aim at by name.
const USERS: [&str; 4] = ["alice", "bob", "Zoë", "o'brien"];
const KEYS: [&str; 4] = ["shared.key", "volume", "a:b", "bad key"];
const GOALS: [&str; 3] = ["followers", "subscribers", "x"];
const LAYOUTS: [&str; 3] = ["main", "brb", "bad id!"];
const PROVIDERS: [&str; 2] = ["kick", "twitch"];
const CODES: [&str; 3] = ["123456", "ABCDEF", "no-good"];
const COMMANDS: [&str; 3] = ["!drop", "!tts", "!gamble"];

macro_rules! kinds {
    ($($k:ident),* $(,)?) => {
        /// Which operation a step runs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Kind { $($k),* }
        impl Kind {
            const ALL: &'static [Kind] = &[$(Kind::$k),*];
        }
    };
}

kinds!(
    AdvanceClock,
    CreateStreamer,
    UpdateStreamer,
    DeleteStreamer,
    GetStreamer,
    GetStreamerByName,
    GetStreamerByKickId,
    ListStreamers,
    ListPowerups,
    GetPowerup,
    ListEnabledGoals,
    GetOrCreateUser,
    GetUser,
    GetUserByName,
    UpdateProfile,
    DeleteUser,
    ListUsers,
    CountUsers,
    GetPoints,
    Earn,
    Spend,
    SetPoints,
    Drop,
    Leaderboard,
    DropLeaderboard,
    Summary,
    History,
    BulkAward,
    ListEnabledPowerups,
    UpsertPowerup,
    UpdatePowerup,
    GetInventory,
    AddPowerup,
    UsePowerup,
    Purchase,
    GetSetting,
    ListSettings,
    UpsertSetting,
    DeleteSetting,
    GetLayout,
    ListLayouts,
    UpsertLayout,
    DeleteLayout,
    GetTheme,
    SetTheme,
    ListTips,
    ListEnabledTips,
    GetTip,
    CreateTip,
    UpdateTip,
    DeleteTip,
    ListGoals,
    GetGoal,
    UpsertGoal,
    GoalProgress,
    DeleteGoal,
    GetToken,
    UpsertToken,
    DeleteToken,
    CreateUserSession,
    GetUserSession,
    DeleteUserSession,
    PurgeUserSessions,
    CreateStreamerSession,
    GetStreamerSession,
    DeleteStreamerSession,
    PurgeStreamerSessions,
    SetAdminKey,
    CheckAdminKey,
    SetOverlayKey,
    CheckOverlayKey,
    CreateCode,
    GetCode,
    LatestCode,
    MarkVerified,
    DeleteCodes,
    RedeemCode,
    PurgeCodes,
    CheckCooldown,
    PurgeCooldowns,
    Analytics,
    Export,
    StreamExport,
    ReadEvents,
    PurgeEvents,
    Deliver,
    DeliverChat,
    DeliverDuel,
    DeliverLive,
    DeliverySeen,
    PurgeDeliveries,
    StreamState,
    AwardWatchMinute,
    ListDuels,
    KickViewer,
    EconomyConfig,
    SetEconomyConfig,
    ListLiveStreamers,
);

/// The kinds that apply deliveries or award a minute.
const KICK_KINDS: &[Kind] = &[
    Kind::Deliver,
    Kind::DeliverChat,
    Kind::DeliverDuel,
    Kind::DeliverLive,
    Kind::AwardWatchMinute,
];

/// One step: an operation and its small random arguments. `s` picks the streamer, `x` and `y`
/// pick ids or names, `n` is an amount.
#[derive(Clone)]
pub struct Op {
    kind: Kind,
    s: u8,
    x: u8,
    y: u8,
    n: i64,
}

impl Op {
    /// How far this step moves the shared clock (done once per step, not once per store).
    pub fn clock_step(&self) -> Option<Duration> {
        (self.kind == Kind::AdvanceClock).then(|| Duration::from_secs(u64::from(self.x) * 7))
    }
}

impl Op {
    /// Whether this step only reads (or only moves the clock): the stored data it leaves is
    /// what the previous step left, so it need not be compared again (a read that changed
    /// something still shows at the next write's comparison).
    pub fn only_reads(&self) -> bool {
        matches!(
            self.kind,
            Kind::AdvanceClock
                | Kind::GetStreamer
                | Kind::GetStreamerByName
                | Kind::GetStreamerByKickId
                | Kind::ListStreamers
                | Kind::ListPowerups
                | Kind::GetPowerup
                | Kind::ListEnabledGoals
                | Kind::GetUser
                | Kind::GetUserByName
                | Kind::ListUsers
                | Kind::CountUsers
                | Kind::GetPoints
                | Kind::Leaderboard
                | Kind::DropLeaderboard
                | Kind::Summary
                | Kind::History
                | Kind::ListEnabledPowerups
                | Kind::GetInventory
                | Kind::GetSetting
                | Kind::ListSettings
                | Kind::GetLayout
                | Kind::ListLayouts
                | Kind::GetTheme
                | Kind::ListTips
                | Kind::ListEnabledTips
                | Kind::GetTip
                | Kind::ListGoals
                | Kind::GetGoal
                | Kind::GetToken
                | Kind::GetUserSession
                | Kind::GetStreamerSession
                | Kind::CheckAdminKey
                | Kind::CheckOverlayKey
                | Kind::GetCode
                | Kind::LatestCode
                | Kind::Analytics
                | Kind::Export
                | Kind::StreamExport
                | Kind::ReadEvents
                | Kind::DeliverySeen
                | Kind::StreamState
                | Kind::ListDuels
                | Kind::KickViewer
                | Kind::EconomyConfig
                | Kind::ListLiveStreamers
        )
    }

    /// Whether this step can change which delivery ids a streamer recorded or whom a Kick user
    /// is linked to (deliveries, their purge, deleting a viewer or a streamer).
    pub fn touches_kick_records(&self) -> bool {
        matches!(
            self.kind,
            Kind::Deliver
                | Kind::DeliverChat
                | Kind::DeliverDuel
                | Kind::DeliverLive
                | Kind::PurgeDeliveries
                | Kind::DeleteUser
                | Kind::DeleteStreamer
        )
    }
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?}(streamer #{}, x={}, y={}, n={})",
            self.kind, self.s, self.x, self.y, self.n
        )
    }
}

/// Steps drawn at random.
pub fn op_strategy() -> impl Strategy<Value = Op> {
    let n = prop_oneof![
        8 => 0i64..3000,
        1 => Just(validate::MAX_AMOUNT),
        1 => Just(validate::MAX_BALANCE),
    ];
    // Kick deliveries and the watch award are drawn more often than their share of the kinds:
    // they touch most of the data at once.
    let kind = prop_oneof![
        3 => select(Kind::ALL),
        1 => select(KICK_KINDS),
    ];
    (kind, 0u8..4, any::<u8>(), any::<u8>(), n).prop_map(|(kind, s, x, y, n)| Op {
        kind,
        s,
        x,
        y,
        n,
    })
}

/// One step of every kind, aimed at the first streamer's own rows (the coverage of the
/// operations is checked with these).
pub fn one_of_each_kind() -> Vec<Op> {
    Kind::ALL
        .iter()
        .map(|&kind| Op {
            kind,
            s: 0,
            x: 1,
            y: 1,
            n: 100,
        })
        .collect()
}

/// The state every sequence starts from: three streamers, each with users holding points,
/// a goal, a tip, a setting, a layout, a token, a verification code, a viewer session, a
/// streamer session, an admin key and an overlay key (another token than the admin key).
pub fn setup() -> Vec<Op> {
    let op = |kind, s, x, y, n| Op { kind, s, x, y, n };
    let mut steps: Vec<Op> = (0..3)
        .map(|i| op(Kind::CreateStreamer, 0, i, 0, 0))
        .collect();
    for s in 0..3 {
        steps.extend([
            op(Kind::GetOrCreateUser, s, 0, 0, 0), // alice
            op(Kind::GetOrCreateUser, s, 2, 0, 0), // bob
            op(Kind::GetOrCreateUser, s, 3, 0, 0), // Zoë
            op(Kind::Earn, s, 1, 1, 5000),         // alice, chat
            op(Kind::Earn, s, 5, 2, 800),          // bob
            op(Kind::UpsertGoal, s, 0, 10, 3),
            op(Kind::CreateTip, s, 0, 2, 1),
            op(Kind::UpsertSetting, s, 0, 2, 1),
            op(Kind::UpsertLayout, s, 0, 3, 1),
            op(Kind::UpsertToken, s, 0, 2, 1),
            op(Kind::CreateCode, s, 0, 0, 3000),
            op(Kind::AddPowerup, s, 1, 0, 3), // alice: three boosts
            op(Kind::CreateUserSession, s, 1, s, 500),
            op(Kind::CreateStreamerSession, s, s, 0, 500),
            op(Kind::SetAdminKey, s, s, 0, 0),
            op(Kind::SetOverlayKey, s, s + 1, 0, 0),
            op(Kind::DeliverLive, s, 12, 1, 0),
            op(Kind::DeliverChat, s, 13, 1, 1500 + i64::from(s)),
        ]);
    }
    steps
}

fn pick<'a>(pool: &[&'a str], i: u8) -> &'a str {
    pool[usize::from(i) % pool.len()]
}

/// The raw id behind a handle: canonical ids 1..=known, or one that names nothing.
fn resolve(canon: &Canon, kind: IdKind, handle: u8) -> i64 {
    let known = canon.count(kind);
    let c = 1 + i64::from(handle) % (known + 1);
    canon.raw(kind, c).unwrap_or(ABSENT)
}

fn user(canon: &Canon, h: u8) -> UserId {
    UserId(resolve(canon, IdKind::User, h))
}

/// The user a step aims at: three times in four one of the streamer's own users, by name;
/// otherwise any user seen so far (often another streamer's) or one that does not exist.
async fn target(st: &dyn DataStore, canon: &Canon, s: StreamerId, x: u8) -> UserId {
    if !x.is_multiple_of(4)
        && let Ok(Some(u)) = st.get_user_by_username(s, pick(&USERS, x / 4)).await
    {
        return u.id;
    }
    user(canon, x)
}

/// The tip a step aims at: three times in four one of the streamer's own, else any tip seen so
/// far or one that does not exist.
async fn target_tip(st: &dyn DataStore, canon: &Canon, s: StreamerId, x: u8) -> TipId {
    if !x.is_multiple_of(4)
        && let Ok(tips) = st.list_tips(s).await
        && !tips.is_empty()
    {
        return tips[usize::from(x / 4) % tips.len()].id;
    }
    TipId(resolve(canon, IdKind::Tip, x))
}

fn powerup(i: u8) -> PowerupType {
    PowerupType::ALL[usize::from(i) % PowerupType::ALL.len()]
}

fn source(i: u8) -> PointSource {
    PointSource::ALL[usize::from(i) % PointSource::ALL.len()]
}

/// The handles of every distinct token the steps use.
pub(crate) const TOKENS: std::ops::Range<u8> = 0..4;

/// The token of a handle (one of four: sessions, admin and overlay keys share them).
pub(crate) fn token(i: u8) -> TokenHash {
    SessionToken::new(format!("token-{}", i % 4)).hash()
}

fn at(clock: &ManualClock, secs: i64) -> Timestamp {
    let now = clock.now();
    if secs >= 0 {
        now.checked_add(Duration::from_secs(secs as u64))
            .unwrap_or(Timestamp::MAX)
    } else {
        now.checked_sub(Duration::from_secs(secs.unsigned_abs()))
            .unwrap_or(Timestamp::MIN)
    }
}

/// Runs `op` on one side and returns what it observed.
pub async fn exec(side: &mut Side, clock: &ManualClock, op: &Op) -> Value {
    let st = side.store.clone();
    let s = StreamerId(resolve(&side.canon, IdKind::Streamer, op.s));
    let (x, y, n) = (op.x, op.y, op.n);
    let u = target(&*st, &side.canon, s, x).await;
    let c = &mut side.canon;
    let mut called = None;
    // Runs the step's store call, notes which operation it is, and records its result with
    // canonical ids.
    macro_rules! ob {
        ($store:ident . $method:ident ( $($args:tt)* )) => {{
            called = Some(stringify!($method));
            let r = $store.$method($($args)*).await;
            observe(c, r)
        }};
    }
    let seen = match op.kind {
        // The runner moves the clock once for both stores (`Op::clock_step`).
        Kind::AdvanceClock => json!("advanced"),
        Kind::CreateStreamer => {
            let kick = (y % 3 != 0).then_some(i64::from(y % 5) + 1);
            let new = NewStreamer {
                username: pick(&STREAMERS, x).into(),
                display_name: None,
                kick_user_id: kick,
                avatar_url: None,
            };
            ob!(st.create_streamer(new))
        }
        Kind::UpdateStreamer => {
            let update = StreamerUpdate {
                username: (y % 2 == 0).then(|| pick(&STREAMERS, x).to_owned()),
                display_name: Some(format!("Display {n}")),
                kick_user_id: (y % 3 == 0).then_some(Some(i64::from(x % 5) + 1)),
                avatar_url: None,
            };
            ob!(st.update_streamer(s, update))
        }
        Kind::DeleteStreamer => ob!(st.delete_streamer(s)),
        Kind::GetStreamer => ob!(st.get_streamer(s)),
        Kind::GetStreamerByKickId => ob!(st.get_streamer_by_kick_user_id(i64::from(x % 5) + 1)),
        Kind::ListStreamers => ob!(st.list_streamers()),
        Kind::ListPowerups => ob!(st.list_powerups(s)),
        Kind::GetPowerup => ob!(st.get_powerup(s, powerup(x))),
        Kind::ListEnabledGoals => ob!(st.list_enabled_goals(s)),
        Kind::GetStreamerByName => {
            ob!(st.get_streamer_by_username(pick(&STREAMERS, x)))
        }
        Kind::GetOrCreateUser => ob!(st.get_or_create_user(s, pick(&NAMES, x))),
        Kind::GetUser => ob!(st.get_user(s, u)),
        Kind::GetUserByName => ob!(st.get_user_by_username(s, pick(&NAMES, x))),
        Kind::UpdateProfile => {
            let update = ProfileUpdate {
                country: Some(
                    (y % 3 != 0).then(|| ["de", "US", "xyz"][usize::from(y % 3)].to_owned()),
                ),
                voice_id: (y % 2 == 0).then(|| Some(format!("voice-{x}"))),
                drop_image: None,
            };
            ob!(st.update_user_profile(s, u, update))
        }
        Kind::DeleteUser => ob!(st.delete_user(s, u)),
        Kind::ListUsers => {
            let page = PageRequest {
                offset: u64::from(y % 4),
                limit: u32::from(x % 6),
            };
            ob!(st.list_users_with_points(s, page))
        }
        Kind::CountUsers => ob!(st.count_users(s)),
        Kind::GetPoints => ob!(st.get_points(s, u)),
        Kind::Earn => {
            let d = PointDelta::new(n, source(y));
            ob!(st.earn_points(s, u, d))
        }
        Kind::Spend => {
            let d = PointDelta::new(n, source(y));
            ob!(st.spend_points(s, u, d))
        }
        Kind::SetPoints => {
            let set = AdminSetPoints {
                channel_points: n,
                drop_points: (y % 2 == 0).then_some(i64::from(y)),
                description: None,
            };
            ob!(st.set_points(s, u, set))
        }
        Kind::Drop => {
            let drop = NewDrop {
                score: n % 400,
                is_perfect: y % 2 == 0,
                powerup_used: (y % 3 == 0).then(|| powerup(y)),
            };
            ob!(st.add_drop_points(s, u, drop))
        }
        Kind::Leaderboard => ob!(st.leaderboard(s, u32::from(x % 5))),
        Kind::DropLeaderboard => ob!(st.drop_leaderboard(s, u32::from(x % 5))),
        Kind::Summary => ob!(st.points_summary(s, u)),
        Kind::History => {
            let before =
                (y % 2 == 0).then(|| TransactionId(resolve(c, IdKind::Transaction, y / 2)));
            let page = HistoryRequest {
                limit: u32::from(x % 4),
                before,
            };
            ob!(st.transaction_history(s, u, page))
        }
        Kind::BulkAward => {
            let names: Vec<String> = (0..(y % 4))
                .map(|i| pick(&NAMES, x.wrapping_add(i * 3)).to_owned())
                .collect();
            ob!(st.bulk_award(s, &names, PointDelta::new(n % 50, PointSource::Watch)))
        }
        Kind::ListEnabledPowerups => ob!(st.list_enabled_powerups(s)),
        Kind::UpsertPowerup => {
            let config = PowerupConfigInput {
                name: format!("P{x}"),
                description: String::new(),
                cost: n % 1000,
                emoji: "⭐".into(),
                effect: "effect".into(),
                variables: serde_json::Map::new(),
                enabled: y % 2 == 0,
            };
            ob!(st.upsert_powerup(s, powerup(x), config))
        }
        Kind::UpdatePowerup => {
            let patch = PowerupConfigPatch {
                cost: (y % 2 == 0).then_some(n % 1000),
                enabled: Some(y % 3 != 0),
                ..Default::default()
            };
            ob!(st.update_powerup(s, powerup(x), patch))
        }
        Kind::GetInventory => ob!(st.get_inventory(s, u)),
        Kind::AddPowerup => {
            ob!(st.add_powerup(s, u, powerup(y), n % 4))
        }
        Kind::UsePowerup => {
            let held = match y % 2 {
                0 => st
                    .get_inventory(s, u)
                    .await
                    .ok()
                    .flatten()
                    .and_then(|i| i.first().map(|i| i.powerup)),
                _ => None,
            };
            ob!(st.use_powerup(s, u, held.unwrap_or_else(|| powerup(y))))
        }
        Kind::Purchase => {
            ob!(st.purchase_powerup(s, u, powerup(y)))
        }
        Kind::GetSetting => ob!(st.get_overlay_setting(s, pick(&KEYS, x))),
        Kind::ListSettings => ob!(st.list_overlay_settings(s)),
        Kind::UpsertSetting => {
            let desc = (y % 2 == 0).then(|| format!("described {y}"));
            let value = format!("value {n}");
            ob!(st.upsert_overlay_setting(s, pick(&KEYS, x), &value, desc.as_deref()))
        }
        Kind::DeleteSetting => ob!(st.delete_overlay_setting(s, pick(&KEYS, x))),
        Kind::GetLayout => ob!(st.get_layout(s, &LayoutId::new(pick(&LAYOUTS, x)))),
        Kind::ListLayouts => ob!(st.list_layouts(s)),
        Kind::UpsertLayout => {
            let input = LayoutInput {
                name: if y % 2 == 0 {
                    "Main".into()
                } else {
                    format!("L{y}")
                },
                is_default: y % 3 == 0,
                layout: json!({"n": n}),
            };
            ob!(st.upsert_layout(s, &LayoutId::new(pick(&LAYOUTS, x)), input))
        }
        Kind::DeleteLayout => {
            ob!(st.delete_layout(s, &LayoutId::new(pick(&LAYOUTS, x))))
        }
        Kind::GetTheme => ob!(st.get_theme(s)),
        Kind::SetTheme => {
            let theme = if y % 5 == 0 {
                json!([n])
            } else {
                json!({"n": n})
            };
            ob!(st.set_theme(s, theme))
        }
        Kind::ListTips => ob!(st.list_tips(s)),
        Kind::ListEnabledTips => ob!(st.list_enabled_tips(s)),
        Kind::GetTip => {
            let t = target_tip(&*st, c, s, x).await;
            ob!(st.get_tip(s, t))
        }
        Kind::CreateTip => {
            let tip = NewTip {
                content: if y % 7 == 0 {
                    String::new()
                } else {
                    format!("tip {n}")
                },
                enabled: y % 2 == 0,
                sort_order: i64::from(x % 3),
            };
            ob!(st.create_tip(s, tip))
        }
        Kind::UpdateTip => {
            let t = target_tip(&*st, c, s, x).await;
            let patch = TipPatch {
                enabled: Some(y % 2 == 0),
                sort_order: (y % 3 == 0).then_some(n % 5),
                content: None,
            };
            ob!(st.update_tip(s, t, patch))
        }
        Kind::DeleteTip => {
            let t = target_tip(&*st, c, s, x).await;
            ob!(st.delete_tip(s, t))
        }
        Kind::ListGoals => ob!(st.list_goals(s)),
        Kind::GetGoal => ob!(st.get_goal(s, &GoalId::new(pick(&GOALS, x)))),
        Kind::UpsertGoal => {
            let input = GoalInput {
                label: format!("goal {y}"),
                current_value: n % 100,
                target_value: i64::from(y % 50),
                enabled: y % 2 == 0,
            };
            ob!(st.upsert_goal(s, &GoalId::new(pick(&GOALS, x)), input))
        }
        Kind::GoalProgress => {
            ob!(st.set_goal_progress(s, &GoalId::new(pick(&GOALS, x)), n))
        }
        Kind::DeleteGoal => ob!(st.delete_goal(s, &GoalId::new(pick(&GOALS, x)))),
        Kind::GetToken => ob!(st.get_oauth_token(s, pick(&PROVIDERS, x))),
        Kind::UpsertToken => {
            let token = OAuthTokenInput {
                provider: pick(&PROVIDERS, x).into(),
                access_token: format!("access-{n}"),
                refresh_token: (y % 2 == 0).then(|| "refresh".to_owned()),
                expires_at: at(clock, i64::from(y) * 10),
                scope: None,
            };
            ob!(st.upsert_oauth_token(s, token))
        }
        Kind::DeleteToken => ob!(st.delete_oauth_token(s, pick(&PROVIDERS, x))),
        Kind::CreateUserSession => {
            let session = NewUserSession {
                user_id: u,
                token_hash: token(y),
                expires_at: at(clock, n % 600 - 100),
            };
            ob!(st.create_user_session(s, session))
        }
        Kind::GetUserSession => ob!(st.get_user_session(s, &token(x))),
        Kind::DeleteUserSession => ob!(st.delete_user_session(s, &token(x))),
        Kind::PurgeUserSessions => ob!(st.purge_expired_user_sessions(s)),
        Kind::CreateStreamerSession => {
            let expires = at(clock, n % 600 - 100);
            ob!(st.create_streamer_session(s, &token(x), expires))
        }
        Kind::GetStreamerSession => ob!(st.get_streamer_session(s, &token(x))),
        Kind::DeleteStreamerSession => ob!(st.delete_streamer_session(s, &token(x))),
        Kind::PurgeStreamerSessions => ob!(st.purge_expired_streamer_sessions(s)),
        Kind::SetAdminKey => ob!(st.set_admin_key(s, &token(x))),
        Kind::CheckAdminKey => ob!(st.check_admin_key(s, &token(x))),
        Kind::SetOverlayKey => ob!(st.set_overlay_key(s, &token(x))),
        Kind::CheckOverlayKey => ob!(st.check_overlay_key(s, &token(x))),
        Kind::CreateCode => {
            let code = NewVerificationCode {
                username: pick(&NAMES, x).into(),
                code: pick(&CODES, y).into(),
                secret_hash: token(y),
                expires_at: at(clock, n % 3600 - 100),
            };
            ob!(st.create_verification_code(s, code))
        }
        Kind::GetCode => {
            ob!(st.get_verification_code(s, pick(&NAMES, x), pick(&CODES, y)))
        }
        Kind::LatestCode => ob!(st.latest_verification_code(s, pick(&NAMES, x))),
        Kind::MarkVerified => {
            let name = pick(&USERS, x);
            let latest = match y % 2 {
                0 => st
                    .latest_verification_code(s, name)
                    .await
                    .ok()
                    .flatten()
                    .map(|c| c.code),
                _ => None,
            };
            let code = latest.unwrap_or_else(|| pick(&CODES, y).to_owned());
            ob!(st.mark_verification_code_verified(s, name, &code))
        }
        Kind::DeleteCodes => ob!(st.delete_verification_codes(s, pick(&NAMES, x))),
        Kind::RedeemCode => {
            // The code's own secret half the time (`token(y)` is what `CreateCode` stored).
            let secret = if n % 2 == 0 {
                token(y)
            } else {
                token(y.wrapping_add(1))
            };
            ob!(st.redeem_verification_code(s, pick(&NAMES, x), pick(&CODES, y), &secret))
        }
        Kind::PurgeCodes => ob!(st.purge_expired_verification_codes(s)),
        Kind::PurgeCooldowns => ob!(st.purge_expired_cooldowns(s)),
        Kind::CheckCooldown => {
            let d = Duration::from_secs(u64::try_from(n % 120).unwrap_or(0));
            ob!(st.check_cooldown(s, u, pick(&COMMANDS, y), d))
        }
        Kind::Analytics => ob!(st.analytics(s)),
        Kind::Export => ob!(st.export_streamer(s)),
        Kind::StreamExport => {
            called = Some("stream_export");
            observe(c, crate::held_export::collect_stream(&*st, s).await)
        }
        Kind::ReadEvents => {
            // From the start, from a small id, or from near the streamer's latest id; a limit
            // of 0 to 5, or one past the most a page holds.
            let last = match st.read_events(s, EventId::START, 1).await {
                Ok(p) => p.last_id.get(),
                Err(_) => 0,
            };
            let after = match y % 3 {
                0 => EventId::START,
                1 => EventId(i64::from(x % 20)),
                _ => EventId((last - i64::from(x % 4) + 1).max(0)),
            };
            let limit = if y % 7 == 0 {
                MAX_EVENT_PAGE + 1
            } else {
                u32::from(x % 6)
            };
            ob!(st.read_events(s, after, limit))
        }
        Kind::PurgeEvents => {
            // An age in whole clock steps (the clock moves by multiples of 7 seconds), a count
            // of 0 to 29, or one past the most a retention keeps.
            let max_count = if y % 11 == 0 {
                MAX_EVENT_RETENTION_COUNT + 1
            } else {
                u32::try_from(n % 30).unwrap_or(0)
            };
            let retention = EventRetention {
                max_age: Duration::from_secs(u64::from(x % 16) * 7 * 20),
                max_count,
            };
            ob!(st.purge_events(s, retention))
        }
        Kind::Deliver => {
            let d = kick_ops::random_delivery(x, y, n, clock.now());
            ob!(st.apply_delivery(s, d))
        }
        Kind::DeliverChat => ob!(st.apply_delivery(s, kick_ops::chat_delivery(x, y, n))),
        Kind::DeliverDuel => ob!(st.apply_delivery(s, kick_ops::duel_delivery(x, y, n))),
        Kind::DeliverLive => {
            let d = kick_ops::live_delivery(x, y, n, clock.now());
            ob!(st.apply_delivery(s, d))
        }
        Kind::DeliverySeen => ob!(st.delivery_seen(s, &kick_ops::delivery_id(x))),
        Kind::PurgeDeliveries => {
            let before = at(clock, -(i64::from(x % 8) * 7));
            ob!(st.purge_deliveries(s, before))
        }
        Kind::StreamState => ob!(st.get_stream_state(s)),
        Kind::AwardWatchMinute => {
            // This minute or one of the next two; one to twenty minutes of recent chatters.
            let minute = WatchMinute {
                minute: clock.now().as_millis().div_euclid(60_000) + i64::from(x % 3),
                amount: 1 + n % 20,
                window: Duration::from_secs(60 * (1 + u64::from(y % 20))),
            };
            ob!(st.award_watch_minute(s, minute))
        }
        Kind::ListDuels => ob!(st.list_duels(s)),
        Kind::KickViewer => {
            let k = kick_ops::KICK_IDS[usize::from(x) % kick_ops::KICK_IDS.len()];
            ob!(st.get_kick_viewer(s, k))
        }
        Kind::EconomyConfig => ob!(st.get_economy_config(s)),
        Kind::SetEconomyConfig => ob!(st.set_economy_config(s, kick_ops::economy(y, n))),
        Kind::ListLiveStreamers => ob!(st.list_live_streamers()),
    };
    side.last_call = called;
    seen
}
