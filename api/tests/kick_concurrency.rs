//! Many Kick deliveries at once for the same viewers (earns, gambles, coin flips, duels,
//! purchases and uses, Kicks, redeliveries racing their original) never overdraw a balance,
//! never lose an update, and leave every viewer's ledger summing to their balance. A refused
//! command and an uncovered duel change nothing; the scenario that shows it catches the two
//! transaction faults of the conformance wrapper.

mod common;

use common::kick::{Delivery, chat, kicks, now};
use common::{Tenant, TestServer};
use conformance::faults::{Fault, Faulty};
use datastore::{DataStore, PointSource, StreamerId};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::sync::Arc;

const ALPHA: i64 = 900_001;

const VIEWERS: [(i64, &str); 6] = [
    (5_001, "ann"),
    (5_002, "bob"),
    (5_003, "cid"),
    (5_004, "dee"),
    (5_005, "eve"),
    (5_006, "fay"),
];

/// No cooldowns, so every command of the storm runs.
fn storm_economy() -> Value {
    let on = json!({"enabled": true, "cooldown_secs": 0});
    json!({"commands": {
        "points": on, "stats": on, "droptop": on, "gamble": on, "coinflip": on, "duel": on,
        "shop": on, "use_powerup": on, "say": on, "verify": on, "say_cost": 100,
        "gamble_min": 10, "gamble_max": 10000, "duel_min": 50, "duel_max": 5000
    }})
}

/// Balances, ledgers and inventories of every viewer of `t`: what is wrong with them.
async fn audit(store: &dyn DataStore, t: &Tenant) -> Vec<String> {
    let s = StreamerId(t.id);
    let export = store.export_streamer(s).await.unwrap().unwrap();
    let mut found = Vec::new();
    for p in &export.points {
        let ledger: i64 = export
            .transactions
            .iter()
            .filter(|x| x.user_id == p.user_id)
            .map(|x| x.amount)
            .sum();
        if p.channel_points < 0 {
            found.push(format!(
                "user {} is overdrawn: {}",
                p.user_id, p.channel_points
            ));
        }
        if ledger != p.channel_points {
            found.push(format!(
                "user {}: the ledger sums to {ledger}, the balance is {}",
                p.user_id, p.channel_points
            ));
        }
    }
    for row in &export.inventory {
        let bought = export
            .purchases
            .iter()
            .filter(|p| p.user_id == row.user_id && p.powerup == row.powerup)
            .count() as i64;
        if row.quantity < 0 || row.quantity > bought {
            found.push(format!("an inventory row {row:?} with {bought} purchases"));
        }
    }
    found
}

on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_storm_of_deliveries_never_overdraws_or_loses_an_update() {
        let s = TestServer::start_kick().await;
        let a = s.kick_tenant("alpha", ALPHA).await;
        s.set_economy(&a, storm_economy()).await;
        // Everyone starts with 1,000 points (10 Kicks).
        for v in VIEWERS {
            assert_eq!(Delivery::signed(kicks(ALPHA, v, 10)).send(&s).await.status, 200);
        }
        let mut deliveries = Vec::new();
        let mut chats = [0i64; VIEWERS.len()];
        for round in 0..25 {
            for (i, v) in VIEWERS.iter().enumerate() {
                let other = VIEWERS[(i + 1 + round) % VIEWERS.len()].1;
                let text = match (round + i) % 9 {
                    0 => "!gamble 300".to_owned(),
                    1 => "!coinflip 250".to_owned(),
                    2 => format!("!duel @{other} 400"),
                    3 => "!accept".to_owned(),
                    4 => "!drop -buy tnt".to_owned(),
                    5 => "!tnt".to_owned(),
                    6 => "!say storm".to_owned(),
                    7 => "!decline".to_owned(),
                    _ => "just chatting".to_owned(),
                };
                chats[i] += 1;
                deliveries.push(Delivery::signed(chat(ALPHA, *v, &text, now())));
            }
        }
        // Redeliveries race their originals.
        let originals = deliveries.len();
        for d in deliveries.clone().into_iter().step_by(10) {
            deliveries.push(d);
        }
        let kicks_sent = 12;
        for n in 0..kicks_sent {
            deliveries.push(Delivery::signed(kicks(ALPHA, VIEWERS[n % VIEWERS.len()], 1)));
        }
        let answers: Vec<_> = futures_util::stream::iter(deliveries.iter())
            .map(|d| d.send(&s))
            .buffer_unordered(24)
            .collect()
            .await;
        let mut outcomes = std::collections::BTreeMap::new();
        for r in &answers {
            assert_eq!(r.status, 200, "{}", r.text);
            *outcomes.entry(r.json["outcome"].as_str().unwrap().to_owned()).or_insert(0) += 1;
        }
        assert_eq!(outcomes.get("applied"), Some(&(originals + kicks_sent)), "{outcomes:?}");
        assert_eq!(outcomes.get("duplicate"), Some(&(answers.len() - originals - kicks_sent)));
        // Whether a storm duel settles is up to the scheduler (an accept can come before its
        // challenge); two newcomers then settle one for certain, so the checks below always
        // see a settled duel beside the storm's.
        let (zed, yan) = ((5_101, "zed"), (5_102, "yan"));
        let settle = [
            kicks(ALPHA, zed, 10),
            kicks(ALPHA, yan, 10),
            chat(ALPHA, zed, "!duel @yan 400", now()),
            chat(ALPHA, yan, "!accept", now()),
        ];
        for event in settle {
            let r = Delivery::signed(event).send(&s).await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
        for v in [zed, yan] {
            let user = s.store.get_kick_viewer(StreamerId(a.id), v.0).await.unwrap().expect("a newcomer");
            let summary = s.store.points_summary(StreamerId(a.id), user.id).await.unwrap().unwrap();
            let duels = summary.iter().find(|r| r.source == PointSource::Duel).map_or(0, |r| r.transactions);
            assert_eq!(duels, 1, "{}'s duel settled: {summary:?}", v.1);
        }
        let found = audit(&*s.store, &a).await;
        assert!(found.is_empty(), "{}", found.join("\n"));
        // Every chat message earned once, every Kick paid once: nothing lost, nothing twice.
        let st = StreamerId(a.id);
        for (i, v) in VIEWERS.iter().enumerate() {
            let user = s.store.get_kick_viewer(st, v.0).await.unwrap().expect("the viewer");
            let summary = s.store.points_summary(st, user.id).await.unwrap().unwrap();
            let of = |source: PointSource| summary.iter().find(|r| r.source == source).map_or((0, 0), |r| (r.transactions, r.total));
            assert_eq!(of(PointSource::Chat), (chats[i] as u64, 25 * chats[i]), "{}: {summary:?}", v.1);
            let tips = (kicks_sent / VIEWERS.len()) as i64;
            assert_eq!(of(PointSource::Tip).1, 1_000 + 100 * tips, "{}: {summary:?}", v.1);
        }
        // The games moved points around: the duels' winnings and losses cancel out.
        let export = s.store.export_streamer(st).await.unwrap().unwrap();
        let duel: i64 = export.transactions.iter().filter(|t| t.source == PointSource::Duel).map(|t| t.amount).sum();
        assert_eq!(duel, 0, "duels only move points between viewers");
        assert!(export.transactions.iter().any(|t| t.source == PointSource::Duel), "no duel was settled");
        assert!(export.transactions.iter().any(|t| t.source == PointSource::Gamble), "no gamble ran");
        s.stop().await;
    }
}

