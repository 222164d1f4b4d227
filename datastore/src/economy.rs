//! A streamer's chat economy: what Kick's events pay and what chat commands cost, with the
//! legacy app's values as the defaults.

use crate::error::{StoreError, StoreResult};
use crate::validate;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Longest a duel may stay open.
pub const MAX_DUEL_WAIT: Duration = Duration::from_secs(3600);
/// Longest window of "recent" chatters a watch award may reach back.
pub const MAX_WATCH_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// Largest cooldown a command may be configured with, in seconds (a day).
pub const MAX_COMMAND_COOLDOWN_SECS: u64 = 24 * 3600;

/// A streamer's economy, stored as one document ([`crate::KickStore::get_economy_config`]).
/// Every amount is 0 to [`validate::MAX_AMOUNT`]; 0 switches an award off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct EconomyConfig {
    /// Points per chat message while live (`chat`).
    pub chat_points: i64,
    /// Points per watched minute to each recent chatter while live (`watch`).
    pub watch_points: i64,
    /// How long after their last message a chatter still counts as watching, in seconds.
    pub watch_window_secs: u64,
    /// Points for a new subscription (`sub`).
    pub subscription_points: i64,
    /// Points for a renewed subscription (`renewal`).
    pub renewal_points: i64,
    /// Points per gifted subscription, to the gifter (`gift`).
    pub gift_points: i64,
    /// Points per Kick tipped (`tip`).
    pub kick_points: i64,
    /// The goal a follow advances by one (none when empty or missing).
    pub follower_goal: String,
    /// The goal a subscription advances (by the gift count for gifts).
    pub subscriber_goal: String,
    /// Whether the bot thanks subscribers and gifters in chat.
    pub thank_in_chat: bool,
    /// The chat commands.
    pub commands: CommandsConfig,
}

/// One command's switch and cooldown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CommandConfig {
    /// Whether the command runs at all.
    pub enabled: bool,
    /// Seconds between two uses by one viewer (0 to [`MAX_COMMAND_COOLDOWN_SECS`]); the
    /// streamer's own account is exempt.
    pub cooldown_secs: u64,
}

impl CommandConfig {
    fn on(cooldown_secs: u64) -> Self {
        CommandConfig {
            enabled: true,
            cooldown_secs,
        }
    }
}

/// The chat commands that touch data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct CommandsConfig {
    /// `!points`, `!bal`: the sender's balance.
    pub points: CommandConfig,
    /// `!stats`, `!dropstats`: the sender's points by source and drop figures.
    pub stats: CommandConfig,
    /// `!droptop`: the top five by drop points.
    pub droptop: CommandConfig,
    /// `!gamble N`, `!roll N`.
    pub gamble: CommandConfig,
    /// `!coinflip N`.
    pub coinflip: CommandConfig,
    /// `!duel @user N`, `!accept`, `!decline`, `!cancel`.
    pub duel: CommandConfig,
    /// `!drop -buy TYPE`, `!drop -mine`, `!drop -powerups`.
    pub shop: CommandConfig,
    /// `!tnt`, `!powerdrop`, `!shield`, `!magnet`, `!ghost`, `!boost`.
    pub use_powerup: CommandConfig,
    /// `!say [id=VOICE] text`.
    pub say: CommandConfig,
    /// `!verify CODE`.
    pub verify: CommandConfig,
    /// Smallest gamble or coin-flip stake.
    pub gamble_min: i64,
    /// Largest gamble or coin-flip stake.
    pub gamble_max: i64,
    /// Smallest duel stake.
    pub duel_min: i64,
    /// Largest duel stake.
    pub duel_max: i64,
    /// Seconds a duel waits for its opponent.
    pub duel_wait_secs: u64,
    /// What a text-to-speech message costs.
    pub say_cost: i64,
}

impl Default for CommandsConfig {
    fn default() -> Self {
        CommandsConfig {
            points: CommandConfig::on(10),
            stats: CommandConfig::on(10),
            droptop: CommandConfig::on(30),
            gamble: CommandConfig::on(30),
            coinflip: CommandConfig::on(30),
            duel: CommandConfig::on(10),
            shop: CommandConfig::on(5),
            use_powerup: CommandConfig::on(5),
            say: CommandConfig::on(30),
            verify: CommandConfig::on(5),
            gamble_min: 10,
            gamble_max: 10_000,
            duel_min: 50,
            duel_max: 5_000,
            duel_wait_secs: 60,
            say_cost: 500,
        }
    }
}

impl Default for EconomyConfig {
    /// The legacy app's economy.
    fn default() -> Self {
        EconomyConfig {
            chat_points: 25,
            watch_points: 5,
            watch_window_secs: 600,
            subscription_points: 2_000,
            renewal_points: 1_000,
            gift_points: 1_500,
            kick_points: 100,
            follower_goal: "followers".into(),
            subscriber_goal: "subscribers".into(),
            thank_in_chat: true,
            commands: CommandsConfig::default(),
        }
    }
}

