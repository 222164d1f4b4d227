//! `POST /api/kick/webhook` over real HTTP: a signed delivery applies exactly once; a forged,
//! missing, foreign or stale signature is 401 and changes nothing; unknown event types,
//! versions and channels are acknowledged and ignored; bodies that do not fit are 400 (never
//! 500) and change nothing; no configured key is 503. Also the economy's admin routes and the
//! stream's live state.

mod common;

use common::kick::{
    Delivery, KickSetup, Signer, balance, chat, digest, follow, fresh_id, gifts, kicks, live, now,
    subscription,
};
use common::sse::Sse;
use common::{Tenant, TestServer};
use datastore::{DeliveryId, StreamerId, Timestamp};
use serde_json::{Value, json};
use std::time::Duration;

const ALPHA: i64 = 900_001;
const ANN: (i64, &str) = (5_001, "ann");
const BOB: (i64, &str) = (5_002, "bob");

async fn alpha(s: &TestServer) -> Tenant {
    s.kick_tenant("alpha", ALPHA).await
}

async fn stream_state(s: &TestServer) -> Value {
    s.get("/alpha/api/stream", None).await.json
}

async fn seen(s: &TestServer, t: &Tenant, id: &str) -> bool {
    s.store
        .delivery_seen(StreamerId(t.id), &DeliveryId(id.to_owned()))
        .await
        .expect("a read")
}

fn at_offset(secs: i64) -> Timestamp {
    Timestamp::from_millis(now().as_millis() + secs * 1000).expect("a time")
}

/// Sends `d` and checks the answer is `status` with the error `code`.
async fn refused(s: &TestServer, d: &Delivery, status: u16, code: &str) -> Value {
    let r = d.send(s).await;
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.json["error"]["code"], code, "{}", r.text);
    r.json
}

