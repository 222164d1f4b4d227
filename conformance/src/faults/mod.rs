//! Fault-injecting wrappers: proof that the suite catches isolation bugs.
//!
//! [`Faulty`] wraps any store and breaks isolation in exactly one way, chosen from
//! [`Fault::ALL`] (or, made with [`Faulty::recording`], breaks nothing and records the methods
//! called). A fault is written against the trait, so bugs that live inside one operation (a
//! purchase reading the wrong price) are imitated by their effect through other operations. Each fault imitates a bug that happens in real multi-tenant code: a query
//! missing its `streamer_id` predicate (a read that finds the row under any streamer, a write
//! that lands in the row owner's tenant, a list or count over every tenant), a fallback to
//! another tenant's row, uniqueness checked globally, or an error that tells a foreign row from
//! a missing one. There is at least one per operation family, and each names the operations
//! it breaks ([`Fault::targets`]). `tests/sensitivity.rs` runs the
//! whole suite against each and requires every fault to be caught; [`matrix`] prints which
//! cases caught which.

pub mod matrix;

mod access;
mod content;
mod economy;
mod events;
mod kick;
mod tenants;

use datastore::{DataStore, Family, StreamerId, UserId};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

macro_rules! faults {
    ($($name:ident ($family:ident) [$($op:ident),*]: $doc:literal,)*) => {
        /// One way of breaking isolation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Fault {
            $(#[doc = $doc] $name,)*
        }

        impl Fault {
            /// Every fault.
            pub const ALL: &'static [Fault] = &[$(Fault::$name),*];

            /// The operation family the fault breaks.
            pub fn family(self) -> Family {
                match self { $(Fault::$name => Family::$family,)* }
            }

            /// The operations the fault breaks.
            pub fn targets(self) -> &'static [&'static str] {
                match self { $(Fault::$name => &[$(stringify!($op)),*],)* }
            }

            /// What the fault does.
            pub fn describe(self) -> &'static str {
                match self { $(Fault::$name => $doc,)* }
            }
        }
    };
}

