//! The Kick deliveries the property test draws: built from a step's small arguments, so a
//! sequence stays short to print and to shrink while its deliveries vary (effects and command
//! steps of every kind, Kick users that rename, share names and take over stale names,
//! delivery ids that repeat).

use datastore::*;
use std::time::Duration;

/// The delivery ids steps use (each under any streamer).
pub(crate) const DELIVERY_IDS: [&str; 10] =
    ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10"];

/// The Kick users deliveries name: Kick user 1 as alice, in another case and renamed; another
/// Kick user named alice (the stale-holder rule); the names the setup created by name.
const KICK_VIEWERS: [(i64, &str); 9] = [
    (1, "alice"),
    (2, "bob"),
    (1, "ALICE"),
    (3, "Zoë"),
    (4, "alice"),
    (1, "alicia"),
    (5, "newbie"),
    (6, "o'brien"),
    (2, "bobby"),
];

/// The Kick user ids of [`KICK_VIEWERS`], and one no delivery names.
pub(crate) const KICK_IDS: [i64; 7] = [1, 2, 3, 4, 5, 6, 7];

/// Opponents a challenge names: the setup's viewers, one deliveries create, and nobody.
const OPPONENTS: [&str; 6] = ["alice", "BOB", "Zoë", "newbie", "alicia", "nobody"];
const GOALS: [&str; 3] = ["followers", "subscribers", "x"];
const CODES: [&str; 2] = ["123456", "ABCDEF"];
const COMMANDS: [&str; 2] = ["!gamble", "!duel"];

/// A small deterministic random source (splitmix64) seeded by a step's arguments.
struct Dice(u64);

impl Dice {
    fn new(x: u8, y: u8, n: i64) -> Self {
        Dice(((u64::from(x) << 56) ^ (u64::from(y) << 48) ^ n as u64).wrapping_add(0x9e37_79b9))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// An amount: mostly small, now and then large, rarely invalid.
    fn amount(&mut self) -> i64 {
        match self.below(40) {
            0 => 0,
            1 => 50_000,
            _ => 1 + self.below(300) as i64,
        }
    }

    fn viewer(&mut self) -> KickViewer {
        let (k, name) = KICK_VIEWERS[self.below(KICK_VIEWERS.len())];
        KickViewer::new(k, name)
    }

    fn pick<'a>(&mut self, pool: &[&'a str]) -> &'a str {
        pool[self.below(pool.len())]
    }
}

/// The delivery id a step's handle names.
pub(crate) fn delivery_id(i: u8) -> DeliveryId {
    DeliveryId(DELIVERY_IDS[usize::from(i) % DELIVERY_IDS.len()].to_owned())
}

fn shifted(now: Timestamp, secs: i64) -> Timestamp {
    let d = Duration::from_secs(secs.unsigned_abs());
    let t = if secs >= 0 {
        now.checked_add(d)
    } else {
        now.checked_sub(d)
    };
    t.unwrap_or(now)
}

/// A step that may be an effect: one whose refusals are store errors. Mostly steps that
/// succeed (an effect that fails fails its whole delivery), now and then one that may not.
fn effect(d: &mut Dice, now: Timestamp) -> Step {
    let source = PointSource::ALL[d.below(PointSource::ALL.len())];
    let description = (d.below(3) == 0).then(|| format!("note {}", d.below(9)));
    match d.below(16) {
        0..=3 => Step::Earn {
            viewer: d.viewer(),
            amount: d.amount(),
            source,
            description,
        },
        4 => Step::Spend {
            viewer: d.viewer(),
            amount: d.amount(),
            source,
            description,
        },
        5 => {
            let stake = d.amount();
            let payout = [0, stake, stake * 2, stake * 5][d.below(4)];
            Step::Wager {
                viewer: d.viewer(),
                stake,
                payout,
                source: PointSource::Gamble,
                description,
            }
        }
        6 | 7 => Step::Chatted { viewer: d.viewer() },
        8 => Step::SetLive {
            live: d.below(3) != 0,
            at: shifted(now, d.below(120) as i64 - 60),
        },
        9 => Step::AdvanceGoal {
            goal: GoalId::new(d.pick(&GOALS)),
            by: d.amount(),
        },
        10 | 11 => Step::Alert {
            kind: [
                AlertKind::Follow,
                AlertKind::Subscription,
                AlertKind::Gift,
                AlertKind::Kicks,
            ][d.below(4)],
            viewer: (d.below(4) != 0).then(|| d.viewer()),
            amount: 1 + d.below(5) as i64,
        },
        12 => Step::Speak {
            viewer: d.viewer(),
            text: format!("words {}", d.below(50)),
            voice: (d.below(2) == 0).then(|| format!("voice-{}", d.below(3))),
            cost: [0, 0, 100, 500][d.below(4)],
        },
        13 => Step::BuyPowerup {
            viewer: d.viewer(),
            powerup: PowerupType::ALL[d.below(PowerupType::ALL.len())],
        },
        14 => Step::UsePowerup {
            viewer: d.viewer(),
            powerup: PowerupType::ALL[d.below(PowerupType::ALL.len())],
        },
        _ => Step::Verify {
            viewer: d.viewer(),
            code: d.pick(&CODES).to_owned(),
        },
    }
}

