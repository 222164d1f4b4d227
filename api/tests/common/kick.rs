//! Kick for the tests: deliveries signed with the committed test-only key pair
//! (`fixtures/kick/`), Kick's payloads, a server configured with the test key, and a fake Kick
//! chat API that records what the bot says (and can fail or hang on purpose).

use super::{OPERATOR_KEY, Resp, Tenant, TestServer};
use api::kick::dice::DiceSource;
use api::kick::replies::{KickChatApi, ReplyQueue};
use api::kick::settings::KickSettings;
use api::kick::signature::KickPublicKey;
use base64::Engine;
use bytes::Bytes;
use datastore::{DataStore, EventId, StreamerId, Timestamp};
use http_body_util::{BodyExt, Full};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer as _};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The directory of the test-only keys.
pub fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/kick")
}

/// The test-only private key (PKCS#8 PEM): it signs the tests' deliveries. Never Kick's.
pub const TEST_PRIVATE_KEY: &str = include_str!("../../../fixtures/kick/test-only-private-key.pem");
/// Its public key, as Kick publishes its own (SubjectPublicKeyInfo PEM).
pub const TEST_PUBLIC_KEY: &str = include_str!("../../../fixtures/kick/test-only-public-key.pem");
/// Another private key, whose signatures the test public key refuses.
pub const OTHER_PRIVATE_KEY: &str =
    include_str!("../../../fixtures/kick/test-only-other-private-key.pem");

/// The Kick user id of the fake channel a test server's streamers get by default: streamer
/// number `n` is `CHANNEL_BASE + n`.
pub const CHANNEL_BASE: i64 = 900_000;

/// A signer of deliveries.
pub struct Signer(SigningKey<Sha256>);

impl Signer {
    /// The test key pair's signer (the server trusts it).
    pub fn test() -> &'static Signer {
        static S: OnceLock<Signer> = OnceLock::new();
        S.get_or_init(|| Signer::from_pem(TEST_PRIVATE_KEY))
    }

    /// A signer the server does not trust.
    pub fn other() -> &'static Signer {
        static S: OnceLock<Signer> = OnceLock::new();
        S.get_or_init(|| Signer::from_pem(OTHER_PRIVATE_KEY))
    }

    fn from_pem(pem: &str) -> Signer {
        let key = rsa::PrivateKey::from_pkcs8_pem(pem).expect("a test private key");
        Signer(SigningKey::new(key))
    }

    /// The base64 signature of `{id}.{timestamp}.{body}`.
    pub fn sign(&self, id: &str, timestamp: &str, body: &[u8]) -> String {
        let message = api::kick::signature::signed_message(id, timestamp, body);
        let sig = self.0.sign(&message);
        base64::engine::general_purpose::STANDARD.encode(sig.to_bytes())
    }
}

/// A Kick user in a payload.
pub fn user(id: i64, name: &str) -> Value {
    json!({
        "is_anonymous": false,
        "user_id": id,
        "username": name,
        "is_verified": false,
        "profile_picture": format!("https://example.com/{name}.jpg"),
        "channel_slug": name,
        "identity": null
    })
}

/// The broadcaster of `channel`.
pub fn broadcaster(channel: i64) -> Value {
    json!({"is_anonymous": false, "user_id": channel, "username": format!("channel{channel}"),
           "is_verified": true, "channel_slug": format!("channel{channel}"), "identity": null})
}

/// `chat.message.sent` on `channel` from `(id, name)` saying `content`, written at `at`.
pub fn chat(channel: i64, sender: (i64, &str), content: &str, at: Timestamp) -> (String, Value) {
    (
        "chat.message.sent".into(),
        json!({
            "message_id": format!("msg-{}-{}", sender.0, at.as_millis()),
            "broadcaster": broadcaster(channel),
            "sender": user(sender.0, sender.1),
            "content": content,
            "emotes": [],
            "created_at": at.to_string(),
        }),
    )
}

/// `channel.followed`.
pub fn follow(channel: i64, follower: (i64, &str)) -> (String, Value) {
    (
        "channel.followed".into(),
        json!({"broadcaster": broadcaster(channel), "follower": user(follower.0, follower.1)}),
    )
}

