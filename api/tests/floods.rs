//! Unauthenticated routes under floods and guessing: verification codes are rate-limited per
//! client address and per streamer (429 with `Retry-After`), a username holds a bounded number
//! of live codes, expired rows are purged on a schedule, and a log-in needs the very secret
//! issued with the code (a code is deleted after a few wrong ones).

mod common;

use api::auth::code_for;
use api::handlers::viewers::CODE_LEN;
use api::housekeeping;
use common::TestServer;
use datastore::{
    Clock, DataStore, MAX_FAILED_REDEMPTIONS, MAX_LIVE_CODES, ManualClock, NewStreamer,
    NewVerificationCode, SessionToken, SystemClock, Timestamp,
};
use reference_store::SqliteStore;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

async fn ask_code(s: &TestServer, streamer: &str, username: &str) -> common::Resp {
    s.call(
        "POST",
        &format!("/{streamer}/api/verifications"),
        None,
        Some(json!({"username": username})),
    )
    .await
}

#[tokio::test]
async fn one_address_gets_its_allowance_then_429_with_retry_after() {
    let s = TestServer::start_limited(5, 0).await;
    s.tenant("butters").await;
    s.tenant("spicy").await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        // Spread over two streamers and many names: the address is what is limited.
        let streamer = if i % 2 == 0 { "butters" } else { "spicy" };
        statuses.push(ask_code(&s, streamer, &format!("viewer{i}")).await);
    }
    let codes: Vec<u16> = statuses.iter().map(|r| r.status).collect();
    assert_eq!(codes, [201, 201, 201, 201, 201, 429, 429, 429]);
    let refused = &statuses[5];
    assert_eq!(
        refused.json["error"]["code"], "too_many_requests",
        "{}",
        refused.text
    );
    let retry: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=13).contains(&retry),
        "one token comes back every 12 s: {retry}"
    );
    s.stop().await;
}

#[tokio::test]
async fn one_streamer_gets_its_allowance_whoever_asks_and_others_are_untouched() {
    let s = TestServer::start_limited(0, 3).await;
    s.tenant("butters").await;
    s.tenant("spicy").await;
    let mut butters = Vec::new();
    for i in 0..5 {
        butters.push(ask_code(&s, "butters", &format!("v{i}")).await.status);
    }
    assert_eq!(butters, [201, 201, 201, 429, 429]);
    assert_eq!(ask_code(&s, "spicy", "v0").await.status, 201);
    s.stop().await;
}

#[tokio::test]
async fn a_username_holds_a_bounded_number_of_live_codes() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    for _ in 0..40 {
        assert_eq!(ask_code(&s, "butters", "target").await.status, 201);
    }
    let export = s.export(&t).await;
    let live = export["verification_codes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["username"] == "target")
        .count();
    assert_eq!(live, MAX_LIVE_CODES, "40 requests for one name");
    s.stop().await;
}

