//! The overlay key: issued and rotated by the admin (API and command line), accepted in the
//! URL and as a bearer token on the few routes an overlay writes, and nowhere else.

mod common;

use api::route::Access;
use api::routes;
use common::process::{add_streamer, bin};
use common::{Fill, TestServer, concrete_path};
use serde_json::json;

async fn issue(s: &TestServer, t: &common::Tenant) -> String {
    let r = s
        .call(
            "POST",
            &format!("/{}/api/overlay-key/rotate", t.name),
            Some(&t.key),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let key = r.json["overlay_key"].as_str().expect("a key").to_owned();
    assert!(key.starts_with("koo_") && key.len() == 68, "{key}");
    key
}

on_both_backends! {
    #[tokio::test]
    async fn the_overlay_key_opens_the_overlay_writes_in_the_url_or_as_a_bearer() {
        let s = TestServer::start().await;
        let a = s.tenant("alpha").await;
        let key = issue(&s, &a).await;
        // What the drop game does: find the viewer, record the drop, use a powerup.
        let created = s
            .call("POST", &format!("/alpha/api/users?key={key}"), None, Some(json!({"username": "dropper"})))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.json["id"].as_i64().unwrap();
        let drop = s
            .call("POST", &format!("/alpha/api/users/{id}/drops?key={key}"), None, Some(json!({"score": 40})))
            .await;
        assert_eq!(drop.status, 200, "{}", drop.text);
        assert_eq!(drop.json["drop_points"], 40);
        let none_left = s
            .call("POST", &format!("/alpha/api/users/{id}/powerups/tnt/use"), Some(&key), None)
            .await;
        assert_eq!(none_left.status, 409, "a bearer overlay key reaches the store: {}", none_left.text);
        // The admin key still opens them too.
        let by_admin = s
            .call("POST", &format!("/alpha/api/users/{id}/drops"), Some(&a.key), Some(json!({"score": 2})))
            .await;
        assert_eq!(by_admin.status, 200);
        s.stop().await;
    }

    #[tokio::test]
    async fn the_overlay_key_opens_nothing_else_and_an_admin_key_never_works_in_a_url() {
        let s = TestServer::start().await;
        let a = s.tenant("alpha").await;
        let key = issue(&s, &a).await;
        let user = s.user(&a, "viewer").await;
        let fill = Fill { streamer: "alpha", user, tip: user, key: "k", username: "viewer" };
        let mut checked = 0;
        for r in routes::all() {
            if !matches!(r.access, Access::Admin | Access::Viewer | Access::Operator) {
                continue;
            }
            let path = concrete_path(r.path, &fill);
            let body = r.body.map(|_| json!({}));
            let without = s.call(r.verb.as_str(), &path, None, body.clone()).await;
            let bearer = s.call(r.verb.as_str(), &path, Some(&key), body.clone()).await;
            let in_url = s
                .call(r.verb.as_str(), &format!("{path}?key={key}"), None, body.clone())
                .await;
            for (how, got) in [("bearer", &bearer), ("url", &in_url)] {
                assert_eq!(
                    (got.status, &got.text),
                    (without.status, &without.text),
                    "{} with the overlay key as {how}",
                    r.key()
                );
            }
            checked += 1;
        }
        assert!(checked > 20, "only {checked} routes checked");
        // An admin key in a URL is no credential, even on an overlay route.
        let r = s
            .call("POST", &format!("/alpha/api/users/{user}/drops?key={}", a.key), None, Some(json!({"score": 1})))
            .await;
        assert_eq!(r.status, 401);
        // A wrong key in the URL is refused even with a good bearer beside it.
        let r = s
            .call("POST", &format!("/alpha/api/users/{user}/drops?key=koo_wrong"), Some(&a.key), Some(json!({"score": 1})))
            .await;
        assert_eq!(r.status, 401);
        s.stop().await;
    }

    #[tokio::test]
    async fn rotating_the_overlay_key_retires_the_old_one_and_leaves_the_admin_key() {
        let s = TestServer::start().await;
        let a = s.tenant("alpha").await;
        let old = issue(&s, &a).await;
        let new = issue(&s, &a).await;
        assert_ne!(old, new);
        let user = s.user(&a, "viewer").await;
        let drop = |k: String| {
            let s = &s;
            async move {
                s.call("POST", &format!("/alpha/api/users/{user}/drops?key={k}"), None, Some(json!({"score": 1})))
                    .await
                    .status
            }
        };
        assert_eq!(drop(old).await, 401);
        assert_eq!(drop(new).await, 200);
        let board = s.call("POST", "/alpha/api/admin-key/rotate", Some(&a.key), None).await;
        assert_eq!(board.status, 200, "the admin key still works");
        s.stop().await;
    }
}

#[test]
fn the_command_line_issues_an_overlay_key_that_the_server_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    add_streamer(&db, "alpha");
    let out = bin()
        .args([
            "streamer",
            "overlay-key",
            "alpha",
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = stdout
        .lines()
        .find(|l| l.starts_with("koo_"))
        .expect("an overlay key");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (store, _clock) = api::open_store(&db).await.unwrap();
        let s = store
            .get_streamer_by_username("alpha")
            .await
            .unwrap()
            .unwrap();
        let hash = datastore::SessionToken::new(key).hash();
        assert!(store.check_overlay_key(s.id, &hash).await.unwrap());
        assert!(!store.check_admin_key(s.id, &hash).await.unwrap());
    });
    let missing = bin()
        .args([
            "streamer",
            "overlay-key",
            "nobody",
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nobody"));
}
