//! The proof script: `fixtures/kick/script.json`, a recorded script of Kick deliveries for two
//! streamers (chat, commands with predictable dice, follows, subscriptions, gifts, Kicks, live
//! on and off, a redelivery, a forged signature, a body that does not fit, events and channels
//! the server does not handle, and late arrivals stamped before what they follow), replayed
//! against the real `kick-overlay` process. Each run must answer every delivery as the script
//! says and leave exactly the state the script expects and the snapshot records (balances,
//! ledgers, goals, inventories, events, the live state and the bot's replies), the same on
//! every run and on both backends, and the same again when every delivery is sent twice.

mod common;

use common::kick::{
    Behaviour, Delivery, FakeKick, Signer, chat, fixtures, follow, gifts, kicks, live, now,
    subscription,
};
use common::process::{Process, bin};
use common::sse::Sse;
use datastore::Timestamp;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

fn script() -> Value {
    let text = std::fs::read_to_string(fixtures().join("script.json")).expect("the script");
    serde_json::from_str(&text).expect("the script is JSON")
}

/// Where the replayed server keeps its data.
enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres(pg_scratch::Scratch, tempfile::TempDir),
}

impl Backend {
    fn db_args(&self) -> Vec<String> {
        match self {
            Backend::Sqlite(dir) => {
                vec!["--db".into(), dir.path().join("k.db").display().to_string()]
            }
            Backend::Postgres(s, _) => vec![
                "--database-url".into(),
                s.server_url.clone(),
                "--database-owner-url".into(),
                s.owner_url.clone(),
                "--database-schema".into(),
                s.schema.clone(),
            ],
        }
    }

    fn db_file(&self) -> std::path::PathBuf {
        match self {
            Backend::Sqlite(dir) | Backend::Postgres(_, dir) => dir.path().join("k.db"),
        }
    }
}

struct Replay {
    server: Process,
    kick: FakeKick,
    keys: BTreeMap<String, String>,
    base: Timestamp,
}

