//! Watch time: each live stream's recent chatters earn `watch_points` once per whole minute,
//! however often and by however many servers the award runs; a stream that is not live, or
//! with watch points off, earns nothing; the award rings the event streams. Two server
//! processes on one PostgreSQL database, ticking every second, award each minute once.

mod common;

use api::kick::watch::{self, Tick};
use api::live::{EventHub, LiveConfig};
use common::TestServer;
use common::kick::{Delivery, balance, chat, live, now};
use common::process::{Process, bin};
use common::sse::Sse;
use datastore::{ManualClock, Timestamp};
use serde_json::{Value, json};

use std::collections::BTreeSet;
use std::time::Duration;

const ALPHA: i64 = 900_001;
const BRAVO: i64 = 900_002;
const CAROL: i64 = 900_003;
const ANN: (i64, &str) = (5_001, "ann");

fn minute_clock(minute: i64) -> ManualClock {
    ManualClock::new(Timestamp::from_millis(minute * 60_000 + 30_000).unwrap())
}

on_both_backends! {
    #[tokio::test]
    async fn each_live_streams_chatters_earn_each_minute_once() {
        let s = TestServer::start_kick().await;
        let a = s.kick_tenant("alpha", ALPHA).await;
        let b = s.kick_tenant("bravo", BRAVO).await;
        let c = s.kick_tenant("carol", CAROL).await;
        s.set_economy(&c, json!({"watch_points": 0})).await;
        // Everyone's ann chats; alpha and carol are live (a chat marks a stream live), then
        // bravo goes offline.
        for channel in [ALPHA, BRAVO, CAROL] {
            assert_eq!(Delivery::signed(chat(channel, ANN, "hi", now())).send(&s).await.status, 200);
        }
        assert_eq!(Delivery::signed(live(BRAVO, false, now())).send(&s).await.status, 200);
        let hub = EventHub::new(s.store.clone(), LiveConfig::default());
        let m = datastore::WatchMinute::minute_of(now());
        let first = watch::award_once(&*s.store, &minute_clock(m), &hub).await.unwrap();
        assert_eq!(first, Tick { awarded: 1, viewers: 1, already: 0 }, "alpha only");
        assert_eq!(balance(&*s.store, &a, ANN.0).await, 25 + 5);
        assert_eq!(balance(&*s.store, &b, ANN.0).await, 25, "bravo is offline");
        assert_eq!(balance(&*s.store, &c, ANN.0).await, 25, "carol's watch points are off");
        let again = watch::award_once(&*s.store, &minute_clock(m), &hub).await.unwrap();
        assert_eq!(again, Tick { awarded: 0, viewers: 0, already: 1 });
        // Many at once, for the next minute: one of them awards it.
        let ticks = futures_util::future::join_all((0..8).map(|_| {
            let store = s.store.clone();
            let hub = hub.clone();
            async move { watch::award_once(&*store, &minute_clock(m + 1), &hub).await.unwrap() }
        }))
        .await;
        assert_eq!(ticks.iter().map(|t| t.awarded).sum::<u64>(), 1, "{ticks:?}");
        assert_eq!(balance(&*s.store, &a, ANN.0).await, 25 + 5 + 5);
        s.stop().await;
    }
}

#[tokio::test]
async fn the_award_rings_the_streams_of_the_streamers_it_paid() {
    let s = TestServer::start_kick().await;
    s.kick_tenant("alpha", ALPHA).await;
    assert_eq!(
        Delivery::signed(chat(ALPHA, ANN, "hi", now()))
            .send(&s)
            .await
            .status,
        200
    );
    // A hub of its own over the same store, with a stream of alpha's on it: the award's ring is
    // the only thing that can wake it (nothing rings this hub every few seconds).
    let hub = EventHub::new(s.store.clone(), LiveConfig::default());
    let mut state = api::app_state(
        s.store.clone(),
        std::sync::Arc::new(datastore::SystemClock),
        None,
    )
    .unwrap();
    state.events = hub.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(api::serve(
        listener,
        state,
        api::connections::Limits::default(),
        async move {
            let _ = rx.await;
        },
    ));
    let mut stream = Sse::open(&base, "/alpha/api/events", None).await;
    let tick = watch::award_once(
        &*s.store,
        &minute_clock(datastore::WatchMinute::minute_of(now())),
        &hub,
    )
    .await
    .unwrap();
    assert_eq!(tick.awarded, 1);
    let e = stream
        .next(Duration::from_secs(2))
        .await
        .expect("the award's event");
    assert_eq!(e.event, "points_changed");
    assert_eq!(e.data["data"]["source"], "watch");
    assert_eq!(e.data["data"]["amount"], 5);
    let _ = tx.send(());
    let _ = server.await;
    s.stop().await;
}

