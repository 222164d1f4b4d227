//! The OpenAPI document lists every status a route answers: each route is called, over real
//! HTTP, the right way and every wrong way the server tells apart (credentials, streamer, path
//! parameters, query, body: syntax, shape, type, size, twice-named keys), twice (so that
//! creations meet their conflicts), and every status seen must be in the route's
//! `responses`.

mod common;

use api::route::{Access, Route, Verb};
use api::routes;
use common::{Fill, OPERATOR_KEY, Resp, TestServer, concrete_path};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

struct Ctx {
    key: String,
    viewer: String,
    user: i64,
    tip: i64,
}

fn credential(r: &Route, c: &Ctx) -> Option<String> {
    match r.access {
        Access::Public => None,
        Access::Operator => Some(OPERATOR_KEY.to_owned()),
        Access::Admin => Some(c.key.clone()),
        Access::Viewer => Some(c.viewer.clone()),
    }
}

/// A body and its `Content-Type`.
type Body = Option<(Vec<u8>, &'static str)>;

/// Every request the walk makes for route `r`: path, credential, body.
fn requests(r: &Route, c: &Ctx) -> Vec<(String, Option<String>, Body)> {
    let path = |streamer: &str, key: &str, user: i64| {
        concrete_path(
            r.path,
            &Fill {
                streamer,
                user,
                tip: if key == "main" { c.tip } else { user },
                key,
                username: if key == "main" { "alice" } else { key },
            },
        )
    };
    let good = path("butters", "main", c.user);
    let body = r.body.map(|b| (b.as_bytes().to_vec(), "application/json"));
    let cred = credential(r, c);
    let mut out = vec![
        (good.clone(), cred.clone(), body.clone()),
        (good.clone(), cred.clone(), body.clone()),
        (good.clone(), None, body.clone()),
        (good.clone(), Some("koa_not-a-key".into()), body.clone()),
        (path("nobody", "main", c.user), cred.clone(), body.clone()),
        (path("%FF", "main", c.user), cred.clone(), body.clone()),
        (path("butters", "%FF", 0), cred.clone(), body.clone()),
        (
            path("butters", "no-such-thing", 999_999),
            cred.clone(),
            body.clone(),
        ),
        (
            path("butters", &"x".repeat(300), -1),
            cred.clone(),
            body.clone(),
        ),
    ];
    for q in [
        "limit=abc",
        "limit=0",
        "limit=100000",
        "before=-5",
        "before=x",
    ] {
        out.push((format!("{good}?{q}"), cred.clone(), body.clone()));
    }
    if let Some((b, _)) = &body {
        let example = String::from_utf8_lossy(b).into_owned();
        let twice = format!(
            "{{\"zz\": 1, {}",
            example.trim_start().trim_start_matches('{')
        );
        let mut big = br#"{"username": ""#.to_vec();
        big.extend(std::iter::repeat_n(b'x', 70 * 1024));
        big.extend(br#""}"#);
        for (bytes, ct) in [
            (b"{\"a\": ".to_vec(), "application/json"),
            (b"[1]".to_vec(), "application/json"),
            (b"{}".to_vec(), "application/json"),
            (
                br#"{"amount": -1, "score": -1, "cost": -1, "username": ""}"#.to_vec(),
                "application/json",
            ),
            (twice.into_bytes(), "application/json"),
            (b.clone(), "text/plain"),
            (big, "application/json"),
        ] {
            out.push((good.clone(), cred.clone(), Some((bytes, ct))));
        }
    }
    out
}

#[tokio::test]
async fn every_status_a_route_answers_is_in_the_openapi_document() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let user = s.user(&t, "alice").await;
    s.call(
        "POST",
        &format!("/butters/api/users/{user}/points"),
        Some(&t.key),
        Some(json!({"amount": 100, "source": "chat"})),
    )
    .await;
    let tip = s
        .call(
            "POST",
            "/butters/api/tips",
            Some(&t.key),
            Some(json!({"content": "a tip"})),
        )
        .await
        .json["id"]
        .as_i64()
        .unwrap_or(0);
    let viewer = s.viewer_session(&t, "alice").await;
    let c = Ctx {
        key: t.key.clone(),
        viewer,
        user,
        tip,
    };
    let doc = s.get("/api/openapi.json", None).await.json;
    let mut seen: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    // Deletes last, so that the other routes meet the data they need.
    let mut table: Vec<&Route> = routes::all().to_vec();
    table.sort_by_key(|r| r.verb == Verb::Delete);
    for r in table {
        for (path, cred, body) in requests(r, &c) {
            let resp: Resp = s
                .typed(
                    r.verb.as_str(),
                    &path,
                    cred.as_deref(),
                    body.as_ref().map(|(b, _)| b.clone()),
                    body.as_ref().map(|(_, ct)| *ct),
                )
                .await;
            seen.entry(r.key()).or_default().insert(resp.status);
        }
    }
    let mut missing = Vec::new();
    let mut total = 0;
    for r in routes::all() {
        let documented: BTreeSet<u16> = doc["paths"][r.path][r.verb.as_str().to_ascii_lowercase()]
            ["responses"]
            .as_object()
            .map(|m| m.keys().filter_map(|k| k.parse().ok()).collect())
            .unwrap_or_default();
        for status in &seen[&r.key()] {
            total += 1;
            if !documented.contains(status) {
                missing.push(format!("{} answered {status}", r.key()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {total} statuses seen are not in the OpenAPI document:\n{}",
        missing.len(),
        missing.join("\n")
    );
    let _: Value = doc;
    s.stop().await;
}
