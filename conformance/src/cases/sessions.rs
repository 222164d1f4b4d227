//! Viewer and streamer sessions.

use super::support::*;
use crate::harness::{CaseResult, Harness, check_eq, check_err};
use datastore::*;
use std::time::Duration;

fn in_secs(h: &Harness, secs: u64) -> Timestamp {
    let now = h.clock().now();
    now.checked_add(Duration::from_secs(secs)).unwrap_or(now)
}

/// A viewer session is returned until it expires (exactly at `expires_at` it is expired),
/// purge deletes only expired ones, and delete removes one.
pub async fn user_sessions_expire_and_purge(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = user(&*store, s, "viewer").await?;
    let short = SessionToken::new("short").hash();
    let long = SessionToken::new("long").hash();
    let created = h.clock().now();
    let sess = store
        .create_user_session(
            s,
            NewUserSession {
                user_id: u,
                token_hash: short,
                expires_at: in_secs(&h, 60),
            },
        )
        .await?;
    check_eq!(
        sess,
        UserSession {
            token_hash: short,
            user_id: u,
            created_at: created,
            expires_at: in_secs(&h, 60)
        },
        "created"
    );
    store
        .create_user_session(
            s,
            NewUserSession {
                user_id: u,
                token_hash: long,
                expires_at: in_secs(&h, 3600),
            },
        )
        .await?;
    check_eq!(
        store.get_user_session(s, &short).await?,
        Some(sess.clone()),
        "live"
    );
    h.clock().advance(Duration::from_millis(59_999));
    check_eq!(
        store.get_user_session(s, &short).await?,
        Some(sess),
        "a millisecond before"
    );
    h.clock().advance(Duration::from_millis(1));
    check_eq!(
        store.get_user_session(s, &short).await?,
        None,
        "expired at expires_at"
    );
    check_eq!(
        store.purge_expired_user_sessions(s).await?,
        1,
        "one expired session purged"
    );
    check_eq!(
        store.purge_expired_user_sessions(s).await?,
        0,
        "nothing left to purge"
    );
    check_err!(
        store.delete_user_session(s, &short).await,
        StoreError::not_found(Resource::UserSession),
        "the purged one is gone"
    );
    store.delete_user_session(s, &long).await?;
    check_eq!(store.get_user_session(s, &long).await?, None, "logged out");
    check_eq!(
        store
            .get_user_session(s, &SessionToken::new("never").hash())
            .await?,
        None,
        "unknown token"
    );
    Ok(())
}

/// The same for streamer (admin) sessions.
pub async fn streamer_sessions_expire_and_purge(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let short = SessionToken::new("short").hash();
    let long = SessionToken::new("long").hash();
    let sess = store
        .create_streamer_session(s, &short, in_secs(&h, 60))
        .await?;
    check_eq!(
        sess,
        StreamerSession {
            token_hash: short,
            created_at: h.clock().now(),
            expires_at: in_secs(&h, 60)
        },
        "created"
    );
    store
        .create_streamer_session(s, &long, in_secs(&h, 3600))
        .await?;
    check_eq!(
        store.get_streamer_session(s, &short).await?,
        Some(sess),
        "live"
    );
    h.clock().advance(Duration::from_secs(60));
    check_eq!(
        store.get_streamer_session(s, &short).await?,
        None,
        "expired"
    );
    check_eq!(store.purge_expired_streamer_sessions(s).await?, 1, "purged");
    store.delete_streamer_session(s, &long).await?;
    check_eq!(store.get_streamer_session(s, &long).await?, None, "deleted");
    check_err!(
        store.delete_streamer_session(s, &long).await,
        StoreError::not_found(Resource::StreamerSession),
        "twice"
    );
    check_err!(
        store
            .create_streamer_session(StreamerId(s.0 + 1000), &long, in_secs(&h, 60))
            .await,
        StoreError::not_found(Resource::Streamer),
        "unknown streamer"
    );
    Ok(())
}

