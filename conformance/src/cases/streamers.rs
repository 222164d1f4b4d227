//! Streamers: create, look up, update, list, delete.

use super::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq, check_err};
use crate::populate::{Spec, populate};
use datastore::*;
use std::time::Duration;

/// A new streamer has the given fields and the six default powerups, and is found by id, by
/// username in any case and by Kick user id.
pub async fn create_streamer_starts_with_defaults(h: Harness) -> CaseResult {
    let store = h.store().await;
    let now = h.clock().now();
    let s = store
        .create_streamer(NewStreamer {
            username: "CodingButter".into(),
            display_name: Some("Butters".into()),
            kick_user_id: Some(42),
            avatar_url: Some("https://example.test/a.png".into()),
        })
        .await?;
    check_eq!(
        (
            s.username.as_str(),
            s.display_name.as_str(),
            s.kick_user_id,
            s.avatar_url.as_deref()
        ),
        (
            "CodingButter",
            "Butters",
            Some(42),
            Some("https://example.test/a.png")
        ),
        "fields of the new streamer"
    );
    check_eq!(
        (s.created_at, s.updated_at),
        (now, now),
        "timestamps come from the clock"
    );
    check_eq!(
        store.get_streamer(s.id).await?,
        Some(s.clone()),
        "get by id"
    );
    check_eq!(
        store.get_streamer_by_username("codingbutter").await?,
        Some(s.clone()),
        "get by username ignores ASCII case"
    );
    check_eq!(
        store.get_streamer_by_kick_user_id(42).await?,
        Some(s.clone()),
        "get by Kick id"
    );
    check_eq!(
        store.get_streamer_by_username("nobody").await?,
        None,
        "unknown username"
    );
    check_eq!(
        store.get_streamer_by_kick_user_id(43).await?,
        None,
        "unknown Kick id"
    );
    check_eq!(
        store.get_streamer(StreamerId(s.id.0 + 1000)).await?,
        None,
        "unknown id"
    );

    let plain = store.create_streamer(NewStreamer::named("plain")).await?;
    check_eq!(
        plain.display_name,
        "plain",
        "the display name defaults to the username"
    );

    let powerups = store.list_powerups(s.id).await?;
    let got: Vec<(PowerupType, i64, bool)> =
        powerups.iter().map(|p| (p.id, p.cost, p.enabled)).collect();
    let mut want: Vec<(PowerupType, i64, bool)> = default_powerups()
        .into_iter()
        .map(|(t, c)| (t, c.cost, true))
        .collect();
    want.sort();
    check_eq!(got, want, "the six default powerups, by id");
    let tnt = store.get_powerup(s.id, PowerupType::Tnt).await?;
    check!(
        tnt.as_ref().is_some_and(|t| t.emoji == "💣"
            && t.variables.get("explosionRadius") == Some(&serde_json::json!(2000))),
        "TNT keeps the legacy emoji and variables: {tnt:?}"
    );
    Ok(())
}

/// Usernames (ignoring ASCII case) and Kick ids are unique among streamers, and a refused
/// create creates nothing.
pub async fn streamer_usernames_and_kick_ids_are_unique(h: Harness) -> CaseResult {
    let store = h.store().await;
    let first = store
        .create_streamer(NewStreamer {
            kick_user_id: Some(7),
            ..NewStreamer::named("alpha")
        })
        .await?;
    check_err!(
        store.create_streamer(NewStreamer::named("ALPHA")).await,
        StoreError::conflict(ConflictKind::StreamerUsername),
        "same username in another case"
    );
    check_err!(
        store
            .create_streamer(NewStreamer {
                kick_user_id: Some(7),
                ..NewStreamer::named("beta")
            })
            .await,
        StoreError::conflict(ConflictKind::KickUserId),
        "same Kick user id"
    );
    check_err!(
        store
            .create_streamer(NewStreamer {
                kick_user_id: Some(7),
                ..NewStreamer::named("Alpha")
            })
            .await,
        StoreError::conflict(ConflictKind::StreamerUsername),
        "the username conflict is reported first"
    );
    check_eq!(
        store.list_streamers().await?,
        vec![first],
        "nothing was created"
    );
    Ok(())
}

/// Malformed streamer input is refused with `InvalidInput` and creates nothing.
pub async fn create_streamer_rejects_invalid_input(h: Harness) -> CaseResult {
    let store = h.store().await;
    let bad = [
        NewStreamer::named(""),
        NewStreamer::named("has space"),
        NewStreamer::named("slash/name"),
        NewStreamer::named("ünïcode"),
        NewStreamer::named("x".repeat(validate::MAX_STREAMER_USERNAME_CHARS + 1)),
        NewStreamer {
            kick_user_id: Some(0),
            ..NewStreamer::named("zero")
        },
        NewStreamer {
            display_name: Some(" padded ".into()),
            ..NewStreamer::named("padded")
        },
        NewStreamer {
            avatar_url: Some("not a url".into()),
            ..NewStreamer::named("avatar")
        },
    ];
    for new in bad {
        let r = store.create_streamer(new.clone()).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{new:?} was not refused as invalid: {r:?}"
        );
    }
    check_eq!(
        store.list_streamers().await?.len(),
        0,
        "nothing was created"
    );
    Ok(())
}

