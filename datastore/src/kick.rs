//! Kick drives the economy: webhook deliveries applied exactly once, the stream's live state,
//! the per-minute watch award and chat duels.
//!
//! The HTTP layer verifies a delivery, decides what it does (amounts from the streamer's
//! [`EconomyConfig`], randomness drawn from a secure source) and hands the store one
//! [`Delivery`]: a list of [`Step`]s. The store runs every step of a delivery and records its
//! id in **one transaction**, so a redelivery changes nothing ([`DeliveryOutcome::Duplicate`])
//! and a crash leaves either all of it or none of it.
//!
//! Viewers are Kick users ([`KickViewer`]): every step that names one resolves them the same
//! way (see [`KickStore::apply_delivery`]), creating the viewer on first sight.

use crate::clock::Timestamp;
pub use crate::economy::{MAX_DUEL_WAIT, MAX_WATCH_WINDOW};

use crate::economy::EconomyConfig;
use crate::error::{StoreError, StoreResult};
use crate::events::{AlertKind, ViewerBalances};
use crate::goals::Goal;
use crate::ids::{GoalId, StreamerId, UserId};
use crate::points::PointSource;
use crate::powerup_type::PowerupType;
use crate::powerups::{InventoryItem, PurchaseReceipt};
use crate::users::User;
use crate::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Longest delivery id (Kick's `Kick-Event-Message-Id`), in characters.
pub const MAX_DELIVERY_ID_CHARS: usize = 128;
/// Most steps one delivery may hold (effects and command together).
pub const MAX_DELIVERY_STEPS: usize = 32;
/// Longest text-to-speech message, in characters.
pub const MAX_SPEECH_CHARS: usize = 500;
/// Largest payout of a wager, as a multiple of its stake.
pub const MAX_WAGER_MULTIPLIER: i64 = 100;

/// A Kick user as a delivery names them: Kick's numeric id and their current username.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KickViewer {
    /// Kick's numeric user id, positive; stable across renames.
    pub kick_user_id: i64,
    /// The username Kick shows now ([`validate::username`]).
    pub username: String,
}

impl KickViewer {
    /// A Kick user.
    pub fn new(kick_user_id: i64, username: impl Into<String>) -> Self {
        KickViewer {
            kick_user_id,
            username: username.into(),
        }
    }

    /// Checks the id is positive and the username valid.
    pub fn validate(&self) -> StoreResult<()> {
        if self.kick_user_id <= 0 {
            return Err(StoreError::invalid("kick_user_id", "must be positive"));
        }
        validate::username(&self.username)
    }
}

/// The id of one webhook delivery (Kick's `Kick-Event-Message-Id`), recorded per streamer so
/// that a redelivery is recognised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeliveryId(pub String);

impl DeliveryId {
    /// Checks 1 to [`MAX_DELIVERY_ID_CHARS`] printable ASCII characters without spaces.
    pub fn validate(&self) -> StoreResult<()> {
        let n = self.0.chars().count();
        if n == 0 || n > MAX_DELIVERY_ID_CHARS {
            return Err(StoreError::invalid(
                "delivery_id",
                format!("must be 1 to {MAX_DELIVERY_ID_CHARS} characters"),
            ));
        }
        if !self.0.chars().all(|c| c.is_ascii_graphic()) {
            return Err(StoreError::invalid(
                "delivery_id",
                "must be printable ASCII without spaces",
            ));
        }
        Ok(())
    }
}

