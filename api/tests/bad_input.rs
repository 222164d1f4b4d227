//! Bad input gets a precise 4xx and changes nothing; awkward text is stored exactly.

mod common;

use api::route::{Access, Route};
use api::routes;
use common::{Fill, OPERATOR_KEY, Tenant, TestServer, concrete_path};
use serde_json::{Value, json};

struct Ctx {
    t: Tenant,
    user: i64,
    tip: i64,
    viewer: String,
}

fn fill(path: &str, c: &Ctx) -> String {
    concrete_path(
        path,
        &Fill {
            streamer: &c.t.name,
            user: c.user,
            tip: c.tip,
            key: "main",
            username: "alice",
        },
    )
}

fn key_for(r: &Route, c: &Ctx) -> Option<String> {
    match r.access {
        Access::Public => None,
        Access::Operator => Some(OPERATOR_KEY.to_owned()),
        Access::Admin | Access::Overlay => Some(c.t.key.clone()),
        Access::Viewer => Some(c.viewer.clone()),
    }
}

async fn setup(s: &TestServer) -> Ctx {
    let t = s.tenant("butters").await;
    let user = s.user(&t, "alice").await;
    let r = s
        .call(
            "POST",
            "/butters/api/tips",
            Some(&t.key),
            Some(json!({"content": "a tip"})),
        )
        .await;
    let tip = r.json["id"].as_i64().unwrap();
    s.call(
        "PUT",
        "/butters/api/goals/main",
        Some(&t.key),
        Some(json!({"label": "G", "target_value": 5})),
    )
    .await;
    let viewer = s.viewer_session(&t, "alice").await;
    Ctx {
        t,
        user,
        tip,
        viewer,
    }
}

