//! The bot's chat replies: a port ([`ChatReplies`]) with one real implementation, Kick's chat
//! API ([`KickChatApi`]), fed by a bounded queue ([`ReplyQueue`]) off the request path.
//!
//! A reply is said after its delivery committed and never undoes it: a reply that cannot be
//! sent (no token stored, Kick refusing, Kick unreachable after its retries, the queue full) is
//! logged and dropped.

use crate::rate_limit::{Limiter, Rate};
use async_trait::async_trait;
use bytes::Bytes;
use datastore::{Clock, DataStore, StreamerId};
use http_body_util::{BodyExt, Full};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc};

/// The provider name a streamer's Kick OAuth token is stored under
/// (`PUT /{streamer}/api/tokens/kick`).
pub const TOKEN_PROVIDER: &str = "kick";

/// Kick's API, unless `--kick-api-url` says otherwise.
pub const DEFAULT_API_URL: &str = "https://api.kick.com";

/// How long one attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// Attempts per reply (the first and two retries).
pub const ATTEMPTS: u32 = 3;

/// The wait before the first retry; doubled before each further one.
pub const BACKOFF: Duration = Duration::from_millis(500);

/// Replies waiting to be sent; more are dropped (with a warning).
pub const QUEUE: usize = 1024;

/// Replies being sent at once.
pub const SENDING_AT_ONCE: usize = 16;

/// The most replies one streamer's chat may queue in a minute (a burst of as many, refilling
/// evenly); past it, that streamer's replies are dropped with a log line. It keeps one busy or
/// spammed chat (every refused `!gamble` is answered) from filling the queue all streamers
/// share, and stays under Kick's own chat rate limits.
pub const REPLIES_PER_MINUTE: u32 = 30;

/// One chat message for a streamer's chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// Whose chat (the token is looked up under this streamer).
    pub streamer: StreamerId,
    /// The channel's Kick user id.
    pub broadcaster_user_id: i64,
    /// What to say.
    pub content: String,
}

/// Why a reply was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// Kick answered with a status that a retry would not change (4xx other than 429).
    #[error("Kick refused the message with {status}: {body}")]
    Refused {
        /// The status.
        status: u16,
        /// The start of Kick's answer.
        body: String,
    },
    /// Every attempt failed (timeouts, connection errors, 5xx, 429).
    #[error("gave up after {attempts} attempts; the last: {last}")]
    GaveUp {
        /// How many were made.
        attempts: u32,
        /// What the last one met.
        last: String,
    },
}

/// Sends a chat message as the streamer's bot.
#[async_trait]
pub trait ChatReplies: Send + Sync + fmt::Debug {
    /// Says `content` in the chat of the channel `broadcaster_user_id`, authorized by the
    /// streamer's `access_token`.
    async fn send(
        &self,
        broadcaster_user_id: i64,
        content: &str,
        access_token: &str,
    ) -> Result<(), ReplyError>;
}

/// Kick's chat API: `POST {base}/public/v1/chat` with `{"broadcaster_user_id", "content",
/// "type": "bot"}` and the streamer's bearer token, over HTTPS (rustls with the ring provider
/// and Mozilla's root certificates); each attempt within its timeout, retried with a doubling
/// backoff on timeouts, connection errors, 5xx and 429, never on another 4xx.
#[derive(Clone)]
pub struct KickChatApi {
    client: HttpsClient,
    uri: hyper::Uri,
    attempt_timeout: Duration,
    attempts: u32,
    backoff: Duration,
}

type HttpsClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

impl fmt::Debug for KickChatApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KickChatApi")
            .field("uri", &self.uri)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// Why the chat API client could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the Kick chat API client: {0}")]
pub struct ClientError(String);

/// rustls's ring provider. ring has no post-quantum key exchange (hence the deprecation); the
/// alternative, aws-lc-rs, needs cmake and a long C build.
#[allow(deprecated)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

impl KickChatApi {
    /// The client for the API at `base_url` (`https://api.kick.com`), with the default
    /// timeout, attempts and backoff.
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        Self::with_timing(base_url, ATTEMPT_TIMEOUT, ATTEMPTS, BACKOFF)
    }

    /// The client with its own per-attempt timeout, number of attempts (at least 1) and first
    /// backoff.
    pub fn with_timing(
        base_url: &str,
        attempt_timeout: Duration,
        attempts: u32,
        backoff: Duration,
    ) -> Result<Self, ClientError> {
        let base = base_url.trim().trim_end_matches('/');
        let uri: hyper::Uri = format!("{base}/public/v1/chat")
            .parse()
            .map_err(|e| ClientError(format!("{base}: {e}")))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(ClientError(format!("{base}: not an http(s) URL")));
        }
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(ring_provider())
            .map_err(|e| ClientError(e.to_string()))?
            .https_or_http()
            .enable_http1()
            .build();
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(https);
        Ok(KickChatApi {
            client,
            uri,
            attempt_timeout,
            attempts: attempts.max(1),
            backoff,
        })
    }

    /// The URL messages are posted to.
    pub fn url(&self) -> String {
        self.uri.to_string()
    }
}

