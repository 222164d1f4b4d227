//! The [`DataStore`] trait and the explicit list of its operations.

use crate::cooldowns::CooldownStore;
use crate::goals::GoalStore;
use crate::overlay::OverlayStore;
use crate::points::PointStore;
use crate::powerups::PowerupStore;
use crate::reports::ReportStore;
use crate::sessions::SessionStore;
use crate::streamers::StreamerStore;
use crate::tips::TipStore;
use crate::tokens::TokenStore;
use crate::users::UserStore;
use crate::verification::VerificationStore;
use serde::Serialize;

/// Everything KickOverlay stores, for every streamer: the contract a backend implements.
///
/// It is the sum of one trait per domain; implement each of them and `DataStore` comes for
/// free. Every method is async with a `Send` future, so the trait works as a generic bound and
/// as `Arc<dyn DataStore>` in a warp handler. The tenant rules are in the crate documentation
/// and on each domain trait; the `conformance` crate tests them.
pub trait DataStore:
    StreamerStore
    + UserStore
    + PointStore
    + PowerupStore
    + OverlayStore
    + TipStore
    + GoalStore
    + TokenStore
    + SessionStore
    + VerificationStore
    + CooldownStore
    + ReportStore
    + Send
    + Sync
{
}

impl<T> DataStore for T where
    T: StreamerStore
        + UserStore
        + PointStore
        + PowerupStore
        + OverlayStore
        + TipStore
        + GoalStore
        + TokenStore
        + SessionStore
        + VerificationStore
        + CooldownStore
        + ReportStore
        + Send
        + Sync
{
}

/// A family of operations: one domain trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// [`StreamerStore`].
    Streamers,
    /// [`UserStore`].
    Users,
    /// [`PointStore`].
    Points,
    /// [`PowerupStore`].
    Powerups,
    /// [`OverlayStore`].
    Overlay,
    /// [`TipStore`].
    Tips,
    /// [`GoalStore`].
    Goals,
    /// [`TokenStore`].
    Tokens,
    /// [`SessionStore`].
    Sessions,
    /// [`VerificationStore`].
    Verification,
    /// [`CooldownStore`].
    Cooldowns,
    /// [`ReportStore`].
    Reports,
}

impl Family {
    /// Every family.
    pub const ALL: [Family; 12] = [
        Family::Streamers,
        Family::Users,
        Family::Points,
        Family::Powerups,
        Family::Overlay,
        Family::Tips,
        Family::Goals,
        Family::Tokens,
        Family::Sessions,
        Family::Verification,
        Family::Cooldowns,
        Family::Reports,
    ];

    /// The name of the family's trait.
    pub fn trait_name(self) -> &'static str {
        match self {
            Family::Streamers => "StreamerStore",
            Family::Users => "UserStore",
            Family::Points => "PointStore",
            Family::Powerups => "PowerupStore",
            Family::Overlay => "OverlayStore",
            Family::Tips => "TipStore",
            Family::Goals => "GoalStore",
            Family::Tokens => "TokenStore",
            Family::Sessions => "SessionStore",
            Family::Verification => "VerificationStore",
            Family::Cooldowns => "CooldownStore",
            Family::Reports => "ReportStore",
        }
    }
}

/// One method of [`DataStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Operation {
    /// The trait it belongs to.
    pub family: Family,
    /// The method name.
    pub name: &'static str,
}

macro_rules! operations {
    ($($family:ident: [$($name:ident),* $(,)?]),* $(,)?) => {
        /// Every method of [`DataStore`], by family.
        ///
        /// This list is written out by hand on purpose: a unit test of this crate compares it
        /// with the `async fn`s of the trait sources, and the `conformance` crate fails a test
        /// for any operation here without a cross-tenant case. Adding a method to a trait
        /// therefore fails the build's tests until it is listed here *and* given an isolation
        /// case in `conformance/src/sweep/table.rs`.
        pub const OPERATIONS: &[Operation] = &[
            $($(Operation { family: Family::$family, name: stringify!($name) },)*)*
        ];
    };
}

operations! {
    Streamers: [create_streamer, get_streamer, get_streamer_by_username,
        get_streamer_by_kick_user_id, update_streamer, list_streamers, delete_streamer],
    Users: [get_or_create_user, get_user, get_user_by_username, update_user_profile,
        delete_user, list_users_with_points, count_users],
    Points: [get_points, earn_points, spend_points, set_points, add_drop_points, leaderboard,
        points_summary, transaction_history, bulk_award],
    Powerups: [list_enabled_powerups, list_powerups, get_powerup, upsert_powerup, update_powerup,
        get_inventory, add_powerup, use_powerup, purchase_powerup],
    Overlay: [get_overlay_setting, list_overlay_settings, upsert_overlay_setting,
        delete_overlay_setting, get_layout, list_layouts, upsert_layout, delete_layout,
        get_theme, set_theme],
    Tips: [list_enabled_tips, list_tips, get_tip, create_tip, update_tip, delete_tip],
    Goals: [list_enabled_goals, list_goals, get_goal, upsert_goal, set_goal_progress, delete_goal],
    Tokens: [get_oauth_token, upsert_oauth_token, delete_oauth_token],
    Sessions: [create_user_session, get_user_session, delete_user_session,
        purge_expired_user_sessions, create_streamer_session, get_streamer_session,
        delete_streamer_session, purge_expired_streamer_sessions],
    Verification: [create_verification_code, get_verification_code, latest_verification_code,
        mark_verification_code_verified, delete_verification_codes],
    Cooldowns: [check_cooldown],
    Reports: [analytics, export_streamer],
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The trait sources, read at compile time so the check needs no file system.
    const SOURCES: &[&str] = &[
        include_str!("streamers.rs"),
        include_str!("users.rs"),
        include_str!("points.rs"),
        include_str!("powerups.rs"),
        include_str!("overlay.rs"),
        include_str!("tips.rs"),
        include_str!("goals.rs"),
        include_str!("tokens.rs"),
        include_str!("sessions.rs"),
        include_str!("verification.rs"),
        include_str!("cooldowns.rs"),
        include_str!("reports.rs"),
    ];

    /// `(trait, method)` for every `async fn` inside a `pub trait … Store` block.
    fn declared() -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for src in SOURCES {
            let mut current: Option<String> = None;
            for line in src.lines() {
                let t = line.trim();
                if let Some(rest) = t.strip_prefix("pub trait ") {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    current = Some(name);
                } else if line.starts_with('}') {
                    current = None;
                } else if let (Some(tr), Some(rest)) = (&current, t.strip_prefix("async fn ")) {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    out.insert((tr.clone(), name));
                }
            }
        }
        out
    }

    #[test]
    fn operations_list_matches_the_trait_methods() {
        let listed: BTreeSet<(String, String)> = OPERATIONS
            .iter()
            .map(|o| (o.family.trait_name().to_owned(), o.name.to_owned()))
            .collect();
        let declared = declared();
        let missing: Vec<_> = declared.difference(&listed).collect();
        let stale: Vec<_> = listed.difference(&declared).collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "OPERATIONS is out of step with the traits.\n  declared but not listed: {missing:?}\n  listed but not declared: {stale:?}"
        );
        assert_eq!(
            OPERATIONS.len(),
            declared.len(),
            "an operation is listed twice"
        );
        assert!(
            declared.len() > 70,
            "the source parser found too few methods"
        );
    }
}
