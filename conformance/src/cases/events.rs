//! Events: what each write records, that a failing write records nothing, and that writes
//! that change nothing an overlay shows record nothing. Reading, paging, purging, the ids and
//! the race are in `event_reads.rs`.
//!
//! Every case here ends by checking the JSON text of every event it made the store record:
//! no payload holds a key, token, secret or hash.

use super::support::*;
use crate::harness::{CaseResult, Failure, Harness, START, check, check_eq};
use datastore::*;
use serde_json::{Value, json};
use std::time::Duration;

/// The streamer's latest event id.
pub async fn last_id(store: &dyn DataStore, s: StreamerId) -> Result<EventId, Failure> {
    Ok(store.read_events(s, EventId::START, 1).await?.last_id)
}

/// Checks that the streamer recorded exactly `want` after `before`, with the next ids, each at
/// `at`; returns the new latest id.
pub async fn check_recorded(
    store: &dyn DataStore,
    s: StreamerId,
    before: EventId,
    at: Timestamp,
    want: Vec<EventData>,
    what: &str,
) -> Result<EventId, Failure> {
    let page = store.read_events(s, before, MAX_EVENT_PAGE).await?;
    let expected: Vec<Event> = want
        .into_iter()
        .zip(before.get() + 1..)
        .map(|(data, id)| Event {
            id: EventId(id),
            at,
            data,
        })
        .collect();
    let last = EventId(before.get() + expected.len() as i64);
    check_eq!(page.events, expected, "{what}: the events recorded");
    check_eq!(page.last_id, last, "{what}: the latest id");
    Ok(last)
}

/// Checks that the streamer recorded nothing since `before` (whose latest id it still is).
pub async fn check_nothing(
    store: &dyn DataStore,
    s: StreamerId,
    before: EventId,
    what: &str,
) -> CaseResult {
    let page = store.read_events(s, before, MAX_EVENT_PAGE).await?;
    check_eq!(
        (page.events, page.last_id),
        (vec![], before),
        "{what}: records nothing"
    );
    Ok(())
}

/// A viewer's balances as an event shows them.
pub fn balances(u: UserId, name: &str, channel: i64, drop: i64, drops: i64) -> ViewerBalances {
    ViewerBalances {
        user_id: u,
        username: name.to_owned(),
        channel_points: channel,
        drop_points: drop,
        total_drops: drops,
    }
}

/// Gives the streamer every kind of credential (admin and overlay keys, a viewer and a
/// streamer session, an OAuth token, a verification code and its secret) and returns their
/// texts as a leak would show them: the raw secrets, and the hashes in hex.
pub async fn credentials(store: &dyn DataStore, s: StreamerId) -> Result<Vec<String>, Failure> {
    let raw = [
        "koa_admin-key-of-the-case",
        "kov_overlay-key-of-the-case",
        "kov_viewer-session-of-the-case",
        "koa_streamer-session-of-the-case",
        "kvl_code-secret-of-the-case",
    ];
    let hashes: Vec<TokenHash> = raw.iter().map(|r| SessionToken::new(*r).hash()).collect();
    let far = Timestamp::saturating_from_millis(START.as_millis() + 365 * 24 * 3600 * 1000);
    let holder = user(store, s, "credential_holder").await?;
    store.set_admin_key(s, &hashes[0]).await?;
    store.set_overlay_key(s, &hashes[1]).await?;
    store
        .create_user_session(
            s,
            NewUserSession {
                user_id: holder,
                token_hash: hashes[2],
                expires_at: far,
            },
        )
        .await?;
    store.create_streamer_session(s, &hashes[3], far).await?;
    store
        .create_verification_code(
            s,
            NewVerificationCode {
                username: "credential_holder".into(),
                code: "C0DE42".into(),
                secret_hash: hashes[4],
                expires_at: far,
            },
        )
        .await?;
    store
        .upsert_oauth_token(
            s,
            OAuthTokenInput {
                provider: "kick".into(),
                access_token: "oauth-access-token-of-the-case".into(),
                refresh_token: Some("oauth-refresh-token-of-the-case".into()),
                expires_at: far,
                scope: Some("chat:write".into()),
            },
        )
        .await?;
    let mut texts: Vec<String> = raw.iter().map(|r| (*r).to_owned()).collect();
    texts.extend(hashes.iter().map(TokenHash::to_hex));
    texts.push("oauth-access-token-of-the-case".into());
    texts.push("oauth-refresh-token-of-the-case".into());
    Ok(texts)
}

/// Names of payload members that would hold a credential.
const CREDENTIAL_MEMBERS: [&str; 5] = ["hash", "token", "secret", "password", "access"];

fn credential_member(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => m.iter().find_map(|(k, v)| {
            let lower = k.to_ascii_lowercase();
            if CREDENTIAL_MEMBERS.iter().any(|c| lower.contains(c)) {
                Some(k.clone())
            } else {
                credential_member(v)
            }
        }),
        Value::Array(a) => a.iter().find_map(credential_member),
        _ => None,
    }
}

