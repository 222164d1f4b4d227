//! Isolation through the HTTP API: another streamer's resources are indistinguishable from
//! missing ones, and credentials work only under their own streamer.

mod common;

use api::route::Access;
use api::routes;
use common::world::World;
use common::{Fill, TestServer, concrete_path, isolation};
use serde_json::json;

on_both_backends! {

#[tokio::test]
async fn every_route_keeps_streamers_apart() {
    let s = TestServer::start().await;
    let mut w = World::build(&s).await.expect("the world builds");
    let (violations, ran) = isolation::run(&s, &mut w).await;
    assert!(
        violations.is_empty(),
        "{} violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
    println!("{ran} isolation cases passed");
    assert!(ran >= 50, "only {ran} cases ran");
    s.stop().await;
}

#[tokio::test]
async fn an_admin_key_or_session_is_no_credential_under_another_streamer() {
    let s = TestServer::start().await;
    let mut w = World::build(&s).await.expect("the world builds");
    let mut checked = 0;
    for r in routes::all() {
        let key = match r.access {
            Access::Admin => w.a.key.clone(),
            Access::Viewer => s.viewer_session(&w.a, "alpha-viewer").await,
            _ => continue,
        };
        let key = &key;
        let fill = Fill {
            streamer: "bravo",
            user: w.b_user,
            tip: w.b_user,
            key: "k",
            username: "bravo-viewer",
        };
        let under_b = concrete_path(r.path, &fill);
        let body = r.body.map(|_| json!({}));
        let foreign = s
            .call(r.verb.as_str(), &under_b, Some(key), body.clone())
            .await;
        let garbage = s
            .call(
                r.verb.as_str(),
                &under_b,
                Some("koa_not-a-key"),
                body.clone(),
            )
            .await;
        let none = s.call(r.verb.as_str(), &under_b, None, body).await;
        assert_eq!(
            foreign.status,
            401,
            "{} with A's credential under B: {}",
            r.key(),
            foreign.text
        );
        assert_eq!(foreign.text, none.text, "{}", r.key());
        assert_eq!(foreign.text, garbage.text, "{}", r.key());
        checked += 1;
        // Under A's own path the same credential is accepted (never a 401).
        let under_a = under_b.replacen("/bravo/", "/alpha/", 1);
        let own = s
            .call(
                r.verb.as_str(),
                &under_a,
                Some(key),
                r.body.map(|_| json!({})),
            )
            .await;
        assert_ne!(
            own.status,
            401,
            "{} with A's credential under A: {}",
            r.key(),
            own.text
        );
        if let Some(k) = own.json.get("admin_key").and_then(|k| k.as_str()) {
            w.a.key = k.to_owned();
        }
    }
    assert!(checked > 30, "only {checked} routes checked");
    s.stop().await;
}

#[tokio::test]
async fn no_public_route_shows_a_token_a_key_or_a_hash() {
    let s = TestServer::start().await;
    let w = World::build(&s).await.expect("the world builds");
    let secrets = [
        w.a.key.clone(),
        w.a_session.clone(),
        datastore::SessionToken::new(w.a.key.clone())
            .hash()
            .to_hex(),
        datastore::SessionToken::new(w.a_session.clone())
            .hash()
            .to_hex(),
        w.a_confirmed_secret.clone(),
        "ALPHA-ACCESS-TOKEN".into(),
        "ALPHA-REFRESH-TOKEN".into(),
        w.a_pending_code.clone(),
        w.a_confirmed_code.clone(),
    ];
    let hex64 = |t: &str| {
        t.as_bytes()
            .windows(64)
            .any(|win| win.iter().all(u8::is_ascii_hexdigit))
    };
    let mut read = 0;
    for r in routes::all()
        .iter()
        .filter(|r| r.access == Access::Public && r.verb == api::route::Verb::Get)
    {
        let fill = Fill {
            streamer: "alpha",
            user: w.a_rich,
            tip: w.a_tip,
            key: "alpha-layout",
            username: "alpha-secret-user",
        };
        let path = concrete_path(r.path, &fill);
        let text = if r.path.ends_with("/api/events") {
            // The stream never ends: read every event A ever recorded (from the first).
            let mut stream = common::sse::Sse::open(&s.base, &path, Some("0")).await;
            assert_eq!(stream.status, 200, "{path}");
            let events = stream.collect(std::time::Duration::from_millis(800)).await;
            assert!(!events.is_empty(), "{path}: A's world recorded no events");
            events
                .iter()
                .map(|e| e.data.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            let resp = s.get(&path, None).await;
            assert_eq!(resp.status, 200, "{path}: {}", resp.text);
            resp.text
        };
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{path} shows a secret: {text}"
            );
        }
        assert!(!hex64(&text), "{path} shows something like a hash: {text}");
        read += 1;
    }
    assert!(read >= 15, "only {read} public reads");
    // The token routes are admin routes and still answer metadata only.
    let t = s.get("/alpha/api/tokens/kick", Some(&w.a.key)).await;
    assert_eq!(t.status, 200);
    assert!(
        !t.text.contains("ALPHA-ACCESS-TOKEN") && !t.text.contains("ALPHA-REFRESH-TOKEN"),
        "{}",
        t.text
    );
    let e = s.export(&w.a).await.to_string();
    assert!(
        !e.contains("ALPHA-ACCESS-TOKEN") && !e.contains("ALPHA-REFRESH-TOKEN"),
        "the export shows a token"
    );
    assert!(!hex64(&e), "the export shows a hash: {e}");
    s.stop().await;
}
}