async fn get_json(client: &reqwest::Client, url: &str, key: Option<&str>) -> Value {
    let mut req = client.get(url);
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let text = req.send().await.unwrap().text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {text}: {e}"))
}

/// `alpha`'s ledger rows of `source` through `addr`.
async fn ledger(addr: &str, key: &str, user: i64, source: &str) -> Vec<Value> {
    let r = reqwest::Client::new()
        .get(format!(
            "http://{addr}/alpha/api/users/{user}/transactions?limit=500"
        ))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    body.as_array()
        .or_else(|| body["items"].as_array())
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t["source"] == source)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_ticking_every_second_award_each_minute_once() {
    let scratch = pg_scratch::server().scratch();
    let key_file = common::kick::fixtures().join("test-only-public-key.pem");
    let args = [
        "--database-url",
        scratch.server_url.as_str(),
        "--database-owner-url",
        scratch.owner_url.as_str(),
        "--database-schema",
        scratch.schema.as_str(),
        "--kick-public-key",
        key_file.to_str().unwrap(),
        "--watch-interval-secs",
        "1",
    ];
    let dir = tempfile::tempdir().unwrap();
    let unused = dir.path().join("unused.db");
    let mut one = Process::start(&unused, &args, None);
    let mut two = Process::start(&unused, &args, None);
    let out = bin()
        .args([
            "streamer",
            "add",
            "alpha",
            "--kick-user-id",
            &ALPHA.to_string(),
        ])
        .args(&args[..6])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = stdout
        .lines()
        .find(|l| l.starts_with("koa_"))
        .unwrap()
        .to_owned();
    let client = reqwest::Client::new();
    // A chatter through one server, then live through the other. The chat message marks the
    // stream live in its own transaction, so no minute is awarded before ann is a chatter.
    let r = Delivery::signed(chat(ALPHA, ANN, "hi", now()))
        .send_to(&client, &format!("http://{}", two.addr))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = Delivery::signed(live(ALPHA, true, now()))
        .send_to(&client, &format!("http://{}", one.addr))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let user = get_json(
        &client,
        &format!("http://{}/alpha/api/users/by-name/ann", one.addr),
        None,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // Watch until the awards span two minutes (at most 80 s).
    let started = std::time::Instant::now();
    let minute = |t: &Value| {
        t["created_at"]
            .as_str()
            .unwrap()
            .parse::<Timestamp>()
            .unwrap()
            .as_millis()
            / 60_000
    };
    loop {
        let rows = ledger(&one.addr, &key, user, "watch").await;
        let minutes: BTreeSet<i64> = rows.iter().map(minute).collect();
        if minutes.len() >= 2 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(80),
            "no award in two minutes: {rows:?}\n{}\n{}",
            one.log(),
            two.log()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // A few more ticks of both servers, then count.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rows = ledger(&two.addr, &key, user, "watch").await;
    let minutes: Vec<i64> = rows.iter().map(minute).collect();
    let (first, last) = (minutes.iter().min().unwrap(), minutes.iter().max().unwrap());
    let span = (last - first + 1) as usize;
    // Each minute once: as many rows as minutes (one more at most when an award made just
    // before a minute's end committed just after it).
    assert!(
        rows.len() >= span && rows.len() <= span + 1,
        "{} watch rows over {span} minutes: {rows:?}",
        rows.len()
    );
    assert!(rows.iter().all(|t| t["amount"] == 5), "{rows:?}");
    let balance = get_json(
        &client,
        &format!("http://{}/alpha/api/users/{user}/points", two.addr),
        Some(&key),
    )
    .await;
    assert_eq!(
        balance["points"]["channel_points"],
        25 + 5 * rows.len() as i64,
        "{balance}"
    );
    one.terminate();
    two.terminate();
    one.wait_exit(Duration::from_secs(15));
    two.wait_exit(Duration::from_secs(15));
    // Exactly: ann (a recent chatter throughout) has one watch row for each minute recorded,
    // however the two servers' ticks fell.
    let admin = pg_scratch::server().admin().await;
    let schema = &scratch.schema;
    let recorded: Vec<i64> = admin
        .query(
            &format!("SELECT minute FROM \"{schema}\".watch_minutes ORDER BY minute"),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let watch_rows: i64 = admin
        .query_one(
            &format!("SELECT count(*) FROM \"{schema}\".point_transactions WHERE source = 'watch'"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(recorded.len() >= 2, "{recorded:?}");
    assert_eq!(
        watch_rows,
        recorded.len() as i64,
        "one watch row per recorded minute: {recorded:?}"
    );
}

#[test]
fn the_watch_interval_is_hidden_and_bounded() {
    let help = bin().args(["serve", "--help"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains("--watch-interval-secs"));
    let out = bin()
        .args(["serve", "--watch-interval-secs", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
