//! Reading a chat message as a command: its name (any case, aliases), whether the streamer
//! has it switched on, and its arguments within the configured bounds.

use crate::text::points;
use datastore::kick::MAX_SPEECH_CHARS;
use datastore::verification::validate_code;
use datastore::{CommandConfig, CommandsConfig, KickViewer, PowerupType, validate};

/// A chat command the economy answers, by what it is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Name {
    Points,
    Stats,
    DropStats,
    DropTop,
    Gamble,
    Coinflip,
    Duel,
    Accept,
    Decline,
    Cancel,
    Buy,
    Mine,
    Shop,
    Use(PowerupType),
    Say,
    Verify,
}

impl Name {
    /// The switch and cooldown that govern the command.
    pub(crate) fn config(self, c: &CommandsConfig) -> &CommandConfig {
        match self {
            Name::Points => &c.points,
            Name::Stats | Name::DropStats => &c.stats,
            Name::DropTop => &c.droptop,
            Name::Gamble => &c.gamble,
            Name::Coinflip => &c.coinflip,
            Name::Duel | Name::Accept | Name::Decline | Name::Cancel => &c.duel,
            Name::Buy | Name::Mine | Name::Shop => &c.shop,
            Name::Use(_) => &c.use_powerup,
            Name::Say => &c.say,
            Name::Verify => &c.verify,
        }
    }

    /// The cooldown's key: one per command (aliases share it), so `!cancel` right after
    /// `!duel` is not held up by the duel's cooldown.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Name::Points => "points",
            Name::Stats => "stats",
            Name::DropStats => "dropstats",
            Name::DropTop => "droptop",
            Name::Gamble => "gamble",
            Name::Coinflip => "coinflip",
            Name::Duel => "duel",
            Name::Accept => "accept",
            Name::Decline => "decline",
            Name::Cancel => "cancel",
            Name::Buy => "drop-buy",
            Name::Mine => "drop-mine",
            Name::Shop => "drop-powerups",
            Name::Use(p) => p.as_str(),
            Name::Say => "say",
            Name::Verify => "verify",
        }
    }

    /// How chat types it.
    pub(crate) fn display(self) -> String {
        match self {
            Name::Buy => "!drop -buy".to_owned(),
            Name::Mine => "!drop -mine".to_owned(),
            Name::Shop => "!drop -powerups".to_owned(),
            other => format!("!{}", other.key()),
        }
    }
}

/// A command with its checked arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    Points,
    Stats,
    DropStats,
    DropTop,
    Gamble { stake: i64 },
    Coinflip { stake: i64 },
    Duel { opponent: String, stake: i64 },
    Accept,
    Decline,
    Cancel,
    Buy(PowerupType),
    Mine,
    Shop,
    Use(PowerupType),
    Say { text: String, voice: Option<String> },
    Verify { code: String },
}

impl Command {
    /// What the command is called.
    pub(crate) fn name(&self) -> Name {
        match self {
            Command::Points => Name::Points,
            Command::Stats => Name::Stats,
            Command::DropStats => Name::DropStats,
            Command::DropTop => Name::DropTop,
            Command::Gamble { .. } => Name::Gamble,
            Command::Coinflip { .. } => Name::Coinflip,
            Command::Duel { .. } => Name::Duel,
            Command::Accept => Name::Accept,
            Command::Decline => Name::Decline,
            Command::Cancel => Name::Cancel,
            Command::Buy(_) => Name::Buy,
            Command::Mine => Name::Mine,
            Command::Shop => Name::Shop,
            Command::Use(p) => Name::Use(*p),
            Command::Say { .. } => Name::Say,
            Command::Verify { .. } => Name::Verify,
        }
    }
}

/// What a chat message asks of the economy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// Not a command of the economy (plain chat, an unknown or switched-off command, the drop
    /// game's own commands): nothing to run, nothing to say.
    Ignored,
    /// A known, switched-on command with unusable arguments: how to use it (without the
    /// `@sender` prefix).
    Usage(String),
    /// A command to run.
    Run(Command),
}

