//! Two streamers with every kind of data, built through the API, for the isolation tests.

use super::{Resp, Tenant, TestServer};
use serde_json::{Value, json};

/// Strings only streamer A's data holds: none may appear in any answer under B.
pub const A_MARKERS: &[&str] = &[
    "alpha TV",
    "alpha-secret-user",
    "ALPHA-TIP-CONTENT",
    "ALPHA-GOAL-LABEL",
    "ALPHA-SETTING-VALUE",
    "ALPHA-SETTING-NOTE",
    "ALPHA-LAYOUT-NAME",
    "ALPHA-ACCESS-TOKEN",
    "ALPHA-REFRESH-TOKEN",
    "ALPHA-THEME",
    "ALPHA-LEDGER-NOTE",
    "ALPHA-VOICE",
    "ALPHA-POWERUP",
];

/// Streamers A (`alpha`, full of data) and B (`bravo`, a little of its own).
pub struct World {
    pub a: Tenant,
    pub b: Tenant,
    /// A's users.
    pub a_user: i64,
    pub a_rich: i64,
    /// A's tips.
    pub a_tip: i64,
    /// A's viewer session token (for `alpha-viewer`).
    pub a_session: String,
    /// An unconfirmed code of A's `alpha-pending`.
    pub a_pending_code: String,
    /// A confirmed, unused code of A's `alpha-confirmed`.
    pub a_confirmed_code: String,
    /// The login secret issued with it.
    pub a_confirmed_secret: String,
    /// A's dashboard (streamer) session token, as a migrated legacy login would be.
    pub a_dashboard: String,
    /// B's user.
    pub b_user: i64,
}

async fn ok(r: Resp, what: &str) -> Result<Resp, String> {
    if (200..300).contains(&r.status) {
        Ok(r)
    } else {
        Err(format!(
            "building the world: {what} answered {} {}",
            r.status, r.text
        ))
    }
}