faults! {
    DeleteStreamerTakesSameNamedUsers (Streamers) [delete_streamer]: "deleting a streamer also deletes other streamers' users with the same usernames",
    UpdateStreamerTouchesAll (Streamers) [update_streamer]: "updating a streamer's display name updates every streamer",
    UserReadAnyTenant (Users) [get_user]: "get_user finds the user under any streamer",
    UsernameLookupAnyTenant (Users) [get_user_by_username]: "get_user_by_username falls back to other streamers",
    UsernamesGlobal (Users) [get_or_create_user]: "get_or_create_user returns another streamer's user with that name",
    ProfileUpdateLandsInOwner (Users) [update_user_profile]: "update_user_profile changes the user in its owner's tenant",
    UserDeleteLandsInOwner (Users) [delete_user]: "delete_user deletes the user in its owner's tenant",
    UserListIncludesOthers (Users) [list_users_with_points]: "list_users_with_points lists every streamer's users",
    CountIncludesOthers (Users) [count_users]: "count_users counts every streamer's users",
    PageTotalLeaks (Users) [list_users_with_points]: "list_users_with_points reports a total over every streamer",
    ForeignUserErrorLeaks (Users) [update_user_profile, delete_user, earn_points]: "writes to another streamer's user fail with a telltale 'belongs to another streamer' error",
    PointsReadAnyTenant (Points) [get_points]: "get_points finds balances under any streamer",
    EarnLandsInOwner (Points) [earn_points]: "earn_points credits the user in its owner's tenant",
    SpendLandsInOwner (Points) [spend_points]: "spend_points debits the user in its owner's tenant",
    AdminPointWritesLandInOwner (Points) [set_points, add_drop_points]: "set_points and add_drop_points write in the user's owner's tenant",
    LeaderboardIncludesOthers (Points) [leaderboard]: "the leaderboard ranks every streamer's users",
    LeaderboardCacheShared (Points) [leaderboard]: "a leaderboard cache keyed by the limit alone (and emptied by every write) serves one streamer's board to another",
    LeaderboardCacheStale (Points) [leaderboard]: "a leaderboard cache keyed by streamer that the streamer's writes do not invalidate",
    DropLeaderboardIncludesOthers (Points) [drop_leaderboard]: "the drop leaderboard ranks every streamer's users by drop points",
    HistoryAnyTenant (Points) [points_summary, transaction_history]: "points_summary and transaction_history read under any streamer",
    BulkAwardReachesOthers (Points) [bulk_award]: "bulk_award also credits other streamers' users with the same names",
    PowerupConfigGlobal (Powerups) [upsert_powerup, update_powerup]: "upsert_powerup and update_powerup change every streamer's configuration",
    PowerupReadFirstRow (Powerups) [get_powerup]: "get_powerup returns the first streamer's row for the powerup (a query without its streamer predicate)",
    PowerupListsIncludeOthers (Powerups) [list_powerups, list_enabled_powerups]: "the powerup lists include every streamer's configuration",
    InventoryReadAnyTenant (Powerups) [get_inventory]: "get_inventory reads under any streamer",
    InventoryWritesLandInOwner (Powerups) [add_powerup, use_powerup]: "add_powerup and use_powerup write in the user's owner's tenant",
    PurchaseLandsInOwner (Powerups) [purchase_powerup]: "purchase_powerup buys in the user's owner's tenant",
    OwnerCheckAnyStreamer (Powerups) [purchase_powerup]: "a viewer named like any streamer buys for free (the owner check misses its streamer predicate)",
    PurchaseCostFromFirstRow (Powerups) [purchase_powerup]: "a purchase costs what the first streamer's configuration says (the price lookup misses its streamer predicate)",
    SettingReadFirstRow (Overlay) [get_overlay_setting]: "get_overlay_setting returns the first streamer's row for the key (a query without its streamer predicate)",
    SettingFallsBackToOthers (Overlay) [get_overlay_setting]: "get_overlay_setting returns another streamer's setting when missing",
    SettingsListIncludesOthers (Overlay) [list_overlay_settings]: "list_overlay_settings lists every streamer's settings",
    SettingUpsertBorrowsDescription (Overlay) [upsert_overlay_setting]: "an upsert without description takes another streamer's description for the key",
    SettingDeleteGlobal (Overlay) [delete_overlay_setting]: "delete_overlay_setting deletes the key under every streamer",
    LayoutReadAnyTenant (Overlay) [get_layout]: "get_layout falls back to other streamers",
    LayoutListIncludesOthers (Overlay) [list_layouts]: "list_layouts lists every streamer's layouts",
    LayoutDefaultClearedGlobally (Overlay) [upsert_layout]: "a new default layout clears every streamer's default",
    LayoutNameUniqueGlobally (Overlay) [upsert_layout]: "layout names are unique across all streamers",
    LayoutDeleteGlobal (Overlay) [delete_layout]: "delete_layout deletes the id under every streamer",
    ThemeFallsBack (Overlay) [get_theme]: "get_theme returns another streamer's theme when none is set",
    ThemeReadFirstRow (Overlay) [get_theme]: "get_theme returns the first streamer's theme (a query without its streamer predicate)",
    SetThemeGlobal (Overlay) [set_theme]: "set_theme sets every streamer's theme",
    TipsListIncludesOthers (Tips) [list_tips, list_enabled_tips]: "the tip lists include every streamer's tips",
    TipReadAnyTenant (Tips) [get_tip]: "get_tip finds the tip under any streamer",
    TipWritesLandInOwner (Tips) [update_tip, delete_tip]: "update_tip and delete_tip act in the tip's owner's tenant",
    ForeignIdsForbidden (Tips) [get_tip]: "reads of another streamer's tip fail with 'forbidden' instead of finding nothing",
    GoalReadAnyTenant (Goals) [get_goal]: "get_goal falls back to other streamers",
    GoalListsIncludeOthers (Goals) [list_goals, list_enabled_goals]: "the goal lists include every streamer's goals",
    GoalUpsertOverwritesOthers (Goals) [upsert_goal]: "upsert_goal also overwrites the same goal id under every streamer",
    GoalWritesLandInOwner (Goals) [set_goal_progress, delete_goal]: "set_goal_progress and delete_goal act under the first streamer with the id",
    OAuthTokenAnyTenant (Tokens) [get_oauth_token]: "get_oauth_token falls back to other streamers",
    OAuthUpsertGlobal (Tokens) [upsert_oauth_token]: "upsert_oauth_token also overwrites other streamers' token for the provider (a global unique key)",
    OAuthDeleteGlobal (Tokens) [delete_oauth_token]: "delete_oauth_token deletes the provider's token under every streamer",
    UserSessionAnyTenant (Sessions) [get_user_session]: "get_user_session finds sessions under any streamer",
    StreamerSessionAnyTenant (Sessions) [get_streamer_session]: "an admin session works under every streamer",
    PurgeAllTenants (Sessions) [purge_expired_user_sessions, purge_expired_streamer_sessions]: "purging expired sessions purges every streamer's",
    SessionCreateLandsInOwner (Sessions) [create_user_session]: "create_user_session for a foreign user creates it in the user's owner's tenant",
    SessionHashGlobal (Sessions) [create_streamer_session]: "streamer session token hashes are unique across all streamers",
    SessionDeleteAnyTenant (Sessions) [delete_user_session, delete_streamer_session]: "deleting a session deletes it under any streamer",
    AdminKeyAnyTenant (Sessions) [check_admin_key]: "check_admin_key accepts any streamer's key",
    AdminKeySetAll (Sessions) [set_admin_key]: "set_admin_key replaces every streamer's key",
    OverlayKeyAnyTenant (Sessions) [check_overlay_key]: "check_overlay_key accepts any streamer's overlay key",
    OverlayKeySetAll (Sessions) [set_overlay_key]: "set_overlay_key replaces every streamer's overlay key",
    CodeReadAnyTenant (Verification) [get_verification_code]: "get_verification_code falls back to other streamers",
    LatestCodeAcrossTenants (Verification) [latest_verification_code]: "latest_verification_code picks the newest code of any streamer",
    CodeRefreshGlobal (Verification) [create_verification_code]: "re-issuing a code also refreshes other streamers' code for the username (a global unique key)",
    MarkVerifiedAnyTenant (Verification) [mark_verification_code_verified]: "mark_verification_code_verified verifies under any streamer",
    DeleteCodesGlobal (Verification) [delete_verification_codes]: "delete_verification_codes deletes the username's codes under every streamer",
    RedeemAnyTenant (Verification) [redeem_verification_code]: "redeem_verification_code redeems a code under any streamer",
    PurgeCodesAllTenants (Verification) [purge_expired_verification_codes]: "purging expired codes purges every streamer's",
    CooldownLandsInOwner (Cooldowns) [check_cooldown]: "check_cooldown of a foreign user runs in the user's owner's tenant",
    PurgeCooldownsAllTenants (Cooldowns) [purge_expired_cooldowns]: "purging expired cooldowns purges every streamer's",
    AnalyticsAllTenants (Reports) [analytics]: "analytics counts every streamer's users and points",
    ExportIncludesOthers (Reports) [export_streamer, stream_export]: "the export includes every streamer's tips",
    EventsReadAnyTenant (Events) [read_events]: "read_events reads every streamer's events after the id (a query without its streamer predicate)",
    EventLastIdFirstRow (Events) [read_events]: "read_events answers the first streamer's counter as last_id (the counter read without its streamer predicate)",
    EventsPurgeAllTenants (Events) [purge_events]: "purge_events purges every streamer's events",
    DeletedNamesakeInherits (Tokens) [get_oauth_token]: "a new streamer inherits the OAuth tokens of a deleted streamer of the same name (rows keyed by channel name, not cleaned up)",
    RacyLastInsertId (Tips) [create_tip]: "create_tip returns the last id inserted on a shared connection, which a concurrent streamer may have moved",
    LiveListUncorrelated (Streamers) [list_live_streamers]: "list_live_streamers lists every streamer as soon as any streamer is live (the live subquery is not correlated with the streamer)",
    DeliveryDedupeGlobal (Kick) [apply_delivery]: "delivery ids are unique across all streamers: a delivery whose id another streamer recorded is a Duplicate",
    DeliverySeenAnyTenant (Kick) [delivery_seen]: "delivery_seen finds a delivery id recorded under any streamer",
    PurgeDeliveriesAllTenants (Kick) [purge_deliveries]: "purge_deliveries purges every streamer's delivery records",
    KickLinkAcrossTenants (Kick) [apply_delivery]: "a delivery naming a Kick user id linked only under another streamer resolves to that streamer's viewer and lands there (the link lookup misses its streamer predicate)",
    KickViewerReadAnyTenant (Kick) [get_kick_viewer]: "get_kick_viewer finds a viewer linked under any streamer",
    LiveStateSetGlobal (Kick) [apply_delivery]: "a SetLive step sets every streamer's live flag (the UPDATE misses its streamer predicate)",
    StreamStateFirstRow (Kick) [get_stream_state]: "get_stream_state returns the first streamer's live state (a query without its streamer predicate)",
    WatchMinuteGlobal (Kick) [award_watch_minute]: "watch minutes are recorded once for all streamers: a minute another streamer awarded is AlreadyAwarded",
    WatchAwardReachesNamesakes (Kick) [award_watch_minute]: "the watch award also credits other streamers' viewers named like the awarded chatters (a join by username without its streamer predicate)",
    DuelOpponentAnyTenant (Kick) [apply_delivery]: "a duel challenge finds its opponent among any streamer's viewers",
    DuelsListIncludeOthers (Kick) [list_duels]: "list_duels lists every streamer's open duels",
    DuelSettleUnchecked (Kick) [apply_delivery]: "accepting a duel settles it without checking that the loser still covers the stake (the loser pays what they have, the winner gets the whole stake)",
    CommandNotRolledBack (Kick) [apply_delivery]: "a refused command keeps the changes of the steps before the refusal (no savepoint)",
    EconomyConfigFallsBack (Kick) [get_economy_config]: "get_economy_config returns another streamer's configuration when the streamer has none",
    EconomyConfigSetGlobal (Kick) [set_economy_config]: "set_economy_config replaces every streamer's configuration",
}