/// Reads `content` as a command of `sender`.
pub(crate) fn parse(content: &str, sender: &KickViewer, commands: &CommandsConfig) -> Parsed {
    let Some(body) = content.trim_start().strip_prefix('!') else {
        return Parsed::Ignored;
    };
    if body.starts_with(char::is_whitespace) {
        return Parsed::Ignored;
    }
    let (word, rest) = split_word(body);
    let Some((name, rest)) = name_of(&word.to_lowercase(), rest) else {
        return Parsed::Ignored;
    };
    if !name.config(commands).enabled {
        return Parsed::Ignored;
    }
    match arguments(name, rest, sender, commands) {
        Ok(command) => Parsed::Run(command),
        Err(usage) => Parsed::Usage(usage),
    }
}

/// The first whitespace-separated word of `s` and what follows it.
fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(at) => (&s[..at], &s[at..]),
        None => (s, ""),
    }
}

/// The command a (lower-cased) first word names, with the rest of the message after the name
/// (after the sub-command for `!drop`).
fn name_of<'m>(word: &str, rest: &'m str) -> Option<(Name, &'m str)> {
    let name = match word {
        "points" | "bal" => Name::Points,
        "stats" => Name::Stats,
        "dropstats" => Name::DropStats,
        "droptop" => Name::DropTop,
        "gamble" | "roll" => Name::Gamble,
        "coinflip" => Name::Coinflip,
        "duel" => Name::Duel,
        "accept" => Name::Accept,
        "decline" => Name::Decline,
        "cancel" => Name::Cancel,
        "say" => Name::Say,
        "verify" => Name::Verify,
        "drop" => {
            // `!drop` alone and its other forms are the drop game's, not the economy's.
            let (flag, after) = split_word(rest);
            let name = match flag.to_lowercase().as_str() {
                "-buy" => Name::Buy,
                "-mine" => Name::Mine,
                "-powerups" => Name::Shop,
                _ => return None,
            };
            return Some((name, after));
        }
        other => Name::Use(PowerupType::ALL.into_iter().find(|p| p.as_str() == other)?),
    };
    Some((name, rest))
}

fn arguments(
    name: Name,
    rest: &str,
    sender: &KickViewer,
    c: &CommandsConfig,
) -> Result<Command, String> {
    let mut args = rest.split_whitespace();
    Ok(match name {
        Name::Points => Command::Points,
        Name::Stats => Command::Stats,
        Name::DropStats => Command::DropStats,
        Name::DropTop => Command::DropTop,
        Name::Accept => Command::Accept,
        Name::Decline => Command::Decline,
        Name::Cancel => Command::Cancel,
        Name::Mine => Command::Mine,
        Name::Shop => Command::Shop,
        Name::Use(p) => Command::Use(p),
        Name::Gamble | Name::Coinflip => {
            let usage = || {
                format!(
                    "usage: {} <amount>, {}.",
                    name.display(),
                    bounds(c.gamble_min, c.gamble_max)
                )
            };
            let stake = stake(args.next(), c.gamble_min, c.gamble_max).ok_or_else(usage)?;
            if name == Name::Gamble {
                Command::Gamble { stake }
            } else {
                Command::Coinflip { stake }
            }
        }
        Name::Duel => {
            let usage = || {
                format!(
                    "usage: !duel @user <amount>, {}.",
                    bounds(c.duel_min, c.duel_max)
                )
            };
            let opponent = args
                .next()
                .map(|o| o.strip_prefix('@').unwrap_or(o))
                .filter(|o| validate::username(o).is_ok())
                .ok_or_else(usage)?;
            let stake = stake(args.next(), c.duel_min, c.duel_max).ok_or_else(usage)?;
            if opponent.eq_ignore_ascii_case(&sender.username) {
                return Err("you cannot duel yourself.".to_owned());
            }
            Command::Duel {
                opponent: opponent.to_owned(),
                stake,
            }
        }
        Name::Buy => {
            let kind = args
                .next()
                .and_then(|t| {
                    let t = t.to_lowercase();
                    PowerupType::ALL.into_iter().find(|p| p.as_str() == t)
                })
                .ok_or_else(|| format!("usage: !drop -buy TYPE, one of {}.", powerup_list()))?;
            Command::Buy(kind)
        }
        Name::Say => say(rest, c.say_cost)?,
        Name::Verify => {
            let code = args
                .next()
                .filter(|code| validate_code(code).is_ok())
                .ok_or_else(|| {
                    format!(
                        "usage: !verify CODE, the code shown on the login page (letters and digits, at most {}).",
                        validate::MAX_CODE_CHARS
                    )
                })?;
            // Login pages show codes in capitals; chat users often type them in lower case.
            Command::Verify {
                code: code.to_ascii_uppercase(),
            }
        }
    })
}