/// What one attempt met.
enum Attempt {
    Sent,
    Retry(String, Option<Duration>),
    Stop(ReplyError),
}

impl KickChatApi {
    async fn attempt(&self, body: &Bytes, access_token: &str) -> Attempt {
        use hyper::header;
        let request = hyper::Request::post(self.uri.clone())
            .header(header::AUTHORIZATION, format!("Bearer {access_token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header(
                header::USER_AGENT,
                concat!("kick-overlay/", env!("CARGO_PKG_VERSION")),
            )
            .body(Full::new(body.clone()));
        let request = match request {
            Ok(r) => r,
            // Only a token that is not a valid header value gets here: no retry mends it.
            Err(e) => {
                return Attempt::Stop(ReplyError::Refused {
                    status: 0,
                    body: format!("the request could not be built: {e}"),
                });
            }
        };
        let exchange = async {
            let response = self.client.request(request).await?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(30)));
            let text = match response.into_body().collect().await {
                Ok(b) => String::from_utf8_lossy(&b.to_bytes())
                    .chars()
                    .take(200)
                    .collect(),
                Err(_) => String::new(),
            };
            Ok::<_, hyper_util::client::legacy::Error>((status, retry_after, text))
        };
        let (status, retry_after, text) =
            match tokio::time::timeout(self.attempt_timeout, exchange).await {
                Err(_) => return Attempt::Retry("timed out".into(), None),
                Ok(Err(e)) => return Attempt::Retry(format!("could not reach Kick: {e}"), None),
                Ok(Ok(answer)) => answer,
            };
        if status.is_success() {
            Attempt::Sent
        } else if status.is_server_error() || status.as_u16() == 429 {
            Attempt::Retry(
                format!("Kick answered {}: {text}", status.as_u16()),
                retry_after,
            )
        } else {
            Attempt::Stop(ReplyError::Refused {
                status: status.as_u16(),
                body: text,
            })
        }
    }
}

#[async_trait]
impl ChatReplies for KickChatApi {
    async fn send(
        &self,
        broadcaster_user_id: i64,
        content: &str,
        access_token: &str,
    ) -> Result<(), ReplyError> {
        let body = Bytes::from(
            serde_json::json!({
                "broadcaster_user_id": broadcaster_user_id,
                "content": content,
                "type": "bot",
            })
            .to_string(),
        );
        let mut wait = self.backoff;
        let mut last = String::new();
        for n in 1..=self.attempts {
            match self.attempt(&body, access_token).await {
                Attempt::Sent => return Ok(()),
                Attempt::Stop(e) => return Err(e),
                Attempt::Retry(why, after) => {
                    tracing::debug!(attempt = n, reason = %why, "a chat reply attempt failed");
                    last = why;
                    if n < self.attempts {
                        tokio::time::sleep(after.unwrap_or(wait).max(wait)).await;
                        wait = wait.saturating_mul(2);
                    }
                }
            }
        }
        Err(ReplyError::GaveUp {
            attempts: self.attempts,
            last,
        })
    }
}

/// The queue replies wait in: [`ReplyQueue::push`] never waits, a task sends them (a few at
/// once), each with the streamer's stored Kick token.
#[derive(Debug, Clone)]
pub struct ReplyQueue {
    tx: Option<mpsc::Sender<ChatMessage>>,
    per_streamer: Arc<Limiter<StreamerId>>,
}

impl ReplyQueue {
    /// A queue that says nothing: replies are dropped (logged at debug level). The default.
    pub fn off() -> Self {
        ReplyQueue {
            tx: None,
            per_streamer: Arc::new(Limiter::new(Rate { per_minute: 0 })),
        }
    }

    /// A queue sending through `sender` with each streamer's token from `store` (checked
    /// against `clock` for expiry); its task runs until the last handle is dropped. Must be
    /// called inside a Tokio runtime.
    pub fn start(
        store: Arc<dyn DataStore>,
        clock: Arc<dyn Clock>,
        sender: Arc<dyn ChatReplies>,
    ) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(drain(rx, store, clock, sender));
        ReplyQueue {
            tx: Some(tx),
            per_streamer: Arc::new(Limiter::new(Rate {
                per_minute: REPLIES_PER_MINUTE,
            })),
        }
    }

    /// Queues `message`; drops it with a log line when its streamer has used up their
    /// [`REPLIES_PER_MINUTE`] or the queue is full.
    pub fn push(&self, message: ChatMessage) {
        let Some(tx) = &self.tx else {
            tracing::debug!(streamer = %message.streamer, "chat replies are off; a reply was dropped");
            return;
        };
        if self
            .per_streamer
            .take(message.streamer, Instant::now())
            .is_err()
        {
            tracing::info!(
                streamer = %message.streamer,
                "the streamer's chat used up its replies for this minute; a reply was dropped"
            );
            return;
        }
        if let Err(e) = tx.try_send(message) {
            let streamer = match &e {
                mpsc::error::TrySendError::Full(m) | mpsc::error::TrySendError::Closed(m) => {
                    m.streamer
                }
            };
            tracing::warn!(%streamer, "the chat reply queue is full or closed; a reply was dropped");
        }
    }
}

