//! Points: balances, the ledger, drops and leaderboards.

use crate::clock::Timestamp;
use crate::error::{StoreError, StoreResult};
use crate::ids::{DropId, StreamerId, TransactionId, UserId};
use crate::powerup_type::PowerupType;
use crate::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where points came from or went to. Declared in alphabetical order, so `Ord` is the order of
/// the names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PointSource {
    /// An admin set the balance.
    Admin,
    /// A chat message.
    Chat,
    /// The drop game.
    Drop,
    /// A duel.
    Duel,
    /// A gamble.
    Gamble,
    /// A gifted subscription.
    Gift,
    /// A subscription renewal.
    Renewal,
    /// A spend (text-to-speech, a powerup).
    Spend,
    /// A new subscription.
    Sub,
    /// Kick tipped to the channel.
    Tip,
    /// Watch time.
    Watch,
}

impl PointSource {
    /// Every source, in name order.
    pub const ALL: [PointSource; 11] = [
        PointSource::Admin,
        PointSource::Chat,
        PointSource::Drop,
        PointSource::Duel,
        PointSource::Gamble,
        PointSource::Gift,
        PointSource::Renewal,
        PointSource::Spend,
        PointSource::Sub,
        PointSource::Tip,
        PointSource::Watch,
    ];

    /// The source's name as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            PointSource::Admin => "admin",
            PointSource::Chat => "chat",
            PointSource::Drop => "drop",
            PointSource::Duel => "duel",
            PointSource::Gamble => "gamble",
            PointSource::Gift => "gift",
            PointSource::Renewal => "renewal",
            PointSource::Spend => "spend",
            PointSource::Sub => "sub",
            PointSource::Tip => "tip",
            PointSource::Watch => "watch",
        }
    }
}

impl fmt::Display for PointSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PointSource {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PointSource::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| StoreError::invalid("source", format!("unknown point source {s:?}")))
    }
}

/// A user's balances. Channel points are spendable; drop points come only from the drop game;
/// leaderboards rank by their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Points {
    /// Spendable points.
    pub channel_points: i64,
    /// Points from the drop game.
    pub drop_points: i64,
    /// How many drops the user has made.
    pub total_drops: i64,
    /// When the balances last changed; `None` when they never have.
    pub last_updated: Option<Timestamp>,
}

impl Points {
    /// The balances of a user who never had any.
    pub const ZERO: Points = Points {
        channel_points: 0,
        drop_points: 0,
        total_drops: 0,
        last_updated: None,
    };
}

/// A user's balance row, as exported. Users who never had points have no row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserPoints {
    /// Whose balances.
    pub user_id: UserId,
    /// See [`Points::channel_points`].
    pub channel_points: i64,
    /// See [`Points::drop_points`].
    pub drop_points: i64,
    /// See [`Points::total_drops`].
    pub total_drops: i64,
    /// When the row last changed.
    pub last_updated: Timestamp,
}

/// A change of channel points: what an earn, a spend or an award moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointDelta {
    /// How many points, 1 to [`validate::MAX_AMOUNT`] (a spend passes the cost, positive).
    pub amount: i64,
    /// Where they came from or went.
    pub source: PointSource,
    /// Free text for the ledger.
    #[serde(default)]
    pub description: Option<String>,
}

impl PointDelta {
    /// `amount` points from `source`, without a description.
    pub fn new(amount: i64, source: PointSource) -> Self {
        PointDelta {
            amount,
            source,
            description: None,
        }
    }

    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        validate::amount("amount", self.amount)?;
        validate::optional_text(
            "description",
            self.description.as_deref(),
            validate::MAX_TEXT_CHARS,
        )
    }
}

/// An admin's direct setting of a user's balances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminSetPoints {
    /// The new channel points, 0 to [`validate::MAX_BALANCE`].
    pub channel_points: i64,
    /// The new drop points when present, 0 to [`validate::MAX_BALANCE`].
    #[serde(default)]
    pub drop_points: Option<i64>,
    /// Free text for the ledger; `adjustment` when absent.
    #[serde(default)]
    pub description: Option<String>,
}

impl AdminSetPoints {
    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        validate::balance("channel_points", self.channel_points)?;
        if let Some(d) = self.drop_points {
            validate::balance("drop_points", d)?;
        }
        validate::optional_text(
            "description",
            self.description.as_deref(),
            validate::MAX_TEXT_CHARS,
        )
    }

    /// The ledger description of this adjustment.
    pub fn ledger_description(&self) -> String {
        self.description
            .clone()
            .unwrap_or_else(|| "adjustment".to_owned())
    }
}

/// A row of the points ledger. Every change of a user's channel points has one, so a user's
/// ledger sums to the change in their channel points since it began (see [`PointStore`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PointTransaction {
    /// Assigned by the store, increasing.
    pub id: TransactionId,
    /// Whose points moved.
    pub user_id: UserId,
    /// Positive for an earn, negative for a spend, either for an admin adjustment.
    pub amount: i64,
    /// Where the points came from or went.
    pub source: PointSource,
    /// Free text.
    pub description: Option<String>,
    /// When it happened.
    pub created_at: Timestamp,
}

/// One drop-game result to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDrop {
    /// Drop points earned, 0 to [`validate::MAX_DROP_SCORE`].
    pub score: i64,
    /// A perfect landing.
    #[serde(default)]
    pub is_perfect: bool,
    /// The powerup active during the drop.
    #[serde(default)]
    pub powerup_used: Option<PowerupType>,
}

impl NewDrop {
    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        validate::in_range("score", self.score, 0, validate::MAX_DROP_SCORE)
    }
}

