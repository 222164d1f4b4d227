//! The replies' wording for each outcome, on made-up store data.

use crate::dice::ScriptedDice;
use crate::event::{Channel, KickEvent};
use crate::plan::plan;
use crate::reply::{Reads, Reply, render};
use crate::text::MAX_CHAT_CHARS;
use async_trait::async_trait;
use datastore::{
    CommandOutcome, DeliveryId, DeliveryOutcome, Duel, EconomyConfig, InventoryItem, KickViewer,
    LeaderboardEntry, PointSource, Points, PowerupConfig, PowerupPurchase, PowerupType, PurchaseId,
    PurchaseReceipt, Refusal, Resource, SourceSummary, StepResult, StoreError, StoreResult,
    StreamerId, Timestamp, User, UserId, UserWithPoints, ViewerBalances, default_powerups,
};
use std::sync::Mutex;

const STREAMER: StreamerId = StreamerId(3);
const ALICE: UserId = UserId(100);

fn at() -> Timestamp {
    Timestamp::from_millis(1_700_000_000_000).unwrap()
}

fn user(id: i64, name: &str) -> User {
    User {
        id: UserId(id),
        streamer_id: STREAMER,
        username: name.into(),
        voice_id: None,
        drop_image: None,
        country: None,
        created_at: at(),
        updated_at: at(),
    }
}

fn pts(channel: i64, drop: i64, drops: i64) -> Points {
    Points {
        channel_points: channel,
        drop_points: drop,
        total_drops: drops,
        last_updated: None,
    }
}

/// Made-up store data of one streamer; every read for another streamer finds nothing.
#[derive(Default)]
struct Fake {
    users: Vec<UserWithPoints>,
    kick: Vec<(i64, UserId)>,
    summary: Vec<SourceSummary>,
    inventory: Vec<InventoryItem>,
    powerups: Vec<PowerupConfig>,
    /// The streamer's drop leaderboard, whole, as the store would rank it.
    drop_board: Vec<LeaderboardEntry>,
    /// The limits the drop leaderboard was read with.
    drop_limits: Mutex<Vec<u32>>,
    broken: bool,
}

impl Fake {
    fn with_alice(points: Points) -> Self {
        Fake {
            users: vec![UserWithPoints {
                user: user(ALICE.0, "alice"),
                points,
            }],
            kick: vec![(7, ALICE)],
            powerups: default_powerups()
                .into_iter()
                .map(|(id, input)| input.into_config(id, at(), at()))
                .collect(),
            ..Fake::default()
        }
    }

    fn check(&self, streamer: StreamerId) -> StoreResult<bool> {
        if self.broken {
            return Err(StoreError::backend("disk on fire"));
        }
        Ok(streamer == STREAMER)
    }
}