on_both_backends! {
#[tokio::test]
async fn every_body_refuses_malformed_wrong_unknown_and_oversized_input_and_changes_nothing() {
    let s = TestServer::start().await;
    let c = setup(&s).await;
    let before = s.export(&c.t).await;
    let streamers_before = s.get("/api/streamers", Some(OPERATOR_KEY)).await.json;
    let mut checked = 0;
    for r in routes::all().iter().filter(|r| r.body.is_some()) {
        let path = fill(r.path, &c);
        let key = key_for(r, &c);
        let key = key.as_deref();
        let send = |body: Vec<u8>| s.raw(r.verb.as_str(), &path, key, Some(body));
        let what = r.key();

        // Kick's webhook checks the signature before it reads a body, so an unsigned body is
        // refused before it is parsed, whatever it holds (503 here: the test server has no Kick
        // key); tests/kick_webhook.rs sends it signed bodies that do not fit.
        if r.path == "/api/kick/webhook" {
            for body in [b"{\"a\": ".to_vec(), b"[]".to_vec(), r.body.unwrap().as_bytes().to_vec()] {
                let resp = send(body).await;
                assert_eq!(resp.status, 503, "{what}: {}", resp.text);
            }
        } else {
        let resp = send(b"{\"a\": ".to_vec()).await;
        assert_eq!(
            (resp.status, resp.json["error"]["code"].as_str()),
            (400, Some("malformed_json")),
            "{what}: {}",
            resp.text
        );
        let resp = send(b"not json at all".to_vec()).await;
        assert_eq!(resp.status, 400, "{what}: {}", resp.text);
        let resp = send(Vec::new()).await;
        assert_eq!(resp.status, 400, "{what} with no body: {}", resp.text);
        if r.path != "/{streamer}/api/theme" {
            for wrong in [json!([]), json!("text"), json!(42), json!(null)] {
                let resp = send(wrong.to_string().into_bytes()).await;
                assert_eq!(
                    (resp.status, resp.json["error"]["code"].as_str()),
                    (400, Some("invalid_body")),
                    "{what} {wrong}: {}",
                    resp.text
                );
            }
            let mut extra: Value = serde_json::from_str(r.body.unwrap()).unwrap();
            extra["no_such_field"] = json!(1);
            let resp = send(extra.to_string().into_bytes()).await;
            assert_eq!(
                resp.status, 400,
                "{what} with an unknown field: {}",
                resp.text
            );
            assert!(resp.text.contains("no_such_field"), "{what}: {}", resp.text);
        } else {
            let resp = send(b"[1, 2]".to_vec()).await;
            assert_eq!(
                resp.status, 400,
                "{what}: a theme must be an object: {}",
                resp.text
            );
        }
        // A key named twice: readers that keep the first and the last would disagree.
        let example: Value = serde_json::from_str(r.body.unwrap()).unwrap();
        if let Some((k, v)) = example.as_object().and_then(|o| o.iter().next()) {
            let twice = format!(
                "{{{}: {}, {}",
                json!(k),
                json!([v]),
                r.body.unwrap().trim_start().trim_start_matches('{')
            );
            let resp = send(twice.clone().into_bytes()).await;
            assert_eq!(
                (resp.status, resp.json["error"]["code"].as_str()),
                (400, Some("invalid_body")),
                "{what} with {twice}: {}",
                resp.text
            );
            assert!(
                resp.text.contains("more than once"),
                "{what}: {}",
                resp.text
            );
        }
        }
        // The example itself, labelled as anything but JSON (or not at all).
        for label in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("application/xml"),
            None,
        ] {
            let resp = s
                .typed(
                    r.verb.as_str(),
                    &path,
                    key,
                    Some(r.body.unwrap().as_bytes().to_vec()),
                    label,
                )
                .await;
            assert_eq!(
                (resp.status, resp.json["error"]["code"].as_str()),
                (415, Some("unsupported_media_type")),
                "{what} as {label:?}: {}",
                resp.text
            );
        }
        // 65 KiB: over the limit, declared in Content-Length.
        let mut big = br#"{"username": ""#.to_vec();
        big.extend(std::iter::repeat_n(b'x', 65 * 1024));
        big.extend(br#""}"#);
        let resp = send(big).await;
        assert_eq!(
            (resp.status, resp.json["error"]["code"].as_str()),
            (413, Some("payload_too_large")),
            "{what}"
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} body routes");
    assert_eq!(
        s.export(&c.t).await,
        before,
        "a refused request changed stored data"
    );
    assert_eq!(
        s.get("/api/streamers", Some(OPERATOR_KEY)).await.json,
        streamers_before
    );
    s.stop().await;
}

#[tokio::test]
async fn out_of_range_numbers_are_400_and_change_nothing() {
    let s = TestServer::start().await;
    let c = setup(&s).await;
    let k = Some(c.t.key.as_str());
    let before = s.export(&c.t).await;
    let u = c.user;
    let cases: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            format!("/butters/api/users/{u}/points"),
            json!({"amount": 1e30, "source": "chat"}),
        ),
        (
            "POST",
            format!("/butters/api/users/{u}/points"),
            json!({"amount": 2_000_000_000i64, "source": "chat"}),
        ),
        (
            "POST",
            format!("/butters/api/users/{u}/points"),
            json!({"amount": -9_223_372_036_854_775_807i64, "source": "chat"}),
        ),
        (
            "POST",
            format!("/butters/api/users/{u}/points"),
            json!({"amount": 5, "source": "lottery"}),
        ),
        (
            "POST",
            format!("/butters/api/users/{u}/points"),
            json!({"amount": 5.5, "source": "chat"}),
        ),
        (
            "PUT",
            format!("/butters/api/users/{u}/points"),
            json!({"channel_points": -1}),
        ),
        (
            "PUT",
            format!("/butters/api/users/{u}/points"),
            json!({"channel_points": 1_000_000_000_000_001i64}),
        ),
        (
            "POST",
            format!("/butters/api/users/{u}/drops"),
            json!({"score": -1}),
        ),
        (
            "POST",
            format!("/butters/api/users/{u}/drops"),
            json!({"score": 10, "powerup_used": "nuke"}),
        ),
        (
            "POST",
            "/butters/api/points/award".into(),
            json!({"usernames": ["a"], "amount": -5, "source": "watch"}),
        ),
        (
            "PUT",
            "/butters/api/powerups/tnt".into(),
            json!({"name": "T", "description": "", "cost": -5, "emoji": "x", "effect": ""}),
        ),
        (
            "PUT",
            "/butters/api/goals/main".into(),
            json!({"label": "G", "target_value": 0}),
        ),
        (
            "PATCH",
            "/butters/api/goals/main/progress".into(),
            json!({"current_value": -3}),
        ),
        ("POST", "/butters/api/tips".into(), json!({"content": ""})),
        (
            "POST",
            "/butters/api/tips".into(),
            json!({"content": "x", "sort_order": 1e12}),
        ),
        (
            "PATCH",
            format!("/butters/api/users/{u}"),
            json!({"country": "Narnia"}),
        ),
        (
            "PATCH",
            format!("/butters/api/users/{u}"),
            json!({"drop_image": "not a url"}),
        ),
        ("POST", "/butters/api/users".into(), json!({"username": ""})),
        (
            "POST",
            "/butters/api/users".into(),
            json!({"username": "x".repeat(65)}),
        ),
        (
            "POST",
            "/butters/api/users".into(),
            json!({"username": "tab\there"}),
        ),
        (
            "PUT",
            "/butters/api/tokens/kick".into(),
            json!({"access_token": "a", "expires_at": "tomorrow"}),
        ),
    ];
    for (m, path, body) in cases {
        let r = s.call(m, &path, k, Some(body.clone())).await;
        assert_eq!(r.status, 400, "{m} {path} {body}: {}", r.text);
        assert!(
            r.json["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    for q in ["limit=-1", "limit=99999999999", "limit=abc", "limit=501"] {
        assert_eq!(
            s.get(&format!("/butters/api/leaderboard?{q}"), None)
                .await
                .status,
            400,
            "{q}"
        );
    }
    assert_eq!(s.get("/butters/api/users/-4", None).await.status, 400);
    for odd in ["+1", "01", "1.0", "%201"] {
        let r = s.get(&format!("/butters/api/users/{odd}"), None).await;
        assert_eq!(r.status, 400, "{odd}: {}", r.text);
    }
    assert_eq!(
        s.get("/butters/api/users/99999999999999999999", None)
            .await
            .status,
        400
    );
    assert_eq!(s.export(&c.t).await, before);
    s.stop().await;
}

#[tokio::test]
async fn unicode_quotes_and_sql_looking_text_are_stored_and_returned_exactly() {
    let s = TestServer::start().await;
    let c = setup(&s).await;
    let k = Some(c.t.key.as_str());
    for name in [
        "Robert'); DROP TABLE users;--",
        "Zoë 🎮 \"quoted\"",
        "名前",
        "a%20b/c?d",
    ] {
        let r = s
            .call(
                "POST",
                "/butters/api/users",
                k,
                Some(json!({"username": name})),
            )
            .await;
        assert_eq!(
            (r.status, r.json["username"].as_str()),
            (201, Some(name)),
            "{}",
            r.text
        );
        let enc = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
        let back = s
            .get(&format!("/butters/api/users/by-name/{enc}"), None)
            .await;
        assert_eq!(back.json["username"], name);
    }
    let text = "' OR 1=1; -- \\ \u{0}? no: \u{1F600} «ça» \"x\"";
    let text = text.replace('\u{0}', "");
    let r = s
        .call(
            "POST",
            "/butters/api/tips",
            k,
            Some(json!({"content": text})),
        )
        .await;
    assert_eq!(r.json["content"], text.as_str());
    let r = s
        .call(
            "PUT",
            "/butters/api/overlay/settings/sql.text",
            k,
            Some(json!({"value": "'; DELETE FROM overlay_settings; --", "description": "ü"})),
        )
        .await;
    assert_eq!(r.json["value"], "'; DELETE FROM overlay_settings; --");
    let all = s.get("/butters/api/overlay/settings", None).await.json;
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|x| x["description"] == "ü")
    );
    let r = s
        .call(
            "PUT",
            "/butters/api/goals/main",
            k,
            Some(json!({"label": "Ünïcödé 'goal'", "target_value": 5})),
        )
        .await;
    assert_eq!(r.json["label"], "Ünïcödé 'goal'");
    s.stop().await;
}

#[tokio::test]
async fn chunked_bodies_over_the_limit_are_refused_too() {
    let s = TestServer::start().await;
    let c = setup(&s).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..70).map(|_| Ok(vec![b' '; 1024])).collect();
    let stream = futures_util::stream::iter(chunks);
    let r = s
        .client
        .post(format!("{}/butters/api/users", s.base))
        .header("authorization", format!("Bearer {}", c.t.key))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 413);
    s.stop().await;
}

    #[tokio::test]
    /// A NUL in a path segment (a streamer's name, a viewer's, a key) finds nothing: 404, never
    /// a 500, whatever the backend's text can hold.
    async fn a_nul_in_a_path_is_not_found() {
        let s = TestServer::start().await;
        let t = s.tenant("probe").await;
        for path in [
            "/a%00b/api/goals".to_owned(),
            format!("/{}/api/users/by-name/a%00b", t.name),
            format!("/{}/api/overlay/layouts/a%00b", t.name),
        ] {
            let r = s.get(&path, Some(&t.key)).await;
            assert_eq!(r.status, 404, "{path}: {}", r.text);
        }
    }
}