/// Checks the JSON text of every event the streamer keeps: none holds any of `secrets` or a
/// member named like a credential, and each names a stored type and reads back as itself.
pub async fn check_payloads(
    store: &dyn DataStore,
    s: StreamerId,
    secrets: &[String],
) -> CaseResult {
    let page = all_events(store, s).await?;
    check!(!page.events.is_empty(), "the case recorded events to check");
    for e in &page.events {
        let text = e.data.payload_json();
        for secret in secrets {
            check!(
                !text.contains(secret.as_str()),
                "event {} holds a credential ({secret}): {text}",
                e.id
            );
        }
        let v: Value = serde_json::from_str(&text).map_err(|x| Failure(x.to_string()))?;
        if let Some(member) = credential_member(&v) {
            return Err(Failure(format!(
                "event {} has a member named like a credential ({member}): {text}",
                e.id
            )));
        }
        check!(
            EVENT_TYPES.contains(&e.data.kind()) && e.data.kind() != "reset",
            "event {} has a type that is not stored: {}",
            e.id,
            e.data.kind()
        );
        let back =
            EventData::from_stored(e.data.kind(), &text).map_err(|x| Failure(x.to_string()))?;
        check_eq!(
            back,
            e.data,
            "event {} read back from its stored form",
            e.id
        );
    }
    Ok(())
}

/// Moves the clock on, so each write's events carry a time of their own.
fn tick(h: &Harness) -> Timestamp {
    h.clock().advance(Duration::from_secs(1));
    h.clock().now()
}

/// Earn, spend, admin set (zero change included), drop and bulk award each record their
/// events: one `PointsChanged` per ledger row with the balances after the whole write (the
/// username as stored), a `DropRecorded` with no `PointsChanged` (no ledger row), and a bulk
/// award's events in the order of the names' first mention.
pub async fn point_writes_record_their_events(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let secrets = credentials(&*store, s).await?;
    let alice = user(&*store, s, "Alice").await?;
    check_nothing(&*store, s, EventId::START, "credentials and new viewers").await?;
    let mut last = EventId::START;

    let at = tick(&h);
    let earned = store
        .earn_points(
            s,
            alice,
            PointDelta {
                amount: 120,
                source: PointSource::Chat,
                description: Some("hello".into()),
            },
        )
        .await?;
    check_eq!(earned.channel_points, 120, "earned");
    let want = vec![EventData::PointsChanged {
        viewer: balances(alice, "Alice", 120, 0, 0),
        amount: 120,
        source: PointSource::Chat,
        description: Some("hello".into()),
    }];
    last = check_recorded(&*store, s, last, at, want, "earn_points").await?;

    let at = tick(&h);
    store
        .spend_points(s, alice, PointDelta::new(20, PointSource::Spend))
        .await?;
    let want = vec![EventData::PointsChanged {
        viewer: balances(alice, "Alice", 100, 0, 0),
        amount: -20,
        source: PointSource::Spend,
        description: None,
    }];
    last = check_recorded(&*store, s, last, at, want, "spend_points").await?;

    let at = tick(&h);
    let drop = NewDrop {
        score: 30,
        is_perfect: true,
        powerup_used: Some(PowerupType::Tnt),
    };
    store.add_drop_points(s, alice, drop).await?;
    let want = vec![EventData::DropRecorded {
        viewer: balances(alice, "Alice", 100, 30, 1),
        score: 30,
        is_perfect: true,
        powerup_used: Some(PowerupType::Tnt),
    }];
    last = check_recorded(&*store, s, last, at, want, "add_drop_points").await?;

    let at = tick(&h);
    let set = AdminSetPoints {
        channel_points: 500,
        drop_points: Some(7),
        description: None,
    };
    store.set_points(s, alice, set).await?;
    let want = vec![EventData::PointsChanged {
        viewer: balances(alice, "Alice", 500, 7, 1),
        amount: 400,
        source: PointSource::Admin,
        description: Some("adjustment".into()),
    }];
    last = check_recorded(&*store, s, last, at, want, "set_points with drop points").await?;

    // The same balance again: the ledger still gets its zero row, so the event follows it.
    let at = tick(&h);
    let set = AdminSetPoints {
        channel_points: 500,
        drop_points: None,
        description: Some("audit".into()),
    };
    store.set_points(s, alice, set).await?;
    let want = vec![EventData::PointsChanged {
        viewer: balances(alice, "Alice", 500, 7, 1),
        amount: 0,
        source: PointSource::Admin,
        description: Some("audit".into()),
    }];
    last = check_recorded(&*store, s, last, at, want, "set_points to the same balance").await?;

    let at = tick(&h);
    let names: Vec<String> = ["bob", "ALICE", "Bob", "carol", "alice"]
        .iter()
        .map(|n| (*n).to_owned())
        .collect();
    let award = PointDelta {
        amount: 5,
        source: PointSource::Watch,
        description: Some("tick".into()),
    };
    let done = store.bulk_award(s, &names, award).await?;
    check_eq!(
        (done.awarded, done.created),
        (3, 2),
        "three viewers, two new"
    );
    let bob = store
        .get_user_by_username(s, "bob")
        .await?
        .ok_or_else(|| Failure("bob was created".into()))?
        .id;
    let carol = store
        .get_user_by_username(s, "carol")
        .await?
        .ok_or_else(|| Failure("carol was created".into()))?
        .id;
    let awarded = |viewer| EventData::PointsChanged {
        viewer,
        amount: 5,
        source: PointSource::Watch,
        description: Some("tick".into()),
    };
    let want = vec![
        awarded(balances(bob, "bob", 5, 0, 0)),
        awarded(balances(alice, "Alice", 505, 7, 1)),
        awarded(balances(carol, "carol", 5, 0, 0)),
    ];
    last = check_recorded(&*store, s, last, at, want, "bulk_award").await?;

    // Each PointsChanged is its ledger row.
    let e = export(&*store, s).await?;
    let page = all_events(&*store, s).await?;
    let from_events: Vec<(UserId, i64, PointSource, Option<String>)> = page
        .events
        .iter()
        .filter_map(|e| match &e.data {
            EventData::PointsChanged {
                viewer,
                amount,
                source,
                description,
            } => Some((viewer.user_id, *amount, *source, description.clone())),
            _ => None,
        })
        .collect();
    let from_ledger: Vec<(UserId, i64, PointSource, Option<String>)> = e
        .transactions
        .iter()
        .map(|t| (t.user_id, t.amount, t.source, t.description.clone()))
        .collect();
    check_eq!(
        from_events,
        from_ledger,
        "one PointsChanged per ledger row, in ledger order"
    );
    check_eq!(page.last_id, last, "the latest id");
    check_payloads(&*store, s, &secrets).await
}

