//! Events planned, applied by the conformance suite's model store, and answered: the whole
//! path a webhook delivery takes, without HTTP.

use conformance::ModelStore;
use datastore::{
    AdminSetPoints, DataStore, DeliveryId, DeliveryOutcome, KickStore, KickViewer, ManualClock,
    NewDrop, NewStreamer, PointStore, StreamerId, StreamerStore, Timestamp, UserStore,
};
use economy::{Channel, KickEvent, ScriptedDice, plan, reply_text};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct World {
    store: ModelStore,
    clock: Arc<ManualClock>,
    next_id: AtomicU64,
    chan: StreamerId,
    other: StreamerId,
}

impl World {
    async fn new() -> World {
        let clock = Arc::new(ManualClock::new(
            Timestamp::from_millis(1_700_000_000_000).unwrap(),
        ));
        let store = ModelStore::new(clock.clone());
        let mut chan = NewStreamer::named("chan");
        chan.kick_user_id = Some(1);
        let chan = store.create_streamer(chan).await.unwrap().id;
        let other = store
            .create_streamer(NewStreamer::named("other"))
            .await
            .unwrap()
            .id;
        World {
            store,
            clock,
            next_id: AtomicU64::new(0),
            chan,
            other,
        }
    }

    /// Plans, applies and answers `event` on `streamer` under a fresh delivery id.
    async fn send(&self, streamer: StreamerId, event: KickEvent, rolls: &[u32]) -> Option<String> {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.send_as(streamer, DeliveryId(format!("msg-{n}")), event, rolls)
            .await
            .1
    }

    async fn send_as(
        &self,
        streamer: StreamerId,
        id: DeliveryId,
        event: KickEvent,
        rolls: &[u32],
    ) -> (DeliveryOutcome, Option<String>) {
        let config = self.store.get_economy_config(streamer).await.unwrap();
        let owner = self
            .store
            .get_streamer(streamer)
            .await
            .unwrap()
            .and_then(|s| s.kick_user_id);
        let channel = Channel {
            config: &config,
            owner_kick_user_id: owner,
        };
        let mut dice = ScriptedDice::new(rolls.iter().copied());
        let planned = plan(&channel, id, &event, &mut dice);
        let outcome = self
            .store
            .apply_delivery(streamer, planned.delivery)
            .await
            .unwrap();
        let store: &dyn DataStore = &self.store;
        let text = reply_text(store, streamer, &planned.reply, &outcome).await;
        (outcome, text)
    }

    fn chat(&self, who: &KickViewer, content: &str) -> KickEvent {
        KickEvent::ChatMessage {
            sender: who.clone(),
            content: content.into(),
            sent_at: datastore::Clock::now(self.clock.as_ref()),
        }
    }

    async fn balance(&self, streamer: StreamerId, name: &str) -> i64 {
        let user = self
            .store
            .get_user_by_username(streamer, name)
            .await
            .unwrap()
            .expect("the viewer exists");
        self.store
            .get_points(streamer, user.id)
            .await
            .unwrap()
            .unwrap()
            .channel_points
    }

    async fn set_balance(&self, streamer: StreamerId, name: &str, points: i64) {
        let user = self
            .store
            .get_user_by_username(streamer, name)
            .await
            .unwrap()
            .unwrap();
        self.store
            .set_points(
                streamer,
                user.id,
                AdminSetPoints {
                    channel_points: points,
                    drop_points: None,
                    description: None,
                },
            )
            .await
            .unwrap();
    }

    fn wait(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

#[tokio::test]
async fn chat_earns_points_is_answered_once_and_cools_down() {
    let w = World::new().await;
    let alice = KickViewer::new(7, "alice");
    assert_eq!(w.send(w.chan, w.chat(&alice, "hello"), &[]).await, None);
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!points"), &[])
            .await
            .as_deref(),
        Some("@alice you have 50 points (drop points: 0).")
    );
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!bal"), &[]).await.as_deref(),
        Some("@alice !points is cooling down: try again in 10 s.")
    );
    assert_eq!(
        w.balance(w.chan, "alice").await,
        75,
        "chat points still paid"
    );