impl Fault {
    /// Why the sweep cannot stage this fault, for the few that need something its two worlds
    /// do not do; such a fault must be caught by a named case instead. `None` for the rest,
    /// which the sweep entry of the operation they break must catch.
    pub fn sweep_blind_reason(self) -> Option<&'static str> {
        match self {
            Fault::DeletedNamesakeInherits => Some(
                "needs a streamer deleted and its name reused, which would change A's export; \
                 a_new_streamer_inherits_nothing stages it",
            ),
            Fault::LeaderboardCacheShared | Fault::LeaderboardCacheStale => Some(
                "shows only when a board is read before another streamer's or before a write, \
                 and the sweep reads B's boards alone; \
                 leaderboard_follows_writes_and_stays_per_streamer stages both",
            ),
            Fault::DuelSettleUnchecked => Some(
                "a transaction bug, not a tenant one: B's accept is equally wrong whether A \
                 exists or not; duel_accept_needs_both_to_cover_the_stake stages it",
            ),
            Fault::CommandNotRolledBack => Some(
                "a transaction bug, not a tenant one: B's refused command keeps its steps \
                 whether A exists or not; a_refused_command_undoes_its_steps_and_keeps_the_effects \
                 stages it",
            ),
            Fault::RacyLastInsertId => Some(
                "a race between two streamers' writes, and the sweep runs one call at a time; \
                 concurrent_tenants_stay_apart stages it",
            ),
            _ => None,
        }
    }
}