/// `channel.subscription.new` or `.renewal`.
pub fn subscription(channel: i64, subscriber: (i64, &str), renewal: bool) -> (String, Value) {
    let kind = if renewal { "renewal" } else { "new" };
    (
        format!("channel.subscription.{kind}"),
        json!({"broadcaster": broadcaster(channel), "subscriber": user(subscriber.0, subscriber.1),
               "duration": 1, "created_at": "2025-01-14T16:08:06Z", "expires_at": "2025-02-14T16:08:06Z"}),
    )
}

/// `channel.subscription.gifts`; `gifter` `None` is an anonymous gift.
pub fn gifts(
    channel: i64,
    gifter: Option<(i64, &str)>,
    giftees: &[(i64, &str)],
) -> (String, Value) {
    let gifter = match gifter {
        Some((id, name)) => user(id, name),
        None => {
            json!({"is_anonymous": true, "user_id": null, "username": null, "is_verified": null,
                       "profile_picture": null, "channel_slug": null, "identity": null})
        }
    };
    (
        "channel.subscription.gifts".into(),
        json!({"broadcaster": broadcaster(channel), "gifter": gifter,
               "giftees": giftees.iter().map(|(id, n)| user(*id, n)).collect::<Vec<_>>(),
               "created_at": "2025-01-14T16:08:06Z", "expires_at": "2025-02-14T16:08:06Z"}),
    )
}

/// `kicks.gifted`.
pub fn kicks(channel: i64, sender: (i64, &str), amount: i64) -> (String, Value) {
    (
        "kicks.gifted".into(),
        json!({"broadcaster": broadcaster(channel), "sender": user(sender.0, sender.1),
               "gift": {"amount": amount, "name": "Rage Quit", "type": "LEVEL_UP", "tier": "MID",
                        "message": "w", "pinned_time_seconds": 600},
               "created_at": "2025-10-20T04:00:08.634Z"}),
    )
}

/// `livestream.status.updated`, the change made at `at`.
pub fn live(channel: i64, is_live: bool, at: Timestamp) -> (String, Value) {
    let (started, ended) = if is_live {
        (json!(at.to_string()), Value::Null)
    } else {
        (json!("2000-01-01T00:00:00Z"), json!(at.to_string()))
    };
    (
        "livestream.status.updated".into(),
        json!({"broadcaster": broadcaster(channel), "is_live": is_live, "title": "Stream Title",
               "started_at": started, "ended_at": ended}),
    )
}

/// A fresh delivery id.
pub fn fresh_id() -> String {
    static N: AtomicU64 = AtomicU64::new(1);
    format!("01TEST{:020}", N.fetch_add(1, Ordering::Relaxed))
}

/// Now, by the system clock (the test servers' clock).
pub fn now() -> Timestamp {
    datastore::Clock::now(&datastore::SystemClock)
}

/// One webhook request, as Kick would send it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub timestamp: String,
    pub event_type: String,
    pub version: String,
    pub body: Vec<u8>,
    pub signature: String,
}

impl Delivery {
    /// `event` signed by the test key with a fresh id, stamped now.
    pub fn signed((event_type, body): (String, Value)) -> Delivery {
        Delivery::build(Signer::test(), &fresh_id(), now(), &event_type, "1", &body)
    }

    /// A delivery with every part chosen.
    pub fn build(
        signer: &Signer,
        id: &str,
        at: Timestamp,
        event_type: &str,
        version: &str,
        body: &Value,
    ) -> Delivery {
        Delivery::raw(
            signer,
            id,
            &at.to_string(),
            event_type,
            version,
            body.to_string().into_bytes(),
        )
    }

    /// A delivery of raw body bytes, stamped with `timestamp` as given.
    pub fn raw(
        signer: &Signer,
        id: &str,
        timestamp: &str,
        event_type: &str,
        version: &str,
        body: Vec<u8>,
    ) -> Delivery {
        Delivery {
            id: id.to_owned(),
            timestamp: timestamp.to_owned(),
            event_type: event_type.to_owned(),
            version: version.to_owned(),
            signature: signer.sign(id, timestamp, &body),
            body,
        }
    }

    /// The request to `base` (`http://127.0.0.1:PORT`).
    pub fn request(&self, client: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
        client
            .post(format!("{base}/api/kick/webhook"))
            .header("content-type", "application/json")
            .header("Kick-Event-Message-Id", &self.id)
            .header("Kick-Event-Message-Timestamp", &self.timestamp)
            .header("Kick-Event-Signature", &self.signature)
            .header("Kick-Event-Type", &self.event_type)
            .header("Kick-Event-Version", &self.version)
            .body(self.body.clone())
    }

