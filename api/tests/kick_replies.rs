//! The bot's chat replies: a command in a streamer's chat is answered in that chat through
//! Kick's chat API, with the streamer's stored token; replies are sent off the request path,
//! retried on timeouts and 5xx (never on another 4xx), and whatever becomes of them, the data
//! the delivery changed stays.

mod common;

use api::kick::replies::{ChatReplies, KickChatApi, ReplyError};
use common::TestServer;
use common::kick::{Behaviour, Delivery, FakeKick, KickSetup, balance, chat, now};
use serde_json::json;
use std::time::{Duration, Instant};

const ALPHA: i64 = 900_001;
const ANN: (i64, &str) = (5_001, "ann");

async fn server(kick: &FakeKick, attempt_timeout: Duration) -> TestServer {
    TestServer::start_kick_with(KickSetup {
        replies_to: Some(kick.base.clone()),
        timing: (attempt_timeout, 3, Duration::from_millis(20)),
        ..KickSetup::default()
    })
    .await
}

on_both_backends! {
    #[tokio::test]
    async fn a_command_is_answered_in_the_streamers_chat_with_the_streamers_token() {
        let kick = FakeKick::start(Behaviour::default()).await;
        let s = server(&kick, Duration::from_secs(5)).await;
        let a = s.kick_tenant("alpha", ALPHA).await;
        s.kick_token(&a, "ALPHA-BOT-TOKEN").await;
        let r = Delivery::signed(chat(ALPHA, ANN, "!points", now())).send(&s).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let got = kick.wait_calls(1, Duration::from_secs(5)).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].path, "/public/v1/chat");
        assert_eq!(got[0].authorization.as_deref(), Some("Bearer ALPHA-BOT-TOKEN"));
        assert_eq!(got[0].body["broadcaster_user_id"], ALPHA);
        assert_eq!(got[0].body["type"], "bot");
        let content = got[0].body["content"].as_str().unwrap();
        assert!(content.starts_with("@ann "), "{content}");
        assert!(content.contains("25 points"), "the balance after the message's own earn: {content}");
        // A message that is no command says nothing.
        Delivery::signed(chat(ALPHA, ANN, "just chatting", now())).send(&s).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(kick.calls(), 1);
        s.stop().await;
    }
}

#[tokio::test]
async fn failing_replies_are_retried_then_given_up_and_never_undo_the_data() {
    // Two 500s, then an answer: the third attempt says it.
    let kick = FakeKick::start(Behaviour {
        fail_first: 2,
        ..Behaviour::default()
    })
    .await;
    let s = server(&kick, Duration::from_secs(5)).await;
    let a = s.kick_tenant("alpha", ALPHA).await;
    s.kick_token(&a, "tok").await;
    let d = Delivery::signed(chat(ALPHA, ANN, "!points", now()));
    assert_eq!(d.send(&s).await.status, 200);
    let got = kick.wait_calls(3, Duration::from_secs(5)).await;
    let statuses: Vec<u16> = got.iter().map(|r| r.answered).collect();
    assert_eq!(statuses, [500, 500, 200]);
    assert!(
        got.iter().all(|r| r.body == got[0].body),
        "the same message each time"
    );
    s.stop().await;

    // Kick failing for good: three attempts, then the reply is dropped; the earn stays.
    let kick = FakeKick::start(Behaviour {
        fail_first: 1000,
        ..Behaviour::default()
    })
    .await;
    let s = server(&kick, Duration::from_secs(5)).await;
    let a = s.kick_tenant("alpha", ALPHA).await;
    s.kick_token(&a, "tok").await;
    let started = Instant::now();
    let r = Delivery::signed(chat(ALPHA, ANN, "!gamble 10", now()))
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the webhook waited for the reply"
    );
    kick.wait_calls(3, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(kick.calls(), 3, "exactly three attempts");
    let ann = balance(&*s.store, &a, ANN.0).await;
    assert!(ann >= 15, "the earn and the gamble stay: {ann}");
    s.stop().await;
}