/// Giving, using and buying powerups record their events (a purchase: its spend's
/// `PointsChanged`, then `PowerupPurchased`; the owner's free purchase: no `PointsChanged`), and
/// a powerup's configuration records `PowerupChanged` only when it is on sale before or after
/// the write, with the configuration only when on sale after.
pub async fn powerup_writes_record_their_events(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "Owner").await?;
    let secrets = credentials(&*store, s).await?;
    let fan = funded(&*store, s, "fan", 1000).await?;
    let owner = user(&*store, s, "owner").await?;
    let mut last = last_id(&*store, s).await?;

    let at = tick(&h);
    store.add_powerup(s, fan, PowerupType::Shield, 2).await?;
    let want = vec![EventData::PowerupAdded {
        user_id: fan,
        username: "fan".into(),
        powerup: PowerupType::Shield,
        quantity: 2,
        owned: 2,
    }];
    last = check_recorded(&*store, s, last, at, want, "add_powerup").await?;

    let at = tick(&h);
    store.use_powerup(s, fan, PowerupType::Shield).await?;
    let want = vec![EventData::PowerupUsed {
        user_id: fan,
        username: "fan".into(),
        powerup: PowerupType::Shield,
        owned: 1,
    }];
    last = check_recorded(&*store, s, last, at, want, "use_powerup").await?;

    let at = tick(&h);
    let receipt = store.purchase_powerup(s, fan, PowerupType::Boost).await?;
    let spend = export(&*store, s)
        .await?
        .transactions
        .last()
        .cloned()
        .ok_or_else(|| Failure("the purchase wrote a ledger row".into()))?;
    let want = vec![
        EventData::PointsChanged {
            viewer: balances(fan, "fan", receipt.points.channel_points, 0, 0),
            amount: -receipt.purchase.cost,
            source: spend.source,
            description: spend.description,
        },
        EventData::PowerupPurchased {
            user_id: fan,
            username: "fan".into(),
            powerup: PowerupType::Boost,
            quantity: 1,
            owned: 1,
        },
    ];
    check_eq!(
        spend.amount,
        -receipt.purchase.cost,
        "the spend's ledger row"
    );
    last = check_recorded(&*store, s, last, at, want, "purchase_powerup").await?;

    let at = tick(&h);
    store.purchase_powerup(s, owner, PowerupType::Ghost).await?;
    let want = vec![EventData::PowerupPurchased {
        user_id: owner,
        username: "owner".into(),
        powerup: PowerupType::Ghost,
        quantity: 1,
        owned: 1,
    }];
    last = check_recorded(&*store, s, last, at, want, "the owner's free purchase").await?;

    // On sale -> off sale: the id, no configuration.
    let at = tick(&h);
    let off = PowerupConfigPatch {
        enabled: Some(false),
        ..Default::default()
    };
    store.update_powerup(s, PowerupType::Tnt, off).await?;
    let want = vec![EventData::PowerupChanged {
        id: PowerupType::Tnt,
        powerup: None,
    }];
    last = check_recorded(&*store, s, last, at, want, "update_powerup disabling").await?;

    // Off sale before and after: nothing, by patch or by upsert.
    tick(&h);
    let cheaper = PowerupConfigPatch {
        cost: Some(5),
        ..Default::default()
    };
    store.update_powerup(s, PowerupType::Tnt, cheaper).await?;
    check_nothing(&*store, s, last, "update_powerup of a disabled powerup").await?;
    let hidden = PowerupConfigInput {
        name: "Secret TNT".into(),
        description: "not for sale yet".into(),
        cost: 9,
        emoji: "💣".into(),
        effect: "boom".into(),
        variables: serde_json::Map::new(),
        enabled: false,
    };
    store
        .upsert_powerup(s, PowerupType::Tnt, hidden.clone())
        .await?;
    check_nothing(&*store, s, last, "upsert_powerup keeping it disabled").await?;

    // Off sale -> on sale, and on sale -> on sale: the configuration as stored.
    let at = tick(&h);
    let on = PowerupConfigPatch {
        enabled: Some(true),
        ..Default::default()
    };
    let shown = store.update_powerup(s, PowerupType::Tnt, on).await?;
    check_eq!(
        store.get_powerup(s, PowerupType::Tnt).await?,
        Some(shown.clone()),
        "stored as returned"
    );
    let want = vec![EventData::PowerupChanged {
        id: PowerupType::Tnt,
        powerup: Some(shown),
    }];
    last = check_recorded(&*store, s, last, at, want, "update_powerup enabling").await?;
    let at = tick(&h);
    let visible = PowerupConfigInput {
        enabled: true,
        ..hidden
    };
    let magnet = store
        .upsert_powerup(s, PowerupType::Magnet, visible)
        .await?;
    let want = vec![EventData::PowerupChanged {
        id: PowerupType::Magnet,
        powerup: Some(magnet),
    }];
    last = check_recorded(
        &*store,
        s,
        last,
        at,
        want,
        "upsert_powerup of an enabled one",
    )
    .await?;
    let at = tick(&h);
    let upsert_off = PowerupConfigInput {
        name: "Magnet".into(),
        description: String::new(),
        cost: 1,
        emoji: "🧲".into(),
        effect: "pull".into(),
        variables: serde_json::Map::new(),
        enabled: false,
    };
    store
        .upsert_powerup(s, PowerupType::Magnet, upsert_off)
        .await?;
    let want = vec![EventData::PowerupChanged {
        id: PowerupType::Magnet,
        powerup: None,
    }];
    last = check_recorded(&*store, s, last, at, want, "upsert_powerup disabling").await?;
    check_eq!(last_id(&*store, s).await?, last, "the latest id");
    check_payloads(&*store, s, &secrets).await
}

