//! Cross-tenant isolation: the seed cases (`seeds.rs`), the known ways isolation breaks in
//! practice (`breaks.rs`), verification codes (`codes.rs`), Kick data (`kick.rs`), the
//! table-driven sweep (one case per family) and the model-based property test.
//!
//! Every case here must fail under at least one of the fault-injecting wrappers of
//! [`crate::faults`]; `tests/sensitivity.rs` checks that.

use crate::harness::{CaseResult, Harness};
use datastore::Family;

mod breaks;
mod codes;
mod kick;
mod seeds;
mod setup;

pub use breaks::*;
pub use codes::*;
pub use kick::*;
pub use seeds::*;

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
    cross_tenant_sweep_events => Events,
    cross_tenant_sweep_kick => Kick,
}

/// Random operation sequences across three streamers match [`crate::ModelStore`] step by
/// step, and the invariants hold after every step; see [`crate::props`].
pub async fn matches_model_under_random_operations(h: Harness) -> CaseResult {
    crate::props::matches_model(h).await
}