/// One data change of a delivery. Steps run in order inside the delivery's transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Adds channel points with a ledger row, like `earn_points`, except that a gain that would
    /// pass [`validate::MAX_BALANCE`] is cut to what fits (the ledger row holds what was added;
    /// nothing changes at the maximum), so a full balance never fails a delivery.
    /// Result: [`StepResult::Balances`]. Errors: `InvalidInput` (amount).
    Earn {
        /// Who earns.
        viewer: KickViewer,
        /// 1 to [`validate::MAX_AMOUNT`].
        amount: i64,
        /// The ledger row's source.
        source: PointSource,
        /// The ledger row's description.
        description: Option<String>,
    },
    /// Spends channel points only when the balance covers them, like `spend_points`.
    /// Result: [`StepResult::Balances`]. Errors: `InsufficientPoints`, `InvalidInput`.
    Spend {
        /// Who spends.
        viewer: KickViewer,
        /// 1 to [`validate::MAX_AMOUNT`].
        amount: i64,
        /// The ledger row's source.
        source: PointSource,
        /// The ledger row's description.
        description: Option<String>,
    },
    /// A bet already decided: needs `stake` covered by the balance, then moves the balance by
    /// `payout - stake` in one ledger row (none when that is 0).
    /// Result: [`StepResult::Balances`]. Errors: `InsufficientPoints`, `InvalidInput` (stake
    /// 1 to [`validate::MAX_AMOUNT`], payout 0 to stake × [`MAX_WAGER_MULTIPLIER`]).
    Wager {
        /// Who bets.
        viewer: KickViewer,
        /// What is at risk.
        stake: i64,
        /// What comes back (0 when lost).
        payout: i64,
        /// The ledger row's source (`gamble`).
        source: PointSource,
        /// The ledger row's description.
        description: Option<String>,
    },
    /// Remembers the viewer as a recent chatter now (for the watch award).
    /// Result: [`StepResult::Viewer`].
    Chatted {
        /// Who chatted.
        viewer: KickViewer,
    },
    /// Sets the live flag, unless a change stamped later than `at` was already applied (so
    /// late, out-of-order deliveries never undo a newer state); of two changes stamped the
    /// same, going offline wins, whichever arrives first (Kick's stamps are whole seconds).
    /// Records an [`crate::EventData::LiveChanged`] when the step changes the flag (a stream
    /// never set counts as not live), nothing otherwise: the flag ends the same in any order of
    /// arrival, but the events follow the order the changes arrived in (on, then off records
    /// two; off, then a late on stamped earlier records none). Result: [`StepResult::Live`] with the
    /// flag as it stands after the step.
    SetLive {
        /// Live or not.
        live: bool,
        /// When the change happened, by the delivery's own clock.
        at: Timestamp,
    },
    /// Adds `by` to a goal's current value (capped at [`validate::MAX_BALANCE`]), atomically;
    /// a missing goal is left alone. Result: [`StepResult::Goal`] (`None` when missing).
    /// Errors: `InvalidInput` (`by` 1 to [`validate::MAX_AMOUNT`]).
    AdvanceGoal {
        /// The goal.
        goal: GoalId,
        /// How much.
        by: i64,
    },
    /// Records an [`crate::EventData::Alert`] for the overlays. Result: [`StepResult::Done`].
    Alert {
        /// What happened.
        kind: AlertKind,
        /// Who did it (resolved to a viewer), or nobody (an anonymous gift).
        viewer: Option<KickViewer>,
        /// How many (subscriptions gifted, kicks), 1 otherwise; 1 to [`validate::MAX_AMOUNT`].
        amount: i64,
    },
    /// Atomic check-and-set of a command cooldown, like `check_cooldown`.
    /// Result: [`StepResult::Done`]. Refusal: [`Refusal::CoolingDown`].
    Cooldown {
        /// Whose cooldown.
        viewer: KickViewer,
        /// The command ([`validate::command`]).
        command: String,
        /// How long it cools down (at most [`validate::MAX_COOLDOWN`]).
        cooldown: Duration,
    },
    /// Buys one powerup, like `purchase_powerup` (the streamer's own account buys free).
    /// Result: [`StepResult::Purchase`].
    BuyPowerup {
        /// Who buys.
        viewer: KickViewer,
        /// What.
        powerup: PowerupType,
    },
    /// Uses one powerup, like `use_powerup`. Result: [`StepResult::Inventory`].
    UsePowerup {
        /// Who uses it.
        viewer: KickViewer,
        /// What.
        powerup: PowerupType,
    },
    /// Opens a duel: the challenger must cover the stake now, the opponent (an existing viewer
    /// of the streamer, by username ignoring ASCII case, not the challenger) must be named in
    /// no open duel, and the challenger must have no open duel either. Expired duels count as
    /// closed. Result: [`StepResult::Duel`]. Refusals: `NotFound(User)` for the opponent,
    /// [`Refusal::DuelPending`], `InsufficientPoints`, `InvalidInput` (stake 1 to
    /// [`validate::MAX_AMOUNT`], `expires_in` 1 s to [`MAX_DUEL_WAIT`], a duel with oneself).
    ChallengeDuel {
        /// Who challenges.
        challenger: KickViewer,
        /// Whom, by username.
        opponent: String,
        /// What each stakes.
        stake: i64,
        /// How long the opponent has to accept.
        expires_in: Duration,
    },
    /// Accepts the open, unexpired duel naming this viewer as opponent and settles it: the
    /// loser pays the winner the stake (one `duel` ledger row each, without a description, in
    /// one step), so neither can be overdrawn; the duel closes. Result:
    /// [`StepResult::DuelSettled`]. Refusals:
    /// [`Refusal::NoDuel`]; `InsufficientPoints` when either party no longer covers the stake,
    /// whoever would win (so refusing never depends on the coin, and a short party cannot
    /// accept again and again until they win); the duel stays open.
    AcceptDuel {
        /// The opponent accepting.
        opponent: KickViewer,
        /// Decided by the caller's secure randomness.
        challenger_wins: bool,
    },
    /// Declines the open duel naming this viewer as opponent; it closes.
    /// Result: [`StepResult::Duel`]. Refusal: [`Refusal::NoDuel`].
    DeclineDuel {
        /// The opponent declining.
        opponent: KickViewer,
    },
    /// Withdraws the open duel this viewer started; it closes.
    /// Result: [`StepResult::Duel`]. Refusal: [`Refusal::NoDuel`].
    CancelDuel {
        /// The challenger.
        challenger: KickViewer,
    },
    /// Queues a text-to-speech message for the overlay: spends `cost` (when not 0, as a
    /// `spend` ledger row without a description), remembers `voice` on the viewer's profile
    /// when given (which, like any profile change, moves the viewer's `updated_at`), and records
    /// an [`crate::EventData::SpeechQueued`]. Result: [`StepResult::Balances`].
    /// Errors: `InsufficientPoints`; `InvalidInput` (text 1 to [`MAX_SPEECH_CHARS`], voice a
    /// key, cost 0 to [`validate::MAX_AMOUNT`]).
    Speak {
        /// Who speaks.
        viewer: KickViewer,
        /// What to say.
        text: String,
        /// The voice, when chosen.
        voice: Option<String>,
        /// What it costs.
        cost: i64,
    },
    /// Marks the viewer's unexpired verification code verified, like
    /// `mark_verification_code_verified` for the viewer's username. Result:
    /// [`StepResult::Done`]. Refusal: `NotFound(VerificationCode)`.
    Verify {
        /// Who verifies.
        viewer: KickViewer,
        /// The code they typed.
        code: String,
    },
}