impl World {
    /// Builds the world; an `Err` says which step failed.
    pub async fn build(s: &TestServer) -> Result<World, String> {
        let a = s.tenant("alpha").await;
        let b = s.tenant("bravo").await;
        let ak = Some(a.key.as_str());
        let ap = "/alpha/api";
        let post = |path: String, body: Value| {
            let key = ak;
            async move { s.call("POST", &path, key, Some(body)).await }
        };
        let put = |path: String, body: Value| {
            let key = ak;
            async move { s.call("PUT", &path, key, Some(body)).await }
        };
        let a_user = ok(
            post(format!("{ap}/users"), json!({"username": "alpha-viewer"})).await,
            "user",
        )
        .await?
        .json["id"]
            .as_i64()
            .unwrap_or(0);
        let a_rich = ok(
            post(
                format!("{ap}/users"),
                json!({"username": "alpha-secret-user"}),
            )
            .await,
            "user",
        )
        .await?
        .json["id"]
            .as_i64()
            .unwrap_or(0);
        ok(
            s.call(
                "PATCH",
                &format!("{ap}/users/{a_rich}"),
                ak,
                Some(json!({"voice_id": "ALPHA-VOICE", "country": "FR"})),
            )
            .await,
            "profile",
        )
        .await?;
        for (u, n) in [(a_user, 5000), (a_rich, 7000)] {
            ok(
                post(
                    format!("{ap}/users/{u}/points"),
                    json!({"amount": n, "source": "sub", "description": "ALPHA-LEDGER-NOTE"}),
                )
                .await,
                "earn",
            )
            .await?;
            ok(
                post(
                    format!("{ap}/users/{u}/drops"),
                    json!({"score": 150, "is_perfect": true}),
                )
                .await,
                "drop",
            )
            .await?;
            ok(
                post(format!("{ap}/users/{u}/powerups/tnt/purchase"), json!(null)).await,
                "purchase",
            )
            .await?;
            ok(
                post(
                    format!("{ap}/users/{u}/powerups/ghost/purchase"),
                    json!(null),
                )
                .await,
                "purchase",
            )
            .await?;
        }
        ok(
            post(
                format!("{ap}/users/{a_rich}/points"),
                json!({"amount": -100, "source": "spend", "description": "ALPHA-LEDGER-NOTE"}),
            )
            .await,
            "spend",
        )
        .await?;
        let a_tip = ok(
            post(
                format!("{ap}/tips"),
                json!({"content": "ALPHA-TIP-CONTENT one"}),
            )
            .await,
            "tip",
        )
        .await?
        .json["id"]
            .as_i64()
            .unwrap_or(0);
        ok(
            post(
                format!("{ap}/tips"),
                json!({"content": "ALPHA-TIP-CONTENT two", "enabled": false, "sort_order": 5}),
            )
            .await,
            "tip",
        )
        .await?;
        for g in ["alpha-goal", "alpha-goal-2", "shared-goal"] {
            ok(
                put(
                    format!("{ap}/goals/{g}"),
                    json!({"label": "ALPHA-GOAL-LABEL", "current_value": 3, "target_value": 10}),
                )
                .await,
                "goal",
            )
            .await?;
        }
        for k in ["alpha.color", "alpha.size", "shared.key"] {
            ok(
                put(
                    format!("{ap}/overlay/settings/{k}"),
                    json!({"value": "ALPHA-SETTING-VALUE", "description": "ALPHA-SETTING-NOTE"}),
                )
                .await,
                "setting",
            )
            .await?;
        }
        for (i, l) in ["alpha-layout", "alpha-layout-2", "shared-layout"]
            .iter()
            .enumerate()
        {
            let name = if i == 2 {
                "Shared Layout".to_owned()
            } else {
                format!("ALPHA-LAYOUT-NAME {i}")
            };
            ok(put(format!("{ap}/overlay/layouts/{l}"), json!({"name": name, "is_default": i == 0, "layout": {"w": "ALPHA-LAYOUT-NAME"}})).await, "layout").await?;
        }
        ok(
            put(format!("{ap}/theme"), json!({"accent": "ALPHA-THEME"})).await,
            "theme",
        )
        .await?;
        for p in ["kick", "streamlabs", "shared"] {
            ok(put(format!("{ap}/tokens/{p}"), json!({"access_token": "ALPHA-ACCESS-TOKEN", "refresh_token": "ALPHA-REFRESH-TOKEN", "expires_at": "2030-01-01T00:00:00.000Z", "scope": "chat"})).await, "token").await?;
        }
        ok(put(format!("{ap}/powerups/magnet"), json!({"name": "ALPHA-POWERUP", "description": "d", "cost": 611, "emoji": "🧲", "effect": "e"})).await, "powerup").await?;
        ok(put(format!("{ap}/powerups/shield"), json!({"name": "ALPHA-POWERUP-OFF", "description": "d", "cost": 411, "emoji": "🛡️", "effect": "e", "enabled": false})).await, "powerup").await?;
        let a_session = s.viewer_session(&a, "alpha-viewer").await;
        // A code of A's for a name B's viewer also logs in with: B's log-ins must leave it.
        ok(
            post(
                format!("{ap}/verifications"),
                json!({"username": "bravo-viewer"}),
            )
            .await,
            "code",
        )
        .await?;
        let r = ok(
            post(
                format!("{ap}/verifications"),
                json!({"username": "alpha-pending"}),
            )
            .await,
            "code",
        )
        .await?;
        let a_pending_code = r.json["code"].as_str().unwrap_or_default().to_owned();
        let r = ok(
            post(
                format!("{ap}/verifications"),
                json!({"username": "alpha-confirmed"}),
            )
            .await,
            "code",
        )
        .await?;
        let a_confirmed_code = r.json["code"].as_str().unwrap_or_default().to_owned();
        let a_confirmed_secret = r.json["login_secret"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        ok(
            post(
                format!("{ap}/verifications/confirm"),
                json!({"username": "alpha-confirmed", "code": a_confirmed_code}),
            )
            .await,
            "confirm",
        )
        .await?;

        let a_dashboard = "alpha-dashboard-session-token".to_owned();
        let expires =
            datastore::Timestamp::from_millis(4_102_444_800_000).map_err(|e| e.to_string())?;
        s.store
            .create_streamer_session(
                datastore::StreamerId(a.id),
                &datastore::SessionToken::new(a_dashboard.clone()).hash(),
                expires,
            )
            .await
            .map_err(|e| format!("building the world: a dashboard session: {e}"))?;
        ok(
            s.get(&format!("{ap}/analytics"), Some(&a_dashboard)).await,
            "a dashboard session under A",
        )
        .await?;

        let b_user = s.user(&b, "bravo-viewer").await;
        let bk = Some(b.key.as_str());
        ok(
            s.call(
                "POST",
                &format!("/bravo/api/users/{b_user}/points"),
                bk,
                Some(json!({"amount": 40, "source": "chat"})),
            )
            .await,
            "earn",
        )
        .await?;
        ok(
            s.call(
                "POST",
                "/bravo/api/tips",
                bk,
                Some(json!({"content": "bravo tip"})),
            )
            .await,
            "tip",
        )
        .await?;
        Ok(World {
            a,
            b,
            a_user,
            a_rich,
            a_tip,
            a_session,
            a_pending_code,
            a_confirmed_code,
            a_confirmed_secret,
            a_dashboard,
            b_user,
        })
    }

    /// A's export, through the API.
    pub async fn a_export(&self, s: &TestServer) -> Value {
        s.export(&self.a).await
    }
}