    /// Sends it to `base`; the answer.
    pub async fn send_to(&self, client: &reqwest::Client, base: &str) -> Resp {
        into_resp(
            self.request(client, base)
                .send()
                .await
                .expect("the server answers"),
        )
        .await
    }

    /// Sends it to the test server.
    pub async fn send(&self, s: &TestServer) -> Resp {
        self.send_to(&s.client, &s.base).await
    }
}

/// A reqwest answer as a [`Resp`].
pub async fn into_resp(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("a body");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("a non-JSON body {text:?}: {e}"))
    };
    Resp {
        status,
        json,
        text,
        headers,
    }
}

/// How a test server's Kick side is set up.
pub struct KickSetup {
    /// The public key deliveries are checked with (`None`: not configured).
    pub public_key: Option<&'static str>,
    pub replay_window: Duration,
    pub dice_seed: Option<u64>,
    /// Where replies go (`None`: replies off).
    pub replies_to: Option<String>,
    /// The chat API's per-attempt timeout, attempts and first backoff.
    pub timing: (Duration, u32, Duration),
}

impl Default for KickSetup {
    fn default() -> Self {
        KickSetup {
            public_key: Some(TEST_PUBLIC_KEY),
            replay_window: Duration::from_secs(600),
            dice_seed: Some(42),
            replies_to: None,
            timing: (Duration::from_millis(500), 3, Duration::from_millis(50)),
        }
    }
}

impl TestServer {
    /// A server whose webhook trusts the test key (seeded dice, replies off).
    pub async fn start_kick() -> TestServer {
        Self::start_kick_with(KickSetup::default()).await
    }

    /// A server with the Kick side set up as `setup` says.
    pub async fn start_kick_with(setup: KickSetup) -> TestServer {
        Self::start_kick_wrapped(setup, |s| s).await
    }

    /// [`TestServer::start_kick_with`] over a store `wrap` may wrap (fault injection).
    pub async fn start_kick_wrapped(
        setup: KickSetup,
        wrap: impl FnOnce(Arc<dyn DataStore>) -> Arc<dyn DataStore>,
    ) -> TestServer {
        Self::start_full(Some(OPERATOR_KEY), wrap, 0, 0, move |state| {
            let replies = match &setup.replies_to {
                Some(base) => {
                    let (timeout, attempts, backoff) = setup.timing;
                    let api = KickChatApi::with_timing(base, timeout, attempts, backoff)
                        .expect("a chat API client");
                    ReplyQueue::start(state.store.clone(), state.clock.clone(), Arc::new(api))
                }
                None => ReplyQueue::off(),
            };
            state.kick = Arc::new(KickSettings {
                public_key: setup
                    .public_key
                    .map(|k| KickPublicKey::from_pem(k).expect("the test public key")),
                replay_window: setup.replay_window,
                dice: setup
                    .dice_seed
                    .map_or(DiceSource::Secure, DiceSource::Seeded),
                replies,
            });
        })
        .await
    }

    /// Creates a streamer with a Kick user id through `POST /api/streamers`.
    pub async fn kick_tenant(&self, name: &str, kick_user_id: i64) -> Tenant {
        let r = self
            .call(
                "POST",
                "/api/streamers",
                Some(OPERATOR_KEY),
                Some(json!({"username": name, "kick_user_id": kick_user_id})),
            )
            .await;
        assert_eq!(r.status, 201, "creating {name}: {}", r.text);
        Tenant {
            name: name.to_owned(),
            key: r.json["admin_key"].as_str().expect("a key").to_owned(),
            id: r.json["streamer"]["id"].as_i64().expect("an id"),
        }
    }