/// A recorded drop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DropRecord {
    /// Assigned by the store.
    pub id: DropId,
    /// Who dropped.
    pub user_id: UserId,
    /// Drop points earned.
    pub score: i64,
    /// A perfect landing.
    pub is_perfect: bool,
    /// The powerup active during the drop.
    pub powerup_used: Option<PowerupType>,
    /// When it happened.
    pub created_at: Timestamp,
}

/// A leaderboard row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LeaderboardEntry {
    /// 1 for the top row.
    pub rank: u32,
    /// The user.
    pub user_id: UserId,
    /// Their username.
    pub username: String,
    /// Their channel points.
    pub channel_points: i64,
    /// Their drop points.
    pub drop_points: i64,
    /// Channel plus drop points: what the board ranks by.
    pub total_points: i64,
    /// Their drop count.
    pub total_drops: i64,
}

/// One source's share of a user's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SourceSummary {
    /// The source.
    pub source: PointSource,
    /// The sum of its ledger amounts.
    pub total: i64,
    /// How many ledger rows it has.
    pub transactions: u64,
}

/// Which page of a user's ledger to read: newest first, keyset-paginated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRequest {
    /// Rows to return, 1 to [`validate::MAX_PAGE_LIMIT`].
    pub limit: u32,
    /// Only rows with an id below this one (the last id of the previous page).
    #[serde(default)]
    pub before: Option<TransactionId>,
}

/// Result of [`PointStore::bulk_award`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BulkAward {
    /// Distinct users awarded.
    pub awarded: u64,
    /// Of those, users the award created.
    pub created: u64,
}

/// Points of one streamer's users.
///
/// Tenant rule for every method: a user id of another streamer behaves exactly like an id that
/// does not exist (`None`, or `NotFound(User)`), and a write aimed at it changes nothing
/// anywhere. Balances are never negative and never above [`validate::MAX_BALANCE`]; every
/// change of channel points writes a ledger row of exactly that change, so a user's ledger sums
/// to the change in their channel points since it began: channel points minus ledger sum is
/// the user's *opening balance*, constant for the user's life. It is zero for every user
/// created through this contract; only users migrated from a legacy database without a ledger
/// can have another. Every write here is atomic: on error nothing changed.
#[async_trait]
pub trait PointStore: Send + Sync {
    /// The user's balances ([`Points::ZERO`] when they never had any), or `None` for an unknown
    /// user.
    async fn get_points(&self, streamer: StreamerId, user: UserId) -> StoreResult<Option<Points>>;

    /// Adds channel points and a ledger row; returns the new balances.
    ///
    /// Errors: `NotFound(User)`; `InvalidInput` for a bad amount or a balance past the maximum.
    async fn earn_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        earn: PointDelta,
    ) -> StoreResult<Points>;

    /// Takes `spend.amount` channel points, with a ledger row of the negative amount, in one
    /// atomic step: two concurrent spends can never overdraw or lose an update.
    ///
    /// Errors: `InsufficientPoints` with the current balance when it does not cover the amount
    /// (nothing changes); `NotFound(User)`; `InvalidInput`.
    async fn spend_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        spend: PointDelta,
    ) -> StoreResult<Points>;

    /// Sets the balances (admin) and records the change of channel points in the ledger as an
    /// `admin` row (amount = new − old, zero included).
    ///
    /// Errors: `NotFound(User)`; `InvalidInput`.
    async fn set_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        set: AdminSetPoints,
    ) -> StoreResult<Points>;

    /// Records a drop: adds the score to drop points, counts the drop and writes a drop history
    /// row. Drop points are not channel points and have no ledger row.
    ///
    /// Errors: `NotFound(User)`; `InvalidInput`.
    async fn add_drop_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        drop: NewDrop,
    ) -> StoreResult<Points>;

    /// The streamer's top `limit` users with a positive total, by channel + drop points
    /// descending, then user id ascending. Only this streamer's users ever appear.
    ///
    /// Errors: `InvalidInput` for a limit outside 1 to [`validate::MAX_PAGE_LIMIT`].
    async fn leaderboard(
        &self,
        streamer: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>>;

    /// The streamer's top `limit` users with positive drop points, by drop points descending,
    /// then user id ascending, ranked from 1: the drop game's board (chat's `!droptop`).
    /// Channel points play no part in the order or in who appears; each row still carries
    /// them, and `total_points` is channel + drop points as on [`PointStore::leaderboard`].
    /// Only this streamer's users ever appear.
    ///
    /// Errors: `InvalidInput` for a limit outside 1 to [`validate::MAX_PAGE_LIMIT`].
    async fn drop_leaderboard(
        &self,
        streamer: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>>;

    /// The user's ledger summed by source, in source-name order; `None` for an unknown user.
    async fn points_summary(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<SourceSummary>>>;

    /// A page of the user's ledger, newest first; `None` for an unknown user.
    ///
    /// Errors: `InvalidInput` for a bad limit.
    async fn transaction_history(
        &self,
        streamer: StreamerId,
        user: UserId,
        page: HistoryRequest,
    ) -> StoreResult<Option<Vec<PointTransaction>>>;

    /// Awards the same channel points, with a ledger row each, to every named user of this
    /// streamer (the watch-time tick), creating users that do not exist yet. Names that differ
    /// only in ASCII case are one user, awarded once. All or nothing: an invalid name or a
    /// balance past the maximum refuses the whole award.
    ///
    /// Errors: `InvalidInput` (more than [`validate::MAX_BULK_USERS`] names too);
    /// `NotFound(Streamer)` when the streamer does not exist.
    async fn bulk_award(
        &self,
        streamer: StreamerId,
        usernames: &[String],
        award: PointDelta,
    ) -> StoreResult<BulkAward>;
}