/// A refused command changes nothing, and neither does a duel whose loser no longer covers the
/// stake. Answers what went wrong.
async fn refusals(s: &TestServer) -> Vec<String> {
    let a = s.kick_tenant("alpha", ALPHA).await;
    let mut economy = storm_economy();
    economy["commands"]["gamble"]["cooldown_secs"] = json!(3600);
    s.set_economy(&a, economy).await;
    let mut found = Vec::new();
    let send = |d: Delivery| async move { d.send(s).await };
    let (ann, bob) = (VIEWERS[0], VIEWERS[1]);
    // Ann has 25 (her message's earn): a gamble of 100 is refused, and its cooldown with it.
    send(Delivery::signed(chat(ALPHA, ann, "!gamble 100", now()))).await;
    send(Delivery::signed(kicks(ALPHA, ann, 1))).await;
    let before = common::kick::balance(&*s.store, &a, ann.0).await;
    send(Delivery::signed(chat(ALPHA, ann, "!gamble 100", now()))).await;
    let gambled = s
        .store
        .export_streamer(StreamerId(a.id))
        .await
        .unwrap()
        .unwrap()
        .transactions
        .iter()
        .any(|t| t.source == PointSource::Gamble);
    let after = common::kick::balance(&*s.store, &a, ann.0).await;
    if !gambled && after == before + 25 {
        found.push(
            "the refused gamble's cooldown stayed: the second gamble was cooling down".to_owned(),
        );
    }
    // A duel whose challenger spends the stake before it is accepted: whoever loses no longer
    // covers it (bob has only his messages' earns), so the accept is refused and the duel
    // stays open.
    send(Delivery::signed(kicks(ALPHA, ann, 2))).await;
    send(Delivery::signed(chat(ALPHA, bob, "hi", now()))).await;
    let stake = common::kick::balance(&*s.store, &a, ann.0).await;
    let r = send(Delivery::signed(chat(
        ALPHA,
        ann,
        &format!("!duel @bob {stake}"),
        now(),
    )))
    .await;
    if r.status != 200 {
        found.push(format!("the challenge: {}", r.text));
    }
    send(Delivery::signed(chat(ALPHA, ann, "!say spend it", now()))).await;
    send(Delivery::signed(chat(ALPHA, ann, "!say and more", now()))).await;
    let duels_before = s.store.list_duels(StreamerId(a.id)).await.unwrap();
    send(Delivery::signed(chat(ALPHA, bob, "!accept", now()))).await;
    let duels_after = s.store.list_duels(StreamerId(a.id)).await.unwrap();
    if duels_before.len() != 1 || duels_after.len() != 1 {
        found.push(format!(
            "an uncovered duel was settled: open before {duels_before:?}, after {duels_after:?}"
        ));
    }
    found.extend(audit(&*s.store, &a).await);
    found
}

#[tokio::test]
async fn a_refused_command_and_an_uncovered_duel_change_nothing() {
    let s = TestServer::start_kick().await;
    let found = refusals(&s).await;
    assert!(found.is_empty(), "{}", found.join("\n"));
    s.stop().await;
    for fault in [Fault::CommandNotRolledBack, Fault::DuelSettleUnchecked] {
        let s = TestServer::start_kick_wrapped(common::kick::KickSetup::default(), |store| {
            Arc::new(Faulty::new(store, fault)) as Arc<dyn DataStore>
        })
        .await;
        let found = refusals(&s).await;
        println!("{fault:?}: {found:?}");
        assert!(!found.is_empty(), "{fault:?} went unnoticed");
        s.stop().await;
    }
}