/// Goals and tips record an event only when the public list shows them before or after the
/// write: with the row when enabled after, with no body when disabled after or deleted; a
/// write to a row disabled before and after, and a delete of a disabled row, record nothing.
pub async fn goals_and_tips_record_only_what_the_public_sees(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let secrets = credentials(&*store, s).await?;
    let mut last = EventId::START;
    let id = GoalId::new("followers");
    let goal = |enabled: bool, current_value: i64| GoalInput {
        label: "Followers".into(),
        current_value,
        target_value: 100,
        enabled,
    };
    let changed = |g: Option<Goal>| EventData::GoalChanged {
        id: id.clone(),
        goal: g,
    };

    let at = tick(&h);
    let g = store.upsert_goal(s, &id, goal(true, 1)).await?;
    last = check_recorded(
        &*store,
        s,
        last,
        at,
        vec![changed(Some(g))],
        "a new enabled goal",
    )
    .await?;
    let at = tick(&h);
    let g = store.set_goal_progress(s, &id, 2).await?;
    last = check_recorded(
        &*store,
        s,
        last,
        at,
        vec![changed(Some(g))],
        "progress, enabled",
    )
    .await?;
    let at = tick(&h);
    let g = store.upsert_goal(s, &id, goal(true, 2)).await?;
    last = check_recorded(
        &*store,
        s,
        last,
        at,
        vec![changed(Some(g))],
        "rewritten, enabled",
    )
    .await?;
    let at = tick(&h);
    store.upsert_goal(s, &id, goal(false, 3)).await?;
    last = check_recorded(
        &*store,
        s,
        last,
        at,
        vec![changed(None)],
        "disabling a goal",
    )
    .await?;
    tick(&h);
    store.set_goal_progress(s, &id, 4).await?;
    store.upsert_goal(s, &id, goal(false, 5)).await?;
    store.delete_goal(s, &id).await?;
    store
        .upsert_goal(s, &GoalId::new("hidden"), goal(false, 0))
        .await?;
    check_nothing(
        &*store,
        s,
        last,
        "writes to disabled goals and their delete",
    )
    .await?;
    let at = tick(&h);
    let g = store.upsert_goal(s, &id, goal(true, 6)).await?;
    last = check_recorded(
        &*store,
        s,
        last,
        at,
        vec![changed(Some(g))],
        "re-created enabled",
    )
    .await?;
    let at = tick(&h);
    store.delete_goal(s, &id).await?;
    last = check_recorded(
        &*store,
        s,
        last,
        at,
        vec![changed(None)],
        "deleting an enabled goal",
    )
    .await?;

    let at = tick(&h);
    let shown = store.create_tip(s, NewTip::new("Type !drop")).await?;
    let tip = shown.id;
    let want = vec![EventData::TipChanged {
        id: tip,
        tip: Some(shown),
    }];
    last = check_recorded(&*store, s, last, at, want, "a new enabled tip").await?;
    let at = tick(&h);
    let reworded = TipPatch {
        content: Some("Type !drop to play".into()),
        ..Default::default()
    };
    let shown = store.update_tip(s, tip, reworded).await?;
    let want = vec![EventData::TipChanged {
        id: tip,
        tip: Some(shown),
    }];
    last = check_recorded(&*store, s, last, at, want, "an enabled tip changed").await?;
    tick(&h);
    let hidden = store
        .create_tip(
            s,
            NewTip {
                content: "draft".into(),
                enabled: false,
                sort_order: 3,
            },
        )
        .await?
        .id;
    let reorder = TipPatch {
        sort_order: Some(9),
        ..Default::default()
    };
    store.update_tip(s, hidden, reorder).await?;
    check_nothing(&*store, s, last, "creating and changing a disabled tip").await?;
    let at = tick(&h);
    let enable = TipPatch {
        enabled: Some(true),
        ..Default::default()
    };
    let now_shown = store.update_tip(s, hidden, enable).await?;
    let want = vec![EventData::TipChanged {
        id: hidden,
        tip: Some(now_shown),
    }];
    last = check_recorded(&*store, s, last, at, want, "enabling a tip").await?;
    let at = tick(&h);
    let disable = TipPatch {
        enabled: Some(false),
        content: Some("retired".into()),
        ..Default::default()
    };
    store.update_tip(s, tip, disable).await?;
    let want = vec![EventData::TipChanged { id: tip, tip: None }];
    last = check_recorded(&*store, s, last, at, want, "disabling a tip").await?;
    tick(&h);
    store.delete_tip(s, tip).await?;
    check_nothing(&*store, s, last, "deleting a disabled tip").await?;
    let at = tick(&h);
    store.delete_tip(s, hidden).await?;
    let want = vec![EventData::TipChanged {
        id: hidden,
        tip: None,
    }];
    last = check_recorded(&*store, s, last, at, want, "deleting an enabled tip").await?;
    check_eq!(last_id(&*store, s).await?, last, "the latest id");
    check_payloads(&*store, s, &secrets).await
}

