//! The main read responses, as overlays and profile pages see them (ids and times redacted).

mod common;

use common::{TestServer, redact};
use serde_json::json;

#[tokio::test]
async fn main_reads_keep_their_shape() {
    let s = TestServer::start().await;
    let t = s.tenant("butters").await;
    let k = Some(t.key.as_str());
    let alice = s.user(&t, "Alice").await;
    let bob = s.user(&t, "bob").await;
    s.call(
        "POST",
        &format!("/butters/api/users/{alice}/points"),
        k,
        Some(json!({"amount": 2000, "source": "sub", "description": "new sub"})),
    )
    .await;
    s.call(
        "POST",
        &format!("/butters/api/users/{alice}/points"),
        k,
        Some(json!({"amount": -500, "source": "spend", "description": "tts"})),
    )
    .await;
    s.call(
        "POST",
        &format!("/butters/api/users/{bob}/drops"),
        k,
        Some(json!({"score": 200, "is_perfect": true})),
    )
    .await;
    s.call(
        "POST",
        &format!("/butters/api/users/{alice}/powerups/boost/purchase"),
        k,
        None,
    )
    .await;
    s.call(
        "POST",
        "/butters/api/tips",
        k,
        Some(json!({"content": "Type !drop to play", "sort_order": 1})),
    )
    .await;
    s.call(
        "PUT",
        "/butters/api/goals/followers",
        k,
        Some(json!({"label": "Followers", "current_value": 120, "target_value": 500})),
    )
    .await;
    s.call(
        "PUT",
        "/butters/api/overlay/settings/chat.color",
        k,
        Some(json!({"value": "#53fc18", "description": "accent"})),
    )
    .await;
    s.call(
        "PUT",
        "/butters/api/overlay/layouts/main",
        k,
        Some(json!({"name": "Main", "is_default": true, "layout": {"widgets": ["goals", "tips"]}})),
    )
    .await;
    s.call(
        "PUT",
        "/butters/api/theme",
        k,
        Some(json!({"primary": "#53fc18"})),
    )
    .await;

    let read = |p: String| {
        let s = &s;
        async move {
            let r = s.get(&p, None).await;
            assert_eq!(r.status, 200, "{p}: {}", r.text);
            redact(&r.json)
        }
    };
    insta::assert_json_snapshot!("profile", read("/butters/api/profile".into()).await);
    insta::assert_json_snapshot!("leaderboard", read("/butters/api/leaderboard".into()).await);
    insta::assert_json_snapshot!("user", read(format!("/butters/api/users/{alice}")).await);
    insta::assert_json_snapshot!(
        "user_points",
        read(format!("/butters/api/users/{alice}/points")).await
    );
    insta::assert_json_snapshot!(
        "transactions",
        read(format!("/butters/api/users/{alice}/transactions")).await
    );
    insta::assert_json_snapshot!(
        "inventory",
        read(format!("/butters/api/users/{alice}/powerups")).await
    );
    insta::assert_json_snapshot!("powerups", read("/butters/api/powerups".into()).await);
    insta::assert_json_snapshot!("tips", read("/butters/api/tips".into()).await);
    insta::assert_json_snapshot!("goals", read("/butters/api/goals".into()).await);
    insta::assert_json_snapshot!(
        "overlay_settings",
        read("/butters/api/overlay/settings".into()).await
    );
    insta::assert_json_snapshot!("layouts", read("/butters/api/overlay/layouts".into()).await);
    insta::assert_json_snapshot!("theme", read("/butters/api/theme".into()).await);
    let missing = s.get("/butters/api/users/424242", None).await;
    insta::assert_json_snapshot!("not_found", (missing.status, missing.json));
    s.stop().await;
}
