//! Behaviour of every route, through a real server.

mod common;

use common::{OPERATOR_KEY, TestServer};
use serde_json::json;

on_both_backends! {

#[tokio::test]
async fn health_openapi_and_unknown_routes() {
    let s = TestServer::start().await;
    let r = s.get("/api/health", None).await;
    assert_eq!((r.status, r.json.clone()), (200, json!({"status": "ok"})));
    let r = s.get("/api/openapi.json", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["openapi"], "3.1.0");
    assert_eq!(
        r.json["paths"]["/{streamer}/api/leaderboard"]["get"]["parameters"][1]["name"],
        "limit"
    );
    let r = s.get("/nope", None).await;
    assert_eq!(
        (r.status, r.json["error"]["code"].as_str()),
        (404, Some("no_route"))
    );
    let r = s.call("POST", "/api/health", None, None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.headers["allow"], "GET");
    assert_eq!(r.json["error"]["code"], "method_not_allowed");
    let r = s.get("/ghost/api/tips", None).await;
    assert_eq!(
        (r.status, r.json["error"]["message"].as_str()),
        (404, Some("streamer not found"))
    );
    s.stop().await;
}

#[tokio::test]
async fn the_operator_creates_lists_and_deletes_streamers() {
    let s = TestServer::start().await;
    let body = json!({"username": "CodingButter", "display_name": "Butters", "kick_user_id": 77, "avatar_url": "https://x.test/a.png"});
    assert_eq!(
        s.call("POST", "/api/streamers", None, Some(body.clone()))
            .await
            .status,
        401
    );
    assert_eq!(
        s.call(
            "POST",
            "/api/streamers",
            Some("wrong-operator-key"),
            Some(body.clone())
        )
        .await
        .status,
        401
    );
    let r = s
        .call(
            "POST",
            "/api/streamers",
            Some(OPERATOR_KEY),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["streamer"]["username"], "CodingButter");
    assert_eq!(r.json["streamer"]["display_name"], "Butters");
    let key = r.json["admin_key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("koa_"));
    // Duplicate (ignoring case) and reserved names.
    let r = s
        .call(
            "POST",
            "/api/streamers",
            Some(OPERATOR_KEY),
            Some(json!({"username": "codingbutter"})),
        )
        .await;
    assert_eq!(
        (r.status, r.json["error"]["code"].as_str()),
        (409, Some("streamer_exists"))
    );
    for reserved in ["api", "API", "login", "callback", "public"] {
        let r = s
            .call(
                "POST",
                "/api/streamers",
                Some(OPERATOR_KEY),
                Some(json!({"username": reserved})),
            )
            .await;
        assert_eq!(r.status, 400, "{reserved}: {}", r.text);
    }
    let r = s
        .call(
            "POST",
            "/api/streamers",
            Some(OPERATOR_KEY),
            Some(json!({"username": "has space"})),
        )
        .await;
    assert_eq!(r.status, 400);
    // The path matches the streamer ignoring case.
    assert_eq!(
        s.get("/codingbutter/api/profile", None).await.json["display_name"],
        "Butters"
    );
    assert_eq!(s.get("/CODINGBUTTER/api/profile", None).await.status, 200);
    let r = s.get("/api/streamers", Some(OPERATOR_KEY)).await;
    assert_eq!(r.json.as_array().unwrap().len(), 1);
    // New streamers start with the six default powerups.
    assert_eq!(
        s.get("/codingbutter/api/powerups", None)
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        6
    );
    assert_eq!(
        s.call(
            "DELETE",
            "/api/streamers/codingbutter",
            Some(OPERATOR_KEY),
            None
        )
        .await
        .status,
        204
    );
    assert_eq!(s.get("/codingbutter/api/profile", None).await.status, 404);
    assert_eq!(
        s.call(
            "DELETE",
            "/api/streamers/codingbutter",
            Some(OPERATOR_KEY),
            None
        )
        .await
        .status,
        404
    );
    s.stop().await;
}

#[tokio::test]
async fn users_points_drops_and_the_leaderboard() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let k = Some(t.key.as_str());
    assert_eq!(
        s.call(
            "POST",
            "/butters/api/users",
            None,
            Some(json!({"username": "Alice"}))
        )
        .await
        .status,
        401
    );
    let r = s
        .call(
            "POST",
            "/butters/api/users",
            k,
            Some(json!({"username": "Alice"})),
        )
        .await;
    assert_eq!(r.status, 201);
    let alice = r.json["id"].as_i64().unwrap();
    let r = s
        .call(
            "POST",
            "/butters/api/users",
            k,
            Some(json!({"username": "alice"})),
        )
        .await;
    assert_eq!((r.status, r.json["id"].as_i64()), (200, Some(alice)));
    assert_eq!(
        s.get(&format!("/butters/api/users/{alice}"), None)
            .await
            .json["username"],
        "Alice"
    );
    assert_eq!(
        s.get("/butters/api/users/by-name/ALICE", None).await.json["id"],
        alice
    );
    let r = s
        .call(
            "PATCH",
            &format!("/butters/api/users/{alice}"),
            k,
            Some(json!({"voice_id": "en-1", "country": "gb"})),
        )
        .await;
    assert_eq!(
        (r.json["voice_id"].as_str(), r.json["country"].as_str()),
        (Some("en-1"), Some("GB"))
    );
    let r = s
        .call(
            "PATCH",
            &format!("/butters/api/users/{alice}"),
            k,
            Some(json!({"voice_id": null})),
        )
        .await;
    assert_eq!(
        (r.json["voice_id"].clone(), r.json["country"].as_str()),
        (json!(null), Some("GB"))
    );

    let pts = format!("/butters/api/users/{alice}/points");
    let r = s
        .call(
            "POST",
            &pts,
            k,
            Some(json!({"amount": 300, "source": "chat", "description": "chatting"})),
        )
        .await;
    assert_eq!(
        (r.status, r.json["channel_points"].as_i64()),
        (200, Some(300))
    );
    let r = s
        .call(
            "POST",
            &pts,
            k,
            Some(json!({"amount": -500, "source": "gamble"})),
        )
        .await;
    assert_eq!(
        (r.status, r.json["error"]["code"].as_str()),
        (409, Some("insufficient_points"))
    );
    let r = s
        .call(
            "POST",
            &pts,
            k,
            Some(json!({"amount": -100, "source": "gamble"})),
        )
        .await;
    assert_eq!(r.json["channel_points"], 200);
    let r = s
        .call(
            "POST",
            &pts,
            k,
            Some(json!({"amount": 0, "source": "chat"})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = s
        .call(
            "PUT",
            &pts,
            k,
            Some(json!({"channel_points": 1000, "drop_points": 5})),
        )
        .await;
    assert_eq!(
        (
            r.json["channel_points"].as_i64(),
            r.json["drop_points"].as_i64()
        ),
        (Some(1000), Some(5))
    );
    let r = s
        .call(
            "POST",
            &format!("/butters/api/users/{alice}/drops"),
            k,
            Some(json!({"score": 200, "is_perfect": true, "powerup_used": "shield"})),
        )
        .await;
    assert_eq!(
        (
            r.json["drop_points"].as_i64(),
            r.json["total_drops"].as_i64()
        ),
        (Some(205), Some(1))
    );
    let r = s.get(&pts, None).await;
    assert_eq!(r.json["points"]["channel_points"], 1000);
    let by_source: Vec<&str> = r.json["summary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["source"].as_str().unwrap())
        .collect();
    assert!(
        by_source.contains(&"chat")
            && by_source.contains(&"gamble")
            && by_source.contains(&"admin"),
        "{by_source:?}"
    );
    let r = s
        .get(
            &format!("/butters/api/users/{alice}/transactions?limit=2"),
            None,
        )
        .await;
    let page = r.json.as_array().unwrap().clone();
    assert_eq!(page.len(), 2);
    let older = s
        .get(
            &format!(
                "/butters/api/users/{alice}/transactions?before={}",
                page[1]["id"]
            ),
            None,
        )
        .await;
    assert!(
        older
            .json
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"].as_i64() < page[1]["id"].as_i64())
    );
    assert_eq!(
        s.get(
            &format!("/butters/api/users/{alice}/transactions?limit=501"),
            None
        )
        .await
        .status,
        400
    );
    assert_eq!(
        s.get(
            &format!("/butters/api/users/{alice}/transactions?before=x"),
            None
        )
        .await
        .status,
        400
    );

    let r = s
        .call(
            "POST",
            "/butters/api/points/award",
            k,
            Some(json!({"usernames": ["alice", "Bob", "carol"], "amount": 5, "source": "watch"})),
        )
        .await;
    assert_eq!(r.json, json!({"awarded": 3, "created": 2}));
    let r = s.get("/butters/api/leaderboard?limit=2", None).await;
    let board = r.json.as_array().unwrap();
    assert_eq!(board.len(), 2);
    assert_eq!(
        (board[0]["username"].as_str(), board[0]["rank"].as_i64()),
        (Some("Alice"), Some(1))
    );
    assert_eq!(
        s.get("/butters/api/leaderboard?limit=0", None).await.status,
        400
    );
    assert_eq!(
        s.get("/butters/api/leaderboard?limit=500", None)
            .await
            .status,
        200
    );
    let r = s
        .get("/butters/api/admin/users?limit=2&offset=1", Some(&t.key))
        .await;
    assert_eq!(
        (
            r.json["total"].as_i64(),
            r.json["items"].as_array().unwrap().len()
        ),
        (Some(3), 2)
    );

    assert_eq!(
        s.call("DELETE", &format!("/butters/api/users/{alice}"), k, None)
            .await
            .status,
        204
    );
    assert_eq!(
        s.get(&format!("/butters/api/users/{alice}"), None)
            .await
            .status,
        404
    );
    assert_eq!(s.get(&pts, None).await.status, 404);
    assert_eq!(s.get("/butters/api/users/abc", None).await.status, 400);
    s.stop().await;
}

#[tokio::test]
async fn powerups_are_configured_bought_and_used() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let k = Some(t.key.as_str());
    let u = s.user(&t, "alice").await;
    let owner = s.user(&t, "Butters").await;
    let cfg = json!({"name": "TNT", "description": "boom", "cost": 100, "emoji": "💣", "effect": "push", "variables": {"r": 1.5}});
    let r = s
        .call("PUT", "/butters/api/powerups/tnt", k, Some(cfg.clone()))
        .await;
    assert_eq!((r.status, r.json["cost"].as_i64()), (200, Some(100)));
    assert_eq!(
        s.call("PUT", "/butters/api/powerups/nuke", k, Some(cfg.clone()))
            .await
            .status,
        404
    );
    let mut off = cfg.clone();
    off["enabled"] = json!(false);
    s.call("PUT", "/butters/api/powerups/ghost", k, Some(off))
        .await;
    let on: Vec<i64> = s
        .get("/butters/api/powerups", None)
        .await
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["cost"].as_i64().unwrap())
        .collect();
    assert_eq!(on.len(), 5);
    assert!(on.windows(2).all(|w| w[0] <= w[1]), "by cost: {on:?}");
    assert_eq!(
        s.get("/butters/api/admin/powerups", k)
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        6
    );

    let buy = format!("/butters/api/users/{u}/powerups/tnt/purchase");
    let r = s.call("POST", &buy, k, None).await;
    assert_eq!(
        (r.status, r.json["error"]["code"].as_str()),
        (409, Some("insufficient_points"))
    );
    s.call(
        "POST",
        &format!("/butters/api/users/{u}/points"),
        k,
        Some(json!({"amount": 150, "source": "tip"})),
    )
    .await;
    let r = s.call("POST", &buy, k, None).await;
    assert_eq!(
        (
            r.status,
            r.json["quantity"].as_i64(),
            r.json["points"]["channel_points"].as_i64()
        ),
        (200, Some(1), Some(50))
    );
    let r = s
        .call(
            "POST",
            &format!("/butters/api/users/{u}/powerups/ghost/purchase"),
            k,
            None,
        )
        .await;
    assert_eq!(r.json["error"]["code"], "powerup_disabled");
    // The channel owner buys free.
    let r = s
        .call(
            "POST",
            &format!("/butters/api/users/{owner}/powerups/tnt/purchase"),
            k,
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.json["purchase"]["cost"].as_i64()),
        (200, Some(0))
    );
    assert_eq!(
        s.get(&format!("/butters/api/users/{u}/powerups"), None)
            .await
            .json,
        json!([{"powerup": "tnt", "quantity": 1}])
    );
    let use_it = format!("/butters/api/users/{u}/powerups/tnt/use");
    assert_eq!(s.call("POST", &use_it, k, None).await.json["quantity"], 0);
    let r = s.call("POST", &use_it, k, None).await;
    assert_eq!(
        (r.status, r.json["error"]["code"].as_str()),
        (409, Some("no_powerup_left"))
    );
    s.stop().await;
}

#[tokio::test]
async fn overlay_settings_layouts_and_theme() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let k = Some(t.key.as_str());
    assert_eq!(
        s.get("/butters/api/theme", None).await.json,
        json!({"theme": datastore::default_theme(), "is_default": true, "updated_at": null})
    );
    let r = s
        .call(
            "PUT",
            "/butters/api/overlay/settings/chat.color",
            k,
            Some(json!({"value": "#fff", "description": "colour"})),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .call(
            "PUT",
            "/butters/api/overlay/settings/chat.color",
            k,
            Some(json!({"value": "#000"})),
        )
        .await;
    assert_eq!(
        (r.json["value"].as_str(), r.json["description"].as_str()),
        (Some("#000"), Some("colour"))
    );
    s.call(
        "PUT",
        "/butters/api/overlay/settings/a.first",
        k,
        Some(json!({"value": "1"})),
    )
    .await;
    let keys: Vec<String> = s
        .get("/butters/api/overlay/settings", None)
        .await
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, ["a.first", "chat.color"]);
    assert_eq!(
        s.call(
            "PUT",
            "/butters/api/overlay/settings/bad%20key",
            k,
            Some(json!({"value": "1"}))
        )
        .await
        .status,
        400
    );
    assert_eq!(
        s.call("DELETE", "/butters/api/overlay/settings/a.first", k, None)
            .await
            .status,
        204
    );
    assert_eq!(
        s.call("DELETE", "/butters/api/overlay/settings/a.first", k, None)
            .await
            .status,
        404
    );

    let r = s
        .call(
            "PUT",
            "/butters/api/overlay/layouts/main",
            k,
            Some(json!({"name": "Main", "is_default": true, "layout": {"w": [1, 2.5, "é"]}})),
        )
        .await;
    assert_eq!(
        (r.status, r.json["layout"].clone()),
        (200, json!({"w": [1, 2.5, "é"]}))
    );
    let r = s
        .call(
            "PUT",
            "/butters/api/overlay/layouts/alt",
            k,
            Some(json!({"name": "MAIN", "layout": {}})),
        )
        .await;
    assert_eq!(
        (r.status, r.json["error"]["code"].as_str()),
        (409, Some("layout_name_taken"))
    );
    s.call(
        "PUT",
        "/butters/api/overlay/layouts/alt",
        k,
        Some(json!({"name": "Alt", "is_default": true, "layout": {}})),
    )
    .await;
    assert_eq!(
        s.get("/butters/api/overlay/layouts/main", None).await.json["is_default"],
        false
    );
    assert_eq!(
        s.get("/butters/api/overlay/layouts", None)
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        s.call("DELETE", "/butters/api/overlay/layouts/main", k, None)
            .await
            .status,
        204
    );
    assert_eq!(
        s.get("/butters/api/overlay/layouts/main", None)
            .await
            .status,
        404
    );

    let theme =
        json!({"primary": "#53fc18", "sizes": [1, 2], "big": 12345678901234567u64, "f": 0.1});
    let r = s
        .call("PUT", "/butters/api/theme", k, Some(theme.clone()))
        .await;
    assert_eq!((r.status, r.json["theme"].clone()), (200, theme.clone()));
    let read = s.get("/butters/api/theme", None).await.json;
    assert_eq!(
        (&read["theme"], &read["is_default"]),
        (&theme, &json!(false))
    );
    s.stop().await;
}