/// Settings, layouts, the theme and viewers' profiles record their events: a setting or a
/// layout as stored (none when deleted), a new default layout's event first and then one for
/// the layout it stopped being the default of, the theme as stored, a viewer as stored, and a
/// deleted viewer's id.
pub async fn overlay_and_viewer_writes_record_their_events(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let secrets = credentials(&*store, s).await?;
    let mut last = EventId::START;

    let at = tick(&h);
    let set = store
        .upsert_overlay_setting(s, "volume", "5", Some("how loud"))
        .await?;
    let want = vec![EventData::SettingChanged {
        key: "volume".into(),
        setting: Some(set),
    }];
    last = check_recorded(&*store, s, last, at, want, "a new setting").await?;
    let at = tick(&h);
    let kept = store.upsert_overlay_setting(s, "volume", "7", None).await?;
    check_eq!(kept.description.as_deref(), Some("how loud"), "kept");
    let want = vec![EventData::SettingChanged {
        key: "volume".into(),
        setting: Some(kept),
    }];
    last = check_recorded(&*store, s, last, at, want, "a setting changed").await?;
    let at = tick(&h);
    store.delete_overlay_setting(s, "volume").await?;
    let want = vec![EventData::SettingChanged {
        key: "volume".into(),
        setting: None,
    }];
    last = check_recorded(&*store, s, last, at, want, "a setting deleted").await?;

    let layout = |name: &str, is_default: bool| LayoutInput {
        name: name.into(),
        is_default,
        layout: json!({"components": [{"id": name}]}),
    };
    let changed = |l: OverlayLayout| EventData::LayoutChanged {
        id: l.id.clone(),
        layout: Some(l),
    };
    let (main, brb, alt) = (
        LayoutId::new("main"),
        LayoutId::new("brb"),
        LayoutId::new("alt"),
    );
    let at = tick(&h);
    let l = store.upsert_layout(s, &main, layout("Main", true)).await?;
    last = check_recorded(&*store, s, last, at, vec![changed(l)], "the first default").await?;
    let at = tick(&h);
    let l = store.upsert_layout(s, &brb, layout("BRB", false)).await?;
    last = check_recorded(&*store, s, last, at, vec![changed(l)], "not a default").await?;
    let at = tick(&h);
    let l = store.upsert_layout(s, &alt, layout("Alt", true)).await?;
    let cleared = store
        .get_layout(s, &main)
        .await?
        .ok_or_else(|| Failure("main is still there".into()))?;
    check!(!cleared.is_default, "main is no longer the default");
    let want = vec![changed(l), changed(cleared)];
    last = check_recorded(
        &*store,
        s,
        last,
        at,
        want,
        "a new default, then the old one",
    )
    .await?;
    let at = tick(&h);
    let l = store.upsert_layout(s, &alt, layout("Alt", true)).await?;
    last = check_recorded(&*store, s, last, at, vec![changed(l)], "the default again").await?;
    let at = tick(&h);
    let l = store.upsert_layout(s, &alt, layout("Alt", false)).await?;
    last = check_recorded(&*store, s, last, at, vec![changed(l)], "no longer default").await?;
    let at = tick(&h);
    store.delete_layout(s, &brb).await?;
    let want = vec![EventData::LayoutChanged {
        id: brb,
        layout: None,
    }];
    last = check_recorded(&*store, s, last, at, want, "a layout deleted").await?;

    let at = tick(&h);
    let theme = store
        .set_theme(s, json!({"brandColor": "#ff8800", "nested": {"a": [1, 2]}}))
        .await?;
    let want = vec![EventData::ThemeChanged { theme }];
    last = check_recorded(&*store, s, last, at, want, "set_theme").await?;

    let viewer = user(&*store, s, "Viewer").await?;
    let at = tick(&h);
    let update = ProfileUpdate {
        country: Some(Some("de".into())),
        voice_id: Some(Some("en-US-Wavenet-D".into())),
        drop_image: None,
    };
    let updated = store.update_user_profile(s, viewer, update).await?;
    check_eq!(
        store.get_user(s, viewer).await?,
        Some(updated.clone()),
        "stored as returned"
    );
    let want = vec![EventData::ViewerChanged { user: updated }];
    last = check_recorded(&*store, s, last, at, want, "update_user_profile").await?;
    let at = tick(&h);
    store.delete_user(s, viewer).await?;
    let want = vec![EventData::ViewerRemoved { user_id: viewer }];
    last = check_recorded(&*store, s, last, at, want, "delete_user").await?;
    check_eq!(last_id(&*store, s).await?, last, "the latest id");
    check_payloads(&*store, s, &secrets).await
}