on_both_backends! {
    #[tokio::test]
    async fn a_signed_chat_message_earns_once_and_a_redelivery_changes_nothing() {
        let s = TestServer::start_kick().await;
        let a = alpha(&s).await;
        let d = Delivery::signed(chat(ALPHA, ANN, "hello chat", now()));
        let r = d.send(&s).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json, json!({"outcome": "applied"}));
        assert_eq!(balance(&*s.store, &a, ANN.0).await, 25, "the default chat earn");
        assert!(seen(&s, &a, &d.id).await);
        let state = s.get("/alpha/api/stream", None).await;
        assert_eq!(state.json["live"], true, "a chat message marks the stream live");
        let before = digest(&*s.store, a.id).await;
        // Kick sends it again (the same bytes), and again with another body under the same id.
        let again = d.send(&s).await;
        assert_eq!(again.status, 200, "{}", again.text);
        assert_eq!(again.json, json!({"outcome": "duplicate"}));
        let other_body = Delivery::build(
            Signer::test(),
            &d.id,
            now(),
            "chat.message.sent",
            "1",
            &chat(ALPHA, ANN, "!gamble 10", now()).1,
        );
        assert_eq!(other_body.send(&s).await.json, json!({"outcome": "duplicate"}));
        assert_eq!(digest(&*s.store, a.id).await, before, "a redelivery changed something");
        assert_eq!(balance(&*s.store, &a, ANN.0).await, 25);
        s.stop().await;
    }

    #[tokio::test]
    async fn forged_missing_and_foreign_signatures_are_401_and_change_nothing() {
        let s = TestServer::start_kick().await;
        let a = alpha(&s).await;
        let before = digest(&*s.store, a.id).await;
        let (kind, body) = kicks(ALPHA, ANN, 50);
        let good = Delivery::build(Signer::test(), &fresh_id(), now(), &kind, "1", &body);
        let mut cases: Vec<(&str, Delivery)> = Vec::new();
        cases.push(("signed with another key", Delivery::build(Signer::other(), &fresh_id(), now(), &kind, "1", &body)));
        let mut tampered = good.clone();
        tampered.body = kicks(ALPHA, ANN, 5000).1.to_string().into_bytes();
        cases.push(("the body changed after signing", tampered));
        let mut other_id = good.clone();
        other_id.id = fresh_id();
        cases.push(("the id changed after signing", other_id));
        let mut other_time = good.clone();
        other_time.timestamp = at_offset(-1).to_string();
        cases.push(("the timestamp changed after signing", other_time));
        let mut garbage = good.clone();
        garbage.signature = "not base64 at all!".into();
        cases.push(("a signature that is not base64", garbage));
        let mut short = good.clone();
        short.signature = "AAAA".into();
        cases.push(("a signature of the wrong length", short));
        for (what, d) in &cases {
            let r = d.send(&s).await;
            assert_eq!(r.status, 401, "{what}: {}", r.text);
            assert_eq!(r.json["error"]["code"], "unauthorized", "{what}");
            assert!(r.json["error"]["message"].as_str().unwrap().contains("Kick-Event-Signature"), "{what}: {}", r.text);
            assert!(!seen(&s, &a, &d.id).await, "{what}: the id was recorded");
        }
        for missing in ["Kick-Event-Message-Id", "Kick-Event-Message-Timestamp", "Kick-Event-Signature"] {
            let mut req = s
                .client
                .post(format!("{}/api/kick/webhook", s.base))
                .header("content-type", "application/json")
                .header("Kick-Event-Type", &kind)
                .header("Kick-Event-Version", "1");
            for (name, value) in [
                ("Kick-Event-Message-Id", &good.id),
                ("Kick-Event-Message-Timestamp", &good.timestamp),
                ("Kick-Event-Signature", &good.signature),
            ] {
                if name != missing {
                    req = req.header(name, value);
                }
            }
            let r = common::kick::into_resp(req.body(good.body.clone()).send().await.unwrap()).await;
            assert_eq!(r.status, 401, "without {missing}: {}", r.text);
            assert!(r.json["error"]["message"].as_str().unwrap().contains(missing), "{}", r.text);
        }
        assert_eq!(digest(&*s.store, a.id).await, before, "a refused delivery changed something");
        // The untouched original still applies.
        assert_eq!(good.send(&s).await.status, 200);
        assert_eq!(balance(&*s.store, &a, ANN.0).await, 50 * 100);
        s.stop().await;
    }

    #[tokio::test]
    async fn deliveries_stamped_outside_the_replay_window_are_401() {
        let s = TestServer::start_kick_with(KickSetup {
            replay_window: Duration::from_secs(300),
            ..KickSetup::default()
        })
        .await;
        let a = alpha(&s).await;
        let before = digest(&*s.store, a.id).await;
        let (kind, body) = follow(ALPHA, ANN);
        for offset in [-301, 301, -86_400, 10 * 86_400] {
            let d = Delivery::build(Signer::test(), &fresh_id(), at_offset(offset), &kind, "1", &body);
            let json = refused(&s, &d, 401, "unauthorized").await;
            assert!(json["error"]["message"].as_str().unwrap().contains("replay window"), "{json}");
        }
        let not_a_time = Delivery::raw(Signer::test(), &fresh_id(), "yesterday", &kind, "1", body.to_string().into_bytes());
        refused(&s, &not_a_time, 401, "unauthorized").await;
        assert_eq!(digest(&*s.store, a.id).await, before);
        for offset in [-290, 290, 0] {
            let d = Delivery::build(Signer::test(), &fresh_id(), at_offset(offset), &kind, "1", &body);
            assert_eq!(d.send(&s).await.status, 200, "{offset} s off is inside the window");
        }
        s.stop().await;
    }

    #[tokio::test]
    async fn unknown_types_versions_and_channels_are_acknowledged_and_ignored() {
        let s = TestServer::start_kick().await;
        let a = alpha(&s).await;
        let before = digest(&*s.store, a.id).await;
        let (_, chat_body) = chat(ALPHA, ANN, "hi", now());
        let cases = [
            ("moderation.banned", "1", json!({"broadcaster": {"user_id": ALPHA}, "banned_user": {"user_id": 1}})),
            ("channel.reward.redemption.updated", "1", json!({"id": "x"})),
            ("chat.message.sent", "2", chat_body.clone()),
            ("chat.message.sent", "1", chat(123_456, ANN, "hi", now()).1),
        ];
        let mut ids = Vec::new();
        for (kind, version, body) in cases {
            let d = Delivery::build(Signer::test(), &fresh_id(), now(), kind, version, &body);
            let r = d.send(&s).await;
            assert_eq!(r.status, 200, "{kind} v{version}: {}", r.text);
            assert_eq!(r.json["outcome"], "ignored", "{}", r.text);
            assert!(r.json["reason"].is_string());
            ids.push(d.id);
        }
        // A version this server does not know is ignored even when its body is not JSON.
        let d = Delivery::raw(Signer::test(), &fresh_id(), &now().to_string(), "chat.message.sent", "9", b"<xml/>".to_vec());
        assert_eq!(d.send(&s).await.json["outcome"], "ignored");
        assert_eq!(digest(&*s.store, a.id).await, before);
        for id in ids {
            assert!(!seen(&s, &a, &id).await, "an ignored delivery's id was recorded");
        }
        s.stop().await;
    }

    #[tokio::test]
    async fn bodies_that_do_not_fit_are_4xx_never_500_and_change_nothing() {
        let s = TestServer::start_kick().await;
        let a = alpha(&s).await;
        let before = digest(&*s.store, a.id).await;
        let raw = |kind: &str, body: &[u8]| {
            Delivery::raw(Signer::test(), &fresh_id(), &now().to_string(), kind, "1", body.to_vec())
        };
        let cases: Vec<(&str, Delivery, u16, &str, &str)> = vec![
            ("not JSON", raw("channel.followed", b"{\"broadcaster\": "), 400, "malformed_json", ""),
            ("an array", raw("channel.followed", b"[1]"), 400, "invalid_body", "object"),
            ("no follower", raw("channel.followed", json!({"broadcaster": {"user_id": ALPHA}}).to_string().as_bytes()), 400, "invalid_body", "follower"),
            ("no broadcaster", raw("chat.message.sent", json!({"sender": {"user_id": 1, "username": "x"}, "content": "hi"}).to_string().as_bytes()), 400, "invalid_body", "broadcaster"),
            ("a text user id", raw("kicks.gifted", json!({"broadcaster": {"user_id": ALPHA}, "sender": {"user_id": "five", "username": "x"}, "gift": {"amount": 1}}).to_string().as_bytes()), 400, "invalid_body", "invalid type"),
            ("a negative kicks amount", raw("kicks.gifted", kicks(ALPHA, ANN, -5).1.to_string().as_bytes()), 400, "invalid_body", "gift.amount"),
            ("a key named twice", raw("kicks.gifted", format!("{{\"gift\": {{\"amount\": 1}}, {}", &kicks(ALPHA, ANN, 1).1.to_string()[1..]).as_bytes()), 400, "invalid_body", ""),
            ("an amount past i64", raw("kicks.gifted", kicks(ALPHA, ANN, 1).1.to_string().replace("\"amount\":1", "\"amount\":99999999999999999999999").as_bytes()), 400, "invalid_body", ""),
            ("a non-anonymous gifter without an id", raw("channel.subscription.gifts", json!({"broadcaster": {"user_id": ALPHA}, "gifter": {"is_anonymous": false, "username": "x"}, "giftees": []}).to_string().as_bytes()), 400, "invalid_body", "gifter"),
        ];
        for (what, d, status, code, mentions) in cases {
            let r = d.send(&s).await;
            assert_eq!(r.status, status, "{what}: {}", r.text);
            assert_eq!(r.json["error"]["code"], code, "{what}: {}", r.text);
            assert!(r.json["error"]["message"].as_str().unwrap().contains(mentions), "{what}: {}", r.text);
            assert!(!seen(&s, &a, &d.id).await, "{what}");
        }
        // Ids Kick would never send.
        for id in ["has space", &"x".repeat(129), "tab\there"] {
            let (kind, body) = follow(ALPHA, ANN);
            let d = Delivery::build(Signer::test(), id, now(), &kind, "1", &body);
            let r = d.send(&s).await;
            assert_eq!(r.status, 400, "{id:?}: {}", r.text);
        }
        assert_eq!(digest(&*s.store, a.id).await, before, "a refused body changed something");
        // Absurd but well-formed: acknowledged or refused, never a 500, and never partial.
        let absurd = vec![
            Delivery::signed(kicks(ALPHA, ANN, i64::MAX)),
            Delivery::signed(kicks(ALPHA, (-7, "negative"), 5)),
            Delivery::signed(kicks(ALPHA, (0, "zero"), 5)),
            Delivery::signed(chat(ALPHA, (5_003, &"n".repeat(300)), "hi", now())),
            Delivery::signed(chat(ALPHA, (5_004, ""), "hi", now())),
            Delivery::signed(chat(ALPHA, (5_005, "carl"), "!gamble 99999999999999999999", now())),
            Delivery::signed(chat(ALPHA, (5_005, "carl"), &"x".repeat(50_000), now())),
            Delivery::signed(gifts(ALPHA, Some(BOB), &(0..200).map(|i| (10_000 + i, "giftee")).collect::<Vec<_>>())),
        ];
        for d in absurd {
            let before = digest(&*s.store, a.id).await;
            let r = d.send(&s).await;
            assert!(r.status < 500, "{}: {}", String::from_utf8_lossy(&d.body[..d.body.len().min(200)]), r.text);
            if r.status != 200 {
                assert_eq!(digest(&*s.store, a.id).await, before, "a refused delivery changed something");
            }
        }
        let ann = balance(&*s.store, &a, ANN.0).await;
        assert!((0..=datastore::validate::MAX_BALANCE).contains(&ann), "{ann}");
        s.stop().await;
    }

    #[tokio::test]
    async fn without_a_public_key_every_delivery_is_503() {
        let s = TestServer::start_kick_with(KickSetup { public_key: None, ..KickSetup::default() }).await;
        let a = alpha(&s).await;
        let before = digest(&*s.store, a.id).await;
        let d = Delivery::signed(chat(ALPHA, ANN, "hi", now()));
        let json = refused(&s, &d, 503, "unavailable").await;
        assert!(json["error"]["message"].as_str().unwrap().contains("--kick-public-key"), "{json}");
        assert_eq!(digest(&*s.store, a.id).await, before);
        s.stop().await;
    }

    #[tokio::test]
    async fn every_event_type_does_what_the_economy_says() {
        let s = TestServer::start_kick().await;
        let a = alpha(&s).await;
        for goal in ["followers", "subscribers"] {
            let r = s
                .call("PUT", &format!("/alpha/api/goals/{goal}"), Some(&a.key), Some(json!({"label": goal, "target_value": 100})))
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
        let mut stream = Sse::open(&s.base, "/alpha/api/events", None).await;
        let send = |e| async { Delivery::signed(e).send(&s).await };
        assert_eq!(send(follow(ALPHA, ANN)).await.status, 200);
        assert_eq!(send(subscription(ALPHA, ANN, false)).await.status, 200);
        assert_eq!(send(subscription(ALPHA, ANN, true)).await.status, 200);
        assert_eq!(send(gifts(ALPHA, Some(BOB), &[(5_010, "g1"), (5_011, "g2"), (5_012, "g3")])).await.status, 200);
        assert_eq!(send(gifts(ALPHA, None, &[(5_013, "g4")])).await.status, 200);
        assert_eq!(send(kicks(ALPHA, BOB, 7)).await.status, 200);
        assert_eq!(balance(&*s.store, &a, ANN.0).await, 2_000 + 1_000);
        assert_eq!(balance(&*s.store, &a, BOB.0).await, 3 * 1_500 + 7 * 100);
        let goals = s.get("/alpha/api/goals", None).await.json;
        let value = |id: &str| goals.as_array().unwrap().iter().find(|g| g["id"] == id).unwrap()["current_value"].clone();
        assert_eq!(value("followers"), 1);
        assert_eq!(value("subscribers"), 1 + 1 + 3 + 1);
        // The overlays hear every change at once: the write rang the streamer's streams.
        let events = stream.collect(Duration::from_millis(1500)).await;
        let kinds: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
        assert!(kinds.contains(&"alert"), "{kinds:?}");
        assert!(kinds.contains(&"goal_changed"), "{kinds:?}");
        assert!(kinds.contains(&"points_changed"), "{kinds:?}");
        let alerts: Vec<&Value> = events.iter().filter(|e| e.event == "alert").map(|e| &e.data["data"]).collect();
        assert_eq!(alerts.len(), 6, "{alerts:?}");
        assert!(alerts.iter().any(|a| a["username"].is_null()), "the anonymous gift: {alerts:?}");
        s.stop().await;
    }

    #[tokio::test]
    async fn the_live_state_follows_deliveries_and_a_late_one_never_undoes_a_newer_one() {
        let s = TestServer::start_kick().await;
        let a = alpha(&s).await;
        assert_eq!(stream_state(&s).await["live"], false);
        let t0 = at_offset(-120);
        assert_eq!(Delivery::signed(live(ALPHA, true, t0)).send(&s).await.status, 200);
        assert_eq!(stream_state(&s).await["live"], true);
        let t2 = at_offset(-60);
        assert_eq!(Delivery::signed(live(ALPHA, false, t2)).send(&s).await.status, 200);
        assert_eq!(stream_state(&s).await["live"], false);
        // Stamped between the two, delivered after both: too late to count.
        assert_eq!(Delivery::signed(live(ALPHA, true, at_offset(-90))).send(&s).await.status, 200);
        assert_eq!(Delivery::signed(chat(ALPHA, ANN, "late", at_offset(-80))).send(&s).await.status, 200);
        let now_state = stream_state(&s).await;
        assert_eq!(now_state["live"], false, "{now_state}");
        assert_eq!(now_state["changed_at"], json!(t2.to_string()));
        // The late chat message still earns (chat points do not wait for the live flag).
        assert_eq!(balance(&*s.store, &a, ANN.0).await, 25);
        s.stop().await;
    }

    #[tokio::test]
    async fn the_economy_routes_read_replace_and_validate() {
        let s = TestServer::start_kick().await;
        let a = alpha(&s).await;
        let path = "/alpha/api/economy";
        let got = s.get(path, Some(&a.key)).await;
        assert_eq!(got.status, 200, "{}", got.text);
        assert_eq!(got.json["chat_points"], 25, "the legacy defaults until set");
        assert_eq!(got.json["commands"]["gamble_max"], 10_000);
        assert_eq!(s.get(path, None).await.status, 401);
        let put = s.call("PUT", path, Some(&a.key), Some(json!({"chat_points": 7, "commands": {"say_cost": 3}}))).await;
        assert_eq!(put.status, 200, "{}", put.text);
        assert_eq!(put.json["chat_points"], 7);
        assert_eq!(put.json["watch_points"], 5, "a field left out takes its default");
        assert_eq!(put.json["commands"]["say_cost"], 3);
        assert_eq!(s.get(path, Some(&a.key)).await.json, put.json);
        for (body, code, mentions) in [
            (json!({"chat_points": -1}), "invalid_input", "chat_points"),
            (json!({"commands": {"gamble_min": 50, "gamble_max": 5}}), "invalid_input", "gamble_min"),
            (json!({"watch_window_secs": 0}), "invalid_input", "watch_window_secs"),
            (json!({"follower_goal": "has space"}), "invalid_input", "follower_goal"),
            (json!({"chat_pints": 7}), "invalid_body", "chat_pints"),
            (json!({"commands": {"gamble": {"enabled": true}}}), "invalid_body", "cooldown_secs"),
        ] {
            let r = s.call("PUT", path, Some(&a.key), Some(body.clone())).await;
            assert_eq!(r.status, 400, "{body}: {}", r.text);
            assert_eq!(r.json["error"]["code"], code, "{body}: {}", r.text);
            assert!(r.text.contains(mentions), "{body}: {}", r.text);
        }
        let twice = s.raw("PUT", path, Some(&a.key), Some(br#"{"chat_points": 1, "chat_points": 900}"#.to_vec())).await;
        assert_eq!(twice.status, 400, "{}", twice.text);
        assert_eq!(s.get(path, Some(&a.key)).await.json, put.json, "a refused change changed nothing");
        // Deliveries use it at once.
        assert_eq!(Delivery::signed(chat(ALPHA, ANN, "hi", now())).send(&s).await.status, 200);
        assert_eq!(balance(&*s.store, &a, ANN.0).await, 7);
        s.stop().await;
    }

    #[tokio::test]
    async fn a_delivery_whose_client_hangs_up_is_still_applied_and_rung() {
        use tokio::io::AsyncWriteExt;
        let s = TestServer::start_kick().await;
        let a = alpha(&s).await;
        let mut stream = Sse::open(&s.base, "/alpha/api/events", None).await;
        let d = Delivery::signed(kicks(ALPHA, ANN, 3));
        let addr = s.base.trim_start_matches("http://");
        let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /api/kick/webhook HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Kick-Event-Message-Id: {}\r\nKick-Event-Message-Timestamp: {}\r\nKick-Event-Signature: {}\r\n\
             Kick-Event-Type: {}\r\nKick-Event-Version: 1\r\nContent-Length: {}\r\n\r\n",
            d.id, d.timestamp, d.signature, d.event_type, d.body.len()
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        tcp.write_all(&d.body).await.unwrap();
        // Hang up before the answer.
        tokio::time::sleep(Duration::from_millis(5)).await;
        drop(tcp);
        let got = stream.collect(Duration::from_secs(3)).await;
        assert!(got.iter().any(|e| e.event == "points_changed"), "{got:?}");
        assert_eq!(balance(&*s.store, &a, ANN.0).await, 300);
        assert!(seen(&s, &a, &d.id).await);
        s.stop().await;
    }
}
