//! The bot's chat answer once a delivery was applied: built from the step results and, for the
//! commands that report data, from reads of the streamer's store after the delivery.

use crate::text::{MAX_CHAT_CHARS, fit, points, signed};
use async_trait::async_trait;
use datastore::{
    CommandOutcome, DataStore, DeliveryOutcome, InventoryItem, KickStore, KickViewer,
    LeaderboardEntry, PointStore, Points, PowerupConfig, PowerupStore, PowerupType, Refusal,
    Resource, SourceSummary, StepResult, StoreError, StoreResult, StreamerId, User, UserId,
};

/// What the bot says once a planned delivery is applied ([`reply_text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Nothing.
    Silent,
    /// A fixed message (a usage hint, a thank-you), said when the delivery applied.
    Text(String),
    /// A command's answer, worded from its outcome and, for reports, the store.
    Command(CommandReply),
}

impl Reply {
    /// Whether nothing will be said whatever the outcome.
    pub fn is_silent(&self) -> bool {
        matches!(self, Reply::Silent)
    }
}

/// A command's answer to be worded: who asked, what they asked, and what the dice decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandReply {
    pub(crate) sender: KickViewer,
    /// The command as chat types it (`!gamble`), for the cooling-down message.
    pub(crate) command: String,
    pub(crate) action: Action,
}

/// What a command does, with everything the answer needs that the outcome does not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    Points,
    Stats,
    DropStats,
    DropTop,
    Gamble {
        stake: i64,
        roll: u32,
        payout: i64,
    },
    Coinflip {
        stake: i64,
        won: bool,
    },
    Challenge {
        opponent: String,
        stake: i64,
        wait_secs: u64,
    },
    Accept,
    Decline,
    Cancel,
    Buy(PowerupType),
    Mine,
    Shop,
    Use(PowerupType),
    Say {
        cost: i64,
    },
    Verify,
}

/// How many viewers `!droptop` names.
pub const DROP_TOP: u32 = 5;

/// The chat message to send once `outcome` came back from
/// [`KickStore::apply_delivery`] for the delivery planned with `reply`; `None` when nothing
/// is said, and always for [`DeliveryOutcome::Duplicate`] (a redelivery was answered the first
/// time).
///
/// Reports (balances, the points summary, drop figures, the drop top five, inventories, the
/// shop) are read through `store` after the delivery, for `streamer` only. A failed read is
/// logged and answered with `None`. The text names the sender as `@username` and is cut to
/// [`MAX_CHAT_CHARS`].
pub async fn reply_text(
    store: &dyn DataStore,
    streamer: StreamerId,
    reply: &Reply,
    outcome: &DeliveryOutcome,
) -> Option<String> {
    render(store, streamer, reply, outcome).await
}

