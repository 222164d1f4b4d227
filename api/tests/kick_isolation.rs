//! Kick deliveries keep streamers apart: two streamers whose viewers share Kick user ids and
//! usernames, and whose deliveries share ids, each see only their own. A's deliveries never
//! touch B; a command in A's chat reads only A (`!points` for a name with points only under B
//! answers A's own balance); the economy, the live state, duels and the watch award are each
//! the streamer's own. The same scenario, run over a store broken in each of the ways the
//! conformance faults imitate, must notice every fault a delivery can expose.

mod common;

use api::kick::watch;
use api::live::{EventHub, LiveConfig};
use common::kick::{
    Behaviour, Delivery, FakeKick, KickSetup, Signer, balance, chat, digest, kicks, live, now,
};
use common::{Tenant, TestServer};
use conformance::faults::{Fault, Faulty};
use datastore::{DataStore, PointSource, StreamerId, SystemClock};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const ALPHA: i64 = 900_001;
const BRAVO: i64 = 900_002;
const ANN: (i64, &str) = (5_001, "ann");
const BOB: (i64, &str) = (5_002, "bob");
const CARL: (i64, &str) = (5_003, "carl");
const DAVE: (i64, &str) = (5_004, "dave");
const ERIN: (i64, &str) = (5_005, "erin");

/// Kick faults the scenario need not notice, with the reason: no delivery, route or the watch
/// job calls their operation, or they are not isolation faults.
const NOT_REACHABLE: &[(&str, &str)] = &[
    (
        "DeliverySeenAnyTenant",
        "the server never asks whether a delivery was seen: apply_delivery decides",
    ),
    (
        "PurgeDeliveriesAllTenants",
        "the scheduled purge runs for every streamer",
    ),
    ("DuelsListIncludeOthers", "no route lists duels"),
    (
        "KickViewerReadAnyTenant",
        "a reply reads the sender by Kick id only when the delivery's own steps did not name them, and those steps have just made the sender the streamer's viewer",
    ),
    (
        "LiveListUncorrelated",
        "listing a streamer that is not live gives it nothing: its award answers NotLive",
    ),
    (
        "DuelSettleUnchecked",
        "a transaction fault, not an isolation one: tests/kick_concurrency.rs",
    ),
    (
        "CommandNotRolledBack",
        "a transaction fault, not an isolation one: tests/kick_concurrency.rs",
    ),
];

struct Run<'a> {
    s: &'a TestServer,

    found: Vec<String>,
}

impl Run<'_> {
    fn check(&mut self, ok: bool, what: impl Into<String>) {
        if !ok {
            self.found.push(what.into());
        }
    }

    async fn deliver(&mut self, e: (String, serde_json::Value)) {
        self.deliver_as(&common::kick::fresh_id(), e).await;
    }

    async fn deliver_as(&mut self, id: &str, (kind, body): (String, serde_json::Value)) {
        let d = Delivery::build(Signer::test(), id, now(), &kind, "1", &body);
        let r = d.send(self.s).await;
        self.check(
            r.status == 200 && r.json["outcome"] == "applied",
            format!("{kind} {id}: answered {} {}", r.status, r.text),
        );
    }

    async fn balance(&self, t: &Tenant, viewer: (i64, &str)) -> i64 {
        balance(&*self.s.store, t, viewer.0).await
    }

    async fn sources(&self, t: &Tenant, viewer: (i64, &str), source: PointSource) -> u64 {
        let s = StreamerId(t.id);
        let Ok(Some(user)) = self.s.store.get_kick_viewer(s, viewer.0).await else {
            return 0;
        };
        let summary = self
            .s
            .store
            .points_summary(s, user.id)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        summary
            .iter()
            .filter(|r| r.source == source)
            .map(|r| r.transactions)
            .sum()
    }
}