fn amount(field: &str, n: i64) -> StoreResult<()> {
    if (0..=validate::MAX_AMOUNT).contains(&n) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            format!("must be 0 to {}", validate::MAX_AMOUNT),
        ))
    }
}

fn goal(field: &str, id: &str) -> StoreResult<()> {
    if id.is_empty() {
        Ok(())
    } else {
        validate::key(field, id)
    }
}

impl EconomyConfig {
    /// Checks every amount, bound, goal id and cooldown.
    pub fn validate(&self) -> StoreResult<()> {
        amount("chat_points", self.chat_points)?;
        amount("watch_points", self.watch_points)?;
        amount("subscription_points", self.subscription_points)?;
        amount("renewal_points", self.renewal_points)?;
        amount("gift_points", self.gift_points)?;
        amount("kick_points", self.kick_points)?;
        if !(1..=MAX_WATCH_WINDOW.as_secs()).contains(&self.watch_window_secs) {
            return Err(StoreError::invalid(
                "watch_window_secs",
                "must be 1 second to a day",
            ));
        }
        goal("follower_goal", &self.follower_goal)?;
        goal("subscriber_goal", &self.subscriber_goal)?;
        self.commands.validate()
    }
}

impl CommandsConfig {
    /// Every command with its name, in a fixed order.
    pub fn each(&self) -> [(&'static str, &CommandConfig); 10] {
        [
            ("points", &self.points),
            ("stats", &self.stats),
            ("droptop", &self.droptop),
            ("gamble", &self.gamble),
            ("coinflip", &self.coinflip),
            ("duel", &self.duel),
            ("shop", &self.shop),
            ("use_powerup", &self.use_powerup),
            ("say", &self.say),
            ("verify", &self.verify),
        ]
    }

    fn validate(&self) -> StoreResult<()> {
        for (name, c) in self.each() {
            if c.cooldown_secs > MAX_COMMAND_COOLDOWN_SECS {
                return Err(StoreError::invalid(
                    &format!("commands.{name}.cooldown_secs"),
                    "must be at most a day",
                ));
            }
        }
        let range = |lo_field: &str, lo: i64, hi_field: &str, hi: i64| {
            amount(lo_field, lo)?;
            amount(hi_field, hi)?;
            if lo < 1 || lo > hi {
                return Err(StoreError::invalid(
                    lo_field,
                    format!("must be at least 1 and at most {hi_field}"),
                ));
            }
            Ok(())
        };
        range(
            "commands.gamble_min",
            self.gamble_min,
            "commands.gamble_max",
            self.gamble_max,
        )?;
        range(
            "commands.duel_min",
            self.duel_min,
            "commands.duel_max",
            self.duel_max,
        )?;
        if !(1..=MAX_DUEL_WAIT.as_secs()).contains(&self.duel_wait_secs) {
            return Err(StoreError::invalid(
                "commands.duel_wait_secs",
                "must be 1 second to an hour",
            ));
        }
        amount("commands.say_cost", self.say_cost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_legacy_economy_and_valid() {
        let c = EconomyConfig::default();
        c.validate().unwrap();
        assert_eq!(
            (c.chat_points, c.watch_points, c.subscription_points),
            (25, 5, 2_000)
        );
        assert_eq!(
            (c.renewal_points, c.gift_points, c.kick_points),
            (1_000, 1_500, 100)
        );
        assert_eq!((c.commands.gamble_min, c.commands.gamble_max), (10, 10_000));
        assert_eq!((c.commands.duel_min, c.commands.duel_max), (50, 5_000));
        assert_eq!(c.commands.say_cost, 500);
    }

    #[test]
    fn out_of_range_values_name_their_field() {
        let mut c = EconomyConfig::default();
        c.commands.gamble_min = 20_000;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("commands.gamble_min"), "{e}");
        let c = EconomyConfig {
            chat_points: -1,
            ..EconomyConfig::default()
        };
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("chat_points")
        );
        let mut c = EconomyConfig::default();
        c.commands.say.cooldown_secs = MAX_COMMAND_COOLDOWN_SECS + 1;
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("commands.say")
        );
    }

    #[test]
    fn a_partial_document_fills_in_the_defaults() {
        let c: EconomyConfig = serde_json::from_str(r#"{"chat_points": 7}"#).unwrap();
        assert_eq!(c.chat_points, 7);
        assert_eq!(c.watch_points, 5);
        assert!(serde_json::from_str::<EconomyConfig>(r#"{"chat_pints": 7}"#).is_err());
    }
}