/// The store reads the answers need: a seam, so the wording is tested on made-up data.
#[async_trait]
pub(crate) trait Reads: Send + Sync {
    async fn kick_viewer(
        &self,
        streamer: StreamerId,
        kick_user_id: i64,
    ) -> StoreResult<Option<User>>;
    async fn points(&self, streamer: StreamerId, user: UserId) -> StoreResult<Option<Points>>;
    async fn summary(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<SourceSummary>>>;
    async fn drop_leaderboard(
        &self,
        streamer: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>>;
    async fn inventory(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<InventoryItem>>>;
    async fn enabled_powerups(&self, streamer: StreamerId) -> StoreResult<Vec<PowerupConfig>>;
    async fn powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
    ) -> StoreResult<Option<PowerupConfig>>;
}

#[async_trait]
impl<T: DataStore + ?Sized> Reads for T {
    async fn kick_viewer(
        &self,
        streamer: StreamerId,
        kick_user_id: i64,
    ) -> StoreResult<Option<User>> {
        KickStore::get_kick_viewer(self, streamer, kick_user_id).await
    }
    async fn points(&self, streamer: StreamerId, user: UserId) -> StoreResult<Option<Points>> {
        PointStore::get_points(self, streamer, user).await
    }
    async fn summary(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<SourceSummary>>> {
        PointStore::points_summary(self, streamer, user).await
    }
    async fn drop_leaderboard(
        &self,
        streamer: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>> {
        PointStore::drop_leaderboard(self, streamer, limit).await
    }
    async fn inventory(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<InventoryItem>>> {
        PowerupStore::get_inventory(self, streamer, user).await
    }
    async fn enabled_powerups(&self, streamer: StreamerId) -> StoreResult<Vec<PowerupConfig>> {
        PowerupStore::list_enabled_powerups(self, streamer).await
    }
    async fn powerup(
        &self,
        streamer: StreamerId,
        powerup: PowerupType,
    ) -> StoreResult<Option<PowerupConfig>> {
        PowerupStore::get_powerup(self, streamer, powerup).await
    }
}

pub(crate) async fn render<R: Reads + ?Sized>(
    store: &R,
    streamer: StreamerId,
    reply: &Reply,
    outcome: &DeliveryOutcome,
) -> Option<String> {
    let DeliveryOutcome::Applied { effects, command } = outcome else {
        return None;
    };
    let text = match reply {
        Reply::Silent => return None,
        Reply::Text(text) => text.clone(),
        Reply::Command(c) => {
            let body = match command {
                Some(CommandOutcome::Refused { refusal, .. }) => refused(c, refusal),
                Some(CommandOutcome::Done { results }) => {
                    done(store, streamer, c, effects, results.last()).await
                }
                // A command without steps: a report for the streamer's own account (no
                // cooldown) or with the cooldown set to 0.
                None => done(store, streamer, c, effects, None).await,
            };
            match body {
                Ok(Some(body)) => format!("@{} {body}", c.sender.username),
                Ok(None) => return None,
                Err(e) => {
                    tracing::warn!(error = %e, command = %c.command, "a chat reply could not read the store");
                    return None;
                }
            }
        }
    };
    Some(fit(text, MAX_CHAT_CHARS))
}

/// The answer to a command whose steps all ran; `last` is its last step's result.
async fn done<R: Reads + ?Sized>(
    store: &R,
    streamer: StreamerId,
    c: &CommandReply,
    effects: &[StepResult],
    last: Option<&StepResult>,
) -> StoreResult<Option<String>> {
    let balance = match last {
        Some(StepResult::Balances(b)) => Some(b.channel_points),
        _ => None,
    };
    Ok(Some(match &c.action {
        Action::Points => {
            let p = own_points(store, streamer, c, effects).await?;
            format!(
                "you have {} points (drop points: {}).",
                points(p.channel_points),
                points(p.drop_points)
            )
        }
        Action::Stats => {
            let Some(user) = viewer(store, streamer, c, effects).await? else {
                return Ok(Some("you have no points yet.".to_owned()));
            };
            let summary = store.summary(streamer, user).await?.unwrap_or_default();
            let p = store.points(streamer, user).await?.unwrap_or(Points::ZERO);
            let parts: Vec<String> = summary
                .iter()
                .filter(|s| s.transactions > 0)
                .map(|s| format!("{} {}", s.source, signed(s.total)))
                .collect();
            if parts.is_empty() {
                format!(
                    "no points earned yet (balance {}).",
                    points(p.channel_points)
                )
            } else {
                format!(
                    "your points by source: {} (balance {}).",
                    parts.join(", "),
                    points(p.channel_points)
                )
            }
        }
        Action::DropStats => {
            let p = own_points(store, streamer, c, effects).await?;
            if p.total_drops == 0 {
                "no drops yet: type !drop to play.".to_owned()
            } else {
                format!(
                    "{} drop points from {} drops (average {}).",
                    points(p.drop_points),
                    points(p.total_drops),
                    points(p.drop_points / p.total_drops)
                )
            }
        }
        Action::DropTop => {
            let top = drop_top(store, streamer).await?;
            if top.is_empty() {
                "nobody has drop points yet: type !drop to play.".to_owned()
            } else {
                let rows: Vec<String> = top
                    .iter()
                    .enumerate()
                    .map(|(i, e)| format!("{}. @{} {}", i + 1, e.username, points(e.drop_points)))
                    .collect();
                format!("drop top {}: {}", DROP_TOP, rows.join(" · "))
            }
        }
        Action::Gamble {
            stake,
            roll,
            payout,
        } => {
            let after = balance.map(|b| format!(", balance {}", points(b)));
            let after = after.unwrap_or_default();
            if *payout == 0 {
                format!("rolled {roll}: lost {} points{after}.", points(*stake))
            } else {
                format!(
                    "rolled {roll}: {}× payout! {} points{after}.",
                    payout / stake.max(&1),
                    signed(payout - stake)
                )
            }
        }
        Action::Coinflip { stake, won } => {
            let after = balance.map(|b| format!(", balance {}", points(b)));
            let after = after.unwrap_or_default();
            if *won {
                format!("heads: you win {} points{after}.", points(*stake))
            } else {
                format!("tails: you lose {} points{after}.", points(*stake))
            }
        }
        Action::Challenge {
            opponent,
            stake,
            wait_secs,
        } => {
            let opponent = match last {
                Some(StepResult::Duel(d)) => d.opponent_name.clone(),
                _ => opponent.clone(),
            };
            format!(
                "challenges @{opponent} to a duel for {} points! @{opponent}, type !accept or !decline within {wait_secs} s.",
                points(*stake)
            )
        }
        Action::Accept => match last {
            Some(StepResult::DuelSettled {
                duel,
                winner,
                challenger,
                opponent,
            }) => {
                let (w, l) = if *winner == challenger.user_id {
                    (challenger, opponent)
                } else {
                    (opponent, challenger)
                };
                format!(
                    "accepted the duel: @{} wins {} points from @{}!",
                    w.username,
                    points(duel.stake),
                    l.username
                )
            }
            _ => "accepted the duel.".to_owned(),
        },
        Action::Decline => match last {
            Some(StepResult::Duel(d)) => format!("declined the duel from @{}.", d.challenger_name),
            _ => "declined the duel.".to_owned(),
        },
        Action::Cancel => match last {
            Some(StepResult::Duel(d)) => format!("withdrew the duel against @{}.", d.opponent_name),
            _ => "withdrew the duel.".to_owned(),
        },
        Action::Buy(p) => {
            let label = label(store, streamer, *p).await?;
            match last {
                Some(StepResult::Purchase(r)) => {
                    let price = if r.purchase.cost == 0 {
                        "for free".to_owned()
                    } else {
                        format!("for {} points", points(r.purchase.cost))
                    };
                    format!(
                        "bought {label} {price}: you hold {}, balance {}. Use it with !{p}.",
                        points(r.quantity),
                        points(r.points.channel_points)
                    )
                }
                _ => format!("bought {label}."),
            }
        }
        Action::Use(p) => {
            let label = label(store, streamer, *p).await?;
            match last {
                Some(StepResult::Inventory(item)) => {
                    format!("used {label}: {} left.", points(item.quantity))
                }
                _ => format!("used {label}."),
            }
        }
        Action::Mine => {
            let items = match viewer(store, streamer, c, effects).await? {
                Some(user) => store.inventory(streamer, user).await?.unwrap_or_default(),
                None => Vec::new(),
            };
            let held: Vec<String> = items
                .iter()
                .filter(|i| i.quantity > 0)
                .map(|i| format!("{} ×{}", i.powerup, points(i.quantity)))
                .collect();
            if held.is_empty() {
                "you have no powerups: see !drop -powerups.".to_owned()
            } else {
                format!("your powerups: {}.", held.join(", "))
            }
        }
        Action::Shop => {
            let shop = store.enabled_powerups(streamer).await?;
            if shop.is_empty() {
                "no powerups are on sale.".to_owned()
            } else {
                let rows: Vec<String> = shop
                    .iter()
                    .map(|p| format!("{} {} ({}) {}", p.emoji, p.name, p.id, points(p.cost)))
                    .collect();
                format!(
                    "powerups: {}. Buy one with !drop -buy TYPE.",
                    rows.join(", ")
                )
            }
        }
        Action::Say { cost } => match balance {
            Some(b) if *cost > 0 => format!(
                "your message is queued ({} points, balance {}).",
                signed(-cost),
                points(b)
            ),
            _ => "your message is queued.".to_owned(),
        },
        Action::Verify => "you are verified: go back to the page to finish logging in.".to_owned(),
    }))
}

/// The answer to a refused command: nothing of it happened.
fn refused(c: &CommandReply, refusal: &Refusal) -> StoreResult<Option<String>> {
    Ok(Some(match refusal {
        Refusal::CoolingDown { remaining_ms } => format!(
            "{} is cooling down: try again in {} s.",
            c.command,
            remaining_ms.div_ceil(1000).max(1)
        ),
        Refusal::DuelPending => match &c.action {
            Action::Challenge { opponent, .. } => {
                format!("you or @{opponent} already have a duel pending.")
            }
            _ => "a duel is already pending.".to_owned(),
        },
        Refusal::NoDuel => match &c.action {
            Action::Cancel => "you have no open duel to withdraw.".to_owned(),
            _ => "nobody has challenged you (or the duel expired).".to_owned(),
        },
        Refusal::Store(e) => store_refusal(c, e),
    }))
}

fn store_refusal(c: &CommandReply, e: &StoreError) -> String {
    match (e, &c.action) {
        (StoreError::InsufficientPoints { required, .. }, Action::Accept) => format!(
            "the duel cannot be settled: one of you no longer has {} points. It stays open.",
            points(*required)
        ),
        (StoreError::InsufficientPoints { balance, required }, _) => format!(
            "you need {} points and have {}.",
            points(*required),
            points(*balance)
        ),
        (
            StoreError::NotFound {
                resource: Resource::User,
            },
            Action::Challenge { opponent, .. },
        ) => format!("there is no viewer @{opponent} here."),
        (StoreError::NoPowerupLeft { powerup }, _) => {
            format!("you have no {powerup} left: buy one with !drop -buy {powerup}.")
        }
        (StoreError::PowerupDisabled { powerup }, _) => {
            format!("the {powerup} powerup is switched off.")
        }
        (
            StoreError::NotFound {
                resource: Resource::Powerup,
            },
            Action::Buy(p),
        ) => format!("{p} is not on sale here."),
        (
            StoreError::NotFound {
                resource: Resource::VerificationCode,
            },
            _,
        ) => "that code is not valid or has expired: ask the page for a new one.".to_owned(),
        (StoreError::InvalidInput { field, reason }, _) => {
            format!("{} could not run: {field} {reason}.", c.command)
        }
        _ => format!("{} could not run; nothing changed.", c.command),
    }
}

/// The sender's user id: the viewer the delivery's `Chatted` step resolved, else the one
/// linked to their Kick id.
async fn viewer<R: Reads + ?Sized>(
    store: &R,
    streamer: StreamerId,
    c: &CommandReply,
    effects: &[StepResult],
) -> StoreResult<Option<UserId>> {
    if let Some(id) = effects.iter().find_map(|r| match r {
        StepResult::Viewer(id) => Some(*id),
        _ => None,
    }) {
        return Ok(Some(id));
    }
    Ok(store
        .kick_viewer(streamer, c.sender.kick_user_id)
        .await?
        .map(|u| u.id))
}

async fn own_points<R: Reads + ?Sized>(
    store: &R,
    streamer: StreamerId,
    c: &CommandReply,
    effects: &[StepResult],
) -> StoreResult<Points> {
    Ok(match viewer(store, streamer, c, effects).await? {
        Some(user) => store.points(streamer, user).await?.unwrap_or(Points::ZERO),
        None => Points::ZERO,
    })
}

/// The streamer's top [`DROP_TOP`] viewers with drop points, by drop points descending, then
/// user id: the store's drop leaderboard, one read whatever the number of viewers.
async fn drop_top<R: Reads + ?Sized>(
    store: &R,
    streamer: StreamerId,
) -> StoreResult<Vec<LeaderboardEntry>> {
    store.drop_leaderboard(streamer, DROP_TOP).await
}

/// `💣 TNT` from the streamer's configuration, or the powerup's id when it has none.
async fn label<R: Reads + ?Sized>(
    store: &R,
    streamer: StreamerId,
    p: PowerupType,
) -> StoreResult<String> {
    Ok(match store.powerup(streamer, p).await? {
        Some(c) => format!("{} {}", c.emoji, c.name),
        None => p.to_string(),
    })
}