    // A redelivery changes nothing and is not answered again.
    let id = DeliveryId("same".into());
    w.wait(11);
    let (first, text) = w
        .send_as(w.chan, id.clone(), w.chat(&alice, "!points"), &[])
        .await;
    assert!(matches!(first, DeliveryOutcome::Applied { .. }));
    assert_eq!(
        text.as_deref(),
        Some("@alice you have 100 points (drop points: 0).")
    );
    let (again, text) = w.send_as(w.chan, id, w.chat(&alice, "!points"), &[]).await;
    assert_eq!(again, DeliveryOutcome::Duplicate);
    assert_eq!(text, None);
    assert_eq!(w.balance(w.chan, "alice").await, 100);
}

#[tokio::test]
async fn the_streamer_is_exempt_from_cooldowns() {
    let w = World::new().await;
    let me = KickViewer::new(1, "chan");
    for expected in [25, 50] {
        assert_eq!(
            w.send(w.chan, w.chat(&me, "!points"), &[]).await,
            Some(format!(
                "@chan you have {expected} points (drop points: 0)."
            ))
        );
    }
}

#[tokio::test]
async fn gambles_pay_by_the_roll_and_refuse_what_is_not_covered() {
    let w = World::new().await;
    let alice = KickViewer::new(7, "alice");
    w.send(w.chan, w.chat(&alice, "hi"), &[]).await;
    w.set_balance(w.chan, "alice", 1_000).await;
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!gamble 100"), &[9])
            .await
            .as_deref(),
        Some("@alice rolled 9: 5× payout! +400 points, balance 1,425.")
    );
    w.wait(31);
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!gamble 5000"), &[0])
            .await
            .as_deref(),
        Some("@alice you need 5,000 points and have 1,450.")
    );
    assert_eq!(
        w.balance(w.chan, "alice").await,
        1_450,
        "nothing of the refused bet stays"
    );
    // The refusal undid the cooldown too.
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!roll 50"), &[50])
            .await
            .as_deref(),
        Some("@alice rolled 50: lost 50 points, balance 1,425.")
    );
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!coinflip 100"), &[0])
            .await
            .as_deref(),
        Some("@alice heads: you win 100 points, balance 1,550.")
    );
}

#[tokio::test]
async fn a_duel_is_challenged_accepted_and_settled() {
    let w = World::new().await;
    let alice = KickViewer::new(7, "alice");
    let bob = KickViewer::new(8, "Bob");
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!duel @bob 100"), &[])
            .await
            .as_deref(),
        Some("@alice there is no viewer @bob here.")
    );
    w.send(w.chan, w.chat(&bob, "hi"), &[]).await;
    w.set_balance(w.chan, "alice", 500).await;
    w.set_balance(w.chan, "Bob", 500).await;
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!duel bob 100"), &[])
            .await
            .as_deref(),
        Some(
            "@alice challenges @Bob to a duel for 100 points! @Bob, type !accept or !decline within 60 s."
        )
    );
    assert_eq!(
        w.send(w.chan, w.chat(&bob, "!accept"), &[0])
            .await
            .as_deref(),
        Some("@Bob accepted the duel: @alice wins 100 points from @Bob!")
    );
    // Chat points: alice's two messages came before the reset; Bob's accept paid 25.
    assert_eq!(w.balance(w.chan, "alice").await, 625);
    assert_eq!(w.balance(w.chan, "Bob").await, 425);
    assert_eq!(
        w.send(w.chan, w.chat(&bob, "!decline"), &[])
            .await
            .as_deref(),
        Some("@Bob nobody has challenged you (or the duel expired).")
    );
}

#[tokio::test]
async fn powerups_are_bought_used_and_listed() {
    let w = World::new().await;
    let alice = KickViewer::new(7, "alice");
    w.send(w.chan, w.chat(&alice, "hi"), &[]).await;
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!drop -buy boost"), &[])
            .await
            .as_deref(),
        Some("@alice you need 250 points and have 50.")
    );
    w.set_balance(w.chan, "alice", 300).await;
    w.wait(6);
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!drop -buy boost"), &[])
            .await
            .as_deref(),
        Some(
            "@alice bought 🚀 Speed Boost for 250 points: you hold 1, balance 75. Use it with !boost."
        )
    );
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!drop -mine"), &[])
            .await
            .as_deref(),
        Some("@alice your powerups: boost ×1.")
    );
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!boost"), &[])
            .await
            .as_deref(),
        Some("@alice used 🚀 Speed Boost: 0 left.")
    );
    w.wait(6);
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!boost"), &[])
            .await
            .as_deref(),
        Some("@alice you have no boost left: buy one with !drop -buy boost.")
    );
    let shop = w
        .send(w.chan, w.chat(&alice, "!drop -powerups"), &[])
        .await
        .unwrap();
    assert!(
        shop.starts_with(
            "@alice powerups: 🚀 Speed Boost (boost) 250, ⚡ Power Drop (powerdrop) 300"
        ),
        "{shop}"
    );
}