    /// Replaces `t`'s economy.
    pub async fn set_economy(&self, t: &Tenant, config: Value) {
        let r = self
            .call(
                "PUT",
                &format!("/{}/api/economy", t.name),
                Some(&t.key),
                Some(config),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    /// Stores `t`'s Kick token.
    pub async fn kick_token(&self, t: &Tenant, token: &str) {
        let r = self
            .call(
                "PUT",
                &format!("/{}/api/tokens/kick", t.name),
                Some(&t.key),
                Some(json!({"access_token": token, "expires_at": "2099-01-01T00:00:00.000Z"})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
}

/// Everything of a streamer's the webhook can change, read from the store: the export, every
/// event, the live state and the open duels. Two equal digests mean nothing changed.
pub async fn digest(store: &dyn DataStore, streamer: i64) -> Value {
    let s = StreamerId(streamer);
    let export = store.export_streamer(s).await.expect("the export");
    let mut events = Vec::new();
    let mut after = EventId(0);
    loop {
        let page = store.read_events(s, after, 500).await.expect("events");
        if page.events.is_empty() {
            break;
        }
        after = page.events.last().map(|e| e.id).unwrap_or(after);
        events.extend(page.events);
    }
    json!({
        "export": export,
        "events": events,
        "stream": store.get_stream_state(s).await.expect("the stream state"),
        "duels": store.list_duels(s).await.expect("the duels"),
        "economy": store.get_economy_config(s).await.expect("the economy"),
    })
}

/// A viewer's balance under `t` by Kick user id (0 when unknown).
pub async fn balance(store: &dyn DataStore, t: &Tenant, kick_user_id: i64) -> i64 {
    let s = StreamerId(t.id);
    let Some(user) = store
        .get_kick_viewer(s, kick_user_id)
        .await
        .expect("a read")
    else {
        return 0;
    };
    store
        .get_points(s, user.id)
        .await
        .expect("a read")
        .map_or(0, |p| p.channel_points)
}

/// What the fake Kick API received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
    /// The status it answered.
    pub answered: u16,
}

/// How the fake Kick API answers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Behaviour {
    /// The first this many calls answer 500.
    pub fail_first: usize,
    /// The first this many calls (after the failing ones) never answer.
    pub hang_first: usize,
    /// Every call answers this status (after the above); 0 is 200.
    pub status: u16,
}

/// A fake Kick API on 127.0.0.1: records every call, answers as its [`Behaviour`] says.
pub struct FakeKick {
    pub base: String,
    received: Arc<Mutex<Vec<Received>>>,
    calls: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeKick {
    /// Starts one.
    pub async fn start(behaviour: Behaviour) -> FakeKick {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let calls = Arc::new(AtomicU64::new(0));
        let (r, c) = (received.clone(), calls.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (r, c) = (r.clone(), c.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let (r, c) = (r.clone(), c.clone());
                        async move { answer(req, behaviour, r, c).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        FakeKick {
            base,
            received,
            calls,
            task,
        }
    }

    /// Every call that was answered or is hanging (in arrival order).
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Calls made so far (answered or not).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    /// Waits until `n` calls were made, at most `limit`; the calls recorded.
    pub async fn wait_calls(&self, n: u64, limit: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + limit;
        while self.calls() < n && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.received()
    }
}

impl Drop for FakeKick {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(
    req: hyper::Request<hyper::body::Incoming>,
    behaviour: Behaviour,
    received: Arc<Mutex<Vec<Received>>>,
    calls: Arc<AtomicU64>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let n = calls.fetch_add(1, Ordering::SeqCst) as usize;
    let path = req.uri().path().to_owned();
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let status = if n < behaviour.fail_first {
        500
    } else if n < behaviour.fail_first + behaviour.hang_first {
        received.lock().unwrap().push(Received {
            path: path.clone(),
            authorization: authorization.clone(),
            body: body.clone(),
            answered: 0,
        });
        tokio::time::sleep(Duration::from_secs(3600)).await;
        0
    } else if behaviour.status == 0 {
        200
    } else {
        behaviour.status
    };
    received.lock().unwrap().push(Received {
        path,
        authorization,
        body,
        answered: status,
    });
    let text = if status == 200 {
        r#"{"data": {"is_sent": true, "message_id": "m"}, "message": "OK"}"#
    } else {
        r#"{"message": "nope"}"#
    };
    let mut response = hyper::Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    Ok(response)
}

/// Faults of what Kick drives, which only a delivery, the watch award or a chat command's reply
/// can expose: the webhook is not under a streamer's path, so `tests/kick_isolation.rs` runs
/// its own scenario on these and `tests/isolation_faults.rs` leaves them to it.
pub fn kick_driven(fault: conformance::faults::Fault) -> bool {
    matches!(fault.family(), datastore::Family::Kick)
        || matches!(
            format!("{fault:?}").as_str(),
            "LiveListUncorrelated" | "DropLeaderboardIncludesOthers"
        )
}