/// A write that fails (invalid input, a missing row, a conflict, too few points, a disabled or
/// used-up powerup, a balance past the maximum) records nothing and takes no id: the next
/// write that succeeds gets the next id.
pub async fn failed_writes_record_nothing(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let secrets = credentials(&*store, s).await?;
    let rich = funded(&*store, s, "rich", 100).await?;
    let full = user(&*store, s, "full").await?;
    let full_set = AdminSetPoints {
        channel_points: validate::MAX_BALANCE,
        drop_points: None,
        description: None,
    };
    store.set_points(s, full, full_set).await?;
    store
        .upsert_goal(
            s,
            &GoalId::new("g"),
            GoalInput {
                label: "G".into(),
                current_value: 0,
                target_value: 10,
                enabled: true,
            },
        )
        .await?;
    let tip = store.create_tip(s, NewTip::new("tip")).await?.id;
    store
        .upsert_layout(
            s,
            &LayoutId::new("main"),
            LayoutInput {
                name: "Main".into(),
                is_default: true,
                layout: json!({}),
            },
        )
        .await?;
    let off = PowerupConfigPatch {
        enabled: Some(false),
        ..Default::default()
    };
    store.update_powerup(s, PowerupType::Ghost, off).await?;
    let last = last_id(&*store, s).await?;
    check_eq!(last, EventId(6), "six events so far");
    let missing = UserId(rich.0 + full.0 + 1_000_000);
    let gone_streamer = StreamerId(s.0 + 1_000_000);
    let bad_goal = GoalInput {
        label: String::new(),
        current_value: 0,
        target_value: 10,
        enabled: true,
    };
    let bad_powerup = PowerupConfigInput {
        name: "Boost".into(),
        description: String::new(),
        cost: -1,
        emoji: "⚡".into(),
        effect: String::new(),
        variables: serde_json::Map::new(),
        enabled: true,
    };
    let layout = |name: &str| LayoutInput {
        name: name.into(),
        is_default: true,
        layout: json!({}),
    };

    let mut outcomes: Vec<(&str, StoreResult<()>)> = vec![
        (
            "earn of 0",
            store
                .earn_points(s, rich, PointDelta::new(0, PointSource::Chat))
                .await
                .map(drop),
        ),
        (
            "earn for a missing viewer",
            store
                .earn_points(s, missing, PointDelta::new(5, PointSource::Chat))
                .await
                .map(drop),
        ),
        (
            "earn past the maximum balance",
            store
                .earn_points(s, full, PointDelta::new(1, PointSource::Chat))
                .await
                .map(drop),
        ),
        (
            "spend of more than the balance",
            store
                .spend_points(s, rich, PointDelta::new(101, PointSource::Spend))
                .await
                .map(drop),
        ),
        (
            "set_points below zero",
            store
                .set_points(
                    s,
                    rich,
                    AdminSetPoints {
                        channel_points: -1,
                        drop_points: None,
                        description: None,
                    },
                )
                .await
                .map(drop),
        ),
        (
            "set_points for a missing viewer",
            store
                .set_points(
                    s,
                    missing,
                    AdminSetPoints {
                        channel_points: 1,
                        drop_points: None,
                        description: None,
                    },
                )
                .await
                .map(drop),
        ),
        (
            "a negative drop score",
            store
                .add_drop_points(
                    s,
                    rich,
                    NewDrop {
                        score: -1,
                        is_perfect: false,
                        powerup_used: None,
                    },
                )
                .await
                .map(drop),
        ),
        (
            "a bulk award with an invalid name",
            store
                .bulk_award(
                    s,
                    &["rich".to_owned(), "newcomer".to_owned(), String::new()],
                    PointDelta::new(5, PointSource::Watch),
                )
                .await
                .map(drop),
        ),
        (
            "a bulk award past a balance's maximum",
            store
                .bulk_award(
                    s,
                    &["rich".to_owned(), "full".to_owned()],
                    PointDelta::new(5, PointSource::Watch),
                )
                .await
                .map(drop),
        ),
        (
            "a purchase without the points",
            store
                .purchase_powerup(s, rich, PowerupType::Boost)
                .await
                .map(drop),
        ),
        (
            "a purchase of a disabled powerup",
            store
                .purchase_powerup(s, full, PowerupType::Ghost)
                .await
                .map(drop),
        ),
        (
            "a purchase for a missing viewer",
            store
                .purchase_powerup(s, missing, PowerupType::Tnt)
                .await
                .map(drop),
        ),
        (
            "adding no powerups",
            store
                .add_powerup(s, rich, PowerupType::Tnt, 0)
                .await
                .map(drop),
        ),
        (
            "using a powerup none are left of",
            store.use_powerup(s, rich, PowerupType::Tnt).await.map(drop),
        ),
        (
            "an invalid powerup configuration",
            store
                .upsert_powerup(s, PowerupType::Boost, bad_powerup)
                .await
                .map(drop),
        ),
        (
            "an invalid powerup update",
            store
                .update_powerup(
                    s,
                    PowerupType::Boost,
                    PowerupConfigPatch {
                        cost: Some(-1),
                        ..Default::default()
                    },
                )
                .await
                .map(drop),
        ),
        (
            "a powerup update under a missing streamer",
            store
                .update_powerup(gone_streamer, PowerupType::Boost, Default::default())
                .await
                .map(drop),
        ),
        (
            "an invalid goal",
            store
                .upsert_goal(s, &GoalId::new("g"), bad_goal)
                .await
                .map(drop),
        ),
        (
            "progress of a missing goal",
            store
                .set_goal_progress(s, &GoalId::new("nope"), 1)
                .await
                .map(drop),
        ),
        (
            "negative progress",
            store
                .set_goal_progress(s, &GoalId::new("g"), -1)
                .await
                .map(drop),
        ),
        (
            "deleting a missing goal",
            store.delete_goal(s, &GoalId::new("nope")).await,
        ),
        (
            "an empty tip",
            store.create_tip(s, NewTip::new("")).await.map(drop),
        ),
        (
            "updating a missing tip",
            store
                .update_tip(s, TipId(tip.0 + 1_000_000), TipPatch::default())
                .await
                .map(drop),
        ),
        (
            "an invalid tip update",
            store
                .update_tip(
                    s,
                    tip,
                    TipPatch {
                        content: Some(String::new()),
                        ..Default::default()
                    },
                )
                .await
                .map(drop),
        ),
        (
            "deleting a missing tip",
            store.delete_tip(s, TipId(tip.0 + 1_000_000)).await,
        ),
        (
            "an invalid setting key",
            store
                .upsert_overlay_setting(s, "bad key", "1", None)
                .await
                .map(drop),
        ),
        (
            "deleting a missing setting",
            store.delete_overlay_setting(s, "nope").await,
        ),
        (
            "a layout name another layout has",
            store
                .upsert_layout(s, &LayoutId::new("other"), layout("MAIN"))
                .await
                .map(drop),
        ),
        (
            "an invalid layout id",
            store
                .upsert_layout(s, &LayoutId::new("bad id!"), layout("Bad"))
                .await
                .map(drop),
        ),
        (
            "deleting a missing layout",
            store.delete_layout(s, &LayoutId::new("nope")).await,
        ),
        (
            "a theme that is no object",
            store.set_theme(s, json!([1, 2])).await.map(drop),
        ),
        (
            "an invalid country",
            store
                .update_user_profile(
                    s,
                    rich,
                    ProfileUpdate {
                        country: Some(Some("xyz".into())),
                        ..Default::default()
                    },
                )
                .await
                .map(drop),
        ),
        (
            "a profile update of a missing viewer",
            store
                .update_user_profile(s, missing, ProfileUpdate::default())
                .await
                .map(drop),
        ),
        (
            "deleting a missing viewer",
            store.delete_user(s, missing).await,
        ),
    ];
    for (what, outcome) in outcomes.drain(..) {
        check!(outcome.is_err(), "{what} must fail, and succeeded");
    }
    check_nothing(&*store, s, last, "failed writes").await?;
    check_eq!(
        store.get_user_by_username(s, "newcomer").await?,
        None,
        "the refused award created nobody"
    );
    let at = tick(&h);
    store
        .earn_points(s, rich, PointDelta::new(1, PointSource::Chat))
        .await?;
    let want = vec![EventData::PointsChanged {
        viewer: balances(rich, "rich", 101, 0, 0),
        amount: 1,
        source: PointSource::Chat,
        description: None,
    }];
    check_recorded(
        &*store,
        s,
        last,
        at,
        want,
        "the next write takes the next id",
    )
    .await?;
    check_payloads(&*store, s, &secrets).await
}

