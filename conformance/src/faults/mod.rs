//! Fault-injecting wrappers: proof that the suite catches isolation bugs.
//!
//! [`Faulty`] wraps any store and breaks isolation in exactly one way, chosen from
//! [`Fault::ALL`]. Each fault imitates a bug that happens in real multi-tenant code: a query
//! missing its `streamer_id` predicate (a read that finds the row under any streamer, a write
//! that lands in the row owner's tenant, a list or count over every tenant), a fallback to
//! another tenant's row, uniqueness checked globally, or an error that tells a foreign row from
//! a missing one. There is at least one per operation family. `tests/sensitivity.rs` runs the
//! whole suite against each and requires every fault to be caught; [`matrix`] prints which
//! cases caught which.

pub mod matrix;
mod wrapper;

use datastore::{DataStore, Family, StreamerId, UserId};
use std::sync::Arc;

macro_rules! faults {
    ($($name:ident ($family:ident): $doc:literal,)*) => {
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

            /// What the fault does.
            pub fn describe(self) -> &'static str {
                match self { $(Fault::$name => $doc,)* }
            }
        }
    };
}

faults! {
    DeleteStreamerTakesSameNamedUsers (Streamers): "deleting a streamer also deletes other streamers' users with the same usernames",
    UpdateStreamerTouchesAll (Streamers): "updating a streamer's display name updates every streamer",
    UserReadAnyTenant (Users): "get_user finds the user under any streamer",
    UsernameLookupAnyTenant (Users): "get_user_by_username falls back to other streamers",
    UsernamesGlobal (Users): "get_or_create_user returns another streamer's user with that name",
    ProfileUpdateLandsInOwner (Users): "update_user_profile changes the user in its owner's tenant",
    UserDeleteLandsInOwner (Users): "delete_user deletes the user in its owner's tenant",
    UserListIncludesOthers (Users): "list_users_with_points lists every streamer's users",
    CountIncludesOthers (Users): "count_users counts every streamer's users",
    PageTotalLeaks (Users): "list_users_with_points reports a total over every streamer",
    PointsReadAnyTenant (Points): "get_points finds balances under any streamer",
    EarnLandsInOwner (Points): "earn_points credits the user in its owner's tenant",
    SpendLandsInOwner (Points): "spend_points debits the user in its owner's tenant",
    AdminPointWritesLandInOwner (Points): "set_points and add_drop_points write in the user's owner's tenant",
    LeaderboardIncludesOthers (Points): "the leaderboard ranks every streamer's users",
    HistoryAnyTenant (Points): "points_summary and transaction_history read under any streamer",
    BulkAwardReachesOthers (Points): "bulk_award also credits other streamers' users with the same names",
    PowerupConfigGlobal (Powerups): "upsert_powerup and update_powerup change every streamer's configuration",
    PowerupReadFirstRow (Powerups): "get_powerup returns the first streamer's row for the powerup (a query without its streamer predicate)",
    InventoryReadAnyTenant (Powerups): "get_inventory reads under any streamer",
    InventoryWritesLandInOwner (Powerups): "add_powerup and use_powerup write in the user's owner's tenant",
    PurchaseLandsInOwner (Powerups): "purchase_powerup buys in the user's owner's tenant",
    SettingFallsBackToOthers (Overlay): "get_overlay_setting returns another streamer's setting when missing",
    SettingReadFirstRow (Overlay): "get_overlay_setting returns the first streamer's row for the key (a query without its streamer predicate)",
    SettingUpsertBorrowsDescription (Overlay): "an upsert without description takes another streamer's description for the key",
    SettingDeleteGlobal (Overlay): "delete_overlay_setting deletes the key under every streamer",
    LayoutDefaultClearedGlobally (Overlay): "a new default layout clears every streamer's default",
    LayoutListIncludesOthers (Overlay): "list_layouts lists every streamer's layouts",
    ThemeFallsBack (Overlay): "get_theme returns another streamer's theme when none is set",
    TipsListIncludesOthers (Tips): "the tip lists include every streamer's tips",
    TipReadAnyTenant (Tips): "get_tip finds the tip under any streamer",
    TipWritesLandInOwner (Tips): "update_tip and delete_tip act in the tip's owner's tenant",
    GoalReadAnyTenant (Goals): "get_goal falls back to other streamers",
    GoalListsIncludeOthers (Goals): "the goal lists include every streamer's goals",
    GoalUpsertOverwritesOthers (Goals): "upsert_goal also overwrites the same goal id under every streamer",
    GoalWritesLandInOwner (Goals): "set_goal_progress and delete_goal act under the first streamer with the id",
    OAuthTokenAnyTenant (Tokens): "get_oauth_token falls back to other streamers",
    OAuthDeleteGlobal (Tokens): "delete_oauth_token deletes the provider's token under every streamer",
    UserSessionAnyTenant (Sessions): "get_user_session finds sessions under any streamer",
    StreamerSessionAnyTenant (Sessions): "an admin session works under every streamer",
    PurgeAllTenants (Sessions): "purging expired sessions purges every streamer's",
    SessionCreateLandsInOwner (Sessions): "create_user_session for a foreign user creates it in the user's owner's tenant",
    SessionHashGlobal (Sessions): "streamer session token hashes are unique across all streamers",
    SessionDeleteAnyTenant (Sessions): "deleting a session deletes it under any streamer",
    CodeReadAnyTenant (Verification): "verification code reads fall back to other streamers",
    MarkVerifiedAnyTenant (Verification): "mark_verification_code_verified verifies under any streamer",
    DeleteCodesGlobal (Verification): "delete_verification_codes deletes the username's codes under every streamer",
    CooldownLandsInOwner (Cooldowns): "check_cooldown of a foreign user runs in the user's owner's tenant",
    AnalyticsAllTenants (Reports): "analytics counts every streamer's users and points",
    ExportIncludesOthers (Reports): "the export includes every streamer's tips",
    ForeignUserErrorLeaks (Users): "writes to another streamer's user fail with a telltale 'belongs to another streamer' error",
    ForeignIdsForbidden (Tips): "reads of another streamer's tip fail with 'forbidden' instead of finding nothing",
}

/// A store with one fault injected.
pub struct Faulty {
    inner: Arc<dyn DataStore>,
    fault: Fault,
}

impl Faulty {
    /// Wraps `inner`, breaking it with `fault`.
    pub fn new(inner: Arc<dyn DataStore>, fault: Fault) -> Self {
        Faulty { inner, fault }
    }

    fn is(&self, f: Fault) -> bool {
        self.fault == f
    }

    /// Every streamer but `s`.
    async fn others(&self, s: StreamerId) -> Vec<StreamerId> {
        self.inner
            .list_streamers()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|x| x.id)
            .filter(|x| *x != s)
            .collect()
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