#[tokio::test]
async fn a_log_in_needs_the_secret_issued_with_the_code_and_wrong_ones_delete_it() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let streamer = s
        .store
        .get_streamer_by_username("butters")
        .await
        .unwrap()
        .unwrap()
        .id;
    // What someone who read the code in chat and searched for a secret deriving it would
    // hold: a secret whose code is the code, but which is not the secret issued with it.
    let issued = SessionToken::new("kvl_the-secret-the-viewer-was-given");
    let found = "kvl_a-secret-found-by-brute-force";
    let code = code_for(found, CODE_LEN);
    let expires_at = SystemClock
        .now()
        .checked_add(Duration::from_secs(600))
        .unwrap_or(Timestamp::MAX);
    s.store
        .create_verification_code(
            streamer,
            NewVerificationCode {
                username: "victim".into(),
                code: code.clone(),
                secret_hash: issued.hash(),
                expires_at,
            },
        )
        .await
        .unwrap();
    let r = s
        .call(
            "POST",
            "/butters/api/verifications/confirm",
            Some(&t.key),
            Some(json!({"username": "victim", "code": code})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let attempt = json!({"username": "victim", "code": code, "login_secret": found});
    for i in 0..MAX_FAILED_REDEMPTIONS {
        let r = s
            .call("POST", "/butters/api/sessions", None, Some(attempt.clone()))
            .await;
        assert_eq!(r.status, 401, "attempt {i}: {}", r.text);
    }
    assert_eq!(
        s.store
            .get_verification_code(streamer, "victim", &code)
            .await
            .unwrap(),
        None,
        "the code is deleted after {MAX_FAILED_REDEMPTIONS} wrong secrets"
    );
    // The normal way still works: the secret the server issued logs in, once.
    let r = ask_code(&s, "butters", "alice").await;
    let (code, secret) = (
        r.json["code"].as_str().unwrap().to_owned(),
        r.json["login_secret"].as_str().unwrap().to_owned(),
    );
    s.call(
        "POST",
        "/butters/api/verifications/confirm",
        Some(&t.key),
        Some(json!({"username": "alice", "code": code})),
    )
    .await;
    let login = json!({"username": "alice", "code": code, "login_secret": secret});
    let r = s
        .call("POST", "/butters/api/sessions", None, Some(login.clone()))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = s
        .call("POST", "/butters/api/sessions", None, Some(login))
        .await;
    assert_eq!(r.status, 401, "a code logs in once");
    s.stop().await;
}

#[tokio::test]
async fn housekeeping_purges_expired_codes_sessions_and_cooldowns_on_its_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        Timestamp::from_millis(1_800_000_000_000).unwrap(),
    ));
    let store: Arc<dyn DataStore> = Arc::new(
        SqliteStore::open(dir.path().join("k.db"), clock.clone())
            .await
            .unwrap(),
    );
    let mut streamers = Vec::new();
    for name in ["alpha", "bravo"] {
        let s = store
            .create_streamer(NewStreamer::named(name))
            .await
            .unwrap()
            .id;
        let u = store.get_or_create_user(s, "viewer").await.unwrap().user.id;
        let soon = clock.now().checked_add(Duration::from_secs(60)).unwrap();
        store
            .create_verification_code(
                s,
                NewVerificationCode {
                    username: "viewer".into(),
                    code: "ABC".into(),
                    secret_hash: SessionToken::new("x").hash(),
                    expires_at: soon,
                },
            )
            .await
            .unwrap();
        store
            .create_user_session(
                s,
                datastore::NewUserSession {
                    user_id: u,
                    token_hash: SessionToken::new(format!("{name}-session")).hash(),
                    expires_at: soon,
                },
            )
            .await
            .unwrap();
        store
            .check_cooldown(s, u, "!drop", Duration::from_secs(60))
            .await
            .unwrap();
        streamers.push(s);
    }
    clock.advance(Duration::from_secs(61));
    let task = tokio::spawn(housekeeping::run(
        store.clone(),
        Duration::from_millis(50),
        housekeeping::DEFAULT_EVENT_RETENTION,
    ));
    tokio::time::sleep(Duration::from_millis(400)).await;
    task.abort();
    for s in streamers {
        let e = store.export_streamer(s).await.unwrap().unwrap();
        assert!(
            e.verification_codes.is_empty(),
            "{:?}",
            e.verification_codes
        );
        assert!(e.user_sessions.is_empty(), "{:?}", e.user_sessions);
        assert!(e.cooldowns.is_empty(), "{:?}", e.cooldowns);
    }
}

#[test]
fn the_server_purges_on_its_schedule() {
    use common::process::Process;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let count_codes = |rt: &tokio::runtime::Runtime| {
        rt.block_on(async {
            let store: Arc<dyn DataStore> =
                Arc::new(SqliteStore::open(&db, Arc::new(SystemClock)).await.unwrap());
            let s = store
                .get_streamer_by_username("butters")
                .await
                .unwrap()
                .unwrap()
                .id;
            store
                .export_streamer(s)
                .await
                .unwrap()
                .unwrap()
                .verification_codes
                .len()
        })
    };
    rt.block_on(async {
        let store: Arc<dyn DataStore> =
            Arc::new(SqliteStore::open(&db, Arc::new(SystemClock)).await.unwrap());
        let s = store
            .create_streamer(NewStreamer::named("butters"))
            .await
            .unwrap()
            .id;
        let soon = SystemClock
            .now()
            .checked_add(Duration::from_millis(500))
            .unwrap();
        for name in ["a", "b", "c"] {
            store
                .create_verification_code(
                    s,
                    NewVerificationCode {
                        username: name.into(),
                        code: "ABC".into(),
                        secret_hash: SessionToken::new(name).hash(),
                        expires_at: soon,
                    },
                )
                .await
                .unwrap();
        }
    });
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(count_codes(&rt), 3, "expired, not yet purged");
    let mut server = Process::start(&db, &["--purge-interval", "1"], None);
    std::thread::sleep(Duration::from_millis(2500));
    server.terminate();
    let (status, _) = server.wait_exit(Duration::from_secs(15));
    assert!(status.success());
    assert!(
        server.log().contains("purged expired rows"),
        "{}",
        server.log()
    );
    assert_eq!(count_codes(&rt), 0, "the server purged them");
}