/// Writes that change nothing an overlay shows (streamers, new viewers, sessions, keys,
/// tokens, verification codes, cooldowns, purges) record nothing, and neither do reads.
pub async fn other_writes_record_nothing(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    credentials(&*store, s).await?;
    let v = user(&*store, s, "viewer").await?;
    store
        .update_streamer(
            s,
            StreamerUpdate {
                display_name: Some("Channel".into()),
                ..Default::default()
            },
        )
        .await?;
    let other = streamer(&*store, "other").await?;
    store.delete_streamer(other).await?;
    let soon = h
        .clock()
        .now()
        .checked_add(Duration::from_secs(60))
        .unwrap_or(Timestamp::MAX);
    let token = SessionToken::new("viewer-token").hash();
    store
        .create_user_session(
            s,
            NewUserSession {
                user_id: v,
                token_hash: token,
                expires_at: soon,
            },
        )
        .await?;
    store.delete_user_session(s, &token).await?;
    store.create_streamer_session(s, &token, soon).await?;
    store.delete_streamer_session(s, &token).await?;
    store.set_admin_key(s, &token).await?;
    store.set_overlay_key(s, &token).await?;
    store.check_admin_key(s, &token).await?;
    store.check_overlay_key(s, &token).await?;
    store.delete_oauth_token(s, "kick").await?;
    let secret = SessionToken::new("secret").hash();
    store
        .create_verification_code(
            s,
            NewVerificationCode {
                username: "viewer".into(),
                code: "ABC123".into(),
                secret_hash: secret,
                expires_at: soon,
            },
        )
        .await?;
    store
        .mark_verification_code_verified(s, "viewer", "ABC123")
        .await?;
    store
        .redeem_verification_code(s, "viewer", "ABC123", &secret)
        .await?;
    store.delete_verification_codes(s, "viewer").await?;
    store
        .check_cooldown(s, v, "!drop", Duration::from_secs(30))
        .await?;
    h.clock().advance(Duration::from_secs(3600));
    store.purge_expired_user_sessions(s).await?;
    store.purge_expired_streamer_sessions(s).await?;
    store.purge_expired_verification_codes(s).await?;
    store.purge_expired_cooldowns(s).await?;
    store
        .purge_events(
            s,
            EventRetention {
                max_age: Duration::ZERO,
                max_count: 1,
            },
        )
        .await?;
    store.analytics(s).await?;
    store.export_streamer(s).await?;
    store
        .list_users_with_points(
            s,
            PageRequest {
                offset: 0,
                limit: 10,
            },
        )
        .await?;
    check_nothing(&*store, s, EventId::START, "writes no overlay shows").await
}