/// The stake bounds the store accepts: the configured ones, never below 1 nor above
/// [`validate::MAX_AMOUNT`].
pub(crate) fn clamp_bounds(min: i64, max: i64) -> (i64, i64) {
    (min.max(1), max.min(validate::MAX_AMOUNT))
}

fn bounds(min: i64, max: i64) -> String {
    let (lo, hi) = clamp_bounds(min, max);
    format!("{} to {} points", points(lo), points(hi))
}

/// A whole number of points within the bounds; anything else (words, `all`, fractions,
/// numbers too large for 64 bits) is `None`.
fn stake(arg: Option<&str>, min: i64, max: i64) -> Option<i64> {
    let (lo, hi) = clamp_bounds(min, max);
    arg?.parse::<i64>().ok().filter(|n| (lo..=hi).contains(n))
}

fn powerup_list() -> String {
    PowerupType::ALL
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `!say [id=VOICE] text`: the voice option first, then the text as typed (control characters
/// become spaces; cut to [`MAX_SPEECH_CHARS`]).
fn say(rest: &str, cost: i64) -> Result<Command, String> {
    let usage = || {
        if cost > 0 {
            format!(
                "usage: !say [id=VOICE] text, costs {} points.",
                points(cost)
            )
        } else {
            "usage: !say [id=VOICE] text.".to_owned()
        }
    };
    let (first, after) = split_word(rest);
    let (voice, text) = match first.get(..3) {
        Some(prefix) if prefix.eq_ignore_ascii_case("id=") => {
            let voice = &first[3..];
            if validate::key("voice", voice).is_err() {
                return Err(format!(
                    "the voice id must be 1 to {} letters, digits, '_', '-', '.' or ':'.",
                    validate::MAX_KEY_CHARS
                ));
            }
            (Some(voice.to_owned()), after)
        }
        _ => (None, rest),
    };
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let text: String = cleaned.trim().chars().take(MAX_SPEECH_CHARS).collect();
    let text = text.trim_end().to_owned();
    if text.is_empty() {
        return Err(usage());
    }
    Ok(Command::Say { text, voice })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> KickViewer {
        KickViewer::new(7, "Alice")
    }

    fn run(content: &str) -> Parsed {
        parse(content, &alice(), &CommandsConfig::default())
    }

    fn usage(p: Parsed) -> String {
        match p {
            Parsed::Usage(u) => u,
            other => panic!("expected a usage hint, got {other:?}"),
        }
    }

    #[test]
    fn names_are_case_insensitive_and_aliases_work() {
        assert_eq!(run("!points"), Parsed::Run(Command::Points));
        assert_eq!(run("!BAL"), Parsed::Run(Command::Points));
        assert_eq!(run("  !Stats  extra"), Parsed::Run(Command::Stats));
        assert_eq!(run("!dropstats"), Parsed::Run(Command::DropStats));
        assert_eq!(run("!DropTop"), Parsed::Run(Command::DropTop));
        assert_eq!(run("!roll 50"), Parsed::Run(Command::Gamble { stake: 50 }));
        assert_eq!(
            run("!GAMBLE\t 10"),
            Parsed::Run(Command::Gamble { stake: 10 })
        );
        assert_eq!(run("!TNT"), Parsed::Run(Command::Use(PowerupType::Tnt)));
        assert_eq!(
            run("!powerdrop"),
            Parsed::Run(Command::Use(PowerupType::Powerdrop))
        );
        assert_eq!(run("!accept"), Parsed::Run(Command::Accept));
        assert_eq!(run("!decline"), Parsed::Run(Command::Decline));
        assert_eq!(run("!cancel"), Parsed::Run(Command::Cancel));
    }

    #[test]
    fn plain_chat_unknown_commands_and_the_drop_game_are_ignored() {
        for m in [
            "hello",
            "",
            "!",
            "! points",
            "!hello",
            "!drop",
            "!drop @me",
            "!drop -queue",
            "points!",
        ] {
            assert_eq!(run(m), Parsed::Ignored, "{m:?}");
        }
    }

    #[test]
    fn stakes_are_bounded_and_never_overflow() {
        assert_eq!(
            run("!gamble 10"),
            Parsed::Run(Command::Gamble { stake: 10 })
        );
        assert_eq!(
            run("!gamble 10000"),
            Parsed::Run(Command::Gamble { stake: 10_000 })
        );
        for bad in [
            "!gamble",
            "!gamble 9",
            "!gamble 10001",
            "!gamble -50",
            "!gamble abc",
            "!gamble all",
            "!gamble 1.5",
            "!gamble 99999999999999999999999999",
            "!gamble 9223372036854775807",
        ] {
            assert_eq!(
                usage(run(bad)),
                "usage: !gamble <amount>, 10 to 10,000 points.",
                "{bad}"
            );
        }
        assert_eq!(
            usage(run("!roll 5")),
            "usage: !gamble <amount>, 10 to 10,000 points."
        );
        assert_eq!(
            usage(run("!coinflip 0")),
            "usage: !coinflip <amount>, 10 to 10,000 points."
        );
        assert_eq!(
            run("!coinflip 500 heads"),
            Parsed::Run(Command::Coinflip { stake: 500 })
        );
    }

    #[test]
    fn bounds_past_the_store_limit_are_clamped() {
        let c = CommandsConfig {
            gamble_min: -5,
            gamble_max: i64::MAX,
            ..CommandsConfig::default()
        };
        let p = parse("!gamble 0", &alice(), &c);
        assert_eq!(
            usage(p),
            "usage: !gamble <amount>, 1 to 1,000,000,000 points."
        );
        let p = parse("!gamble 1000000001", &alice(), &c);
        assert!(matches!(p, Parsed::Usage(_)));
        let p = parse("!gamble 1000000000", &alice(), &c);
        assert_eq!(
            p,
            Parsed::Run(Command::Gamble {
                stake: 1_000_000_000
            })
        );
    }

    #[test]
    fn duels_name_an_opponent_with_or_without_the_at() {
        let duel = |o: &str, s| {
            Parsed::Run(Command::Duel {
                opponent: o.to_owned(),
                stake: s,
            })
        };
        assert_eq!(run("!duel @Bob 50"), duel("Bob", 50));
        assert_eq!(run("!duel bob 5000"), duel("bob", 5000));
        assert_eq!(run("!DUEL   @bob   100  "), duel("bob", 100));
        let u = "usage: !duel @user <amount>, 50 to 5,000 points.";
        for bad in [
            "!duel",
            "!duel @bob",
            "!duel 100",
            "!duel @bob 49",
            "!duel @bob 5001",
            "!duel @ 100",
            "!duel @bob x",
        ] {
            assert_eq!(usage(run(bad)), u, "{bad}");
        }
        assert_eq!(usage(run("!duel @ALICE 100")), "you cannot duel yourself.");
        let long = format!(
            "!duel @{} 100",
            "x".repeat(validate::MAX_USERNAME_CHARS + 1)
        );
        assert_eq!(usage(run(&long)), u);
    }

    #[test]
    fn the_shop_reads_its_sub_command_and_powerup() {
        assert_eq!(
            run("!drop -buy TNT"),
            Parsed::Run(Command::Buy(PowerupType::Tnt))
        );
        assert_eq!(
            run("!Drop  -BUY  ghost"),
            Parsed::Run(Command::Buy(PowerupType::Ghost))
        );
        assert_eq!(run("!drop -mine"), Parsed::Run(Command::Mine));
        assert_eq!(run("!drop -powerups"), Parsed::Run(Command::Shop));
        let u = "usage: !drop -buy TYPE, one of boost, ghost, magnet, powerdrop, shield, tnt.";
        assert_eq!(usage(run("!drop -buy")), u);
        assert_eq!(usage(run("!drop -buy rocket")), u);
    }

    #[test]
    fn say_takes_an_optional_voice_and_the_text_as_typed() {
        assert_eq!(
            run("!say hello   there"),
            Parsed::Run(Command::Say {
                text: "hello   there".into(),
                voice: None
            })
        );
        assert_eq!(
            run("!say ID=brian.en  hi!"),
            Parsed::Run(Command::Say {
                text: "hi!".into(),
                voice: Some("brian.en".into())
            })
        );
        assert_eq!(
            run("!say a\u{7}b"),
            Parsed::Run(Command::Say {
                text: "a b".into(),
                voice: None
            })
        );
        let long = format!("!say {}", "é".repeat(MAX_SPEECH_CHARS + 20));
        match run(&long) {
            Parsed::Run(Command::Say { text, .. }) => {
                assert_eq!(text.chars().count(), MAX_SPEECH_CHARS)
            }
            other => panic!("{other:?}"),
        }
        let u = "usage: !say [id=VOICE] text, costs 500 points.";
        assert_eq!(usage(run("!say")), u);
        assert_eq!(usage(run("!say    ")), u);
        assert_eq!(usage(run("!say id=brian")), u);
        assert_eq!(usage(run("!say id=brian   ")), u);
        assert!(usage(run("!say id=bri/an hello")).starts_with("the voice id"));
        assert!(usage(run("!say id= hello")).starts_with("the voice id"));
        let c = CommandsConfig {
            say_cost: 0,
            ..CommandsConfig::default()
        };
        assert_eq!(
            usage(parse("!say", &alice(), &c)),
            "usage: !say [id=VOICE] text."
        );
    }

    #[test]
    fn verify_needs_a_code_of_letters_and_digits() {
        assert_eq!(
            run("!verify AB12CD"),
            Parsed::Run(Command::Verify {
                code: "AB12CD".into()
            })
        );
        assert_eq!(
            run("!verify ab12cd"),
            Parsed::Run(Command::Verify {
                code: "AB12CD".into()
            })
        );
        assert!(usage(run("!verify")).starts_with("usage: !verify CODE"));
        assert!(usage(run("!verify ab-12")).starts_with("usage: !verify CODE"));
        let long = format!("!verify {}", "A".repeat(validate::MAX_CODE_CHARS + 1));
        assert!(matches!(run(&long), Parsed::Usage(_)));
    }

    #[test]
    fn switched_off_commands_are_ignored_even_when_malformed() {
        let mut c = CommandsConfig::default();
        c.gamble.enabled = false;
        c.use_powerup.enabled = false;
        c.shop.enabled = false;
        assert_eq!(parse("!gamble 100", &alice(), &c), Parsed::Ignored);
        assert_eq!(parse("!roll nonsense", &alice(), &c), Parsed::Ignored);
        assert_eq!(parse("!tnt", &alice(), &c), Parsed::Ignored);
        assert_eq!(parse("!drop -buy rocket", &alice(), &c), Parsed::Ignored);
        assert_eq!(
            parse("!coinflip 100", &alice(), &c),
            Parsed::Run(Command::Coinflip { stake: 100 })
        );
    }

    #[test]
    fn keys_are_valid_cooldown_commands_and_aliases_share_them() {
        let all = [
            Name::Points,
            Name::Stats,
            Name::DropStats,
            Name::DropTop,
            Name::Gamble,
            Name::Coinflip,
            Name::Duel,
            Name::Accept,
            Name::Decline,
            Name::Cancel,
            Name::Buy,
            Name::Mine,
            Name::Shop,
            Name::Use(PowerupType::Tnt),
            Name::Say,
            Name::Verify,
        ];
        for n in all {
            validate::command(n.key()).unwrap();
        }
        assert_eq!(Name::Buy.display(), "!drop -buy");
        assert_eq!(Name::Use(PowerupType::Shield).display(), "!shield");
        let Parsed::Run(roll) = run("!roll 10") else {
            panic!()
        };
        assert_eq!(roll.name().key(), "gamble");
    }
}