#[tokio::test]
async fn tips_and_goals() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let k = Some(t.key.as_str());
    let r = s
        .call(
            "POST",
            "/butters/api/tips",
            k,
            Some(json!({"content": "second", "sort_order": 2})),
        )
        .await;
    assert_eq!(r.status, 201);
    let second = r.json["id"].as_i64().unwrap();
    s.call(
        "POST",
        "/butters/api/tips",
        k,
        Some(json!({"content": "first", "sort_order": 1})),
    )
    .await;
    s.call(
        "POST",
        "/butters/api/tips",
        k,
        Some(json!({"content": "hidden", "enabled": false})),
    )
    .await;
    let shown: Vec<String> = s
        .get("/butters/api/tips", None)
        .await
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["content"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(shown, ["first", "second"]);
    assert_eq!(
        s.get("/butters/api/admin/tips", k)
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let r = s
        .call(
            "PUT",
            &format!("/butters/api/tips/{second}"),
            k,
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(
        (r.json["enabled"].as_bool(), r.json["content"].as_str()),
        (Some(false), Some("second"))
    );
    assert_eq!(
        s.call("DELETE", &format!("/butters/api/tips/{second}"), k, None)
            .await
            .status,
        204
    );
    assert_eq!(
        s.call("DELETE", &format!("/butters/api/tips/{second}"), k, None)
            .await
            .status,
        404
    );

    let r = s
        .call(
            "PUT",
            "/butters/api/goals/followers",
            k,
            Some(json!({"label": "Followers", "target_value": 100})),
        )
        .await;
    assert_eq!((r.status, r.json["current_value"].as_i64()), (200, Some(0)));
    s.call(
        "PUT",
        "/butters/api/goals/subs",
        k,
        Some(json!({"label": "Subs", "target_value": 10, "enabled": false})),
    )
    .await;
    assert_eq!(
        s.get("/butters/api/goals", None)
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.get("/butters/api/admin/goals", k)
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let r = s
        .call(
            "PATCH",
            "/butters/api/goals/followers/progress",
            k,
            Some(json!({"current_value": 42})),
        )
        .await;
    assert_eq!(r.json["current_value"], 42);
    assert_eq!(
        s.call(
            "PATCH",
            "/butters/api/goals/nope/progress",
            k,
            Some(json!({"current_value": 1}))
        )
        .await
        .status,
        404
    );
    assert_eq!(
        s.call("DELETE", "/butters/api/goals/subs", k, None)
            .await
            .status,
        204
    );
    s.stop().await;
}

#[tokio::test]
async fn tokens_reports_and_key_rotation() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let k = Some(t.key.as_str());
    let body = json!({"access_token": "SECRET-A", "refresh_token": "SECRET-R", "expires_at": "2030-01-01T00:00:00.000Z", "scope": "chat"});
    let r = s
        .call("PUT", "/butters/api/tokens/kick", k, Some(body))
        .await;
    assert_eq!(
        (r.status, r.json["has_refresh_token"].as_bool()),
        (200, Some(true))
    );
    let r = s.get("/butters/api/tokens/kick", k).await;
    assert_eq!(r.json["scope"], "chat");
    assert!(!r.text.contains("SECRET"), "{}", r.text);
    assert_eq!(
        s.call("DELETE", "/butters/api/tokens/kick", k, None)
            .await
            .status,
        204
    );
    assert_eq!(s.get("/butters/api/tokens/kick", k).await.status, 404);

    let u = s.user(&t, "alice").await;
    s.call(
        "POST",
        &format!("/butters/api/users/{u}/points"),
        k,
        Some(json!({"amount": 900, "source": "sub"})),
    )
    .await;
    let r = s.get("/butters/api/analytics", k).await;
    assert_eq!(
        (r.json["users"].as_i64(), r.json["channel_points"].as_i64()),
        (Some(1), Some(900))
    );
    let e = s.export(&t).await;
    assert_eq!(e["users"][0]["username"], "alice");
    assert!(e["admin_key"]["created_at"].is_string() && e["admin_key"].get("key_hash").is_none());

    let r = s
        .call("POST", "/butters/api/admin-key/rotate", k, None)
        .await;
    let new_key = r.json["admin_key"].as_str().unwrap().to_owned();
    assert_ne!(new_key, t.key);
    assert_eq!(s.get("/butters/api/analytics", k).await.status, 401);
    assert_eq!(
        s.get("/butters/api/analytics", Some(&new_key)).await.status,
        200
    );
    s.stop().await;
}

#[tokio::test]
async fn viewers_verify_in_chat_log_in_edit_themselves_and_log_out() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let r = s
        .call(
            "POST",
            "/butters/api/verifications",
            None,
            Some(json!({"username": "Zoë"})),
        )
        .await;
    assert_eq!(r.status, 201);
    let code = r.json["code"].as_str().unwrap().to_owned();
    let secret = r.json["login_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("kvl_") && !secret.contains(&code));
    // Not confirmed yet: no session.
    let proof = json!({"username": "Zoë", "code": code});
    let login = json!({"username": "Zoë", "code": code, "login_secret": secret});
    let r = s
        .call("POST", "/butters/api/sessions", None, Some(login.clone()))
        .await;
    assert_eq!(r.status, 401);
    // Only the streamer's admin key (the chat bot) confirms.
    assert_eq!(
        s.call(
            "POST",
            "/butters/api/verifications/confirm",
            None,
            Some(proof.clone())
        )
        .await
        .status,
        401
    );
    let r = s
        .call(
            "POST",
            "/butters/api/verifications/confirm",
            Some(&t.key),
            Some(json!({"username": "Zoë", "code": "WRONG123"})),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        s.call(
            "POST",
            "/butters/api/verifications/confirm",
            Some(&t.key),
            Some(proof.clone())
        )
        .await
        .json["verified"],
        true
    );
    // Someone who read the code in chat, but has no secret (or another one), cannot log in.
    for stolen in [
        json!({"username": "Zoë", "code": code, "login_secret": "kvl_guess"}),
        json!({"username": "Zoë", "code": code, "login_secret": ""}),
    ] {
        let r = s
            .call("POST", "/butters/api/sessions", None, Some(stolen))
            .await;
        assert_eq!(r.status, 401, "{}", r.text);
    }
    assert_eq!(
        s.call("POST", "/butters/api/sessions", None, Some(proof.clone()))
            .await
            .status,
        400,
        "the secret is required"
    );
    let r = s
        .call("POST", "/butters/api/sessions", None, Some(login.clone()))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let token = r.json["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("kov_"));
    assert_eq!(r.json["user"]["username"], "Zoë");
    // The code is spent.
    assert_eq!(
        s.call("POST", "/butters/api/sessions", None, Some(login))
            .await
            .status,
        401
    );
    assert_eq!(
        s.get("/butters/api/me", Some(&token)).await.json["username"],
        "Zoë"
    );
    let r = s
        .call(
            "PATCH",
            "/butters/api/me",
            Some(&token),
            Some(json!({"country": "fr", "drop_image": "https://img.test/z.png"})),
        )
        .await;
    assert_eq!((r.status, r.json["country"].as_str()), (200, Some("FR")));
    // A viewer token is not an admin key.
    assert_eq!(
        s.get("/butters/api/analytics", Some(&token)).await.status,
        401
    );
    assert_eq!(s.get("/butters/api/me", Some(&t.key)).await.status, 401);
    assert_eq!(
        s.call("DELETE", "/butters/api/sessions", Some(&token), None)
            .await
            .status,
        204
    );
    assert_eq!(s.get("/butters/api/me", Some(&token)).await.status, 401);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_confirmed_code_opens_one_session_even_when_raced() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let r = s
        .call(
            "POST",
            "/butters/api/verifications",
            None,
            Some(json!({"username": "carol"})),
        )
        .await;
    let (code, secret) = (r.json["code"].clone(), r.json["login_secret"].clone());
    let r = s
        .call(
            "POST",
            "/butters/api/verifications/confirm",
            Some(&t.key),
            Some(json!({"username": "carol", "code": code})),
        )
        .await;
    assert_eq!(r.status, 200);
    let login = json!({"username": "carol", "code": code, "login_secret": secret});
    let tries = (0..20).map(|_| s.call("POST", "/butters/api/sessions", None, Some(login.clone())));
    let statuses: Vec<u16> = futures_util::future::join_all(tries)
        .await
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|&&x| x == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|&x| x == 201 || x == 401),
        "{statuses:?}"
    );
    s.stop().await;
}

/// The walk-through's first requests on a fresh server: the first streamer and viewer get id 1,
/// the award creates the one viewer it does not know, and the points add up.
#[tokio::test]
async fn a_first_streamer_viewers_and_points_answer_as_the_walk_through_shows() {
    let s = TestServer::start().await;
    let r = s
        .call(
            "POST",
            "/api/streamers",
            Some(OPERATOR_KEY),
            Some(json!({"username": "codingbutter", "display_name": "Butters"})),
        )
        .await;
    assert_eq!(
        (r.status, r.json["streamer"]["id"].as_i64()),
        (201, Some(1))
    );
    let key = r.json["admin_key"].as_str().unwrap().to_owned();
    let k = Some(key.as_str());
    let r = s
        .call(
            "POST",
            "/codingbutter/api/users",
            k,
            Some(json!({"username": "alice"})),
        )
        .await;
    assert_eq!(
        (
            r.status,
            r.json["id"].as_i64(),
            r.json["streamer_id"].as_i64()
        ),
        (201, Some(1), Some(1))
    );
    let r = s
        .call(
            "POST",
            "/codingbutter/api/points/award",
            k,
            Some(json!({"usernames": ["alice", "bob"], "amount": 25, "source": "chat"})),
        )
        .await;
    assert_eq!(r.json, json!({"awarded": 2, "created": 1}));
    let r = s
        .call(
            "POST",
            "/codingbutter/api/users/1/points",
            k,
            Some(json!({"amount": 500, "source": "sub"})),
        )
        .await;
    assert_eq!(
        (
            r.json["channel_points"].as_i64(),
            r.json["total_drops"].as_i64()
        ),
        (Some(525), Some(0))
    );
    let board = s.get("/codingbutter/api/leaderboard", None).await.json;
    assert_eq!(board[0]["rank"], 1);
    assert_eq!(board[0]["username"], "alice");
    assert_eq!(board[0]["channel_points"], 525);
    assert_eq!(board[1]["username"], "bob");
    s.stop().await;
}

/// A 401 says what the route expects (`Authorization: Bearer <key>`) and is the same answer
/// for no key, a made-up key, another streamer's key and a key that was rotated away: it
/// tells nothing about which keys exist.
#[tokio::test]
async fn a_401_says_what_the_route_expects_and_nothing_about_which_keys_exist() {
    let s = TestServer::start().await;
    let butters = s.tenant("butters").await;
    let other = s.tenant("other").await;
    let rotated = s
        .call(
            "POST",
            "/butters/api/admin-key/rotate",
            Some(&butters.key),
            None,
        )
        .await;
    assert_eq!(rotated.status, 200);
    let mut bodies = Vec::new();
    for key in [
        None,
        Some("koa_made_up"),
        Some(other.key.as_str()),
        Some(butters.key.as_str()),
    ] {
        let r = s.get("/butters/api/analytics", key).await;
        assert_eq!(r.status, 401, "{}", r.text);
        bodies.push(r.text);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:#?}");
    let message =
        &serde_json::from_str::<serde_json::Value>(&bodies[0]).unwrap()["error"]["message"];
    assert!(
        message
            .as_str()
            .is_some_and(|m| m.contains("Authorization: Bearer <key>") && m.contains("admin key")),
        "{message}"
    );
    let r = s.get("/butters/api/me", None).await;
    assert!(
        r.status == 401 && r.text.contains("viewer session") && r.text.contains("Bearer"),
        "{}",
        r.text
    );
    s.stop().await;
}

/// An operator route answers one 401 whatever was sent: with the routes on, the same body for
/// no key, a made-up key and a streamer's admin key; with them off (no operator key set), the
/// same "disabled" body even for the right key's text.
#[tokio::test]
async fn operator_routes_answer_one_401_whatever_was_sent() {
    let on = TestServer::start().await;
    let admin = on.tenant("butters").await;
    let mut bodies = Vec::new();
    for key in [None, Some("not-the-operator-key"), Some(admin.key.as_str())] {
        let r = on.get("/api/streamers", key).await;
        assert_eq!(r.status, 401, "{}", r.text);
        bodies.push(r.text);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:#?}");
    assert!(
        bodies[0].contains("operator key") && bodies[0].contains("Authorization: Bearer <key>"),
        "{}",
        bodies[0]
    );
    on.stop().await;

    let off = TestServer::start_keyed(None, |s| s).await;
    let mut bodies = Vec::new();
    for key in [None, Some(OPERATOR_KEY), Some("anything")] {
        let r = off.get("/api/streamers", key).await;
        assert_eq!(r.status, 401, "{}", r.text);
        bodies.push(r.text);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:#?}");
    assert!(bodies[0].contains("disabled"), "{}", bodies[0]);
    off.stop().await;
}
}