impl Step {
    /// Checks the step's own arguments (not the data it touches).
    pub fn validate(&self) -> StoreResult<()> {
        let amount = |field: &str, n: i64| {
            if (1..=validate::MAX_AMOUNT).contains(&n) {
                Ok(())
            } else {
                Err(StoreError::invalid(
                    field,
                    format!("must be 1 to {}", validate::MAX_AMOUNT),
                ))
            }
        };
        let description = |d: &Option<String>| match d {
            Some(d) => validate::text("description", d, 0, validate::MAX_TEXT_CHARS),
            None => Ok(()),
        };
        match self {
            Step::Earn {
                viewer,
                amount: n,
                description: d,
                ..
            }
            | Step::Spend {
                viewer,
                amount: n,
                description: d,
                ..
            } => {
                viewer.validate()?;
                amount("amount", *n)?;
                description(d)
            }
            Step::Wager {
                viewer,
                stake,
                payout,
                description: d,
                ..
            } => {
                viewer.validate()?;
                amount("stake", *stake)?;
                if *payout < 0 || *payout > stake.saturating_mul(MAX_WAGER_MULTIPLIER) {
                    return Err(StoreError::invalid(
                        "payout",
                        format!("must be 0 to {MAX_WAGER_MULTIPLIER} times the stake"),
                    ));
                }
                description(d)
            }
            Step::Chatted { viewer }
            | Step::BuyPowerup { viewer, .. }
            | Step::UsePowerup { viewer, .. } => viewer.validate(),
            Step::SetLive { .. } => Ok(()),
            Step::AdvanceGoal { goal, by } => {
                validate::key("goal", &goal.0)?;
                amount("by", *by)
            }
            Step::Alert {
                viewer, amount: n, ..
            } => {
                if let Some(v) = viewer {
                    v.validate()?;
                }
                amount("amount", *n)
            }
            Step::Cooldown {
                viewer,
                command,
                cooldown,
            } => {
                viewer.validate()?;
                validate::command(command)?;
                if *cooldown > validate::MAX_COOLDOWN {
                    return Err(StoreError::invalid("cooldown", "is too long"));
                }
                Ok(())
            }
            Step::ChallengeDuel {
                challenger,
                opponent,
                stake,
                expires_in,
            } => {
                challenger.validate()?;
                validate::username(opponent)?;
                amount("stake", *stake)?;
                if *expires_in < Duration::from_secs(1) || *expires_in > MAX_DUEL_WAIT {
                    return Err(StoreError::invalid(
                        "expires_in",
                        "must be 1 second to an hour",
                    ));
                }
                if challenger.username.eq_ignore_ascii_case(opponent) {
                    return Err(StoreError::invalid(
                        "opponent",
                        "must not be the challenger",
                    ));
                }
                Ok(())
            }
            Step::AcceptDuel { opponent, .. } | Step::DeclineDuel { opponent } => {
                opponent.validate()
            }
            Step::CancelDuel { challenger } => challenger.validate(),
            Step::Speak {
                viewer,
                text,
                voice,
                cost,
            } => {
                viewer.validate()?;
                validate::text("text", text, 1, MAX_SPEECH_CHARS)?;
                if let Some(v) = voice {
                    validate::key("voice", v)?;
                }
                if !(0..=validate::MAX_AMOUNT).contains(cost) {
                    return Err(StoreError::invalid(
                        "cost",
                        format!("must be 0 to {}", validate::MAX_AMOUNT),
                    ));
                }
                Ok(())
            }
            Step::Verify { viewer, code } => {
                viewer.validate()?;
                validate::text("code", code, 1, validate::MAX_CODE_CHARS)
            }
        }
    }
}

