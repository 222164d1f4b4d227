//! The isolation table: one case per route of `api::routes::all()`, run as streamer B
//! against streamer A's resources.

use super::world::{A_MARKERS, World};
use super::{Fill, OPERATOR_KEY, Resp, TestServer, concrete_path};
use api::route::{Access, Route};
use api::routes;
use serde_json::{Value, json};

/// A request's variable parts: path parameters (besides `{streamer}`) and the body.
pub struct Req {
    pub params: Vec<(&'static str, String)>,
    pub body: Option<Value>,
}

fn req(params: &[(&'static str, String)], body: Option<Value>) -> Req {
    Req {
        params: params.to_vec(),
        body,
    }
}

/// What B must see.
pub enum Expect {
    /// Exactly the answer (this status, same body) to the same request naming a resource
    /// that exists nowhere.
    SameAsMissing(u16),
    /// The same status as the request naming a fresh key: B acts in its own namespace.
    SameStatusAsFresh,
    /// A success that shows nothing of A.
    Scoped,
    /// A success that shows nothing of A and agrees with B's own export (counts, totals).
    AgreesWithExport(fn(&Value, &Value) -> Option<String>),
    /// An event stream: B's stream, replayed from its first event and then followed while A
    /// writes, carries only B's own events, numbered from B's own 1.
    Stream,
    /// Not a tenant route.
    Exempt(&'static str),
}

/// One route's case.
pub struct Case {
    pub route: &'static str,
    pub foreign: fn(&World) -> Req,
    pub missing: fn(&World) -> Req,
    pub expect: Expect,
}

const NOWHERE: i64 = 987_654_321;

fn none(_: &World) -> Req {
    req(&[], None)
}

macro_rules! cases {
    ($($route:literal => $expect:expr, |$w:ident| $foreign:expr, |$w2:ident| $missing:expr;)*) => {
        /// Every case.
        pub fn cases() -> Vec<Case> {
            vec![$(Case {
                route: $route,
                foreign: |$w: &World| $foreign,
                missing: |$w2: &World| $missing,
                expect: $expect,
            }),*]
        }
    };
}

use Expect::*;

fn id(w: i64) -> Vec<(&'static str, String)> {
    vec![("id", w.to_string())]
}

cases! {
    "GET /api/health" => Exempt("the server's own route"), |_w| req(&[], None), |_x| req(&[], None);
    "GET /api/openapi.json" => Exempt("the server's own route"), |_w| req(&[], None), |_x| req(&[], None);
    "POST /api/streamers" => Exempt("operator route: not scoped to a streamer"), |_w| req(&[], None), |_x| req(&[], None);
    "GET /api/streamers" => Exempt("operator route: not scoped to a streamer"), |_w| req(&[], None), |_x| req(&[], None);
    "DELETE /api/streamers/{streamer}" => Exempt("operator route: not scoped to a streamer"), |_w| req(&[], None), |_x| req(&[], None);

    "GET /{streamer}/api/profile" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "POST /{streamer}/api/admin-key/rotate" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "POST /{streamer}/api/overlay-key/rotate" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "GET /{streamer}/api/events" => Stream, |_w| req(&[], None), |_x| req(&[], None);

    "GET /{streamer}/api/users/{id}" => SameAsMissing(404), |w| req(&id(w.a_user), None), |_x| req(&id(NOWHERE), None);
    "GET /{streamer}/api/users/by-name/{username}" => SameAsMissing(404),
        |_w| req(&[("username", "alpha-secret-user".into())], None), |_x| req(&[("username", "nobody-anywhere".into())], None);
    "GET /{streamer}/api/admin/users" => AgreesWithExport(page_agrees), |_w| req(&[], None), |_x| req(&[], None);
    "POST /{streamer}/api/users" => SameStatusAsFresh,
        |_w| req(&[], Some(json!({"username": "alpha-viewer"}))), |_x| req(&[], Some(json!({"username": "fresh-user-1"})));
    "PATCH /{streamer}/api/users/{id}" => SameAsMissing(404),
        |w| req(&id(w.a_rich), Some(json!({"voice_id": "b-voice"}))), |_x| req(&id(NOWHERE), Some(json!({"voice_id": "b-voice"})));
    "DELETE /{streamer}/api/users/{id}" => SameAsMissing(404), |w| req(&id(w.a_user), None), |_x| req(&id(NOWHERE), None);

    "GET /{streamer}/api/leaderboard" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "GET /{streamer}/api/users/{id}/points" => SameAsMissing(404), |w| req(&id(w.a_rich), None), |_x| req(&id(NOWHERE), None);
    "GET /{streamer}/api/users/{id}/transactions" => SameAsMissing(404), |w| req(&id(w.a_rich), None), |_x| req(&id(NOWHERE), None);
    "POST /{streamer}/api/users/{id}/points" => SameAsMissing(404),
        |w| req(&id(w.a_rich), Some(json!({"amount": -10, "source": "spend"}))), |_x| req(&id(NOWHERE), Some(json!({"amount": -10, "source": "spend"})));
    "POST /{streamer}/api/users/{id}/points" => SameAsMissing(404),
        |w| req(&id(w.a_rich), Some(json!({"amount": 10, "source": "tip"}))), |_x| req(&id(NOWHERE), Some(json!({"amount": 10, "source": "tip"})));
    "PUT /{streamer}/api/users/{id}/points" => SameAsMissing(404),
        |w| req(&id(w.a_rich), Some(json!({"channel_points": 1}))), |_x| req(&id(NOWHERE), Some(json!({"channel_points": 1})));
    "POST /{streamer}/api/users/{id}/drops" => SameAsMissing(404),
        |w| req(&id(w.a_rich), Some(json!({"score": 10}))), |_x| req(&id(NOWHERE), Some(json!({"score": 10})));
    "POST /{streamer}/api/points/award" => SameStatusAsFresh,
        |_w| req(&[], Some(json!({"usernames": ["alpha-confirmed", "ALPHA-VIEWER"], "amount": 5, "source": "watch"}))),
        |_x| req(&[], Some(json!({"usernames": ["fresh-award-1", "fresh-award-2"], "amount": 5, "source": "watch"})));

    "GET /{streamer}/api/powerups" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "GET /{streamer}/api/admin/powerups" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "PUT /{streamer}/api/powerups/{type}" => SameStatusAsFresh,
        |_w| req(&[("type", "magnet".into())], Some(json!({"name": "M", "description": "", "cost": 1, "emoji": "x", "effect": ""}))),
        |_x| req(&[("type", "boost".into())], Some(json!({"name": "M", "description": "", "cost": 1, "emoji": "x", "effect": ""})));
    "GET /{streamer}/api/users/{id}/powerups" => SameAsMissing(404), |w| req(&id(w.a_rich), None), |_x| req(&id(NOWHERE), None);
    "POST /{streamer}/api/users/{id}/powerups/{type}/purchase" => SameAsMissing(404),
        |w| req(&[("id", w.a_rich.to_string()), ("type", "boost".into())], None), |_x| req(&[("id", NOWHERE.to_string()), ("type", "boost".into())], None);
    "POST /{streamer}/api/users/{id}/powerups/{type}/use" => SameAsMissing(404),
        |w| req(&[("id", w.a_rich.to_string()), ("type", "tnt".into())], None), |_x| req(&[("id", NOWHERE.to_string()), ("type", "tnt".into())], None);

    "GET /{streamer}/api/overlay/settings" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "PUT /{streamer}/api/overlay/settings/{key}" => SameStatusAsFresh,
        |_w| req(&[("key", "alpha.color".into())], Some(json!({"value": "b"}))), |_x| req(&[("key", "fresh.key".into())], Some(json!({"value": "b"})));
    "DELETE /{streamer}/api/overlay/settings/{key}" => SameAsMissing(404),
        |_w| req(&[("key", "alpha.size".into())], None), |_x| req(&[("key", "nowhere.key".into())], None);
    "GET /{streamer}/api/overlay/layouts" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "GET /{streamer}/api/overlay/layouts/{id}" => SameAsMissing(404),
        |_w| req(&[("id", "alpha-layout".into())], None), |_x| req(&[("id", "nowhere-layout".into())], None);
    "PUT /{streamer}/api/overlay/layouts/{id}" => SameStatusAsFresh,
        |_w| req(&[("id", "alpha-layout-2".into())], Some(json!({"name": "shared layout", "is_default": true, "layout": {}}))),
        |_x| req(&[("id", "fresh-layout".into())], Some(json!({"name": "bravo layout 1", "is_default": true, "layout": {}})));
    "DELETE /{streamer}/api/overlay/layouts/{id}" => SameAsMissing(404),
        |_w| req(&[("id", "alpha-layout".into())], None), |_x| req(&[("id", "nowhere-layout".into())], None);
    "GET /{streamer}/api/theme" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "GET /{streamer}/overlay" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "PUT /{streamer}/api/theme" => Scoped, |_w| req(&[], Some(json!({"accent": "bravo"}))), |_x| req(&[], None);

    "GET /{streamer}/api/tips" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "GET /{streamer}/api/admin/tips" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "POST /{streamer}/api/tips" => Scoped, |_w| req(&[], Some(json!({"content": "bravo's tip"}))), |_x| req(&[], None);
    "PUT /{streamer}/api/tips/{id}" => SameAsMissing(404),
        |w| req(&id(w.a_tip), Some(json!({"enabled": false}))), |_x| req(&id(NOWHERE), Some(json!({"enabled": false})));
    "DELETE /{streamer}/api/tips/{id}" => SameAsMissing(404), |w| req(&id(w.a_tip), None), |_x| req(&id(NOWHERE), None);

    "GET /{streamer}/api/goals" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "GET /{streamer}/api/admin/goals" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "PUT /{streamer}/api/goals/{id}" => SameStatusAsFresh,
        |_w| req(&[("id", "alpha-goal-2".into())], Some(json!({"label": "B", "target_value": 9}))),
        |_x| req(&[("id", "fresh-goal".into())], Some(json!({"label": "B", "target_value": 9})));
    "PATCH /{streamer}/api/goals/{id}/progress" => SameAsMissing(404),
        |_w| req(&[("id", "alpha-goal".into())], Some(json!({"current_value": 9}))), |_x| req(&[("id", "nowhere-goal".into())], Some(json!({"current_value": 9})));
    "DELETE /{streamer}/api/goals/{id}" => SameAsMissing(404),
        |_w| req(&[("id", "alpha-goal".into())], None), |_x| req(&[("id", "nowhere-goal".into())], None);

    "GET /{streamer}/api/tokens/{provider}" => SameAsMissing(404),
        |_w| req(&[("provider", "kick".into())], None), |_x| req(&[("provider", "nowhere".into())], None);
    "PUT /{streamer}/api/tokens/{provider}" => SameStatusAsFresh,
        |_w| req(&[("provider", "streamlabs".into())], Some(json!({"access_token": "b", "expires_at": "2030-01-01T00:00:00.000Z"}))),
        |_x| req(&[("provider", "fresh".into())], Some(json!({"access_token": "b", "expires_at": "2030-01-01T00:00:00.000Z"})));
    "DELETE /{streamer}/api/tokens/{provider}" => SameAsMissing(404),
        |_w| req(&[("provider", "kick".into())], None), |_x| req(&[("provider", "nowhere".into())], None);

    "GET /{streamer}/api/analytics" => AgreesWithExport(analytics_agree), |_w| req(&[], None), |_x| req(&[], None);
    "GET /{streamer}/api/export" => Scoped, |_w| req(&[], None), |_x| req(&[], None);

    "POST /{streamer}/api/verifications" => SameStatusAsFresh,
        |_w| req(&[], Some(json!({"username": "alpha-pending"}))), |_x| req(&[], Some(json!({"username": "fresh-viewer"})));
    "POST /{streamer}/api/verifications/confirm" => SameAsMissing(404),
        |w| req(&[], Some(json!({"username": "alpha-pending", "code": w.a_pending_code}))),
        |_x| req(&[], Some(json!({"username": "alpha-pending", "code": "NOWHERE9"})));
    "POST /{streamer}/api/sessions" => SameAsMissing(401),
        |w| req(&[], Some(json!({"username": "alpha-confirmed", "code": w.a_confirmed_code, "login_secret": w.a_confirmed_secret}))),
        |_x| req(&[], Some(json!({"username": "alpha-confirmed", "code": "NOWHERE9", "login_secret": "kvl_nowhere"})));
    "DELETE /{streamer}/api/sessions" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "GET /{streamer}/api/me" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "PATCH /{streamer}/api/me" => Scoped, |_w| req(&[], Some(json!({"country": "DE"}))), |_x| req(&[], None);

    "POST /api/kick/webhook" => Exempt("not under a streamer's path: Kick's signature is the credential and the payload names the channel (tests/kick_isolation.rs)"),
        |_w| req(&[], None), |_x| req(&[], None);
    "GET /{streamer}/api/economy" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
    "PUT /{streamer}/api/economy" => Scoped, |_w| req(&[], Some(json!({"chat_points": 3}))), |_x| req(&[], None);
    "GET /{streamer}/api/stream" => Scoped, |_w| req(&[], None), |_x| req(&[], None);
}

fn page_agrees(page: &Value, export: &Value) -> Option<String> {
    let users = export["users"].as_array().map_or(0, Vec::len) as u64;
    let items = page["items"].as_array().map_or(0, Vec::len) as u64;
    (page["total"].as_u64() != Some(users) || items != users.min(50)).then(|| {
        format!(
            "the page says total {} with {items} items; B has {users} users",
            page["total"]
        )
    })
}

fn analytics_agree(a: &Value, export: &Value) -> Option<String> {
    let users = export["users"].as_array().map_or(0, Vec::len) as u64;
    let points: i64 = export["points"].as_array().map_or(0, |p| {
        p.iter().filter_map(|r| r["channel_points"].as_i64()).sum()
    });
    (a["users"].as_u64() != Some(users) || a["channel_points"].as_i64() != Some(points)).then(
        || {
            format!(
                "analytics say {} users and {} points; B has {users} and {points}",
                a["users"], a["channel_points"]
            )
        },
    )
}

/// The path of `route` under B with `params`.
fn path(template: &str, streamer: &str, params: &[(&'static str, String)]) -> String {
    let mut p = template.replace("{streamer}", streamer);
    for (name, value) in params {
        let enc = percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
        p = p.replace(&format!("{{{name}}}"), &enc.to_string());
    }
    p
}

async fn send(
    s: &TestServer,
    w: &World,
    route: &Route,
    r: &Req,
    b_key: &str,
) -> Result<Resp, String> {
    let key = match route.access {
        Access::Public => None,
        Access::Operator => Some(OPERATOR_KEY.to_owned()),
        Access::Admin | Access::Overlay => Some(b_key.to_owned()),
        // A fresh session of B's viewer for each viewer route (one of them logs out).
        Access::Viewer => Some(s.try_viewer_session(&w.b, "bravo-viewer").await?),
    };
    let body = r.body.clone().or_else(|| route.body.map(|_| json!({})));
    Ok(s.call(
        route.verb.as_str(),
        &path(route.path, &w.b.name, &r.params),
        key.as_deref(),
        body,
    )
    .await)
}

/// Runs every case; answers the violations found (empty when isolation holds) and the
/// number of cases that ran.
pub async fn run(s: &TestServer, w: &mut World) -> (Vec<String>, usize) {
    let mut found = Vec::new();
    let table = cases();
    for r in routes::all() {
        if !table.iter().any(|c| c.route == r.key()) {
            found.push(format!(
                "{}: no isolation case (add one to tests/common/isolation.rs)",
                r.key()
            ));
        }
    }
    for c in &table {
        if !routes::all().iter().any(|r| r.key() == c.route) {
            found.push(format!(
                "{}: a case for a route that does not exist",
                c.route
            ));
        }
    }
    let mut ran = 0;
    found.extend(foreign_credentials(s, w).await);
    if !found.is_empty() {
        // A credential that works across streamers spoils everything after it.
        return (found, ran);
    }
    found.extend(leaderboard_reads(s, w).await);
    let mut b_key = w.b.key.clone();
    for c in &table {
        let Some(r) = routes::all().iter().find(|r| r.key() == c.route) else {
            continue;
        };
        if matches!(c.expect, Exempt(_)) {
            continue;
        }
        ran += 1;
        if let Stream = c.expect {
            found.extend(stream_case(s, w, r).await);
            continue;
        }
        let before = w.a_export(s).await;
        let foreign = match send(s, w, r, &(c.foreign)(w), &b_key).await {
            Ok(x) => x,
            Err(e) => {
                found.push(format!("{}: {e}", c.route));
                continue;
            }
        };
        if let Some(k) = foreign.json.get("admin_key").and_then(Value::as_str) {
            b_key = k.to_owned();
            w.b.key = b_key.clone();
        }
        for m in A_MARKERS {
            if foreign.text.contains(m) {
                found.push(format!(
                    "{}: B's answer shows A's {m:?}: {}",
                    c.route, foreign.text
                ));
            }
        }
        match c.expect {
            SameAsMissing(status) => {
                let Ok(missing) = send(s, w, r, &(c.missing)(w), &b_key).await else {
                    found.push(format!(
                        "{}: the request naming a missing resource failed",
                        c.route
                    ));
                    continue;
                };
                if foreign.status != status
                    || missing.status != status
                    || foreign.text != missing.text
                {
                    found.push(format!(
                        "{}: A's resource answered {} {} where a missing one answers {} {} (want {status} for both)",
                        c.route, foreign.status, foreign.text, missing.status, missing.text
                    ));
                }
            }
            SameStatusAsFresh => {
                let Ok(fresh) = send(s, w, r, &(c.missing)(w), &b_key).await else {
                    found.push(format!(
                        "{}: the request naming a fresh key failed",
                        c.route
                    ));
                    continue;
                };
                if foreign.status != fresh.status || !(200..300).contains(&foreign.status) {
                    found.push(format!(
                        "{}: naming A's key answered {} {}, a fresh key {} {}",
                        c.route, foreign.status, foreign.text, fresh.status, fresh.text
                    ));
                }
            }
            Scoped => {
                if !(200..300).contains(&foreign.status) {
                    found.push(format!(
                        "{}: answered {} {}",
                        c.route, foreign.status, foreign.text
                    ));
                }
            }
            AgreesWithExport(check) => {
                let own = s.export(&w.b).await;
                if let Some(v) = check(&foreign.json, &own) {
                    found.push(format!("{}: {v}", c.route));
                }
            }
            Stream | Exempt(_) => {}
        }
        let after = w.a_export(s).await;
        if before != after {
            found.push(format!(
                "{}: A's data changed: before {before} after {after}",
                c.route
            ));
        }
    }
    (found, ran)
}

/// B's event stream, from B's first event, while A writes: nothing of A's, B's own ids.
async fn stream_case(s: &TestServer, w: &World, r: &Route) -> Vec<String> {
    let mut found = Vec::new();
    let path = r.path.replace("{streamer}", &w.b.name);
    let mut b = super::sse::Sse::open(&s.base, &path, Some("0")).await;
    let a_earn = s
        .call(
            "POST",
            &format!("/{}/api/users/{}/points", w.a.name, w.a_rich),
            Some(&w.a.key),
            Some(json!({"amount": 3, "source": "chat", "description": "ALPHA-LEDGER-NOTE"})),
        )
        .await;
    if a_earn.status != 200 {
        found.push(format!("{}: A's earn failed: {}", r.key(), a_earn.text));
    }
    let got = b.collect(std::time::Duration::from_millis(700)).await;
    let text = format!("{got:?}");
    for m in A_MARKERS {
        if text.contains(m) {
            found.push(format!("{}: B's stream shows A's {m:?}: {text}", r.key()));
        }
    }
    let ids: Vec<i64> = got.iter().filter_map(|e| e.id).collect();
    if ids.first().is_some_and(|&first| first != 1) || ids.windows(2).any(|p| p[1] != p[0] + 1) {
        found.push(format!(
            "{}: B's event ids are not B's own 1, 2, …: {ids:?}",
            r.key()
        ));
    }
    if b.status != 200 {
        found.push(format!("{}: B's stream answered {}", r.key(), b.status));
    }
    // A stream opened without a place starts at B's own latest event: its `ready` names it.
    let fresh = super::sse::Sse::open(&s.base, &path, None).await;
    let b_latest = ids.last().copied().unwrap_or(0);
    if fresh.ready != Some(b_latest) {
        found.push(format!(
            "{}: B's fresh stream starts at {:?}, B's latest event is {b_latest}",
            r.key(),
            fresh.ready
        ));
    }
    found
}

/// A's admin key, dashboard session, overlay key and viewer session, sent under B's path to
/// every route that needs credentials (the overlay key in the URL too): each must answer
/// exactly what no credential answers.
async fn foreign_credentials(s: &TestServer, w: &World) -> Vec<String> {
    let mut found = Vec::new();
    let issued = s
        .call(
            "POST",
            &format!("/{}/api/overlay-key/rotate", w.a.name),
            Some(&w.a.key),
            None,
        )
        .await;
    let Some(a_overlay) = issued.json["overlay_key"].as_str().map(str::to_owned) else {
        return vec![format!("A's overlay key was not issued: {}", issued.text)];
    };
    for r in routes::all() {
        let keys = match r.access {
            Access::Admin => vec![w.a.key.clone(), w.a_dashboard.clone(), a_overlay.clone()],
            Access::Overlay => vec![w.a.key.clone(), w.a_dashboard.clone(), a_overlay.clone()],
            Access::Viewer => vec![w.a_session.clone()],
            _ => continue,
        };
        let fill = Fill {
            streamer: &w.b.name,
            user: w.b_user,
            tip: w.b_user,
            key: "k",
            username: "bravo-viewer",
        };
        let path = concrete_path(r.path, &fill);
        let body = r.body.map(|_| json!({}));
        let without = s.call(r.verb.as_str(), &path, None, body.clone()).await;
        if r.access == Access::Overlay {
            let in_url = format!("{path}?key={a_overlay}");
            let with = s.call(r.verb.as_str(), &in_url, None, body.clone()).await;
            if with.status != 401 || with.text != without.text {
                found.push(format!(
                    "{}: A's overlay key in the URL under B answered {} {}",
                    r.key(),
                    with.status,
                    with.text
                ));
            }
        }
        for key in keys {
            let with = s
                .call(r.verb.as_str(), &path, Some(&key), body.clone())
                .await;
            if with.status != 401 || with.text != without.text {
                found.push(format!(
                    "{}: A's credential under B answered {} {} (no credential: {} {})",
                    r.key(),
                    with.status,
                    with.text,
                    without.status,
                    without.text
                ));
            }
        }
    }
    found
}

/// The leaderboard as a cache would see it: A's board read just before B's, at the same limit,
/// must not be served to B, and B's board read again after B earns must show the points.
async fn leaderboard_reads(s: &TestServer, w: &World) -> Vec<String> {
    let mut found = Vec::new();
    let board = |name: &str| format!("/{name}/api/leaderboard?limit=50");
    let a_board = s.get(&board(&w.a.name), None).await;
    if !a_board.text.contains("alpha-secret-user") {
        found.push(format!(
            "leaderboard: A's own board lacks its viewer: {} {}",
            a_board.status, a_board.text
        ));
    }
    let b_before = s.get(&board(&w.b.name), None).await;
    for m in A_MARKERS {
        if b_before.text.contains(m) {
            found.push(format!(
                "leaderboard: B's board read after A's shows A's {m:?}: {}",
                b_before.text
            ));
        }
    }
    let points_of = |b: &Value| {
        b.as_array()?
            .iter()
            .find(|r| r["user_id"].as_i64() == Some(w.b_user))?["channel_points"]
            .as_i64()
    };
    let earn = s
        .call(
            "POST",
            &format!("/{}/api/users/{}/points", w.b.name, w.b_user),
            Some(&w.b.key),
            Some(json!({"amount": 7, "source": "tip"})),
        )
        .await;
    let b_after = s.get(&board(&w.b.name), None).await;
    match (points_of(&b_before.json), points_of(&b_after.json)) {
        (Some(before), Some(after)) if earn.status == 200 && after == before + 7 => {}
        (before, after) => found.push(format!(
            "leaderboard: B's viewer had {before:?} points, earned 7 ({} {}), and the board then \
             showed {after:?}: {}",
            earn.status, earn.text, b_after.text
        )),
    }
    found
}
