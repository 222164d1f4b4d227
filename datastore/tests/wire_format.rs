//! The serialized shape of every domain type, pinned by insta snapshots, so a change to the
//! wire format shows up in review. Every value also has to survive a serde round trip.

use datastore::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::fmt::Debug;

fn t(s: &str) -> Timestamp {
    s.parse().expect("a valid timestamp")
}

/// Serializes `v`, checks it deserializes back to itself, and returns the JSON.
fn wire<T: Serialize + DeserializeOwned + PartialEq + Debug>(v: T) -> Value {
    let json = serde_json::to_value(&v).expect("serializes");
    let back: T = serde_json::from_value(json.clone()).expect("deserializes");
    assert_eq!(back, v, "round trip of {json}");
    json
}

fn streamer() -> Streamer {
    Streamer {
        id: StreamerId(1),
        username: "CodingButter".into(),
        display_name: "Butters".into(),
        kick_user_id: Some(4242),
        avatar_url: Some("https://example.test/a.png".into()),
        created_at: t("2025-12-07T18:04:05.123Z"),
        updated_at: t("2025-12-08T00:00:00Z"),
    }
}

fn user() -> User {
    User {
        id: UserId(7),
        streamer_id: StreamerId(1),
        username: "Zoë".into(),
        voice_id: Some("en-US-Wavenet-D".into()),
        drop_image: None,
        country: Some("DE".into()),
        created_at: t("2025-12-07T18:04:05Z"),
        updated_at: t("2025-12-07T18:04:05Z"),
    }
}

fn points() -> Points {
    Points {
        channel_points: 1500,
        drop_points: 250,
        total_drops: 2,
        last_updated: Some(t("2025-12-07T18:04:05Z")),
    }
}

fn purchase() -> PowerupPurchase {
    PowerupPurchase {
        id: PurchaseId(3),
        user_id: UserId(7),
        powerup: PowerupType::Tnt,
        cost: 500,
        purchased_at: t("2025-12-07T18:04:05Z"),
    }
}

fn tip() -> Tip {
    Tip {
        id: TipId(2),
        content: "Type !drop to play".into(),
        enabled: true,
        sort_order: 1,
        created_at: t("2025-12-07T18:04:05Z"),
    }
}

fn goal() -> Goal {
    Goal {
        id: GoalId::new("followers"),
        label: "Followers".into(),
        current_value: 150,
        target_value: 200,
        enabled: true,
        updated_at: t("2025-12-07T18:04:05Z"),
    }
}

fn config() -> PowerupConfig {
    let (id, c) = default_powerups().remove(0);
    c.into_config(id, t("2025-12-07T18:04:05Z"), t("2025-12-07T18:04:05Z"))
}

#[test]
fn streamers() {
    insta::assert_json_snapshot!(json!({
        "Streamer": wire(streamer()),
        "NewStreamer": wire(NewStreamer { kick_user_id: Some(4242), ..NewStreamer::named("codingbutter") }),
        "StreamerUpdate(set, clear, leave)": wire(StreamerUpdate {
            display_name: Some("New name".into()),
            avatar_url: Some(None),
            kick_user_id: None,
            username: None,
        }),
    }));
}

#[test]
fn users() {
    insta::assert_json_snapshot!(json!({
        "User": wire(user()),
        "UserLookup": wire(UserLookup { user: user(), created: true }),
        "ProfileUpdate": wire(ProfileUpdate {
            voice_id: Some(Some("en-GB-Neural2-A".into())),
            drop_image: Some(None),
            country: None,
        }),
        "PageRequest": wire(PageRequest { offset: 50, limit: 50 }),
        "Page<UserWithPoints>": wire(Page { items: vec![UserWithPoints { user: user(), points: Points::ZERO }], total: 1 }),
    }));
}

