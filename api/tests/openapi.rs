//! The OpenAPI document lists every status a route answers: each route is called, over real
//! HTTP, the right way and every wrong way the server tells apart (credentials, streamer, path
//! parameters, query, body: syntax, shape, type, size, twice-named keys), twice (so that
//! creations meet their conflicts), and every status seen must be in the route's
//! `responses`, with a body that fits the schema the document gives it. Real answers over a
//! populated streamer (the export, the event stream's events, every read) fit their schemas
//! too, and a third-party validator (`openapi-spec-validator`) accepts the whole document.

mod common;

use api::route::{Access, Route, Verb};
use api::routes;
use common::{Fill, OPERATOR_KEY, Resp, TestServer, concrete_path};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

/// A validator for `schema`, whose `$ref`s point into `doc`'s components.
fn validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "allOf": [schema],
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("{schema} is not a valid schema: {e}"))
}

/// Why `body`, answered with `status` by `r`, does not fit what the document says of it (as
/// `media_type`); empty when it fits.
fn unfit(doc: &Value, r: &Route, status: u16, media_type: &str, body: &Value) -> Vec<String> {
    let answer = &doc["paths"][r.path][r.verb.as_str().to_ascii_lowercase()]["responses"]
        [status.to_string()];
    let schema = &answer["content"][media_type]["schema"];
    if schema.is_null() {
        return vec![format!("no {media_type} schema for {status}")];
    }
    validator(doc, schema)
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

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
        Access::Admin | Access::Overlay => Some(c.key.clone()),
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
    let mut misfits = Vec::new();
    // Deletes last, so that the other routes meet the data they need.
    let mut table: Vec<&Route> = routes::all().to_vec();
    table.sort_by_key(|r| r.verb == Verb::Delete);
    for r in table {
        for (path, cred, body) in requests(r, &c) {
            if r.path.ends_with("/api/events") {
                // A stream that opened never ends: its status is all there is to see (its
                // events are checked in `real_answers_fit_their_schemas`); a refusal is read.
                let answer = s
                    .client
                    .get(format!("{}{path}", s.base))
                    .send()
                    .await
                    .expect("the server answers");
                let status = answer.status().as_u16();
                seen.entry(r.key()).or_default().insert(status);
                if status != 200 {
                    let text = answer.text().await.expect("a body");
                    let body: Value = serde_json::from_str(&text).expect("a JSON error");
                    for e in unfit(&doc, r, status, "application/json", &body) {
                        misfits.push(format!("{} {status}: {e}", r.key()));
                    }
                }
                continue;
            }
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
            let json = resp
                .headers
                .get("content-type")
                .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
            if json {
                for e in unfit(&doc, r, resp.status, "application/json", &resp.json) {
                    misfits.push(format!("{} {}: {e}", r.key(), resp.status));
                }
            }
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
    assert!(
        misfits.is_empty(),
        "answers that do not fit their schemas in the OpenAPI document:\n{}",
        misfits.join("\n")
    );
    s.stop().await;
}

/// A streamer with something in every part of its data, through the API: what the reads and the
/// export answer, and the events its writes record.
async fn populated(s: &TestServer) -> Ctx {
    let t = s.tenant("butters").await;
    let viewer = s.viewer_session(&t, "alice").await;
    let user = s.user(&t, "alice").await;
    let key = Some(t.key.as_str());
    let base = "/butters/api";
    let mut writes = vec![
        (
            "PUT",
            format!("{base}/users/{user}/points"),
            json!({"channel_points": 5000, "drop_points": 10}),
        ),
        (
            "POST",
            format!("{base}/users/{user}/points"),
            json!({"amount": 25, "source": "chat"}),
        ),
        (
            "POST",
            format!("{base}/users/{user}/points"),
            json!({"amount": -5, "source": "gamble", "description": "lost"}),
        ),
        (
            "POST",
            format!("{base}/users/{user}/drops"),
            json!({"score": 200, "is_perfect": true, "powerup_used": "shield"}),
        ),
        (
            "POST",
            format!("{base}/points/award"),
            json!({"usernames": ["alice", "carol"], "amount": 5, "source": "watch"}),
        ),
        (
            "PUT",
            format!("{base}/powerups/tnt"),
            json!({"name": "TNT", "description": "Boom", "cost": 450, "emoji": "💣", "effect": "Pushes", "variables": {"radius": 2}}),
        ),
        (
            "PUT",
            format!("{base}/goals/main"),
            json!({"label": "Followers", "current_value": 3, "target_value": 10}),
        ),
        (
            "PATCH",
            format!("{base}/goals/main/progress"),
            json!({"current_value": 4}),
        ),
        (
            "PUT",
            format!("{base}/overlay/layouts/main"),
            json!({"name": "Main", "is_default": true, "layout": {"widgets": []}}),
        ),
        (
            "PUT",
            format!("{base}/overlay/settings/accent"),
            json!({"value": "#ff6600"}),
        ),
        (
            "PUT",
            format!("{base}/theme"),
            json!({"primary": "#53fc18"}),
        ),
        (
            "PUT",
            format!("{base}/tokens/main"),
            json!({"access_token": "a", "refresh_token": "r", "expires_at": "2030-01-01T00:00:00Z"}),
        ),
        (
            "PATCH",
            format!("{base}/users/{user}"),
            json!({"country": "gb", "voice_id": null}),
        ),
    ];
    let tip = s
        .call(
            "POST",
            &format!("{base}/tips"),
            key,
            Some(json!({"content": "Type !drop"})),
        )
        .await;
    assert_eq!(tip.status, 201, "{}", tip.text);
    let tip = tip.json["id"].as_i64().expect("a tip id");
    writes.push((
        "PUT",
        format!("{base}/tips/{tip}"),
        json!({"sort_order": 2}),
    ));
    for (method, path, body) in writes {
        let r = s.call(method, &path, key, Some(body)).await;
        assert!(r.status < 300, "{method} {path}: {} {}", r.status, r.text);
    }
    for path in [
        format!("{base}/users/{user}/powerups/tnt/purchase"),
        format!("{base}/users/{user}/powerups/tnt/use"),
    ] {
        let r = s.call("POST", &path, key, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
    }
    let carol = s.user(&t, "carol").await;
    let r = s
        .call("DELETE", &format!("{base}/users/{carol}"), key, None)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    Ctx {
        key: t.key.clone(),
        viewer,
        user,
        tip,
    }
}

#[tokio::test]
async fn real_answers_fit_their_schemas() {
    let s = TestServer::start().await;
    let c = populated(&s).await;
    let doc = s.get("/api/openapi.json", None).await.json;
    let fill = Fill {
        streamer: "butters",
        user: c.user,
        tip: c.tip,
        key: "main",
        username: "alice",
    };
    let mut misfits = Vec::new();
    let mut checked = 0;
    // Every read, over real data (the export with its sessions, tokens and admin key among them).
    for r in routes::all() {
        let json = r
            .response
            .as_ref()
            .is_some_and(|p| p.media_type == "application/json");
        if r.verb != Verb::Get || !json {
            continue;
        }
        let path = concrete_path(r.path, &fill);
        let resp = s.get(&path, credential(r, &c).as_deref()).await;
        assert_eq!(resp.status, r.status, "{path}: {}", resp.text);
        for e in unfit(&doc, r, resp.status, "application/json", &resp.json) {
            misfits.push(format!("{path}: {e}"));
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} reads");
    let export = s.get("/butters/api/export", Some(&c.key)).await.json;
    for section in [
        "user_sessions",
        "oauth_tokens",
        "transactions",
        "purchases",
        "drops",
    ] {
        assert!(
            export[section].as_array().is_some_and(|a| !a.is_empty()),
            "the export has no {section}: the populated data misses it"
        );
    }
    assert!(export["admin_key"].is_object());
    // The event stream: every event the writes recorded, from the start.
    let stream = routes::all()
        .iter()
        .find(|r| r.response.as_ref().is_some_and(|p| p.is_event_stream()))
        .expect("an event stream route");
    let mut sse =
        common::sse::Sse::open(&s.base, &concrete_path(stream.path, &fill), Some("0")).await;
    assert_eq!(sse.status, 200);
    let events = sse.collect(Duration::from_secs(2)).await;
    let kinds: BTreeSet<&str> = events.iter().map(|e| e.event.as_str()).collect();
    for e in &events {
        assert!(datastore::EVENT_TYPES.contains(&e.event.as_str()), "{e:?}");
        for why in unfit(&doc, stream, 200, "text/event-stream", &e.data) {
            misfits.push(format!("event {} ({}): {why}", e.id.unwrap_or(-1), e.event));
        }
    }
    assert!(kinds.len() >= 10, "only {kinds:?} came");
    assert!(
        misfits.is_empty(),
        "answers that do not fit their schemas:\n{}",
        misfits.join("\n")
    );
    s.stop().await;
}

/// The `openapi-spec-validator` command: `OPENAPI_SPEC_VALIDATOR`, else the one `.ci/run`
/// installs into a virtual environment under `target/`.
fn spec_validator() -> PathBuf {
    match std::env::var_os("OPENAPI_SPEC_VALIDATOR") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/openapi-venv/bin/openapi-spec-validator"),
    }
}

/// Runs the validator on `doc`: whether it accepts it, and what it said.
fn spec_check(doc: &Value, dir: &std::path::Path, name: &str) -> (bool, String) {
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_vec_pretty(doc).unwrap()).unwrap();
    let bin = spec_validator();
    let out = std::process::Command::new(&bin)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run openapi-spec-validator ({}): {e}.\nInstall it as .ci/run does: \
                 python3 -m venv target/openapi-venv && target/openapi-venv/bin/pip install \
                 openapi-spec-validator==0.9.0 (from the workspace root), or name the command \
                 with OPENAPI_SPEC_VALIDATOR",
                bin.display()
            )
        });
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[tokio::test]
async fn a_third_party_openapi_validator_accepts_the_document() {
    let s = TestServer::start().await;
    let doc = s.get("/api/openapi.json", None).await.json;
    s.stop().await;
    assert_eq!(doc["openapi"], api::openapi::OPENAPI_VERSION);
    let dir = tempfile::tempdir().unwrap();
    let (ok, said) = spec_check(&doc, dir.path(), "openapi.json");
    assert!(ok, "openapi-spec-validator refuses the document:\n{said}");
    // It does check: a dangling reference and a schema of an unknown type are refused.
    let mut broken = doc.clone();
    broken["components"]["schemas"]["Tip"]["properties"]["id"] =
        json!({"$ref": "#/components/schemas/NoSuchSchema"});
    let (ok, said) = spec_check(&broken, dir.path(), "dangling.json");
    assert!(!ok, "a dangling $ref passed:\n{said}");
    let mut broken = doc;
    broken["components"]["schemas"]["Tip"]["type"] = json!("record");
    let (ok, said) = spec_check(&broken, dir.path(), "typo.json");
    assert!(!ok, "an unknown type passed:\n{said}");
}