/// An update changes only the given fields, clears with `null`, checks uniqueness against
/// other streamers only, and bumps `updated_at`.
pub async fn update_streamer_changes_only_given_fields(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = store
        .create_streamer(NewStreamer {
            kick_user_id: Some(1),
            avatar_url: Some("https://example.test/a".into()),
            ..NewStreamer::named("alpha")
        })
        .await?;
    let b = store
        .create_streamer(NewStreamer {
            kick_user_id: Some(2),
            ..NewStreamer::named("beta")
        })
        .await?;
    h.clock().advance(Duration::from_secs(5));
    let updated = store
        .update_streamer(
            a.id,
            StreamerUpdate {
                display_name: Some("Alpha!".into()),
                avatar_url: Some(None),
                ..Default::default()
            },
        )
        .await?;
    check_eq!(
        updated,
        Streamer {
            display_name: "Alpha!".into(),
            avatar_url: None,
            updated_at: h.clock().now(),
            ..a.clone()
        },
        "only the display name and avatar changed"
    );
    let renamed = store
        .update_streamer(
            a.id,
            StreamerUpdate {
                username: Some("ALPHA".into()),
                kick_user_id: Some(Some(3)),
                ..Default::default()
            },
        )
        .await?;
    check_eq!(
        (renamed.username.as_str(), renamed.kick_user_id),
        ("ALPHA", Some(3)),
        "a rename to its own name in another case, and a new Kick id"
    );
    check_err!(
        store
            .update_streamer(
                a.id,
                StreamerUpdate {
                    username: Some("Beta".into()),
                    ..Default::default()
                }
            )
            .await,
        StoreError::conflict(ConflictKind::StreamerUsername),
        "rename onto another streamer"
    );
    check_err!(
        store
            .update_streamer(
                a.id,
                StreamerUpdate {
                    kick_user_id: Some(Some(2)),
                    ..Default::default()
                }
            )
            .await,
        StoreError::conflict(ConflictKind::KickUserId),
        "Kick id of another streamer"
    );
    check_err!(
        store
            .update_streamer(StreamerId(b.id.0 + 1000), StreamerUpdate::default())
            .await,
        StoreError::not_found(Resource::Streamer),
        "unknown streamer"
    );
    check_err!(
        store
            .update_streamer(
                StreamerId(b.id.0 + 1000),
                StreamerUpdate {
                    username: Some("bad name".into()),
                    ..Default::default()
                }
            )
            .await,
        StoreError::invalid(
            "username",
            "may hold only ASCII letters, digits, '_' and '-'"
        ),
        "input is checked before existence"
    );
    check_eq!(
        store.get_streamer(b.id).await?,
        Some(b),
        "the other streamer is unchanged"
    );
    Ok(())
}

/// Streamers are listed by id.
pub async fn list_streamers_in_id_order(h: Harness) -> CaseResult {
    let store = h.store().await;
    let mut ids = Vec::new();
    for n in ["zed", "amy", "Max"] {
        ids.push(streamer(&*store, n).await?);
    }
    let listed: Vec<StreamerId> = store.list_streamers().await?.iter().map(|s| s.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    check_eq!(listed, sorted, "listed by id");
    check!(ids == sorted, "ids increase with creation: {ids:?}");
    Ok(())
}

/// Deleting a streamer removes every row it owns: it is gone from every read, its export is
/// `None`, its old ids find nothing, and deleting it again is `NotFound`.
pub async fn delete_streamer_removes_everything_it_owns(h: Harness) -> CaseResult {
    let store = h.store().await;
    let p = populate(&*store, h.clock(), Spec::solo("doomed", 9), h.clock().now()).await?;
    let s = p.streamer;
    store.delete_streamer(s).await?;
    check_eq!(store.get_streamer(s).await?, None, "by id");
    check_eq!(
        store.get_streamer_by_username("doomed").await?,
        None,
        "by username"
    );
    check_eq!(
        store.get_streamer_by_kick_user_id(9).await?,
        None,
        "by Kick id"
    );
    check_eq!(store.export_streamer(s).await?, None, "export");
    check_eq!(store.count_users(s).await?, 0, "users");
    for u in p.user_ids() {
        check_eq!(store.get_user(s, u).await?, None, "user {u}");
    }
    check_eq!(store.list_tips(s).await?, vec![], "tips");
    check_eq!(store.list_goals(s).await?, vec![], "goals");
    check_eq!(store.list_powerups(s).await?, vec![], "powerups");
    check_eq!(store.list_overlay_settings(s).await?, vec![], "settings");
    check_eq!(store.list_layouts(s).await?, vec![], "layouts");
    check_eq!(store.get_theme(s).await?, None, "theme");
    check_eq!(store.get_oauth_token(s, "kick").await?, None, "token");
    check_eq!(
        store.get_user_session(s, &p.user_sessions[0]).await?,
        None,
        "viewer session"
    );
    check_eq!(
        store
            .get_streamer_session(s, &p.streamer_sessions[0])
            .await?,
        None,
        "streamer session"
    );
    check_eq!(
        store.check_admin_key(s, &p.admin_key).await?,
        false,
        "admin key"
    );
    check_eq!(store.analytics(s).await?.users, 0, "analytics");
    check_err!(
        store.delete_streamer(s).await,
        StoreError::not_found(Resource::Streamer),
        "deleting twice"
    );
    // The name is free again, and the new streamer starts empty.
    let again = streamer(&*store, "doomed").await?;
    check!(again != s, "a new streamer gets a new id");
    check_eq!(
        store.count_users(again).await?,
        0,
        "the new streamer starts empty"
    );
    Ok(())
}
