//! The KickOverlay data contract.
//!
//! [`DataStore`] is everything KickOverlay stores, for many streamers at once. Backends (the
//! SQLite `reference-store`, the in-memory `ModelStore` of the `conformance` crate, …)
//! implement it; the HTTP API calls it and nothing else. The `conformance` crate proves that a
//! backend honours the rules below.
//!
//! # Tenant rules
//!
//! A streamer is a tenant. Every tenant-owned operation takes the [`StreamerId`] first, and:
//!
//! 1. **Another streamer's resource is indistinguishable from one that does not exist.** A read
//!    gives the same `None`, empty list or zero count; a write gives the same
//!    [`StoreError::NotFound`] with the same text. Errors never carry ids or stored text.
//! 2. **A write aimed at another streamer's resource changes nothing anywhere.** It does not
//!    land in the owner's tenant and does not create a link to the foreign row.
//! 3. **Uniqueness is per streamer, never global.** The same username, goal id, setting key,
//!    layout id, provider, verification code, session token hash or admin key hash can exist
//!    under any number of streamers, so no write can learn that another streamer has one.
//! 4. **Counts, totals, pages, leaderboards, analytics and exports cover one streamer only.**
//! 5. **A streamer id that does not exist owns nothing**: reads find nothing, writes that
//!    address a row report that row `NotFound`, and writes that would create a row owned by
//!    the streamer report `NotFound(Streamer)`.
//!
//! Numeric ids come from one sequence per kind of row, shared by every streamer: an id of a
//! kind (a [`UserId`], a [`TipId`], …) names at most one row of that kind in the whole store,
//! ever, since ids increase with creation and are never reused.
//!
//! ## Decision: global id sequences, a known volume side channel
//!
//! Because numeric ids come from one sequence per table, a streamer who creates two rows and
//! compares their ids learns how many rows of that table the *whole deployment* created in
//! between: a count of activity, never which streamer, nor any content. We accept that at the
//! data layer, on purpose: the legacy migration keeps every legacy id, importing a second legacy
//! install remaps only colliding ids, and the composite keys `(streamer_id, id)` stay simple.
//! Per-streamer sequences would close the channel at the cost of a `MAX(id)+1` per insert under
//! the writer lock. The HTTP API is where the channel is exposed, so the API decides how ids are
//! presented to clients (raw, or through a keyed permutation); that choice is recorded there.
//! The conformance suite compares stores through canonical ids, so it neither depends on nor
//! tests the raw numbers.
//!
//! # Data rules
//!
//! Balances and quantities are never negative and never above the limits in [`validate`]; every
//! change of a user's channel points writes a ledger row of that change, so a user's ledger sums
//! to the change in their channel points since it began (from zero, for a user created through
//! this contract). Every operation is atomic: when it returns an error it changed nothing.
//! Inputs are checked with the shared [`validate`] functions (usually through the `validate`
//! methods of the input types), so every backend accepts and refuses the same inputs.
//!
//! Checks happen in one order everywhere: first the arguments (`InvalidInput`), then whether the
//! addressed rows exist (`NotFound`), then the rules that depend on stored state (balances,
//! quantities, limits). So a malformed write gets `InvalidInput` whether its target is missing,
//! foreign or present, and reads and deletes, which create nothing, do not validate keys: a key
//! that cannot exist is simply not found. Time comes from the [`Clock`] the store was built with.

#![warn(missing_docs)]

pub mod clock;
pub mod cooldowns;
pub mod economy;
pub mod error;
pub mod events;
pub mod export;
pub mod goals;
pub mod ids;
pub mod kick;
pub mod overlay;
pub mod patch;
pub mod points;
pub mod powerup_type;
pub mod powerups;
pub mod reports;
pub mod sessions;
pub mod store;
pub mod streamers;
pub mod tips;
pub mod tokens;
pub mod users;
pub mod validate;
pub mod verification;

pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use cooldowns::{Cooldown, CooldownCheck, CooldownStore};
pub use economy::{CommandConfig, CommandsConfig, EconomyConfig, MAX_COMMAND_COOLDOWN_SECS};
pub use error::{ConflictKind, Resource, StoreError, StoreResult};
pub use events::{
    AlertKind, EVENT_TYPES, Event, EventData, EventId, EventPage, EventRetention, EventStore,
    MAX_EVENT_PAGE, MAX_EVENT_RETENTION_COUNT, ViewerBalances, validate_event_limit,
    visible_change,
};
pub use export::{ExportPart, ExportSink, SECTIONS as EXPORT_SECTIONS, StreamerExport};
pub use goals::{Goal, GoalInput, GoalStore};
pub use ids::{DropId, GoalId, LayoutId, PurchaseId, StreamerId, TipId, TransactionId, UserId};
pub use kick::{
    CommandOutcome, Delivery, DeliveryId, DeliveryOutcome, Duel, KickStore, KickViewer, Refusal,
    Step, StepResult, StreamState, WatchAward, WatchMinute, stale_name,
};
pub use overlay::{LayoutInput, OverlayLayout, OverlaySetting, OverlayStore, Theme, default_theme};
pub use points::{
    AdminSetPoints, BulkAward, DropRecord, HistoryRequest, LeaderboardEntry, NewDrop, PointDelta,
    PointSource, PointStore, PointTransaction, Points, SourceSummary, UserPoints,
};
pub use powerup_type::PowerupType;
pub use powerups::{
    InventoryItem, InventoryRow, PowerupConfig, PowerupConfigInput, PowerupConfigPatch,
    PowerupPurchase, PowerupStore, PurchaseReceipt, default_powerups,
};
pub use reports::{Analytics, PurchaseStats, ReportStore};
pub use sessions::{
    AdminKey, NewUserSession, OverlayKey, SessionStore, SessionToken, StreamerSession, TokenHash,
    UserSession,
};
pub use store::{DataStore, Family, OPERATIONS, Operation};
pub use streamers::{NewStreamer, Streamer, StreamerStore, StreamerUpdate};
pub use tips::{NewTip, Tip, TipPatch, TipStore};
pub use tokens::{OAuthToken, OAuthTokenInput, TokenStore};
pub use users::{Page, PageRequest, ProfileUpdate, User, UserLookup, UserStore, UserWithPoints};
pub use verification::{
    MAX_FAILED_REDEMPTIONS, MAX_LIVE_CODES, NewVerificationCode, Redemption, VerificationCode,
    VerificationStore,
};