async fn drain(
    mut rx: mpsc::Receiver<ChatMessage>,
    store: Arc<dyn DataStore>,
    clock: Arc<dyn Clock>,
    sender: Arc<dyn ChatReplies>,
) {
    let sending = Arc::new(Semaphore::new(SENDING_AT_ONCE));
    while let Some(message) = rx.recv().await {
        let Ok(permit) = sending.clone().acquire_owned().await else {
            return;
        };
        let (store, clock, sender) = (store.clone(), clock.clone(), sender.clone());
        tokio::spawn(async move {
            send_one(&*store, &*clock, &*sender, message).await;
            drop(permit);
        });
    }
}

/// Sends one reply with the streamer's token, logging what became of it.
async fn send_one(
    store: &dyn DataStore,
    clock: &dyn Clock,
    sender: &dyn ChatReplies,
    message: ChatMessage,
) {
    let streamer = message.streamer;
    let token = match store.get_oauth_token(streamer, TOKEN_PROVIDER).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            tracing::info!(
                %streamer,
                "no Kick token stored (PUT /{{streamer}}/api/tokens/kick): a chat reply was not sent"
            );
            return;
        }
        Err(e) => {
            tracing::warn!(%streamer, error = %e, "the Kick token could not be read: a chat reply was not sent");
            return;
        }
    };
    if token.expires_at <= clock.now() {
        tracing::warn!(
            %streamer,
            expired_at = %token.expires_at,
            "the stored Kick token has expired: a chat reply was not sent (store a fresh one)"
        );
        return;
    }
    match sender
        .send(
            message.broadcaster_user_id,
            &message.content,
            &token.access_token,
        )
        .await
    {
        Ok(()) => tracing::debug!(%streamer, "a chat reply was sent"),
        Err(e) => tracing::warn!(%streamer, error = %e, "a chat reply was not sent"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use conformance::ModelStore;
    use datastore::{
        ManualClock, NewStreamer, OAuthTokenInput, StreamerStore, Timestamp, TokenStore,
    };
    use std::sync::Mutex;

    /// Records what it was asked to say, per channel.
    #[derive(Debug, Default)]
    struct Recorder(Mutex<Vec<i64>>);

    #[async_trait]
    impl ChatReplies for Recorder {
        async fn send(&self, channel: i64, _: &str, _: &str) -> Result<(), ReplyError> {
            self.0.lock().unwrap().push(channel);
            Ok(())
        }
    }

    #[tokio::test]
    async fn one_chat_past_its_allowance_never_crowds_out_another_streamers_replies() {
        let clock = Arc::new(ManualClock::new(Timestamp::from_millis(1_000).unwrap()));
        let store = Arc::new(ModelStore::new(clock.clone()));
        let mut ids = Vec::new();
        for name in ["busy", "quiet"] {
            let s = store
                .create_streamer(NewStreamer::named(name))
                .await
                .unwrap()
                .id;
            let token = OAuthTokenInput {
                provider: TOKEN_PROVIDER.into(),
                access_token: format!("token-{name}"),
                refresh_token: None,
                expires_at: Timestamp::from_millis(10_000_000).unwrap(),
                scope: None,
            };
            store.upsert_oauth_token(s, token).await.unwrap();
            ids.push(s);
        }
        let recorder = Arc::new(Recorder::default());
        let queue = ReplyQueue::start(store, clock, recorder.clone());
        let message = |streamer, channel| ChatMessage {
            streamer,
            broadcaster_user_id: channel,
            content: "hi".into(),
        };
        for _ in 0..3 * REPLIES_PER_MINUTE {
            queue.push(message(ids[0], 1));
        }
        queue.push(message(ids[1], 2));
        let expected = REPLIES_PER_MINUTE as usize + 1;
        for _ in 0..200 {
            if recorder.0.lock().unwrap().len() >= expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let sent = recorder.0.lock().unwrap().clone();
        let busy = sent.iter().filter(|c| **c == 1).count();
        let quiet = sent.iter().filter(|c| **c == 2).count();
        assert_eq!((busy, quiet), (REPLIES_PER_MINUTE as usize, 1), "{sent:?}");
    }
}
