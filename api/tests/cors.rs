//! Cross-origin requests over real HTTP: public routes answer pages of any origin, the others
//! only those of the configured origins (`--cors-origin`), preflights are answered for every
//! path the route table knows, and errors carry the same headers as successes.

mod common;

use common::{OPERATOR_KEY, Resp, TestServer};
use reqwest::header::HeaderMap;
use serde_json::json;
use std::time::Duration;

/// A request: method, path, bearer key, JSON body, and the status it gets.
type Case<'a> = (
    &'a str,
    String,
    Option<&'a str>,
    Option<serde_json::Value>,
    u16,
);

const DASHBOARD: &str = "https://dashboard.example.com";
const ELSEWHERE: &str = "https://elsewhere.example.net";

/// Sends `method path` with `Origin: origin` (when given), a bearer `key` and a JSON `body`.
async fn from(
    s: &TestServer,
    origin: Option<&str>,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<serde_json::Value>,
) -> Resp {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = s.client.request(method, format!("{}{path}", s.base));
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&b).unwrap());
    }
    let r = req.send().await.expect("the server answers");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("a body");
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    Resp {
        status,
        json,
        text,
        headers,
    }
}

/// A preflight of `method path` from `origin`.
async fn preflight(s: &TestServer, origin: Option<&str>, method: &str, path: &str) -> Resp {
    let mut req = s
        .client
        .request(reqwest::Method::OPTIONS, format!("{}{path}", s.base))
        .header("access-control-request-method", method)
        .header(
            "access-control-request-headers",
            "authorization, content-type, last-event-id",
        );
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let r = req.send().await.expect("the server answers");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("a body");
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    Resp {
        status,
        json,
        text,
        headers,
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).map(|v| v.to_str().expect("a text header"))
}