#[test]
fn points_and_ledger() {
    insta::assert_json_snapshot!(json!({
        "Points": wire(points()),
        "Points::ZERO": wire(Points::ZERO),
        "UserPoints": wire(UserPoints {
            user_id: UserId(7), channel_points: 1500, drop_points: 250, total_drops: 2,
            last_updated: t("2025-12-07T18:04:05Z"),
        }),
        "PointDelta": wire(PointDelta { amount: 25, source: PointSource::Chat, description: Some("chat message".into()) }),
        "AdminSetPoints": wire(AdminSetPoints { channel_points: 0, drop_points: Some(0), description: None }),
        "PointTransaction": wire(PointTransaction {
            id: TransactionId(11), user_id: UserId(7), amount: -500, source: PointSource::Spend,
            description: Some("powerup: tnt".into()), created_at: t("2025-12-07T18:04:05Z"),
        }),
        "NewDrop": wire(NewDrop { score: 200, is_perfect: true, powerup_used: Some(PowerupType::Ghost) }),
        "DropRecord": wire(DropRecord {
            id: DropId(5), user_id: UserId(7), score: 200, is_perfect: true, powerup_used: None,
            created_at: t("2025-12-07T18:04:05Z"),
        }),
        "LeaderboardEntry": wire(LeaderboardEntry {
            rank: 1, user_id: UserId(7), username: "Zoë".into(), channel_points: 1500,
            drop_points: 250, total_points: 1750, total_drops: 2,
        }),
        "SourceSummary": wire(SourceSummary { source: PointSource::Watch, total: 300, transactions: 60 }),
        "HistoryRequest": wire(HistoryRequest { limit: 50, before: Some(TransactionId(11)) }),
        "BulkAward": wire(BulkAward { awarded: 120, created: 3 }),
        "PointSource (all)": wire(PointSource::ALL.to_vec()),
    }));
}

#[test]
fn powerups() {
    insta::assert_json_snapshot!(json!({
        "PowerupConfig": wire(config()),
        "PowerupConfigPatch": wire(PowerupConfigPatch { cost: Some(100), enabled: Some(false), ..Default::default() }),
        "InventoryItem": wire(InventoryItem { powerup: PowerupType::Shield, quantity: 0 }),
        "InventoryRow": wire(InventoryRow { user_id: UserId(7), powerup: PowerupType::Boost, quantity: 3 }),
        "PurchaseReceipt": wire(PurchaseReceipt { purchase: purchase(), quantity: 1, points: points() }),
        "PowerupType (all)": wire(PowerupType::ALL.to_vec()),
        "default_powerups": default_powerups().into_iter().map(|(id, c)| json!({"id": id, "config": wire(c)})).collect::<Vec<_>>(),
    }));
}

#[test]
fn overlay_tips_and_goals() {
    insta::assert_json_snapshot!(json!({
        "OverlaySetting": wire(OverlaySetting {
            key: "drop.speed".into(), value: "3".into(), description: Some("how fast".into()),
            updated_at: t("2025-12-07T18:04:05Z"),
        }),
        "OverlayLayout": wire(OverlayLayout {
            id: LayoutId::new("main"), name: "Main".into(), is_default: true,
            layout: json!({"widgets": [{"kind": "leaderboard", "x": 10}]}),
            created_at: t("2025-12-07T18:04:05Z"), updated_at: t("2025-12-07T18:04:05Z"),
        }),
        "LayoutInput": wire(LayoutInput { name: "BRB".into(), is_default: false, layout: json!({}) }),
        "Theme": wire(Theme { theme: json!({"primary": "#53fc18"}), updated_at: t("2025-12-07T18:04:05Z") }),
        "Tip": wire(tip()),
        "NewTip": wire(NewTip::new("Follow!")),
        "TipPatch": wire(TipPatch { enabled: Some(false), ..Default::default() }),
        "Goal": wire(goal()),
        "GoalInput": wire(GoalInput { label: "Subs".into(), current_value: 0, target_value: 50, enabled: true }),
    }));
}