/// A streamer cannot have two sessions with one token hash; nothing changes on conflict.
pub async fn session_tokens_are_unique_within_a_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let a = user(&*store, s, "a").await?;
    let b = user(&*store, s, "b").await?;
    let t = SessionToken::new("same").hash();
    store
        .create_user_session(
            s,
            NewUserSession {
                user_id: a,
                token_hash: t,
                expires_at: in_secs(&h, 60),
            },
        )
        .await?;
    let before = export(&*store, s).await?;
    check_err!(
        store
            .create_user_session(
                s,
                NewUserSession {
                    user_id: b,
                    token_hash: t,
                    expires_at: in_secs(&h, 99)
                }
            )
            .await,
        StoreError::conflict(ConflictKind::SessionToken),
        "viewer session"
    );
    store
        .create_streamer_session(s, &t, in_secs(&h, 60))
        .await?;
    check_err!(
        store.create_streamer_session(s, &t, in_secs(&h, 99)).await,
        StoreError::conflict(ConflictKind::SessionToken),
        "streamer session"
    );
    let after = export(&*store, s).await?;
    check_eq!(
        after.user_sessions,
        before.user_sessions,
        "the first viewer session is intact"
    );
    check_eq!(after.streamer_sessions.len(), 1, "one streamer session");
    Ok(())
}

/// A viewer session needs an existing user.
pub async fn user_sessions_need_an_existing_user(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = user(&*store, s, "viewer").await?;
    check_err!(
        store
            .create_user_session(
                s,
                NewUserSession {
                    user_id: UserId(u.0 + 1000),
                    token_hash: SessionToken::new("x").hash(),
                    expires_at: in_secs(&h, 60),
                }
            )
            .await,
        StoreError::not_found(Resource::User),
        "unknown user"
    );
    check_eq!(
        export(&*store, s).await?.user_sessions,
        vec![],
        "nothing created"
    );
    Ok(())
}

/// A streamer has at most one admin key: none at first, then the one set last, which replaces
/// the previous one at once. A streamer that does not exist cannot get one and has none, the
/// export shows the current key, and deleting the streamer removes it.
pub async fn admin_keys_replace_and_check(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let first = SessionToken::new("first admin key").hash();
    let second = SessionToken::new("second admin key").hash();
    check_eq!(
        store.check_admin_key(s, &first).await?,
        false,
        "no key is set yet"
    );
    check_eq!(export(&*store, s).await?.admin_key, None, "no key exported");
    let set = store.set_admin_key(s, &first).await?;
    check_eq!(
        set,
        AdminKey {
            key_hash: first,
            created_at: h.clock().now()
        },
        "the key as set"
    );
    check_eq!(
        store.check_admin_key(s, &first).await?,
        true,
        "the key works"
    );
    check_eq!(
        store.check_admin_key(s, &second).await?,
        false,
        "another key does not"
    );
    h.clock().advance(Duration::from_secs(5));
    let replaced = store.set_admin_key(s, &second).await?;
    check_eq!(
        replaced,
        AdminKey {
            key_hash: second,
            created_at: h.clock().now()
        },
        "the new key, stamped when set"
    );
    check_eq!(
        store.check_admin_key(s, &first).await?,
        false,
        "the old key stops working at once"
    );
    check_eq!(
        store.check_admin_key(s, &second).await?,
        true,
        "the new key works"
    );
    check_eq!(
        export(&*store, s).await?.admin_key,
        Some(replaced),
        "the export shows the current key"
    );
    let unknown = StreamerId(s.0 + 1000);
    check_err!(
        store.set_admin_key(unknown, &first).await,
        StoreError::not_found(Resource::Streamer),
        "a streamer that does not exist"
    );
    check_eq!(
        store.check_admin_key(unknown, &first).await?,
        false,
        "a streamer that does not exist has no key"
    );
    store.delete_streamer(s).await?;
    check_eq!(
        store.check_admin_key(s, &second).await?,
        false,
        "a deleted streamer's key opens nothing"
    );
    let again = streamer(&*store, "chan").await?;
    check_eq!(
        (
            store.check_admin_key(again, &second).await?,
            export(&*store, again).await?.admin_key
        ),
        (false, None),
        "a new streamer of the same name has no key"
    );
    Ok(())
}