fn list(h: &HeaderMap, name: &str) -> Vec<String> {
    header(h, name)
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

fn varies_by_origin(h: &HeaderMap) -> bool {
    h.get_all("vary")
        .iter()
        .any(|v| list_of(v.to_str().unwrap()).contains(&"origin".to_owned()))
}

fn list_of(v: &str) -> Vec<String> {
    v.split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .collect()
}

/// Asserts the answer is shared with any origin.
fn shared_with_anyone(r: &Resp, what: &str) {
    assert_eq!(
        header(&r.headers, "access-control-allow-origin"),
        Some("*"),
        "{what}: {:?}",
        r.headers
    );
    assert!(
        r.headers.get("access-control-allow-credentials").is_none(),
        "{what}"
    );
}

/// Asserts the answer is shared with `origin` only.
fn shared_with(r: &Resp, origin: &str, what: &str) {
    assert_eq!(
        header(&r.headers, "access-control-allow-origin"),
        Some(origin),
        "{what}: {:?}",
        r.headers
    );
    assert!(varies_by_origin(&r.headers), "{what}: no Vary: Origin");
    assert!(
        r.headers.get("access-control-allow-credentials").is_none(),
        "{what}"
    );
}

/// Asserts no origin may read the answer.
fn not_shared(r: &Resp, what: &str) {
    assert!(
        r.headers.get("access-control-allow-origin").is_none(),
        "{what}: {:?}",
        r.headers
    );
}

#[tokio::test]
async fn public_routes_answer_any_origin_and_the_others_only_configured_ones() {
    let s = TestServer::start_with_cors(&[DASHBOARD, "http://localhost:5173"]).await;
    let t = s.tenant("butters").await;
    let user = s.user(&t, "alice").await;
    let viewer = s.viewer_session(&t, "alice").await;
    // Public: any origin, or none, without credentials.
    for origin in [Some(ELSEWHERE), Some(DASHBOARD), None] {
        let r = from(&s, origin, "GET", "/butters/api/leaderboard", None, None).await;
        assert_eq!(r.status, 200);
        shared_with_anyone(&r, "the leaderboard");
        assert!(list(&r.headers, "access-control-expose-headers").contains(&"retry-after".into()));
    }
    // An overlay-key route: any origin, as a browser source anywhere (an OBS local file
    // included) writes with the key in its URL.
    let drop_path = format!("/butters/api/users/{user}/drops");
    for origin in [Some(ELSEWHERE), Some("null"), None] {
        let r = from(
            &s,
            origin,
            "POST",
            &drop_path,
            Some(&t.key),
            Some(json!({"score": 1})),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        shared_with_anyone(&r, "a drop result");
    }
    // Admin, viewer and operator routes: the configured origins only.
    let admin = format!("/butters/api/users/{user}");
    let cases: Vec<Case> = vec![
        (
            "GET",
            "/butters/api/admin/tips".into(),
            Some(&t.key),
            None,
            200,
        ),
        (
            "PATCH",
            admin,
            Some(&t.key),
            Some(json!({"country": "gb"})),
            200,
        ),
        ("GET", "/butters/api/me".into(), Some(&viewer), None, 200),
        (
            "GET",
            "/api/streamers".into(),
            Some(OPERATOR_KEY),
            None,
            200,
        ),
    ];
    for (method, path, key, body, status) in cases {
        let what = format!("{method} {path}");
        for origin in [DASHBOARD, "http://localhost:5173"] {
            let r = from(&s, Some(origin), method, &path, key, body.clone()).await;
            assert_eq!(r.status, status, "{what}: {}", r.text);
            shared_with(&r, origin, &what);
            assert!(
                list(&r.headers, "access-control-expose-headers")
                    .contains(&"www-authenticate".into()),
                "{what}"
            );
        }
        // The server still answers (CORS is the browser's to enforce) but shares nothing.
        let r = from(&s, Some(ELSEWHERE), method, &path, key, body.clone()).await;
        assert_eq!(r.status, status, "{what}: {}", r.text);
        not_shared(&r, &what);
        assert!(varies_by_origin(&r.headers), "{what}");
        let r = from(&s, None, method, &path, key, body.clone()).await;
        not_shared(&r, &what);
        assert!(varies_by_origin(&r.headers), "{what}");
    }
    s.stop().await;
}

#[tokio::test]
async fn errors_carry_the_headers_of_their_route() {
    let s = TestServer::start_with_cors(&[DASHBOARD]).await;
    let t = s.tenant("butters").await;
    // A protected route refusing a configured origin's page: it can read why.
    let r = from(
        &s,
        Some(DASHBOARD),
        "GET",
        "/butters/api/admin/tips",
        Some("koa_wrong"),
        None,
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json["error"]["code"], "unauthorized");
    shared_with(&r, DASHBOARD, "a 401");
    assert!(list(&r.headers, "access-control-expose-headers").contains(&"www-authenticate".into()));
    let r = from(
        &s,
        Some(ELSEWHERE),
        "GET",
        "/butters/api/admin/tips",
        None,
        None,
    )
    .await;
    assert_eq!(r.status, 401);
    not_shared(&r, "a 401 to another origin");
    let r = from(
        &s,
        Some(DASHBOARD),
        "POST",
        "/butters/api/tips",
        Some(&t.key),
        Some(json!({"content": ""})),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    shared_with(&r, DASHBOARD, "a 400");
    // Public routes' errors, unknown paths and wrong methods: anyone.
    let r = from(&s, Some(ELSEWHERE), "GET", "/nobody/api/tips", None, None).await;
    assert_eq!(r.status, 404);
    shared_with_anyone(&r, "an unknown streamer");
    let r = from(
        &s,
        Some(ELSEWHERE),
        "GET",
        "/butters/api/nothing-here",
        None,
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.json["error"]["code"].as_str()),
        (404, Some("no_route"))
    );
    shared_with_anyone(&r, "an unknown path");
    let r = from(
        &s,
        Some(ELSEWHERE),
        "DELETE",
        "/butters/api/leaderboard",
        None,
        None,
    )
    .await;
    assert_eq!(r.status, 405);
    shared_with_anyone(&r, "a wrong method");
    assert!(list(&r.headers, "access-control-expose-headers").contains(&"allow".into()));
    s.stop().await;

    // Too many requests: the page can read Retry-After.
    let s = TestServer::start_limited(1, 0).await;
    s.tenant("butters").await;
    let mut last = None;
    for _ in 0..2 {
        last = Some(
            from(
                &s,
                Some(ELSEWHERE),
                "POST",
                "/butters/api/verifications",
                None,
                Some(json!({"username": "alice"})),
            )
            .await,
        );
    }
    let r = last.unwrap();
    assert_eq!(r.status, 429, "{}", r.text);
    shared_with_anyone(&r, "a 429");
    assert!(r.headers.get("retry-after").is_some());
    assert!(list(&r.headers, "access-control-expose-headers").contains(&"retry-after".into()));
    s.stop().await;
}

#[tokio::test]
async fn preflights_are_answered_for_every_known_path() {
    let s = TestServer::start_with_cors(&[DASHBOARD]).await;
    s.tenant("butters").await;
    let allowed_headers = |r: &Resp| list(&r.headers, "access-control-allow-headers");
    // A public method: any origin.
    let r = preflight(&s, Some(ELSEWHERE), "GET", "/butters/api/tips").await;
    assert_eq!(r.status, 204, "{}", r.text);
    shared_with_anyone(&r, "a public preflight");
    assert_eq!(list(&r.headers, "access-control-allow-methods"), ["get"]);
    for h in ["authorization", "content-type", "last-event-id"] {
        assert!(allowed_headers(&r).contains(&h.to_owned()), "{h}");
    }
    let age: u32 = header(&r.headers, "access-control-max-age")
        .expect("a max-age")
        .parse()
        .unwrap();
    assert!(age >= 60, "{age}");
    // A protected method of the same path: not for another origin...
    let r = preflight(&s, Some(ELSEWHERE), "POST", "/butters/api/tips").await;
    assert_eq!(r.status, 204);
    not_shared(&r, "a protected preflight from elsewhere");
    assert!(r.headers.get("access-control-allow-methods").is_none());
    // ...but for the configured one, with every method of the path.
    let r = preflight(&s, Some(DASHBOARD), "POST", "/butters/api/tips").await;
    assert_eq!(r.status, 204);
    shared_with(&r, DASHBOARD, "a protected preflight");
    assert_eq!(
        list(&r.headers, "access-control-allow-methods"),
        ["get", "post"]
    );
    assert!(allowed_headers(&r).contains(&"authorization".to_owned()));
    // Every route's path answers its preflight (no 405), for an unknown streamer too.
    for r in api::routes::all() {
        let path = r
            .path
            .replace("{streamer}", "whoever")
            .replace(['{', '}'], "");
        let answer = preflight(&s, Some(DASHBOARD), r.verb.as_str(), &path).await;
        assert_eq!(answer.status, 204, "{}: {}", r.key(), answer.text);
        shared_with(&answer, DASHBOARD, &r.key());
        assert!(
            list(&answer.headers, "access-control-allow-methods")
                .contains(&r.verb.as_str().to_ascii_lowercase()),
            "{}",
            r.key()
        );
    }
    // A method the path does not have: no permission.
    let r = preflight(&s, Some(DASHBOARD), "PUT", "/butters/api/leaderboard").await;
    assert_eq!(r.status, 204);
    not_shared(&r, "a method the path lacks");
    // An unknown path is not found, as for any method.
    let r = preflight(&s, Some(ELSEWHERE), "GET", "/butters/api/nothing-here").await;
    assert_eq!(
        (r.status, r.json["error"]["code"].as_str()),
        (404, Some("no_route"))
    );
    // OPTIONS without an origin: the methods, and nothing cross-origin.
    let r = from(&s, None, "OPTIONS", "/butters/api/tips", None, None).await;
    assert_eq!(r.status, 204);
    assert_eq!(list(&r.headers, "allow"), ["get", "post", "options"]);
    not_shared(&r, "a plain OPTIONS");
    s.stop().await;
}

#[tokio::test]
async fn the_event_stream_is_open_to_any_origin() {
    let s = TestServer::start_with_cors(&[DASHBOARD]).await;
    s.tenant("butters").await;
    let r = preflight(&s, Some(ELSEWHERE), "GET", "/butters/api/events").await;
    assert_eq!(r.status, 204);
    shared_with_anyone(&r, "the event stream's preflight");
    assert!(list(&r.headers, "access-control-allow-headers").contains(&"last-event-id".into()));
    let answer = tokio::time::timeout(
        Duration::from_secs(10),
        s.client
            .get(format!("{}/butters/api/events", s.base))
            .header("origin", ELSEWHERE)
            .header("last-event-id", "0")
            .send(),
    )
    .await
    .expect("the stream's headers come at once")
    .expect("the server answers");
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap()),
        Some("text/event-stream")
    );
    assert_eq!(
        answer
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some("*")
    );
    drop(answer);
    s.stop().await;
}