/// The scenario; answers what it found wrong (empty when the streamers stayed apart).
async fn scenario(s: &TestServer, kick: &FakeKick) -> Vec<String> {
    let a = s.kick_tenant("alpha", ALPHA).await;
    let b = s.kick_tenant("bravo", BRAVO).await;
    s.kick_token(&a, "ALPHA-TOKEN").await;
    s.kick_token(&b, "BRAVO-TOKEN").await;
    let mut run = Run {
        s,
        found: Vec::new(),
    };
    let zero_cooldowns =
        json!({"chat_points": 11, "commands": {"points": {"enabled": true, "cooldown_secs": 0}}});
    s.set_economy(&a, zero_cooldowns).await;

    // A goes live: B does not.
    run.deliver(live(ALPHA, true, now())).await;
    let b_stream = s.get("/bravo/api/stream", None).await.json;
    run.check(
        b_stream["live"] == false,
        format!("B's stream after A went live: {b_stream}"),
    );

    // B's viewers first (carl's and dave's points exist only under B), without touching A.
    let a_before = digest(&*s.store, a.id).await;
    run.deliver(kicks(BRAVO, CARL, 10)).await;
    run.deliver(kicks(BRAVO, DAVE, 10)).await;
    run.check(
        digest(&*s.store, a.id).await == a_before,
        "B's deliveries changed A's data",
    );

    // The same viewers chat under both: each streamer pays its own amount to its own viewer.
    run.deliver(chat(ALPHA, ANN, "hello", now())).await;
    run.deliver(chat(ALPHA, ANN, "hello again", now())).await;
    run.deliver(chat(BRAVO, ANN, "hello", now())).await;
    let (a_ann, b_ann) = (run.balance(&a, ANN).await, run.balance(&b, ANN).await);
    run.check(a_ann == 22, format!("A's ann has {a_ann}, want 2 × A's 11"));
    run.check(
        b_ann == 25,
        format!("B's ann has {b_ann}, want B's default 25"),
    );

    // One delivery id under both streamers: two unrelated deliveries.
    run.deliver_as("01SHARED-ID", chat(ALPHA, BOB, "hi", now()))
        .await;
    run.deliver_as("01SHARED-ID", chat(BRAVO, BOB, "hi", now()))
        .await;
    let (a_bob, b_bob) = (run.balance(&a, BOB).await, run.balance(&b, BOB).await);
    run.check(
        a_bob == 11 && b_bob == 25,
        format!("bob: A {a_bob} B {b_bob}"),
    );

    // !points in A's chat, for a viewer whose points are B's: A's own balance, in A's chat.
    run.deliver(chat(ALPHA, CARL, "!points", now())).await;
    let got = kick.wait_calls(1, Duration::from_secs(5)).await;
    let reply = got
        .iter()
        .find(|r| r.body["content"].as_str().unwrap_or("").contains("@carl"));
    match reply {
        Some(r) => {
            let content = r.body["content"].as_str().unwrap_or("");
            run.check(
                content.contains("11 points"),
                format!("A's reply for carl: {content}"),
            );
            run.check(
                !content.contains("1,0") && !content.contains("1000"),
                format!("A's reply shows B's points: {content}"),
            );
            run.check(
                r.authorization.as_deref() == Some("Bearer ALPHA-TOKEN"),
                format!("sent with {:?}", r.authorization),
            );
            run.check(
                r.body["broadcaster_user_id"] == ALPHA,
                format!("sent to {}", r.body),
            );
        }
        None => run
            .found
            .push(format!("no reply to carl's !points: {got:?}")),
    }
    let b_carl = run.balance(&b, CARL).await;
    run.check(b_carl == 1_000, format!("B's carl has {b_carl}"));

    // !droptop in A's chat while only B has drop players: A's board is empty.
    match s.store.get_kick_viewer(StreamerId(b.id), CARL.0).await {
        Ok(Some(carl)) => {
            let r = s
                .call(
                    "POST",
                    &format!("/bravo/api/users/{}/drops", carl.id),
                    Some(&b.key),
                    Some(json!({"score": 480, "is_perfect": false})),
                )
                .await;
            run.check(
                r.status == 200,
                format!("B's drop: {} {}", r.status, r.text),
            );
        }
        other => run.found.push(format!("B's carl is not linked: {other:?}")),
    }
    run.deliver(chat(ALPHA, ANN, "!droptop", now())).await;
    let got = kick.wait_calls(2, Duration::from_secs(5)).await;
    match got.iter().find(|r| {
        let content = r.body["content"].as_str().unwrap_or("");
        content.contains("drop top") || content.contains("nobody has drop points")
    }) {
        Some(r) => {
            let content = r.body["content"].as_str().unwrap_or("");
            run.check(
                content.contains("nobody has drop points") && !content.contains("carl"),
                format!("A's drop top shows B's players: {content}"),
            );
        }
        None => run
            .found
            .push(format!("no reply to ann's !droptop: {got:?}")),
    }

    // A duel in B naming a viewer only A has: no such opponent.
    run.deliver(chat(ALPHA, ERIN, "hi", now())).await;
    let dave_before = run.balance(&b, DAVE).await;
    run.deliver(chat(BRAVO, DAVE, "!duel @erin 100", now()))
        .await;
    let duels = s
        .store
        .list_duels(StreamerId(b.id))
        .await
        .unwrap_or_default();
    run.check(
        duels.is_empty(),
        format!("B's duel found A's erin: {duels:?}"),
    );
    let dave_after = run.balance(&b, DAVE).await;
    run.check(
        dave_after == dave_before + 25,
        format!("dave {dave_before} → {dave_after}"),
    );

    // The watch award: both live, each streamer's chatters get one minute, once.
    let hub = EventHub::new(s.store.clone(), LiveConfig::default());
    match watch::award_once(&*s.store, &SystemClock, &hub).await {
        Ok(t) => run.check(
            t.awarded == 2,
            format!("the award reached {} streamers: {t:?}", t.awarded),
        ),
        Err(e) => run.found.push(format!("the watch award failed: {e}")),
    }
    for (t, name) in [(&a, "A"), (&b, "B")] {
        let rows = run.sources(t, ANN, PointSource::Watch).await;
        run.check(rows == 1, format!("{name}'s ann has {rows} watch rows"));
    }

    // B's new economy is B's alone.
    s.set_economy(&b, json!({"chat_points": 3})).await;
    let before = run.balance(&a, ANN).await;
    run.deliver(chat(ALPHA, ANN, "still 11?", now())).await;
    let after = run.balance(&a, ANN).await;
    run.check(
        after == before + 11,
        format!(
            "A's chat paid {} after B changed its economy",
            after - before
        ),
    );
    let b_economy = s.get("/bravo/api/economy", Some(&b.key)).await.json;
    let a_economy = s.get("/alpha/api/economy", Some(&a.key)).await.json;
    run.check(
        b_economy["chat_points"] == 3 && a_economy["chat_points"] == 11,
        format!("economies: A {a_economy} B {b_economy}"),
    );
    run.found
}