#[tokio::test]
async fn a_hanging_kick_times_out_and_the_reply_is_retried_while_the_webhook_answers_at_once() {
    let kick = FakeKick::start(Behaviour {
        hang_first: 1,
        ..Behaviour::default()
    })
    .await;
    let s = server(&kick, Duration::from_millis(400)).await;
    let a = s.kick_tenant("alpha", ALPHA).await;
    s.kick_token(&a, "tok").await;
    let started = Instant::now();
    let r = Delivery::signed(chat(ALPHA, ANN, "!points", now()))
        .send(&s)
        .await;
    assert_eq!(r.status, 200);
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    let got = kick.wait_calls(2, Duration::from_secs(5)).await;
    assert_eq!(kick.calls(), 2, "{got:?}");
    assert!(got.iter().any(|r| r.answered == 200), "{got:?}");
    s.stop().await;
}

#[tokio::test]
async fn a_refusal_is_not_retried_and_no_token_or_an_expired_one_sends_nothing() {
    let kick = FakeKick::start(Behaviour {
        status: 401,
        ..Behaviour::default()
    })
    .await;
    let s = server(&kick, Duration::from_secs(5)).await;
    let a = s.kick_tenant("alpha", ALPHA).await;
    let b = s.kick_tenant("bravo", 900_002).await;
    let c = s.kick_tenant("carol", 900_003).await;
    s.kick_token(&a, "revoked").await;
    let r = s
        .call(
            "PUT",
            "/carol/api/tokens/kick",
            Some(&c.key),
            Some(json!({"access_token": "old", "expires_at": "2020-01-01T00:00:00.000Z"})),
        )
        .await;
    assert_eq!(r.status, 200);
    for channel in [ALPHA, 900_002, 900_003] {
        let r = Delivery::signed(chat(channel, ANN, "!points", now()))
            .send(&s)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        kick.calls(),
        1,
        "alpha's refused reply once, nothing for bravo (no token) or carol (expired)"
    );
    for t in [&a, &b, &c] {
        assert_eq!(balance(&*s.store, t, ANN.0).await, 25, "{}", t.name);
    }
    s.stop().await;
}

#[tokio::test]
async fn the_chat_api_client_reports_what_became_of_a_message() {
    let ok = FakeKick::start(Behaviour::default()).await;
    let api = KickChatApi::with_timing(
        &ok.base,
        Duration::from_secs(2),
        3,
        Duration::from_millis(10),
    )
    .unwrap();
    assert_eq!(api.url(), format!("{}/public/v1/chat", ok.base));
    api.send(42, "hello", "tok").await.unwrap();
    let got = ok.received();
    assert_eq!(
        got[0].body,
        json!({"broadcaster_user_id": 42, "content": "hello", "type": "bot"})
    );
    let refused = FakeKick::start(Behaviour {
        status: 403,
        ..Behaviour::default()
    })
    .await;
    let api = KickChatApi::with_timing(
        &refused.base,
        Duration::from_secs(2),
        3,
        Duration::from_millis(10),
    )
    .unwrap();
    assert!(matches!(
        api.send(42, "hello", "tok").await,
        Err(ReplyError::Refused { status: 403, .. })
    ));
    assert_eq!(refused.calls(), 1);
    let limited = FakeKick::start(Behaviour {
        status: 429,
        ..Behaviour::default()
    })
    .await;
    let api = KickChatApi::with_timing(
        &limited.base,
        Duration::from_secs(2),
        3,
        Duration::from_millis(10),
    )
    .unwrap();
    assert!(matches!(
        api.send(42, "hello", "tok").await,
        Err(ReplyError::GaveUp { attempts: 3, .. })
    ));
    assert_eq!(limited.calls(), 3, "429 is retried");
    // Nobody listening: connection errors are retried, then given up.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let api = KickChatApi::with_timing(
        &closed,
        Duration::from_secs(2),
        2,
        Duration::from_millis(10),
    )
    .unwrap();
    assert!(matches!(
        api.send(42, "x", "t").await,
        Err(ReplyError::GaveUp { attempts: 2, .. })
    ));
    assert!(KickChatApi::new("ftp://kick").is_err());
    assert!(KickChatApi::new("not a url").is_err());
    assert!(
        KickChatApi::new("https://api.kick.com").is_ok(),
        "the real API's client builds (TLS)"
    );
}
