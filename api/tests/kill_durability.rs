//! An acknowledged write survives the server being killed. Many clients post earns at once
//! and the server is killed with SIGKILL in the middle of them, at a different moment each
//! round; a new server on the same data must then show every earn that was answered 200 in
//! its viewer's ledger, and every balance must be its ledger's sum (an earn that was never
//! answered may or may not have committed, but never half). On the embedded SQLite file and
//! on PostgreSQL.
//!
//! The test catches a store that answers a write before its transaction commits: with the
//! group commit's answers sent before `COMMIT` (and a few milliseconds between the two), the
//! first round found 16 of 153 acknowledged earns gone.

mod common;

use common::process::{Process, add_streamer, add_streamer_with};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const VIEWERS: usize = 8;
const CLIENTS: usize = 16;
/// How many earns are acknowledged before the kill, round by round.
const KILL_AFTER: [usize; 3] = [150, 700, 40];

/// One acknowledged earn: whose, how much, and the description that names it.
#[derive(Clone)]
struct Acked {
    user: i64,
    amount: i64,
    description: String,
}

/// How a server is started: on the SQLite file `db`, with `args` (PostgreSQL's options).
struct Setup {
    db: std::path::PathBuf,
    args: Vec<String>,
}

impl Setup {
    fn start(&self) -> Process {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        Process::start(&self.db, &args, None)
    }
}

async fn call(req: reqwest::RequestBuilder) -> (u16, Value) {
    let r = req.send().await.expect("the server answers");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Every ledger row of `user`, newest first, a page at a time.
async fn ledger(client: &reqwest::Client, base: &str, user: i64) -> Vec<Value> {
    let mut rows: Vec<Value> = Vec::new();
    loop {
        let before = rows
            .last()
            .map(|r| format!("&before={}", r["id"]))
            .unwrap_or_default();
        let url = format!("{base}/alpha/api/users/{user}/transactions?limit=100{before}");
        let (status, page) = call(client.get(url)).await;
        assert_eq!(status, 200, "{page}");
        let page = page.as_array().unwrap().clone();
        if page.is_empty() {
            return rows;
        }
        rows.extend(page);
    }
}

async fn survives_kills(setup: Setup, key: String) {
    let client = reqwest::Client::new();
    let auth = format!("Bearer {key}");
    let mut server = setup.start();
    let mut base = format!("http://{}", server.addr);
    let mut users = Vec::new();
    for i in 0..VIEWERS {
        let (status, user) = call(
            client
                .post(format!("{base}/alpha/api/users"))
                .header("authorization", &auth)
                .header("content-type", "application/json")
                .body(json!({ "username": format!("viewer{i}") }).to_string()),
        )
        .await;
        assert_eq!(status, 201, "{user}");
        users.push(user["id"].as_i64().unwrap());
    }
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    for (round, kill_after) in KILL_AFTER.into_iter().enumerate() {
        let stop = Arc::new(AtomicBool::new(false));
        // Earns sent and not yet answered: read just before the kill, to show it lands under
        // load.
        let in_flight = Arc::new(AtomicUsize::new(0));
        let before = acked.lock().unwrap().len();
        let mut clients = Vec::new();
        for c in 0..CLIENTS {
            let (client, base, auth, users) =
                (client.clone(), base.clone(), auth.clone(), users.clone());
            let (acked, stop, in_flight) = (acked.clone(), stop.clone(), in_flight.clone());
            clients.push(tokio::spawn(async move {
                let mut n = 0usize;
                while !stop.load(Ordering::SeqCst) {
                    let user = users[(c + n) % users.len()];
                    let amount = 1 + (n % 7) as i64;
                    let description = format!("round {round} client {c} earn {n}");
                    n += 1;
                    in_flight.fetch_add(1, Ordering::SeqCst);
                    let sent = client
                        .post(format!("{base}/alpha/api/users/{user}/points"))
                        .header("authorization", &auth)
                        .header("content-type", "application/json")
                        .body(
                            json!({ "amount": amount, "source": "chat",
                                    "description": description })
                            .to_string(),
                        )
                        .send()
                        .await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    match sent {
                        Ok(r) if r.status() == 200 => acked.lock().unwrap().push(Acked {
                            user,
                            amount,
                            description,
                        }),
                        Ok(r) => panic!("an earn got {}: {:?}", r.status(), r.text().await),
                        // The server was killed under this request (or before it was sent).
                        Err(_) => return,
                    }
                }
            }));
        }
        let started = Instant::now();
        while acked.lock().unwrap().len() < before + kill_after {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the earns never reached {kill_after}: {}",
                server.log()
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // SIGKILL, while the clients keep posting: no shutdown, no final checkpoint.
        let unanswered = in_flight.load(Ordering::SeqCst);
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        for c in clients {
            c.await.unwrap();
        }
        assert!(
            unanswered > 0,
            "round {round}: no earn was in flight at the kill, so it did not land under load"
        );

        server = setup.start();
        base = format!("http://{}", server.addr);
        let acked: Vec<Acked> = acked.lock().unwrap().clone();
        let mut stored: HashMap<i64, HashSet<String>> = HashMap::new();
        for &user in &users {
            let rows = ledger(&client, &base, user).await;
            let sum: i64 = rows.iter().map(|r| r["amount"].as_i64().unwrap()).sum();
            let (status, points) =
                call(client.get(format!("{base}/alpha/api/users/{user}/points"))).await;
            assert_eq!(status, 200, "{points}");
            assert_eq!(
                points["points"]["channel_points"].as_i64().unwrap(),
                sum,
                "round {round}: viewer {user}'s balance is not the sum of their ledger"
            );
            stored.insert(
                user,
                rows.iter()
                    .map(|r| r["description"].as_str().unwrap().to_owned())
                    .collect(),
            );
        }
        let lost: Vec<&str> = acked
            .iter()
            .filter(|a| !stored[&a.user].contains(&a.description))
            .map(|a| a.description.as_str())
            .collect();
        assert!(
            lost.is_empty(),
            "round {round}: {} of {} acknowledged earns are gone after the kill: {:?}",
            lost.len(),
            acked.len(),
            &lost[..lost.len().min(10)]
        );
        let stored_rows: usize = stored.values().map(HashSet::len).sum();
        assert!(stored_rows >= acked.len());
        let acked_points: i64 = acked.iter().map(|a| a.amount).sum();
        assert!(acked_points > 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_earn_survives_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kill.db");
    let key = add_streamer(&db, "alpha");
    survives_kills(Setup { db, args: vec![] }, key).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_earn_survives_sigkill_on_postgres() {
    let scratch = pg_scratch::server().scratch();
    let args = vec![
        "--database-url".to_owned(),
        scratch.server_url.clone(),
        "--database-owner-url".to_owned(),
        scratch.owner_url.clone(),
        "--database-schema".to_owned(),
        scratch.schema.clone(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let options: Vec<&str> = args.iter().map(String::as_str).collect();
    let key = add_streamer_with(&db, "alpha", &options);
    survives_kills(Setup { db, args }, key).await;
}