#[async_trait]
impl Reads for Fake {
    async fn kick_viewer(&self, s: StreamerId, kick_user_id: i64) -> StoreResult<Option<User>> {
        if !self.check(s)? {
            return Ok(None);
        }
        let id = self
            .kick
            .iter()
            .find(|(k, _)| *k == kick_user_id)
            .map(|(_, u)| *u);
        Ok(self
            .users
            .iter()
            .find(|u| Some(u.user.id) == id)
            .map(|u| u.user.clone()))
    }
    async fn points(&self, s: StreamerId, user: UserId) -> StoreResult<Option<Points>> {
        if !self.check(s)? {
            return Ok(None);
        }
        Ok(self
            .users
            .iter()
            .find(|u| u.user.id == user)
            .map(|u| u.points))
    }
    async fn summary(
        &self,
        s: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<SourceSummary>>> {
        if !self.check(s)? || user != ALICE {
            return Ok(None);
        }
        Ok(Some(self.summary.clone()))
    }
    async fn drop_leaderboard(
        &self,
        s: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>> {
        datastore::validate::limit(limit)?;
        self.drop_limits.lock().unwrap().push(limit);
        if !self.check(s)? {
            return Ok(vec![]);
        }
        Ok(self
            .drop_board
            .iter()
            .take(limit as usize)
            .cloned()
            .collect())
    }
    async fn inventory(
        &self,
        s: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<InventoryItem>>> {
        if !self.check(s)? || user != ALICE {
            return Ok(None);
        }
        Ok(Some(self.inventory.clone()))
    }
    async fn enabled_powerups(&self, s: StreamerId) -> StoreResult<Vec<PowerupConfig>> {
        if !self.check(s)? {
            return Ok(vec![]);
        }
        let mut on: Vec<PowerupConfig> = self
            .powerups
            .iter()
            .filter(|p| p.enabled)
            .cloned()
            .collect();
        on.sort_by_key(|p| (p.cost, p.id));
        Ok(on)
    }
    async fn powerup(&self, s: StreamerId, p: PowerupType) -> StoreResult<Option<PowerupConfig>> {
        if !self.check(s)? {
            return Ok(None);
        }
        Ok(self.powerups.iter().find(|c| c.id == p).cloned())
    }
}

/// The reply planned for alice's `content` (rolls from `rolls`).
fn reply_to(content: &str, rolls: &[u32]) -> Reply {
    reply_of(KickViewer::new(7, "alice"), content, rolls)
}

fn reply_of(sender: KickViewer, content: &str, rolls: &[u32]) -> Reply {
    let config = EconomyConfig::default();
    let channel = Channel {
        config: &config,
        owner_kick_user_id: Some(1),
    };
    let event = KickEvent::ChatMessage {
        sender,
        content: content.into(),
        sent_at: at(),
    };
    plan(
        &channel,
        DeliveryId("d".into()),
        &event,
        &mut ScriptedDice::new(rolls.iter().copied()),
    )
    .reply
}

/// The effects' results of a chat message by alice: the `Chatted` step names her.
fn chat_results() -> Vec<StepResult> {
    vec![
        StepResult::Live(true),
        StepResult::Balances(balances(ALICE, "alice", 1_025)),
        StepResult::Viewer(ALICE),
    ]
}

fn balances(user_id: UserId, name: &str, channel: i64) -> ViewerBalances {
    ViewerBalances {
        user_id,
        username: name.into(),
        channel_points: channel,
        drop_points: 0,
        total_drops: 0,
    }
}

fn done(results: Vec<StepResult>) -> DeliveryOutcome {
    DeliveryOutcome::Applied {
        effects: chat_results(),
        command: Some(CommandOutcome::Done { results }),
    }
}

fn refused(step: usize, refusal: Refusal) -> DeliveryOutcome {
    DeliveryOutcome::Applied {
        effects: chat_results(),
        command: Some(CommandOutcome::Refused { step, refusal }),
    }
}

fn say(store: &Fake, reply: &Reply, outcome: &DeliveryOutcome) -> Option<String> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(render(store, STREAMER, reply, outcome))
}

fn says(store: &Fake, reply: &Reply, outcome: &DeliveryOutcome) -> String {
    say(store, reply, outcome).expect("a reply")
}

#[test]
fn a_duplicate_is_never_answered_and_silence_stays_silent() {
    let store = Fake::with_alice(pts(5, 0, 0));
    for reply in [
        reply_to("!points", &[]),
        reply_to("!gamble abc", &[]),
        Reply::Text("thanks".into()),
        Reply::Silent,
    ] {
        assert_eq!(say(&store, &reply, &DeliveryOutcome::Duplicate), None);
    }
    assert_eq!(say(&store, &Reply::Silent, &done(vec![])), None);
    assert!(Reply::Silent.is_silent());
    assert_eq!(
        says(&store, &Reply::Text("Thank you!".into()), &done(vec![])),
        "Thank you!"
    );
}

#[test]
fn usage_hints_are_said_once_applied() {
    let store = Fake::default();
    let outcome = DeliveryOutcome::Applied {
        effects: chat_results(),
        command: None,
    };
    assert_eq!(
        says(&store, &reply_to("!gamble all", &[]), &outcome),
        "@alice usage: !gamble <amount>, 10 to 10,000 points."
    );
}

#[test]
fn points_report_the_balance_after_the_delivery() {
    let store = Fake::with_alice(pts(1_234, 56, 2));
    let reply = reply_to("!points", &[]);
    assert_eq!(
        says(&store, &reply, &done(vec![StepResult::Done])),
        "@alice you have 1,234 points (drop points: 56)."
    );
    // The streamer's own `!points` has no step: no command outcome at all.
    let owner = reply_of(KickViewer::new(1, "alice"), "!bal", &[]);
    let outcome = DeliveryOutcome::Applied {
        effects: chat_results(),
        command: None,
    };
    assert_eq!(
        says(&store, &owner, &outcome),
        "@alice you have 1,234 points (drop points: 56)."
    );
    // Without a `Chatted` result the viewer is found by their Kick id.
    let outcome = DeliveryOutcome::Applied {
        effects: vec![],
        command: Some(CommandOutcome::Done {
            results: vec![StepResult::Done],
        }),
    };
    assert_eq!(
        says(&store, &reply, &outcome),
        "@alice you have 1,234 points (drop points: 56)."
    );
    // Another streamer's store data is never read: reading for this streamer finds nothing.
    let other = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(render(&store, StreamerId(4), &reply, &outcome));
    assert_eq!(
        other.as_deref(),
        Some("@alice you have 0 points (drop points: 0).")
    );
}

#[test]
fn stats_list_the_sources_with_rows() {
    let mut store = Fake::with_alice(pts(700, 0, 0));
    store.summary = vec![
        SourceSummary {
            source: PointSource::Chat,
            total: 1_000,
            transactions: 40,
        },
        SourceSummary {
            source: PointSource::Gamble,
            total: -300,
            transactions: 2,
        },
        SourceSummary {
            source: PointSource::Watch,
            total: 0,
            transactions: 0,
        },
    ];
    assert_eq!(
        says(
            &store,
            &reply_to("!stats", &[]),
            &done(vec![StepResult::Done])
        ),
        "@alice your points by source: chat +1,000, gamble -300 (balance 700)."
    );
    store.summary.clear();
    assert_eq!(
        says(
            &store,
            &reply_to("!stats", &[]),
            &done(vec![StepResult::Done])
        ),
        "@alice no points earned yet (balance 700)."
    );
}

#[test]
fn dropstats_report_drop_points_and_drops() {
    let store = Fake::with_alice(pts(0, 900, 4));
    assert_eq!(
        says(
            &store,
            &reply_to("!dropstats", &[]),
            &done(vec![StepResult::Done])
        ),
        "@alice 900 drop points from 4 drops (average 225)."
    );
    let store = Fake::with_alice(pts(10, 0, 0));
    assert_eq!(
        says(
            &store,
            &reply_to("!dropstats", &[]),
            &done(vec![StepResult::Done])
        ),
        "@alice no drops yet: type !drop to play."
    );
}

#[test]
fn droptop_names_the_store_drop_leaderboard_in_its_order() {
    let mut store = Fake::with_alice(pts(0, 0, 0));
    // Seven viewers on the board, in the store's order (by drop points, then id): the reply
    // asks for five and keeps that order, whatever the channel points or the names say.
    let board = [
        (1_500, "v1500", 1, 9_000),
        (2_400, "v2400", 0, 8_000),
        (2_401, "v2401", 1_000_000, 8_000),
        (10, "v10", 0, 50),
        (6, "v6", 0, 6),
        (13, "v13", 0, 6),
        (5, "v5", 0, 5),
    ];
    store.drop_board = board
        .iter()
        .zip(1..)
        .map(|(&(id, name, channel, drop), rank)| LeaderboardEntry {
            rank,
            user_id: UserId(1_000 + id),
            username: name.into(),
            channel_points: channel,
            drop_points: drop,
            total_points: channel + drop,
            total_drops: 1,
        })
        .collect();
    assert_eq!(
        says(
            &store,
            &reply_to("!droptop", &[]),
            &done(vec![StepResult::Done])
        ),
        "@alice drop top 5: 1. @v1500 9,000 · 2. @v2400 8,000 · 3. @v2401 8,000 · 4. @v10 50 · 5. @v6 6"
    );
    assert_eq!(
        *store.drop_limits.lock().unwrap(),
        [5],
        "one read of the top five"
    );
    let store = Fake::with_alice(pts(100, 0, 0));
    assert_eq!(
        says(
            &store,
            &reply_to("!droptop", &[]),
            &done(vec![StepResult::Done])
        ),
        "@alice nobody has drop points yet: type !drop to play."
    );
}

#[test]
fn gamble_and_coinflip_report_the_result_and_balance() {
    let store = Fake::default();
    let wager = |b| {
        done(vec![
            StepResult::Done,
            StepResult::Balances(balances(ALICE, "alice", b)),
        ])
    };
    assert_eq!(
        says(&store, &reply_to("!gamble 100", &[9]), &wager(1_400)),
        "@alice rolled 9: 5× payout! +400 points, balance 1,400."
    );
    assert_eq!(
        says(&store, &reply_to("!gamble 100", &[10]), &wager(1_100)),
        "@alice rolled 10: 2× payout! +100 points, balance 1,100."
    );
    assert_eq!(
        says(&store, &reply_to("!roll 100", &[49]), &wager(1_100)),
        "@alice rolled 49: 2× payout! +100 points, balance 1,100."
    );
    assert_eq!(
        says(&store, &reply_to("!gamble 100", &[50]), &wager(900)),
        "@alice rolled 50: lost 100 points, balance 900."
    );
    assert_eq!(
        says(&store, &reply_to("!coinflip 50", &[0]), &wager(1_050)),
        "@alice heads: you win 50 points, balance 1,050."
    );
    assert_eq!(
        says(&store, &reply_to("!coinflip 50", &[1]), &wager(950)),
        "@alice tails: you lose 50 points, balance 950."
    );
}

fn duel() -> Duel {
    Duel {
        challenger: ALICE,
        challenger_name: "alice".into(),
        opponent: UserId(200),
        opponent_name: "Bob".into(),
        stake: 300,
        expires_at: at(),
    }
}

#[test]
fn duels_are_announced_and_settled() {
    let store = Fake::default();
    assert_eq!(
        says(
            &store,
            &reply_to("!duel @bob 300", &[]),
            &done(vec![StepResult::Done, StepResult::Duel(duel())])
        ),
        "@alice challenges @Bob to a duel for 300 points! @Bob, type !accept or !decline within 60 s."
    );
    let bob = KickViewer::new(8, "Bob");
    let settled = |winner| {
        done(vec![
            StepResult::Done,
            StepResult::DuelSettled {
                duel: duel(),
                winner,
                challenger: balances(ALICE, "alice", 1_300),
                opponent: balances(UserId(200), "Bob", 0),
            },
        ])
    };
    let accept = reply_of(bob.clone(), "!accept", &[0]);
    assert_eq!(
        says(&store, &accept, &settled(ALICE)),
        "@Bob accepted the duel: @alice wins 300 points from @Bob!"
    );
    assert_eq!(
        says(&store, &accept, &settled(UserId(200))),
        "@Bob accepted the duel: @Bob wins 300 points from @alice!"
    );
    assert_eq!(
        says(
            &store,
            &reply_of(bob, "!decline", &[]),
            &done(vec![StepResult::Done, StepResult::Duel(duel())])
        ),
        "@Bob declined the duel from @alice."
    );
    assert_eq!(
        says(
            &store,
            &reply_to("!cancel", &[]),
            &done(vec![StepResult::Done, StepResult::Duel(duel())])
        ),
        "@alice withdrew the duel against @Bob."
    );
}

#[test]
fn powerups_bought_used_held_and_on_sale() {
    let mut store = Fake::with_alice(pts(0, 0, 0));
    let receipt = |cost| PurchaseReceipt {
        purchase: PowerupPurchase {
            id: PurchaseId(1),
            user_id: ALICE,
            powerup: PowerupType::Tnt,
            cost,
            purchased_at: at(),
        },
        quantity: 2,
        points: pts(1_000, 0, 0),
    };
    let buy = reply_to("!drop -buy tnt", &[]);
    assert_eq!(
        says(
            &store,
            &buy,
            &done(vec![StepResult::Done, StepResult::Purchase(receipt(500))])
        ),
        "@alice bought 💣 TNT for 500 points: you hold 2, balance 1,000. Use it with !tnt."
    );
    assert_eq!(
        says(&store, &buy, &done(vec![StepResult::Purchase(receipt(0))])),
        "@alice bought 💣 TNT for free: you hold 2, balance 1,000. Use it with !tnt."
    );
    let used = done(vec![
        StepResult::Done,
        StepResult::Inventory(InventoryItem {
            powerup: PowerupType::Shield,
            quantity: 0,
        }),
    ]);
    assert_eq!(
        says(&store, &reply_to("!shield", &[]), &used),
        "@alice used 🛡️ Shield: 0 left."
    );
    assert_eq!(
        says(
            &store,
            &reply_to("!drop -mine", &[]),
            &done(vec![StepResult::Done])
        ),
        "@alice you have no powerups: see !drop -powerups."
    );
    store.inventory = vec![
        InventoryItem {
            powerup: PowerupType::Ghost,
            quantity: 0,
        },
        InventoryItem {
            powerup: PowerupType::Tnt,
            quantity: 2,
        },
    ];
    assert_eq!(
        says(
            &store,
            &reply_to("!drop -mine", &[]),
            &done(vec![StepResult::Done])
        ),
        "@alice your powerups: tnt ×2."
    );
    store
        .powerups
        .retain(|p| matches!(p.id, PowerupType::Boost | PowerupType::Tnt));
    assert_eq!(
        says(
            &store,
            &reply_to("!drop -powerups", &[]),
            &done(vec![StepResult::Done])
        ),
        "@alice powerups: 🚀 Speed Boost (boost) 250, 💣 TNT (tnt) 500. Buy one with !drop -buy TYPE."
    );
    store.powerups.clear();
    assert_eq!(
        says(
            &store,
            &reply_to("!drop -powerups", &[]),
            &done(vec![StepResult::Done])
        ),
        "@alice no powerups are on sale."
    );
    // A powerup without a configuration is named by its id.
    assert_eq!(
        says(&store, &reply_to("!shield", &[]), &used),
        "@alice used shield: 0 left."
    );
}

#[test]
fn say_and_verify_confirm() {
    let store = Fake::default();
    let spoken = done(vec![
        StepResult::Done,
        StepResult::Balances(balances(ALICE, "alice", 250)),
    ]);
    assert_eq!(
        says(&store, &reply_to("!say hello", &[]), &spoken),
        "@alice your message is queued (-500 points, balance 250)."
    );
    let owner = reply_of(KickViewer::new(1, "streamer"), "!say hello", &[]);
    assert_eq!(
        says(
            &store,
            &owner,
            &done(vec![StepResult::Balances(balances(ALICE, "streamer", 5))])
        ),
        "@streamer your message is queued."
    );
    assert_eq!(
        says(
            &store,
            &reply_to("!verify ABC123", &[]),
            &done(vec![StepResult::Done, StepResult::Done])
        ),
        "@alice you are verified: go back to the page to finish logging in."
    );
}

#[test]
fn refusals_say_why() {
    let store = Fake::default();
    let cases: Vec<(&str, Refusal, &str)> = vec![
        (
            "!gamble 100",
            Refusal::CoolingDown {
                remaining_ms: 12_001,
            },
            "@alice !gamble is cooling down: try again in 13 s.",
        ),
        (
            "!roll 100",
            Refusal::CoolingDown { remaining_ms: 1 },
            "@alice !gamble is cooling down: try again in 1 s.",
        ),
        (
            "!drop -buy tnt",
            Refusal::CoolingDown {
                remaining_ms: 5_000,
            },
            "@alice !drop -buy is cooling down: try again in 5 s.",
        ),
        (
            "!gamble 100",
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 40,
                required: 100,
            }),
            "@alice you need 100 points and have 40.",
        ),
        (
            "!say hi",
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 1_000,
                required: 1_500,
            }),
            "@alice you need 1,500 points and have 1,000.",
        ),
        (
            "!duel @bob 100",
            Refusal::Store(StoreError::not_found(Resource::User)),
            "@alice there is no viewer @bob here.",
        ),
        (
            "!duel @bob 100",
            Refusal::DuelPending,
            "@alice you or @bob already have a duel pending.",
        ),
        (
            "!accept",
            Refusal::NoDuel,
            "@alice nobody has challenged you (or the duel expired).",
        ),
        (
            "!decline",
            Refusal::NoDuel,
            "@alice nobody has challenged you (or the duel expired).",
        ),
        (
            "!cancel",
            Refusal::NoDuel,
            "@alice you have no open duel to withdraw.",
        ),
        (
            "!accept",
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 0,
                required: 300,
            }),
            "@alice the duel cannot be settled: one of you no longer has 300 points. It stays open.",
        ),
        (
            "!tnt",
            Refusal::Store(StoreError::NoPowerupLeft {
                powerup: PowerupType::Tnt,
            }),
            "@alice you have no tnt left: buy one with !drop -buy tnt.",
        ),
        (
            "!drop -buy ghost",
            Refusal::Store(StoreError::PowerupDisabled {
                powerup: PowerupType::Ghost,
            }),
            "@alice the ghost powerup is switched off.",
        ),
        (
            "!drop -buy ghost",
            Refusal::Store(StoreError::not_found(Resource::Powerup)),
            "@alice ghost is not on sale here.",
        ),
        (
            "!verify ABC",
            Refusal::Store(StoreError::not_found(Resource::VerificationCode)),
            "@alice that code is not valid or has expired: ask the page for a new one.",
        ),
        (
            "!gamble 100",
            Refusal::Store(StoreError::invalid(
                "amount",
                "the balance would leave the range",
            )),
            "@alice !gamble could not run: amount the balance would leave the range.",
        ),
        (
            "!coinflip 100",
            Refusal::Store(StoreError::backend("oops")),
            "@alice !coinflip could not run; nothing changed.",
        ),
    ];
    for (content, refusal, expected) in cases {
        assert_eq!(
            says(&store, &reply_to(content, &[0]), &refused(1, refusal)),
            expected,
            "{content}"
        );
    }
}