/// Whether the trait method `method` only reads: the calls that leave a faulty shared
/// leaderboard cache in place ([`Fault::LeaderboardCacheShared`]).
fn is_read(method: &str) -> bool {
    const READS: &[&str] = &[
        "analytics",
        "check_admin_key",
        "check_overlay_key",
        "delivery_seen",
        "drop_leaderboard",
        "export_streamer",
        "latest_verification_code",
        "leaderboard",
        "points_summary",
        "read_events",
        "transaction_history",
    ];
    READS.contains(&method)
        || method.starts_with("list_")
        || method.starts_with("count_")
        || (method.starts_with("get_") && method != "get_or_create_user")
}

/// A faulty leaderboard cache's key: the streamer (or `None`, when the key forgets it) and the
/// limit.
type BoardKey = (Option<StreamerId>, u32);

/// The trait methods a recording [`Faulty`] saw called, in order.
pub type CallLog = Arc<Mutex<Vec<&'static str>>>;

/// A store with one fault injected, or none (then it only records the calls it sees).
pub struct Faulty {
    inner: Arc<dyn DataStore>,
    fault: Option<Fault>,
    calls: Option<CallLog>,
    /// Tokens of deleted streamers, by lower-cased username ([`Fault::DeletedNamesakeInherits`]).
    graveyard: Mutex<Vec<(String, Vec<datastore::OAuthToken>)>>,
    /// The shared "last inserted tip id" ([`Fault::RacyLastInsertId`]).
    last_tip: Mutex<Option<datastore::TipId>>,
    /// Cached boards by (streamer, or `None` when the key forgets it, limit)
    /// ([`Fault::LeaderboardCacheShared`], [`Fault::LeaderboardCacheStale`]).
    boards: Mutex<HashMap<BoardKey, Vec<datastore::LeaderboardEntry>>>,
    /// Watch minutes awarded under any streamer ([`Fault::WatchMinuteGlobal`]).
    minutes: Mutex<HashSet<i64>>,
}