/// The username a viewer gives up their name for when a newcomer linked to another Kick user
/// takes it ([`KickStore`]'s resolution rule): `{name}#{kick_user_id}` cut to
/// [`validate::MAX_USERNAME_CHARS`], or, when that cut would leave the very name given up (a
/// name already at the limit), the name cut short enough to keep the whole suffix. One
/// definition for every backend.
pub fn stale_name(name: &str, kick_user_id: i64) -> String {
    let limit = validate::MAX_USERNAME_CHARS;
    let suffix = format!("#{kick_user_id}");
    let cut: String = format!("{name}{suffix}").chars().take(limit).collect();
    if !cut.eq_ignore_ascii_case(name) {
        return cut;
    }
    let keep = limit.saturating_sub(suffix.chars().count());
    name.chars().take(keep).chain(suffix.chars()).collect()
}

/// One webhook delivery, as the store applies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// Kick's message id: recorded, so the delivery applies once.
    pub id: DeliveryId,
    /// What the event itself does (points for a chat message, a goal for a follow, …). Every
    /// effect must succeed, or the whole delivery fails with that error and nothing is
    /// recorded (not even its id); a refusal that is no store error fails it as
    /// [`Refusal::into_effect_error`] says.
    pub effects: Vec<Step>,
    /// A chat command's steps: all or nothing. When one is refused, the command's earlier
    /// steps are undone, the rest are skipped, and the delivery still commits its effects and
    /// its id ([`CommandOutcome::Refused`]). Empty when the delivery runs no command.
    pub command: Vec<Step>,
}

impl Delivery {
    /// Checks the id, the number of steps and every step's own arguments.
    pub fn validate(&self) -> StoreResult<()> {
        self.id.validate()?;
        if self.effects.len() + self.command.len() > MAX_DELIVERY_STEPS {
            return Err(StoreError::invalid(
                "steps",
                format!("at most {MAX_DELIVERY_STEPS} steps"),
            ));
        }
        self.effects
            .iter()
            .chain(&self.command)
            .try_for_each(Step::validate)
    }
}

/// An open duel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duel {
    /// Who challenged.
    pub challenger: UserId,
    /// Their username.
    pub challenger_name: String,
    /// Who was challenged.
    pub opponent: UserId,
    /// Their username.
    pub opponent_name: String,
    /// What each staked.
    pub stake: i64,
    /// Until when it can be accepted.
    pub expires_at: Timestamp,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", content = "data", rename_all = "snake_case")]