/// Whether a write records an event depends on the row as this streamer has it, never on
/// another streamer's row of the same id: B writing its goal `g` or its `tnt` disabled, while
/// A's are enabled, records nothing for B (and nothing for A).
pub async fn another_streamers_row_never_decides_what_is_recorded(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let id = GoalId::new("g");
    let goal = |enabled: bool| GoalInput {
        label: "Goal".into(),
        current_value: 1,
        target_value: 10,
        enabled,
    };
    store.upsert_goal(a, &id, goal(true)).await?;
    let off = PowerupConfigPatch {
        enabled: Some(false),
        ..Default::default()
    };
    store.update_powerup(b, PowerupType::Tnt, off).await?;
    let (a_last, b_last) = (last_id(&*store, a).await?, last_id(&*store, b).await?);
    tick(&h);
    // B has no goal `g`: a disabled one, new, is invisible before and after.
    store.upsert_goal(b, &id, goal(false)).await?;
    store.set_goal_progress(b, &id, 5).await?;
    store.delete_goal(b, &id).await?;
    // B's tnt is off sale (A's is on sale, the default): a patch keeping it off shows nothing.
    let cheaper = PowerupConfigPatch {
        cost: Some(3),
        ..Default::default()
    };
    store.update_powerup(b, PowerupType::Tnt, cheaper).await?;
    check_nothing(&*store, b, b_last, "B's writes to its own disabled rows").await?;
    check_nothing(&*store, a, a_last, "A, while B writes").await?;
    Ok(())
}

/// Deleting a viewer takes their name out of the event log: every earlier event of the
/// streamer that names them (earns, a drop, a purchase, a profile change) becomes
/// `ViewerRemoved` for them with its id and time kept, another viewer's and the overlay's
/// events stay as they were, and the deletion then records one more `ViewerRemoved`. Another
/// streamer's events of a namesake (user ids are global, so the name is what they share) stay.
pub async fn deleting_a_viewer_rewrites_the_events_that_name_them(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let other = streamer(&*store, "other").await?;
    let secrets = credentials(&*store, s).await?;
    let x = user(&*store, s, "xena_to_forget").await?;
    let y = user(&*store, s, "yuri_who_stays").await?;
    let namesake = user(&*store, other, "xena_to_forget").await?;

    tick(&h);
    store
        .earn_points(s, x, PointDelta::new(400, PointSource::Chat))
        .await?;
    tick(&h);
    store
        .earn_points(s, y, PointDelta::new(30, PointSource::Chat))
        .await?;
    tick(&h);
    store
        .earn_points(s, x, PointDelta::new(600, PointSource::Sub))
        .await?;
    tick(&h);
    let drop = NewDrop {
        score: 12,
        is_perfect: true,
        powerup_used: None,
    };
    store.add_drop_points(s, x, drop).await?;
    tick(&h);
    store.purchase_powerup(s, x, PowerupType::Boost).await?;
    tick(&h);
    store.upsert_overlay_setting(s, "volume", "5", None).await?;
    tick(&h);
    let update = ProfileUpdate {
        country: Some(Some("de".into())),
        voice_id: Some(Some("xena-voice".into())),
        drop_image: None,
    };
    store.update_user_profile(s, x, update.clone()).await?;
    tick(&h);
    store
        .earn_points(other, namesake, PointDelta::new(5, PointSource::Chat))
        .await?;
    store.update_user_profile(other, namesake, update).await?;

    let before = all_events(&*store, s).await?;
    let others_before = all_events(&*store, other).await?;
    let of = |page: &EventPage, u: UserId| -> Vec<&'static str> {
        page.events
            .iter()
            .filter(|e| e.data.viewer() == Some(u))
            .map(|e| e.data.kind())
            .collect()
    };
    check_eq!(
        of(&before, x),
        [
            "points_changed",
            "points_changed",
            "drop_recorded",
            "points_changed",
            "powerup_purchased",
            "viewer_changed"
        ],
        "the events that name the viewer before the deletion"
    );
    check_eq!(of(&before, y), ["points_changed"], "the other viewer's");
    check!(
        others_before
            .events
            .iter()
            .any(|e| e.data.payload_json().contains("xena_to_forget")),
        "the other streamer's events name the namesake"
    );

    let at = tick(&h);
    store.delete_user(s, x).await?;
    let removed = EventData::ViewerRemoved { user_id: x };
    let mut want: Vec<Event> = before
        .events
        .iter()
        .map(|e| match e.data.viewer() {
            Some(u) if u == x => Event {
                id: e.id,
                at: e.at,
                data: removed.clone(),
            },
            _ => e.clone(),
        })
        .collect();
    let next = EventId(before.last_id.get() + 1);
    want.push(Event {
        id: next,
        at,
        data: removed,
    });
    let after = all_events(&*store, s).await?;
    check_eq!(
        after.events,
        want,
        "the viewer's events rewritten in place, the others kept, one more recorded"
    );
    check_eq!(after.last_id, next, "one id taken, none freed");
    for e in &after.events {
        let text = e.data.payload_json();
        check!(
            !text.contains("xena"),
            "event {} still names the deleted viewer: {text}",
            e.id
        );
    }
    check_eq!(
        all_events(&*store, other).await?,
        others_before,
        "the other streamer's events, the namesake's included"
    );
    check_payloads(&*store, s, &secrets).await
}