impl Replay {
    fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    async fn call(&self, method: &str, path: &str, key: &str, body: Option<Value>) -> Value {
        let mut req = reqwest::Client::new()
            .request(method.parse().unwrap(), format!("{}{path}", self.url()))
            .bearer_auth(key);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = req.send().await.expect("the server answers");
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert!(status < 300, "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

/// Starts the server on `backend` and sets the script's streamers up.
async fn start(script: &Value, backend: &Backend) -> Replay {
    let kick = FakeKick::start(Behaviour::default()).await;
    let mut keys = BTreeMap::new();
    let db_args = backend.db_args();
    for (name, id) in script["streamers"].as_object().unwrap() {
        let out = bin()
            .args(["streamer", "add", name, "--kick-user-id", &id.to_string()])
            .args(&db_args)
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
        keys.insert(name.clone(), key);
    }
    let key_file = fixtures().join("test-only-public-key.pem");
    let seed = script["dice_seed"].to_string();
    let mut args: Vec<&str> = vec![
        "--kick-public-key",
        key_file.to_str().unwrap(),
        "--kick-dice-seed",
        &seed,
        "--kick-api-url",
        &kick.base,
        // No watch award in the middle of the script.
        "--watch-interval-secs",
        "3600",
    ];
    if matches!(backend, Backend::Postgres(..)) {
        args.extend(db_args.iter().map(String::as_str));
    }
    let server = Process::start(&backend.db_file(), &args, None);
    let replay = Replay {
        server,
        kick,
        keys,
        base: Timestamp::from_millis(now().as_millis() / 1000 * 1000).unwrap(),
    };
    for (name, key) in &replay.keys {
        replay
            .call(
                "PUT",
                &format!("/{name}/api/economy"),
                key,
                Some(script["economy"][name].clone()),
            )
            .await;
        for goal in script["goals"][name].as_array().unwrap() {
            let mut body = goal.clone();
            let id = body.as_object_mut().unwrap().remove("id").unwrap();
            replay
                .call(
                    "PUT",
                    &format!("/{name}/api/goals/{}", id.as_str().unwrap()),
                    key,
                    Some(body),
                )
                .await;
        }
        replay
            .call(
                "PUT",
                &format!("/{name}/api/tokens/kick"),
                key,
                Some(json!({"access_token": format!("{}-BOT-TOKEN", name.to_uppercase()), "expires_at": "2099-01-01T00:00:00.000Z"})),
            )
            .await;
    }
    replay
}

/// The delivery a script entry describes.
fn delivery(entry: &Value, script: &Value, base: Timestamp) -> Delivery {
    let channel = script["streamers"][entry["to"].as_str().unwrap()]
        .as_i64()
        .unwrap_or(919_999);
    let at =
        Timestamp::from_millis(base.as_millis() + entry["at"].as_i64().unwrap() * 1000).unwrap();
    let who = |v: &Value| (v[0].as_i64().unwrap(), v[1].as_str().unwrap().to_owned());
    let from = || who(&entry["from"]);
    let event = match entry["event"].as_str().unwrap() {
        "chat" => {
            let (id, name) = from();
            chat(channel, (id, &name), entry["text"].as_str().unwrap(), at)
        }
        "follow" => {
            let (id, name) = from();
            follow(channel, (id, &name))
        }
        "subscription" | "renewal" => {
            let (id, name) = from();
            subscription(channel, (id, &name), entry["event"] == "renewal")
        }
        "gifts" => {
            let giftees: Vec<(i64, String)> = entry["giftees"]
                .as_array()
                .unwrap()
                .iter()
                .map(who)
                .collect();
            let giftees: Vec<(i64, &str)> = giftees.iter().map(|(i, n)| (*i, n.as_str())).collect();
            let gifter = entry["from"].as_array().map(|_| from());
            gifts(
                channel,
                gifter.as_ref().map(|(i, n)| (*i, n.as_str())),
                &giftees,
            )
        }
        "kicks" => {
            let (id, name) = from();
            kicks(channel, (id, &name), entry["amount"].as_i64().unwrap())
        }
        "live" => live(channel, entry["live"].as_bool().unwrap(), at),
        "malformed" => (
            "channel.followed".into(),
            json!({"broadcaster": {"user_id": channel}, "follower": {"user_id": "not a number"}}),
        ),
        "unknown" => (
            "moderation.banned".into(),
            json!({"broadcaster": {"user_id": channel}, "banned_user": {"user_id": 1}}),
        ),
        other => panic!("an unknown script event {other:?}"),
    };
    let signer = if entry["forged"] == true {
        Signer::other()
    } else {
        Signer::test()
    };
    Delivery::build(
        signer,
        entry["id"].as_str().unwrap(),
        at,
        &event.0,
        "1",
        &event.1,
    )
}

/// What the answer to a delivery must be: its outcome, or its error status.
fn check(entry: &Value, r: &common::Resp, again: bool) {
    let want = &entry["expect"];
    let what = format!(
        "{} {}",
        entry["id"],
        if again { "(sent again)" } else { "" }
    );
    match want {
        Value::String(outcome) => {
            let outcome = if again && outcome == "applied" {
                "duplicate"
            } else {
                outcome.as_str()
            };
            assert_eq!(r.status, 200, "{what}: {}", r.text);
            assert_eq!(r.json["outcome"], outcome, "{what}: {}", r.text);
        }
        Value::Number(status) => {
            assert_eq!(Some(r.status as u64), status.as_u64(), "{what}: {}", r.text)
        }
        other => panic!("{what}: a bad expectation {other}"),
    }
}

/// Replays the script, each delivery `times` times in a row.
async fn replay(script: &Value, replay: &Replay, times: usize) {
    let client = reqwest::Client::new();
    let mut sent: BTreeMap<String, Delivery> = BTreeMap::new();
    for entry in script["deliveries"].as_array().unwrap() {
        let id = entry["id"].as_str().unwrap().to_owned();
        let d = if entry["repeat"] == true {
            sent.get(&id)
                .cloned()
                .unwrap_or_else(|| panic!("{id} repeats nothing"))
        } else {
            delivery(entry, script, replay.base)
        };
        for n in 0..times {
            let r = d.send_to(&client, &replay.url()).await;
            check(entry, &r, n > 0);
        }
        sent.entry(id).or_insert(d);
    }
}

/// Ids and times replaced by placeholders (times by seconds from `base` where they are the
/// script's own), so two runs compare equal.
fn normal(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let time = k == "at" || k.ends_with("_at") || k == "last_updated";
                    let id = (k == "id" || k.ends_with("_id"))
                        && !k.starts_with("kick")
                        && k != "voice_id";
                    let x = match (x, time, id) {
                        (Value::Null, _, _) => Value::Null,
                        (_, true, _) => json!("[time]"),
                        (Value::Number(_), _, true) => json!("[id]"),
                        _ => normal(x),
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normal).collect()),
        other => other.clone(),
    }
}

/// The state the replay left, by streamer: viewers with their balances, ledgers and
/// inventories; goals; events; the live state; and the replies said in its chat.
async fn state(script: &Value, r: &Replay) -> Value {
    // Replies are sent off the request path: wait until they stop coming.
    let mut calls = r.kick.calls();
    loop {
        tokio::time::sleep(Duration::from_millis(700)).await;
        if r.kick.calls() == calls {
            break;
        }
        calls = r.kick.calls();
    }
    let replies = r.kick.received();
    let mut out = Map::new();
    for (name, key) in &r.keys {
        let export = r
            .call("GET", &format!("/{name}/api/export"), key, None)
            .await;
        let names: BTreeMap<i64, String> = export["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["id"].as_i64().unwrap(),
                    u["username"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let of = |rows: &Value, user: i64| -> Vec<Value> {
            rows.as_array()
                .unwrap()
                .iter()
                .filter(|x| x["user_id"].as_i64() == Some(user))
                .cloned()
                .collect()
        };
        let mut viewers = Map::new();
        for (id, username) in &names {
            let points = of(&export["points"], *id);
            let ledger: Vec<Value> = of(&export["transactions"], *id)
                .iter()
                .map(|t| json!([t["source"], t["amount"], t["description"]]))
                .collect();
            let inventory: Vec<Value> = of(&export["inventory"], *id)
                .iter()
                .map(|i| json!([i["powerup"], i["quantity"]]))
                .collect();
            let purchases: Vec<Value> = of(&export["purchases"], *id)
                .iter()
                .map(|p| json!([p["powerup"], p["cost"]]))
                .collect();
            viewers.insert(
                username.clone(),
                json!({
                    "channel_points": points.first().map_or(json!(0), |p| p["channel_points"].clone()),
                    "ledger": ledger,
                    "inventory": inventory,
                    "purchases": purchases,
                }),
            );
        }
        let goals: Map<String, Value> = export["goals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["id"].as_str().unwrap().to_owned(),
                    json!([g["current_value"], g["target_value"]]),
                )
            })
            .collect();
        let mut sse = Sse::open(&r.url(), &format!("/{name}/api/events"), Some("0")).await;
        let events: Vec<Value> = sse
            .collect(Duration::from_millis(1200))
            .await
            .into_iter()
            .map(|e| json!({"id": e.id, "type": e.event, "data": normal(&e.data["data"])}))
            .collect();
        let stream = r
            .call("GET", &format!("/{name}/api/stream"), key, None)
            .await;
        let changed = stream["changed_at"]
            .as_str()
            .map(|t| (t.parse::<Timestamp>().unwrap().as_millis() - r.base.as_millis()) / 1000);
        let channel = script["streamers"][name].as_i64().unwrap();
        let mut said: Vec<Value> = replies
            .iter()
            .filter(|x| x.body["broadcaster_user_id"] == channel)
            .map(|x| json!([x.authorization, x.body["type"], x.body["content"]]))
            .collect();
        said.sort_by_key(|v| v.to_string());
        out.insert(
            name.clone(),
            json!({
                "viewers": viewers,
                "goals": goals,
                "stream": {"live": stream["live"], "changed_at": changed},
                "events": events,
                "replies": said,
            }),
        );
    }
    Value::Object(out)
}

/// The script's own expectations, checked before the snapshot.
fn expected(script: &Value, state: &Value) {
    for (name, want) in script["expected"].as_object().unwrap() {
        let got = &state[name];
        assert_eq!(got["stream"]["live"], want["live"], "{name}'s live flag");
        assert_eq!(
            got["stream"]["changed_at"], want["live_changed_at"],
            "{name}'s live stamp"
        );
        for (goal, value) in want["goals"].as_object().unwrap() {
            assert_eq!(got["goals"][goal][0], *value, "{name}'s goal {goal}");
        }
        for (viewer, points) in want["balances"].as_object().unwrap() {
            assert_eq!(
                got["viewers"][viewer]["channel_points"], *points,
                "{name}'s {viewer}"
            );
        }
        for (viewer, items) in want["inventories"].as_object().unwrap() {
            for (powerup, quantity) in items.as_object().unwrap() {
                let held = got["viewers"][viewer]["inventory"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i[0] == powerup.as_str())
                    .map(|i| i[1].clone());
                assert_eq!(
                    held.as_ref(),
                    Some(quantity),
                    "{name}'s {viewer}'s {powerup}"
                );
            }
        }
        // Every balance is its ledger's sum, and nobody is overdrawn.
        for (viewer, v) in got["viewers"].as_object().unwrap() {
            let sum: i64 = v["ledger"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t[1].as_i64().unwrap())
                .sum();
            assert_eq!(
                Some(sum),
                v["channel_points"].as_i64(),
                "{name}'s {viewer}: {v}"
            );
            assert!(sum >= 0, "{name}'s {viewer} is overdrawn");
        }
    }
}

async fn run(backend: Backend, times: usize) {
    let script = script();
    let r = start(&script, &backend).await;
    replay(&script, &r, times).await;
    let state = state(&script, &r).await;
    expected(&script, &state);
    insta::assert_json_snapshot!("kick_script", state);
    r.server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_script_leaves_the_expected_state_on_sqlite() {
    run(Backend::Sqlite(tempfile::tempdir().unwrap()), 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_script_sent_twice_leaves_the_same_state_on_sqlite() {
    run(Backend::Sqlite(tempfile::tempdir().unwrap()), 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_script_leaves_the_expected_state_on_postgres() {
    run(
        Backend::Postgres(pg_scratch::server().scratch(), tempfile::tempdir().unwrap()),
        1,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_script_sent_twice_leaves_the_same_state_on_postgres() {
    run(
        Backend::Postgres(pg_scratch::server().scratch(), tempfile::tempdir().unwrap()),
        2,
    )
    .await;
}