async fn kick_server(
    kick: &FakeKick,
    wrap: impl FnOnce(Arc<dyn DataStore>) -> Arc<dyn DataStore>,
) -> TestServer {
    TestServer::start_kick_wrapped(
        KickSetup {
            replies_to: Some(kick.base.clone()),
            ..KickSetup::default()
        },
        wrap,
    )
    .await
}

on_both_backends! {
    #[tokio::test]
    async fn deliveries_keep_streamers_sharing_viewers_and_ids_apart() {
        let kick = FakeKick::start(Behaviour::default()).await;
        let s = kick_server(&kick, |s| s).await;
        let found = scenario(&s, &kick).await;
        assert!(found.is_empty(), "{} violations:\n{}", found.len(), found.join("\n"));
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scenario_notices_every_kick_fault_a_delivery_can_expose() {
    let mut missed = Vec::new();
    let mut caught = 0;
    for &fault in Fault::ALL {
        let name = format!("{fault:?}");
        if !common::kick::kick_driven(fault) {
            continue;
        }
        let kick = FakeKick::start(Behaviour::default()).await;
        let s = kick_server(&kick, |store| {
            Arc::new(Faulty::new(store, fault)) as Arc<dyn DataStore>
        })
        .await;
        let found = scenario(&s, &kick).await;
        s.stop().await;
        println!(
            "{name}: {}",
            found
                .first()
                .map_or("not seen".to_owned(), |f| format!("caught ({f})"))
        );
        let expected = !NOT_REACHABLE.iter().any(|(n, _)| *n == name);
        match (expected, found.is_empty()) {
            (true, true) => missed.push(format!("{name}: {}", fault.describe())),
            (_, false) => caught += 1,
            (false, true) => {}
        }
    }
    println!("{caught} Kick faults caught through the webhook");
    assert!(caught >= 10, "only {caught} caught");
    assert!(
        missed.is_empty(),
        "faults the Kick scenario misses:\n{}",
        missed.join("\n")
    );
}