#[test]
fn a_failed_read_says_nothing() {
    let mut store = Fake::with_alice(pts(1, 0, 0));
    store.broken = true;
    for content in [
        "!points",
        "!stats",
        "!droptop",
        "!drop -mine",
        "!drop -powerups",
        "!tnt",
    ] {
        assert_eq!(
            say(
                &store,
                &reply_to(content, &[]),
                &done(vec![StepResult::Done])
            ),
            None,
            "{content}"
        );
    }
}

#[test]
fn long_replies_are_cut_to_the_chat_limit() {
    let mut store = Fake::with_alice(pts(0, 0, 0));
    for p in &mut store.powerups {
        p.name = "N".repeat(120);
    }
    let text = says(
        &store,
        &reply_to("!drop -powerups", &[]),
        &done(vec![StepResult::Done]),
    );
    assert_eq!(text.chars().count(), MAX_CHAT_CHARS);
    assert!(text.ends_with('…'));
}

#[test]
fn the_public_reply_future_can_move_between_threads() {
    fn is_send<T: Send>(_: T) {}
    let reply = Reply::Silent;
    let outcome = DeliveryOutcome::Duplicate;
    let store: Option<&dyn datastore::DataStore> = None;
    if let Some(store) = store {
        is_send(crate::reply::reply_text(store, STREAMER, &reply, &outcome));
    }
}