pub enum StepResult {
    /// The viewer's balances after the step.
    Balances(ViewerBalances),
    /// The viewer the step resolved.
    Viewer(UserId),
    /// The live flag after the step.
    Live(bool),
    /// The goal after the step; `None` when the streamer has no such goal.
    Goal(Option<Goal>),
    /// A purchase.
    Purchase(PurchaseReceipt),
    /// An inventory line after a use.
    Inventory(InventoryItem),
    /// The duel opened or closed.
    Duel(Duel),
    /// A settled duel.
    DuelSettled {
        /// The duel, now closed.
        duel: Duel,
        /// Who won.
        winner: UserId,
        /// The challenger's balances after it.
        challenger: ViewerBalances,
        /// The opponent's balances after it.
        opponent: ViewerBalances,
    },
    /// Done; nothing to report.
    Done,
}

/// Why a command's step was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "refusal", content = "data", rename_all = "snake_case")]
pub enum Refusal {
    /// The command is cooling down for the viewer.
    CoolingDown {
        /// Milliseconds until it may run again.
        remaining_ms: u64,
    },
    /// A party of the challenge is already in an open duel.
    DuelPending,
    /// There is no open duel to accept, decline or cancel.
    NoDuel,
    /// The store refused the step (`InsufficientPoints`, `NotFound`, `NoPowerupLeft`, …).
    Store(StoreError),
}

impl Refusal {
    /// The error a refused **effect** fails its delivery with ([`Delivery::effects`]): the
    /// store's own error, or, for a refusal that is no store error (a cooldown, a duel rule:
    /// steps that belong in a command), `InvalidInput` naming `effects`. One definition for
    /// every backend.
    pub fn into_effect_error(self) -> StoreError {
        match self {
            Refusal::Store(e) => e,
            Refusal::CoolingDown { .. } => {
                StoreError::invalid("effects", "a cooldown step is cooling down")
            }
            Refusal::DuelPending => StoreError::invalid("effects", "a duel is pending"),
            Refusal::NoDuel => StoreError::invalid("effects", "there is no open duel"),
        }
    }
}

/// What a delivery's command did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum CommandOutcome {
    /// Every step ran; their results in order.
    Done {
        /// One per step.
        results: Vec<StepResult>,
    },
    /// Step `step` (counted from 0) was refused; the command changed nothing.
    Refused {
        /// Which step.
        step: usize,
        /// Why.
        refusal: Refusal,
    },
}

/// What [`KickStore::apply_delivery`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DeliveryOutcome {
    /// This streamer already applied a delivery with this id; nothing changed.
    Duplicate,
    /// Applied, and its id recorded.
    Applied {
        /// One result per effect, in order.
        effects: Vec<StepResult>,
        /// The command's outcome; `None` when the delivery had no command steps.
        command: Option<CommandOutcome>,
    },
}

/// A streamer's stream, as the deliveries left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StreamState {
    /// Whether the stream is live.
    pub live: bool,
    /// The stamp of the change that set it; `None` before any.
    pub changed_at: Option<Timestamp>,
}

/// How many minutes from the store's clock, before or after, a watch minute may lie (a day). A
/// minute further off is refused, so the record of an older one can be purged without that
/// minute ever being awarded again.
pub const WATCH_MINUTE_REACH: i64 = 24 * 60;

/// How many minutes past [`WATCH_MINUTE_REACH`] a purge keeps a minute's record: room for an
/// award that checked its minute just before the purge and for servers whose clocks differ by
/// less than an hour.
const WATCH_PURGE_MARGIN: i64 = 60;

/// One minute's watch award ([`KickStore::award_watch_minute`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchMinute {
    /// The minute, as whole minutes since the Unix epoch, within [`WATCH_MINUTE_REACH`] minutes
    /// of the store's clock; each is awarded at most once.
    pub minute: i64,
    /// Channel points per chatter (1 to [`validate::MAX_AMOUNT`]), ledger source `watch`.
    pub amount: i64,
    /// Chatters seen within this long before now count (1 s to [`MAX_WATCH_WINDOW`]).
    pub window: Duration,
}

impl WatchMinute {
    /// The minute of `t`: whole minutes since the Unix epoch.
    pub fn minute_of(t: Timestamp) -> i64 {
        t.as_millis().div_euclid(60_000)
    }