#[test]
fn credentials() {
    let hash = SessionToken::new("a session token").hash();
    insta::assert_json_snapshot!(json!({
        "OAuthToken": wire(OAuthToken {
            provider: "kick".into(), access_token: "access".into(), refresh_token: Some("refresh".into()),
            expires_at: t("2025-12-07T20:04:05Z"), scope: Some("chat:write".into()),
            created_at: t("2025-12-07T18:04:05Z"), updated_at: t("2025-12-07T18:04:05Z"),
        }),
        "OAuthTokenInput": wire(OAuthTokenInput {
            provider: "kick".into(), access_token: "access".into(), refresh_token: None,
            expires_at: t("2025-12-07T20:04:05Z"), scope: None,
        }),
        "UserSession": wire(UserSession {
            token_hash: hash, user_id: UserId(7), created_at: t("2025-12-07T18:04:05Z"),
            expires_at: t("2026-01-07T18:04:05Z"),
        }),
        "NewUserSession": wire(NewUserSession { user_id: UserId(7), token_hash: hash, expires_at: t("2026-01-07T18:04:05Z") }),
        "StreamerSession": wire(StreamerSession {
            token_hash: hash, created_at: t("2025-12-07T18:04:05Z"), expires_at: t("2026-01-07T18:04:05Z"),
        }),
        "AdminKey": wire(AdminKey { key_hash: SessionToken::new("an admin key").hash(), created_at: t("2025-12-07T18:04:05Z") }),
        "VerificationCode": wire(VerificationCode {
            username: "Viewer".into(), code: "ABC123".into(), verified: false,
            created_at: t("2025-12-07T18:04:05Z"), expires_at: t("2025-12-07T18:14:05Z"),
        }),
        "NewVerificationCode": wire(NewVerificationCode {
            username: "Viewer".into(), code: "ABC123".into(), secret_hash: hash,
            expires_at: t("2025-12-07T18:14:05Z"),
        }),
        "Redemption::Redeemed": wire(Redemption::Redeemed),
        "Redemption::NotConfirmed": wire(Redemption::NotConfirmed),
        "Redemption::WrongSecret": wire(Redemption::WrongSecret { attempts_left: 4 }),
        "Cooldown": wire(Cooldown {
            user_id: UserId(7), command: "!drop".into(), last_used_at: t("2025-12-07T18:04:05Z"),
            expires_at: t("2025-12-07T18:05:05Z"),
        }),
        "CooldownCheck::Ready": wire(CooldownCheck::Ready),
        "CooldownCheck::Active": wire(CooldownCheck::Active { remaining_ms: 39_500 }),
    }));
}

#[test]
fn reports() {
    let export = StreamerExport {
        streamer: streamer(),
        users: vec![user()],
        points: vec![],
        transactions: vec![],
        inventory: vec![],
        purchases: vec![purchase()],
        drops: vec![],
        cooldowns: vec![],
        user_sessions: vec![],
        streamer_sessions: vec![],
        admin_key: Some(AdminKey {
            key_hash: SessionToken::new("an admin key").hash(),
            created_at: t("2025-12-07T18:04:05Z"),
        }),
        verification_codes: vec![],
        oauth_tokens: vec![],
        powerups: vec![config()],
        overlay_settings: vec![],
        layouts: vec![],
        theme: None,
        tips: vec![tip()],
        goals: vec![goal()],
    };
    insta::assert_json_snapshot!(json!({
        "Analytics": wire(Analytics {
            users: 120, channel_points: 50_000, drop_points: 9_000, drops: 300, perfect_drops: 12,
            purchases: vec![PurchaseStats { powerup: PowerupType::Tnt, purchases: 4, points_spent: 1500 }],
        }),
        "StreamerExport": wire(export),
    }));
}

#[test]
fn errors() {
    insta::assert_json_snapshot!(json!({
        "NotFound": [wire(StoreError::not_found(Resource::User)), StoreError::not_found(Resource::User).to_string()],
        "Conflict": [wire(StoreError::conflict(ConflictKind::StreamerUsername)), StoreError::conflict(ConflictKind::StreamerUsername).to_string()],
        "InsufficientPoints": [wire(StoreError::InsufficientPoints { balance: 499, required: 500 }), StoreError::InsufficientPoints { balance: 499, required: 500 }.to_string()],
        "NoPowerupLeft": [wire(StoreError::NoPowerupLeft { powerup: PowerupType::Tnt }), StoreError::NoPowerupLeft { powerup: PowerupType::Tnt }.to_string()],
        "PowerupDisabled": [wire(StoreError::PowerupDisabled { powerup: PowerupType::Ghost }), StoreError::PowerupDisabled { powerup: PowerupType::Ghost }.to_string()],
        "InvalidInput": [wire(StoreError::invalid("amount", "must be between 1 and 1000000000")), StoreError::invalid("amount", "must be between 1 and 1000000000").to_string()],
        "Backend": [wire(StoreError::backend("disk I/O error")), StoreError::backend("disk I/O error").to_string()],
    }));
}