#[tokio::test]
async fn droptop_ranks_this_streamers_viewers_by_drop_points() {
    let w = World::new().await;
    for (streamer, name, score) in [
        (w.chan, "low", 100),
        (w.chan, "high", 900),
        (w.chan, "mid", 400),
        (w.other, "elsewhere", 5_000),
    ] {
        let user = w
            .store
            .get_or_create_user(streamer, name)
            .await
            .unwrap()
            .user;
        w.store
            .add_drop_points(
                streamer,
                user.id,
                NewDrop {
                    score,
                    is_perfect: false,
                    powerup_used: None,
                },
            )
            .await
            .unwrap();
    }
    let rich = w
        .store
        .get_or_create_user(w.chan, "rich")
        .await
        .unwrap()
        .user;
    w.store
        .set_points(
            w.chan,
            rich.id,
            AdminSetPoints {
                channel_points: 1_000_000,
                drop_points: Some(1),
                description: None,
            },
        )
        .await
        .unwrap();
    let alice = KickViewer::new(7, "alice");
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!droptop"), &[])
            .await
            .as_deref(),
        Some("@alice drop top 5: 1. @high 900 · 2. @mid 400 · 3. @low 100 · 4. @rich 1")
    );
}

#[tokio::test]
async fn say_spends_and_verify_reports_a_missing_code() {
    let w = World::new().await;
    let alice = KickViewer::new(7, "alice");
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!say id=amy hello there"), &[])
            .await
            .as_deref(),
        Some("@alice you need 500 points and have 25.")
    );
    w.set_balance(w.chan, "alice", 600).await;
    w.wait(31);
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!say id=amy hello there"), &[])
            .await
            .as_deref(),
        Some("@alice your message is queued (-500 points, balance 125).")
    );
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!say id=amy"), &[])
            .await
            .as_deref(),
        Some("@alice usage: !say [id=VOICE] text, costs 500 points.")
    );
    assert_eq!(
        w.balance(w.chan, "alice").await,
        150,
        "a usage hint spends nothing"
    );
    assert_eq!(
        w.send(w.chan, w.chat(&alice, "!verify NOPE42"), &[])
            .await
            .as_deref(),
        Some("@alice that code is not valid or has expired: ask the page for a new one.")
    );
}

#[tokio::test]
async fn subscriptions_and_gifts_are_thanked_once() {
    let w = World::new().await;
    let alice = KickViewer::new(7, "alice");
    let sub = KickEvent::Subscription {
        subscriber: alice.clone(),
        renewal: false,
    };
    assert_eq!(
        w.send(w.chan, sub, &[]).await.as_deref(),
        Some("Thank you for subscribing, @alice! +2,000 points.")
    );
    let gifts = KickEvent::Gifts {
        gifter: Some(alice.clone()),
        giftees: vec![KickViewer::new(20, "g1"), KickViewer::new(21, "g2")],
    };
    let (_, text) = w
        .send_as(w.chan, DeliveryId("gift".into()), gifts.clone(), &[])
        .await;
    assert_eq!(
        text.as_deref(),
        Some("Thank you @alice for gifting 2 subs! +3,000 points.")
    );
    let (_, again) = w
        .send_as(w.chan, DeliveryId("gift".into()), gifts, &[])
        .await;
    assert_eq!(again, None);
    assert_eq!(w.balance(w.chan, "alice").await, 5_000);
    let kicks = KickEvent::Kicks {
        sender: alice,
        amount: 3,
    };
    assert_eq!(w.send(w.chan, kicks, &[]).await, None);
    assert_eq!(w.balance(w.chan, "alice").await, 5_300);
}