    /// The first minute whose record [`KickStore::purge_deliveries`] keeps when called with
    /// `before` at `now`: the records of earlier minutes go, being older than both `before`
    /// and [`WATCH_MINUTE_REACH`] minutes before now, with an hour to spare (so
    /// [`WatchMinute::validate`] refused them an hour ago, on any server whose clock is less
    /// than an hour off).
    pub fn purge_horizon(before: Timestamp, now: Timestamp) -> i64 {
        Self::minute_of(before)
            .min(Self::minute_of(now).saturating_sub(WATCH_MINUTE_REACH + WATCH_PURGE_MARGIN))
    }

    /// Checks the award against the store's clock `now`.
    ///
    /// Errors: `InvalidInput` naming `amount` (1 to [`validate::MAX_AMOUNT`]), `window` (1 s
    /// to [`MAX_WATCH_WINDOW`]) or `minute` (within [`WATCH_MINUTE_REACH`] minutes of `now`).
    pub fn validate(&self, now: Timestamp) -> StoreResult<()> {
        validate::amount("amount", self.amount)?;
        if self.window < Duration::from_secs(1) || self.window > MAX_WATCH_WINDOW {
            return Err(StoreError::invalid("window", "must be 1 second to a day"));
        }
        if self.minute.abs_diff(Self::minute_of(now)) > WATCH_MINUTE_REACH.unsigned_abs() {
            return Err(StoreError::invalid(
                "minute",
                "must be within a day of the current minute",
            ));
        }
        Ok(())
    }
}

/// What [`KickStore::award_watch_minute`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "award", rename_all = "snake_case")]
pub enum WatchAward {
    /// This minute was already awarded (by this or another server); nothing changed.
    AlreadyAwarded,
    /// The stream is not live; nothing changed (the minute is not recorded).
    NotLive,
    /// The minute is recorded and these viewers were awarded (possibly none).
    Awarded {
        /// The viewers and their balances after the award.
        viewers: Vec<ViewerBalances>,
    },
}

/// Kick-driven data of one streamer: deliveries, live state, watch time, duels, and the
/// economy's configuration.
///
/// Tenant rule: every call reads and writes only `streamer`'s rows. Delivery ids, Kick user
/// ids and usernames repeat freely across streamers: the same delivery id or Kick user id under
/// two streamers are two unrelated things. A streamer id that does not exist owns nothing
/// (`NotFound(Streamer)` for writes).
///
/// **How a step resolves a [`KickViewer`]**, the same on every backend, inside the delivery's
/// transaction: (1) the streamer's viewer linked to this Kick user id; when their username
/// differs from the delivery's, they are renamed to it (points, history and inventory stay)
/// unless another of the streamer's viewers holds that name, in which case the name stays; (2)
/// else the streamer's viewer with this username (ignoring ASCII case) not yet linked to any
/// Kick user id (a migrated legacy viewer, or one created by name), which is linked from then
/// on; (3) else a new viewer with this username, linked. When the username belongs to a viewer
/// linked to a *different* Kick user id (that person renamed on Kick and the name was taken by
/// someone else), the older holder is renamed to `{name}#{their kick user id}` (cut to fit the
/// username limit) and the name goes to the delivery's viewer.
#[async_trait]
pub trait KickStore: Send + Sync {
    /// Applies a delivery exactly once: its effects, then its command (all or nothing), then
    /// records its id, in one transaction. Every change records its events (as the matching
    /// single operations do).
    ///
    /// Errors: `InvalidInput` ([`Delivery::validate`]); `NotFound(Streamer)`; an effect's error
    /// (nothing changes and the id is not recorded).
    async fn apply_delivery(
        &self,
        streamer: StreamerId,
        delivery: Delivery,
    ) -> StoreResult<DeliveryOutcome>;

    /// Whether this streamer recorded a delivery with this id.
    async fn delivery_seen(&self, streamer: StreamerId, id: &DeliveryId) -> StoreResult<bool>;

    /// Deletes the streamer's delivery records older than `before`; returns how many. A
    /// redelivery older than that is no longer recognised, so keep them longer than Kick
    /// retries (the server refuses deliveries stamped outside its replay window anyway).
    ///
    /// Also deletes the records of awarded watch minutes before
    /// [`WatchMinute::purge_horizon`]: [`KickStore::award_watch_minute`] refuses those
    /// minutes, so none is ever awarded twice.
    async fn purge_deliveries(&self, streamer: StreamerId, before: Timestamp) -> StoreResult<u64>;