#[tokio::test]
async fn servers_without_configured_origins_share_only_public_answers() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let r = from(
        &s,
        Some(DASHBOARD),
        "GET",
        "/butters/api/admin/tips",
        Some(&t.key),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    not_shared(&r, "an admin route with no origin configured");
    let r = preflight(&s, Some(DASHBOARD), "GET", "/butters/api/admin/tips").await;
    assert_eq!(r.status, 204);
    not_shared(&r, "its preflight");
    let r = from(&s, Some(DASHBOARD), "GET", "/butters/api/tips", None, None).await;
    shared_with_anyone(&r, "a public route");
    s.stop().await;
}

#[tokio::test]
async fn the_command_line_takes_origins_and_refuses_what_is_not_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kick-overlay.db");
    let out = common::process::bin()
        .args(["--db", db.to_str().unwrap(), "--port", "0"])
        .args(["--cors-origin", "https://dashboard.example.com/admin"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("--cors-origin") && said.contains("dashboard.example.com/admin"),
        "{said}"
    );
    // Both ways of naming them: the option, repeated, and the variable, comma-separated.
    for (args, env) in [
        (
            vec![
                "--cors-origin",
                DASHBOARD,
                "--cors-origin",
                "http://localhost:5173",
            ],
            vec![],
        ),
        (
            vec![],
            vec![(
                "KICKOVERLAY_CORS_ORIGINS",
                "https://dashboard.example.com,http://localhost:5173",
            )],
        ),
    ] {
        let mut server = common::process::Process::start_with_env(&db, &args, None, &env);
        let client = reqwest::Client::new();
        let ask = |origin: &'static str| {
            client
                .request(
                    reqwest::Method::OPTIONS,
                    format!("http://{}/api/streamers", server.addr),
                )
                .header("origin", origin)
                .header("access-control-request-method", "GET")
                .send()
        };
        for origin in [DASHBOARD, "http://localhost:5173"] {
            let r = ask(origin).await.expect("the server answers");
            assert_eq!(r.status(), 204);
            assert_eq!(
                r.headers().get("access-control-allow-origin"),
                Some(&reqwest::header::HeaderValue::from_static(origin)),
                "{args:?} {env:?}"
            );
        }
        let r = ask(ELSEWHERE).await.expect("the server answers");
        assert_eq!(r.status(), 204);
        assert!(r.headers().get("access-control-allow-origin").is_none());
        server.terminate();
        server.wait_exit(Duration::from_secs(20));
    }
}