/// A duel step: a challenge, an accept (either outcome), a decline or a cancel.
fn duel(d: &mut Dice) -> Step {
    match d.below(5) {
        0 | 1 => {
            let challenger = d.viewer();
            let mut opponent = d.pick(&OPPONENTS);
            if opponent.eq_ignore_ascii_case(&challenger.username) {
                opponent = "nobody";
            }
            Step::ChallengeDuel {
                challenger,
                opponent: opponent.to_owned(),
                stake: [10, 100, 1000, 4000][d.below(4)],
                expires_in: Duration::from_secs(30 + d.below(600) as u64),
            }
        }
        2 => Step::AcceptDuel {
            opponent: d.viewer(),
            challenger_wins: d.below(2) == 0,
        },
        3 => Step::DeclineDuel {
            opponent: d.viewer(),
        },
        _ => Step::CancelDuel {
            challenger: d.viewer(),
        },
    }
}

/// A step of a command: any step.
fn command_step(d: &mut Dice, now: Timestamp) -> Step {
    match d.below(16) {
        0 | 1 => Step::Cooldown {
            viewer: d.viewer(),
            command: d.pick(&COMMANDS).to_owned(),
            cooldown: Duration::from_secs(d.below(120) as u64),
        },
        2..=4 => duel(d),
        _ => effect(d, now),
    }
}

/// A delivery with up to two effects and up to three command steps.
pub(crate) fn random_delivery(x: u8, y: u8, n: i64, now: Timestamp) -> Delivery {
    let mut d = Dice::new(x, y, n);
    let effects = (0..d.below(3)).map(|_| effect(&mut d, now)).collect();
    let command = (0..d.below(4)).map(|_| command_step(&mut d, now)).collect();
    Delivery {
        id: delivery_id(x),
        effects,
        command,
    }
}

/// A delivery whose command is one duel step.
pub(crate) fn duel_delivery(x: u8, y: u8, n: i64) -> Delivery {
    let mut d = Dice::new(x, y, n);
    Delivery {
        id: delivery_id(x.wrapping_add(y)),
        effects: vec![],
        command: vec![duel(&mut d)],
    }
}

/// A delivery that only changes the live flag, stamped around `now`.
pub(crate) fn live_delivery(x: u8, y: u8, n: i64, now: Timestamp) -> Delivery {
    Delivery {
        id: delivery_id(x),
        effects: vec![Step::SetLive {
            live: !y.is_multiple_of(3),
            at: shifted(now, n % 60 - 30),
        }],
        command: vec![],
    }
}

/// A viewer chatting and earning (what a chat message does while live; now and then it pays
/// more, as a subscription would).
pub(crate) fn chat_delivery(x: u8, y: u8, n: i64) -> Delivery {
    let mut d = Dice::new(x, y, n);
    let viewer = d.viewer();
    Delivery {
        id: delivery_id(x),
        effects: vec![
            Step::Chatted {
                viewer: viewer.clone(),
            },
            Step::Earn {
                viewer,
                amount: if y.is_multiple_of(4) {
                    25
                } else {
                    25 + n.rem_euclid(2000)
                },
                source: PointSource::Chat,
                description: None,
            },
        ],
        command: vec![],
    }
}

/// An economy configuration: the default with a few values changed, invalid one time in five.
pub(crate) fn economy(y: u8, n: i64) -> EconomyConfig {
    let mut c = EconomyConfig {
        chat_points: n % 100,
        watch_points: i64::from(y % 7),
        thank_in_chat: y.is_multiple_of(2),
        ..EconomyConfig::default()
    };
    c.commands.duel_min = 1 + n % 40;
    if y.is_multiple_of(5) {
        c.commands.gamble_min = c.commands.gamble_max + 1;
    }
    c
}