impl Faulty {
    /// Wraps `inner`, breaking it with `fault`.
    pub fn new(inner: Arc<dyn DataStore>, fault: Fault) -> Self {
        Self::build(inner, Some(fault), None)
    }

    /// Wraps `inner` without a fault, appending the name of every method called to `log`.
    pub fn recording(inner: Arc<dyn DataStore>, log: CallLog) -> Self {
        Self::build(inner, None, Some(log))
    }

    fn build(inner: Arc<dyn DataStore>, fault: Option<Fault>, calls: Option<CallLog>) -> Self {
        Faulty {
            inner,
            fault,
            calls,
            graveyard: Mutex::default(),
            last_tip: Mutex::default(),
            boards: Mutex::default(),
            minutes: Mutex::default(),
        }
    }

    fn is(&self, f: Fault) -> bool {
        self.fault == Some(f)
    }

    fn note(&self, method: &'static str) {
        if self.is(Fault::LeaderboardCacheShared) && !is_read(method) {
            // This cache's one bug is its key: every write empties it, so it is never stale.
            self.boards
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
        }
        if let Some(log) = &self.calls {
            log.lock().unwrap_or_else(|e| e.into_inner()).push(method);
        }
    }

    /// Every streamer but `s`.
    async fn others(&self, s: StreamerId) -> Vec<StreamerId> {
        let mut all = self.all_streamers().await;
        all.retain(|x| *x != s);
        all
    }

    /// `s` when it has the user, else the streamer that does (the buggy query's reach).
    async fn owner_of(&self, s: StreamerId, u: UserId) -> StreamerId {
        if matches!(self.inner.get_user(s, u).await, Ok(Some(_))) {
            return s;
        }
        for o in self.others(s).await {
            if matches!(self.inner.get_user(o, u).await, Ok(Some(_))) {
                return o;
            }
        }
        s
    }

    /// Every streamer, by id: the order a query without its streamer predicate meets rows in.
    async fn all_streamers(&self) -> Vec<StreamerId> {
        self.inner
            .list_streamers()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|x| x.id)
            .collect()
    }

    /// Whether `u` belongs to some streamer other than `s`.
    async fn is_foreign(&self, s: StreamerId, u: UserId) -> bool {
        self.owner_of(s, u).await != s
    }
}