/// An overlay key is set (replacing the previous one, which stops working at once) and
/// checked like the admin key, in a slot of its own: the admin key is no overlay key, the
/// overlay key no admin key, setting one leaves the other as it was, and neither setting
/// records an event. The overlay key is not part of the export.
pub async fn overlay_keys_replace_and_check(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let admin = SessionToken::new("the admin key").hash();
    let first = SessionToken::new("first overlay key").hash();
    let second = SessionToken::new("second overlay key").hash();
    check_eq!(
        store.check_overlay_key(s, &first).await?,
        false,
        "no key is set yet"
    );
    store.set_admin_key(s, &admin).await?;
    check_eq!(
        store.check_overlay_key(s, &admin).await?,
        false,
        "the admin key is no overlay key"
    );
    let set = store.set_overlay_key(s, &first).await?;
    check_eq!(
        set,
        OverlayKey {
            key_hash: first,
            created_at: h.clock().now()
        },
        "the key as set"
    );
    check_eq!(
        (
            store.check_overlay_key(s, &first).await?,
            store.check_overlay_key(s, &second).await?,
            store.check_overlay_key(s, &admin).await?,
        ),
        (true, false, false),
        "only the overlay key opens as one"
    );
    check_eq!(
        (
            store.check_admin_key(s, &first).await?,
            store.check_admin_key(s, &admin).await?,
        ),
        (false, true),
        "the overlay key is no admin key, and the admin key still works"
    );
    h.clock().advance(Duration::from_secs(5));
    let replaced = store.set_overlay_key(s, &second).await?;
    check_eq!(
        replaced,
        OverlayKey {
            key_hash: second,
            created_at: h.clock().now()
        },
        "the new key, stamped when set"
    );
    check_eq!(
        (
            store.check_overlay_key(s, &first).await?,
            store.check_overlay_key(s, &second).await?,
        ),
        (false, true),
        "the old key stops working at once, the new one works"
    );
    let new_admin = SessionToken::new("a new admin key").hash();
    store.set_admin_key(s, &new_admin).await?;
    check_eq!(
        (
            store.check_overlay_key(s, &second).await?,
            store.check_overlay_key(s, &new_admin).await?,
        ),
        (true, false),
        "setting the admin key leaves the overlay key as it was"
    );
    let e = export(&*store, s).await?;
    check_eq!(
        e.admin_key.as_ref().map(|k| k.key_hash),
        Some(new_admin),
        "the export's admin key"
    );
    let text = serde_json::to_string(&e).map_err(|x| crate::harness::Failure(x.to_string()))?;
    check_eq!(
        [first, second].iter().any(|k| text.contains(&k.to_hex())),
        false,
        "the overlay key is not in the export"
    );
    check_eq!(
        store.read_events(s, EventId::START, 10).await?,
        EventPage {
            events: vec![],
            last_id: EventId::START
        },
        "setting keys records no event"
    );
    let unknown = StreamerId(s.0 + 1000);
    check_err!(
        store.set_overlay_key(unknown, &first).await,
        StoreError::not_found(Resource::Streamer),
        "a streamer that does not exist"
    );
    check_eq!(
        store.check_overlay_key(unknown, &first).await?,
        false,
        "a streamer that does not exist has no key"
    );
    store.delete_streamer(s).await?;
    check_eq!(
        store.check_overlay_key(s, &second).await?,
        false,
        "a deleted streamer's key opens nothing"
    );
    let again = streamer(&*store, "chan").await?;
    check_eq!(
        store.check_overlay_key(again, &second).await?,
        false,
        "a new streamer of the same name has no key"
    );
    Ok(())
}

/// An overlay key opens only its own streamer: A's key is no key under B, B setting its key
/// to A's hash leaves A's key working (each under its own streamer), and deleting B leaves
/// A's key working.
pub async fn overlay_key_of_another_streamer_is_refused(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let ka = SessionToken::new("alpha overlay key").hash();
    let kb = SessionToken::new("bravo overlay key").hash();
    store.set_overlay_key(a, &ka).await?;
    check_eq!(
        store.check_overlay_key(b, &ka).await?,
        false,
        "A's key under B, which has none"
    );
    store.set_overlay_key(b, &kb).await?;
    check_eq!(
        (
            store.check_overlay_key(b, &ka).await?,
            store.check_overlay_key(a, &kb).await?,
        ),
        (false, false),
        "each key opens only its own streamer"
    );
    store.set_overlay_key(b, &ka).await?;
    check_eq!(
        (
            store.check_overlay_key(a, &ka).await?,
            store.check_overlay_key(b, &ka).await?,
            store.check_overlay_key(b, &kb).await?,
        ),
        (true, true, false),
        "B taking A's hash replaces B's key only"
    );
    store.delete_streamer(b).await?;
    check_eq!(
        store.check_overlay_key(a, &ka).await?,
        true,
        "deleting B leaves A's key working"
    );
    Ok(())
}
