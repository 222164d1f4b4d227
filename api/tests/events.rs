//! The event stream over real connections: delivery of acknowledged writes, isolation between
//! streamers, catching up after a reconnect, resets, bad ids and shutdown.

mod common;

use common::TestServer;
use common::sse::Sse;
use datastore::{EventRetention, StreamerId};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(600);

async fn earn(s: &TestServer, t: &common::Tenant, user: i64, amount: i64) {
    let r = s
        .call(
            "POST",
            &format!("/{}/api/users/{user}/points", t.name),
            Some(&t.key),
            Some(json!({"amount": amount, "source": "chat"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

on_both_backends! {
    #[tokio::test]
    async fn an_acknowledged_earn_reaches_an_open_stream() {
        let s = TestServer::start().await;
        let a = s.tenant("alpha").await;
        let alice = s.user(&a, "alice").await;
        let mut stream = Sse::open(&s.base, "/alpha/api/events", None).await;
        assert_eq!(stream.status, 200);
        assert_eq!(stream.headers["content-type"], "text/event-stream");
        assert_eq!(stream.headers["cache-control"], "no-cache");
        earn(&s, &a, alice, 25).await;
        let e = stream.next(WAIT).await.expect("the earn arrives");
        assert_eq!(e.event, "points_changed");
        assert_eq!(e.id, Some(1));
        assert_eq!(e.data["id"], 1);
        assert_eq!(e.data["type"], "points_changed");
        assert_eq!(e.data["data"]["username"], "alice");
        assert_eq!(e.data["data"]["amount"], 25);
        assert_eq!(e.data["data"]["channel_points"], 25);
        assert_eq!(e.data["data"]["source"], "chat");
        assert!(stream.next(QUIET).await.is_none(), "exactly one event");
        s.stop().await;
    }

    #[tokio::test]
    async fn a_stream_never_carries_another_streamers_events() {
        let s = TestServer::start().await;
        let a = s.tenant("alpha").await;
        let b = s.tenant("bravo").await;
        let alice = s.user(&a, "alice").await;
        let bob = s.user(&b, "bob").await;
        let mut b_stream = Sse::open(&s.base, "/bravo/api/events", None).await;
        let mut b_replay = Sse::open(&s.base, "/bravo/api/events", Some("0")).await;
        for _ in 0..5 {
            earn(&s, &a, alice, 10).await;
        }
        // B's own write, after A's: the first thing B's streams carry, with B's own id 1.
        earn(&s, &b, bob, 3).await;
        for stream in [&mut b_stream, &mut b_replay] {
            let got = stream.collect(QUIET * 2).await;
            assert_eq!(got.len(), 1, "B's stream carried {got:?}");
            assert_eq!(got[0].id, Some(1), "B's ids say nothing of A's volume");
            assert_eq!(got[0].data["data"]["username"], "bob");
            assert!(!format!("{got:?}").contains("alice"));
        }
        s.stop().await;
    }

    #[tokio::test]
    async fn a_reconnect_gets_exactly_what_it_missed_in_order_once() {
        let s = TestServer::start().await;
        let a = s.tenant("alpha").await;
        let alice = s.user(&a, "alice").await;
        let mut first = Sse::open(&s.base, "/alpha/api/events", None).await;
        earn(&s, &a, alice, 1).await;
        earn(&s, &a, alice, 2).await;
        let seen = [first.next(WAIT).await.unwrap(), first.next(WAIT).await.unwrap()];
        assert_eq!(seen.iter().map(|e| e.id).collect::<Vec<_>>(), [Some(1), Some(2)]);
        drop(first);
        for amount in 3..=6 {
            earn(&s, &a, alice, amount).await;
        }
        // By header, and by query for clients that cannot set headers.
        let mut by_header = Sse::open(&s.base, "/alpha/api/events", Some("2")).await;
        let mut by_query = Sse::open(&s.base, "/alpha/api/events?last_event_id=2", None).await;
        for stream in [&mut by_header, &mut by_query] {
            assert_eq!(stream.status, 200);
            let got = stream.collect(QUIET).await;
            let ids: Vec<_> = got.iter().map(|e| e.id.unwrap()).collect();
            assert_eq!(ids, [3, 4, 5, 6], "missed events, in order, once");
            let amounts: Vec<_> = got.iter().map(|e| e.data["data"]["amount"].as_i64().unwrap()).collect();
            assert_eq!(amounts, [3, 4, 5, 6]);
        }
        // And then live, without a repeat.
        earn(&s, &a, alice, 7).await;
        let next = by_header.next(WAIT).await.unwrap();
        assert_eq!(next.id, Some(7));
        assert!(by_header.next(QUIET).await.is_none());
        s.stop().await;
    }

    #[tokio::test]
    async fn a_place_older_than_the_retention_gets_one_reset() {
        let s = TestServer::start().await;
        let a = s.tenant("alpha").await;
        let alice = s.user(&a, "alice").await;
        for amount in 1..=5 {
            earn(&s, &a, alice, amount).await;
        }
        let kept = EventRetention { max_age: Duration::from_secs(3600), max_count: 2 };
        assert_eq!(s.store.purge_events(StreamerId(a.id), kept).await.unwrap(), 3);
        let mut behind = Sse::open(&s.base, "/alpha/api/events", Some("1")).await;
        let reset = behind.next(WAIT).await.expect("a reset");
        assert_eq!(reset.event, "reset");
        assert_eq!(reset.id, Some(5));
        assert_eq!(reset.data["last_id"], 5);
        assert!(behind.next(QUIET).await.is_none(), "one reset, no stale events");
        // A place from another history (beyond the latest id) resets too.
        let mut elsewhere = Sse::open(&s.base, "/alpha/api/events", Some("99")).await;
        assert_eq!(elsewhere.next(WAIT).await.unwrap().event, "reset");
        // A place still kept continues without a reset.
        let mut kept_place = Sse::open(&s.base, "/alpha/api/events", Some("3")).await;
        let got = kept_place.collect(QUIET).await;
        assert_eq!(got.iter().map(|e| e.id.unwrap()).collect::<Vec<_>>(), [4, 5]);
        s.stop().await;
    }

    #[tokio::test]
    async fn bad_places_and_unknown_streamers_are_refused_like_elsewhere() {
        let s = TestServer::start().await;
        s.tenant("alpha").await;
        for bad in ["-1", "abc", "1.5"] {
            let stream = Sse::open(&s.base, "/alpha/api/events", Some(bad)).await;
            assert_eq!(stream.status, 400, "{bad}");
        }
        let r = s.get("/alpha/api/events?last_event_id=x", None).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.json["error"]["code"], "invalid_input");
        let missing = s.get("/nobody/api/events", None).await;
        let other = s.get("/nobody/api/leaderboard", None).await;
        assert_eq!(missing.status, 404);
        assert_eq!(missing.text, other.text, "the same 404 as any unknown streamer");
        s.stop().await;
    }

    #[tokio::test]
    async fn a_write_whose_client_hung_up_still_reaches_the_streams() {
        use tokio::io::AsyncWriteExt;
        let s = TestServer::start().await;
        let a = s.tenant("alpha").await;
        let mut stream = Sse::open(&s.base, "/alpha/api/events", None).await;
        let names: Vec<String> = (0..1500).map(|i| format!("viewer{i}")).collect();
        let body = json!({"usernames": names, "amount": 1, "source": "watch"}).to_string();
        let addr = s.base.trim_start_matches("http://");
        let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /alpha/api/points/award HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            a.key,
            body.len()
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        tcp.write_all(body.as_bytes()).await.unwrap();
        // Hang up before the answer.
        tokio::time::sleep(Duration::from_millis(5)).await;
        drop(tcp);
        let got = stream.collect(Duration::from_secs(8)).await;
        assert_eq!(got.len(), 1500, "the award's events reach the open stream");
        assert!(got.iter().all(|e| e.event == "points_changed"));
        s.stop().await;
    }

    #[tokio::test]
    async fn shutdown_ends_open_streams_cleanly_and_at_once() {
        let s = TestServer::start().await;
        s.tenant("alpha").await;
        let mut streams = Vec::new();
        for _ in 0..3 {
            streams.push(Sse::open(&s.base, "/alpha/api/events", None).await);
        }
        let started = std::time::Instant::now();
        s.stop().await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the server waited out its grace for open streams: {:?}",
            started.elapsed()
        );
        for mut stream in streams {
            assert!(stream.wait_end(WAIT).await, "the body ended cleanly");
        }
    }
}