    /// The stream's live state (not live before any change).
    async fn get_stream_state(&self, streamer: StreamerId) -> StoreResult<StreamState>;

    /// Awards one minute of watch time, exactly once per streamer and minute, even when several
    /// servers call it at once: when the stream is live and the minute not yet recorded, records
    /// it and gives `amount` (`watch` ledger rows without a description, one event each) to
    /// every viewer who chatted within `window` before now, in one transaction. A viewer the
    /// award would push past [`validate::MAX_BALANCE`] is left out, so one full balance never
    /// stops the others'.
    /// Awarded viewers come in user id order.
    ///
    /// Errors: `InvalidInput` ([`WatchMinute::validate`], against the store's clock);
    /// `NotFound(Streamer)`.
    async fn award_watch_minute(
        &self,
        streamer: StreamerId,
        minute: WatchMinute,
    ) -> StoreResult<WatchAward>;

    /// The open, unexpired duels of the streamer, oldest first, each naming its parties by
    /// their current usernames.
    async fn list_duels(&self, streamer: StreamerId) -> StoreResult<Vec<Duel>>;

    /// The viewer linked to a Kick user id, if any.
    async fn get_kick_viewer(
        &self,
        streamer: StreamerId,
        kick_user_id: i64,
    ) -> StoreResult<Option<User>>;

    /// The streamer's economy configuration; [`EconomyConfig::default`] until one is set.
    async fn get_economy_config(&self, streamer: StreamerId) -> StoreResult<EconomyConfig>;

    /// Replaces the streamer's economy configuration.
    ///
    /// Errors: `InvalidInput` ([`EconomyConfig::validate`]); `NotFound(Streamer)`.
    async fn set_economy_config(
        &self,
        streamer: StreamerId,
        config: EconomyConfig,
    ) -> StoreResult<EconomyConfig>;
}

#[cfg(test)]
mod tests {
    #[test]
    fn watch_minutes_are_whole_minutes_of_the_epoch() {
        let t = |ms| super::Timestamp::from_millis(ms).unwrap();
        assert_eq!(super::WatchMinute::minute_of(t(0)), 0);
        assert_eq!(super::WatchMinute::minute_of(t(59_999)), 0);
        assert_eq!(super::WatchMinute::minute_of(t(60_000)), 1);
        assert_eq!(
            super::WatchMinute::minute_of(t(1_736_870_886_000)),
            28_947_848
        );
    }

    use super::*;
    use crate::points::Points;

    #[test]
    fn a_stale_name_is_never_the_name_given_up() {
        assert_eq!(stale_name("bob", 42), "bob#42");
        let sixty = "a".repeat(60);
        assert_eq!(stale_name(&sixty, 12345), format!("{sixty}#123"));
        let full = "b".repeat(validate::MAX_USERNAME_CHARS);
        let renamed = stale_name(&full, 7);
        assert_eq!(renamed, format!("{}#7", "b".repeat(62)));
        assert!(!renamed.eq_ignore_ascii_case(&full));
        validate::username(&renamed).unwrap();
    }

    #[test]
    fn every_result_and_refusal_serializes_and_reads_back() {
        let balances = ViewerBalances::of(UserId(1), "bob", &Points::ZERO);
        let results = [
            StepResult::Balances(balances),
            StepResult::Viewer(UserId(2)),
            StepResult::Live(true),
            StepResult::Goal(None),
            StepResult::Done,
        ];
        for r in results {
            let json = serde_json::to_string(&r).expect("serializes");
            assert_eq!(
                serde_json::from_str::<StepResult>(&json).unwrap(),
                r,
                "{json}"
            );
        }
        let refusals = [
            Refusal::CoolingDown { remaining_ms: 5 },
            Refusal::DuelPending,
            Refusal::NoDuel,
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 1,
                required: 2,
            }),
        ];
        for r in refusals {
            let json = serde_json::to_string(&r).expect("serializes");
            assert_eq!(serde_json::from_str::<Refusal>(&json).unwrap(), r, "{json}");
        }
    }
}
