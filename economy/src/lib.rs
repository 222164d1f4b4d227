//! Kick drives the economy: events and chat commands become store deliveries, and the bot's
//! chat answers are worded from what the store did.
//!
//! The HTTP layer parses a verified webhook into a [`KickEvent`], calls [`plan`] with the
//! streamer's [`datastore::EconomyConfig`] and secure [`Dice`], hands the planned
//! [`datastore::Delivery`] to [`datastore::KickStore::apply_delivery`], and sends what
//! [`reply_text`] answers for the outcome to chat. This crate does no I/O of its own but those
//! reads: the store applies everything in one transaction, exactly once.
//!
//! # What each event plans
//!
//! Amounts are the streamer's configuration; an amount of 0 switches its award off (no step).
//!
//! | event | effects | reply |
//! |---|---|---|
//! | chat message | `SetLive` (live, at the message's time), `Earn` `chat_points` (`chat`), `Chatted`; then the command when it starts with `!` | the command's |
//! | follow | `AdvanceGoal` follower goal +1 (when one is set), `Alert` follow | none |
//! | subscription | `Earn` `subscription_points` (`sub`) or `renewal_points` (`renewal`), `AdvanceGoal` subscriber goal +1, `Alert` | a thank-you when `thank_in_chat` |
//! | gifts | `Earn` `gift_points` × count (`gift`) to a known gifter, `AdvanceGoal` subscriber goal + count, `Alert` gift × count (count = giftees, at least 1) | a thank-you when `thank_in_chat` |
//! | Kicks | `Earn` `kick_points` × amount (`tip`), `Alert` Kicks × amount (nothing for a non-positive amount) | none |
//! | live status | `SetLive` (the store records `live_changed` when the flag changes) | none |
//!
//! Products are computed without overflow and capped at [`datastore::validate::MAX_AMOUNT`].
//!
//! # Chat commands
//!
//! Games (`!gamble`, `!coinflip`, `!accept`) roll [`Dice`]; when the dice have no randomness
//! to give ([`NoRandomness`]), the game plans no steps and the reply says the games are
//! unavailable, so nothing is ever played on predictable dice.
//!
//! Names are case-insensitive, arguments are separated by any whitespace, and `@` before a
//! username is optional. A command the streamer switched off is ignored (no steps, no reply);
//! bad arguments plan no command steps (the message's own effects still apply) and reply with
//! the usage and bounds. Every command's steps begin with a `Cooldown` (keyed by the command,
//! aliases sharing one key; the cooldown of its group in the configuration) unless the sender
//! is the streamer's own account or the cooldown is 0. A refused step (cooling down, too few
//! points, no duel, …) undoes the command and the reply says why.
//!
//! | command | steps | reply |
//! |---|---|---|
//! | `!points`, `!bal` | — | the balance |
//! | `!stats` | — | the points by source |
//! | `!dropstats` | — | drop points and drops |
//! | `!droptop` | — | the top five by drop points |
//! | `!gamble N`, `!roll N` | `Wager` (`gamble`): a roll below 100; under 10 pays 5×, under 50 pays 2×, else lost | the roll and balance |
//! | `!coinflip N` | `Wager` (`gamble`): half the time pays 2× | the result and balance |
//! | `!duel @user N` | `ChallengeDuel`, open `duel_wait_secs` | the challenge |
//! | `!accept` | `AcceptDuel`, the challenger winning half the time | the winner |
//! | `!decline`, `!cancel` | `DeclineDuel`, `CancelDuel` | — |
//! | `!drop -buy TYPE` | `BuyPowerup` | the purchase |
//! | `!drop -mine`, `!drop -powerups` | — | the inventory, the shop |
//! | `!tnt` `!powerdrop` `!shield` `!magnet` `!ghost` `!boost` | `UsePowerup` | what is left |
//! | `!say [id=VOICE] text` | `Speak`, costing `say_cost` (free for the streamer) | queued |
//! | `!verify CODE` | `Verify` | verified |
//!
//! `!say` with no text after the voice option plans no `Speak` and replies with its usage:
//! nothing is spent, so there is nothing to refund. `!gamble all` is not understood (the
//! planner does not read balances); it gets the usage. `!drop` alone and the drop game's other
//! forms are not the economy's and are ignored here.

#![warn(missing_docs)]

mod command;
mod dice;
mod event;
mod plan;
mod reply;
mod text;

pub use dice::{Dice, EmptyDice, NoRandomness, ScriptedDice, SecureDice, uniform_below};
pub use event::{Channel, KickEvent};
pub use plan::{Planned, plan};
pub use reply::{CommandReply, DROP_TOP, Reply, reply_text};
pub use text::MAX_CHAT_CHARS;

#[cfg(test)]
mod tests;
