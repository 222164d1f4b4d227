//! Users: get-or-create, lookups, profile updates, deletion, listing.

use super::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq, check_err};
use crate::populate::{Spec, populate};
use datastore::*;
use std::time::Duration;

/// Usernames are unique per streamer ignoring ASCII case, and keep their first spelling;
/// non-ASCII letters are compared exactly.
pub async fn get_or_create_user_ignores_ascii_case(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let first = store.get_or_create_user(s, "Alice").await?;
    check!(first.created, "the first call creates");
    check_eq!(
        (
            first.user.username.as_str(),
            first.user.streamer_id,
            first.user.country.clone()
        ),
        ("Alice", s, None),
        "the new user"
    );
    h.clock().advance(Duration::from_secs(1));
    let again = store.get_or_create_user(s, "aLICE").await?;
    check_eq!(
        again,
        UserLookup {
            user: first.user.clone(),
            created: false
        },
        "the same user, unchanged, in another case"
    );
    let lower = store.get_or_create_user(s, "zoë").await?;
    let upper = store.get_or_create_user(s, "ZOË").await?;
    check!(
        lower.created && upper.created && lower.user.id != upper.user.id,
        "non-ASCII case differences are different users: {lower:?} {upper:?}"
    );
    check_eq!(store.count_users(s).await?, 3, "three users");
    check_err!(
        store
            .get_or_create_user(StreamerId(s.0 + 1000), "alice")
            .await,
        StoreError::not_found(Resource::Streamer),
        "an unknown streamer"
    );
    Ok(())
}

/// Users are found by id and by username (any ASCII case); unknown ones are `None`.
pub async fn get_user_by_id_and_by_username(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = store.get_or_create_user(s, "Bob").await?.user;
    check_eq!(store.get_user(s, u.id).await?, Some(u.clone()), "by id");
    check_eq!(
        store.get_user_by_username(s, "BOB").await?,
        Some(u.clone()),
        "by name"
    );
    check_eq!(
        store.get_user(s, UserId(u.id.0 + 1000)).await?,
        None,
        "unknown id"
    );
    check_eq!(
        store.get_user_by_username(s, "bobby").await?,
        None,
        "unknown name"
    );
    check_eq!(
        store.get_user_by_username(s, "").await?,
        None,
        "a name that cannot exist"
    );
    Ok(())
}

/// A profile update sets, clears and leaves alone, normalises the country, bumps
/// `updated_at`, and refuses bad values without changing anything.
pub async fn update_user_profile_sets_and_clears(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = store.get_or_create_user(s, "viewer").await?.user;
    h.clock().advance(Duration::from_secs(10));
    let set = store
        .update_user_profile(
            s,
            u.id,
            ProfileUpdate {
                voice_id: Some(Some("en-GB-Neural2-A".into())),
                drop_image: Some(Some("https://example.test/me.png".into())),
                country: Some(Some("nz".into())),
            },
        )
        .await?;
    check_eq!(
        set,
        User {
            voice_id: Some("en-GB-Neural2-A".into()),
            drop_image: Some("https://example.test/me.png".into()),
            country: Some("NZ".into()),
            updated_at: h.clock().now(),
            ..u.clone()
        },
        "every field set, the country upper-cased"
    );
    let cleared = store
        .update_user_profile(
            s,
            u.id,
            ProfileUpdate {
                drop_image: Some(None),
                ..Default::default()
            },
        )
        .await?;
    check_eq!(
        (
            cleared.voice_id.as_deref(),
            cleared.drop_image.as_deref(),
            cleared.country.as_deref()
        ),
        (Some("en-GB-Neural2-A"), None, Some("NZ")),
        "only the drop image cleared"
    );
    for bad in [
        ProfileUpdate {
            country: Some(Some("NZL".into())),
            ..Default::default()
        },
        ProfileUpdate {
            drop_image: Some(Some("has spaces in it".into())),
            ..Default::default()
        },
        ProfileUpdate {
            voice_id: Some(Some("bad voice!".into())),
            ..Default::default()
        },
    ] {
        let r = store.update_user_profile(s, u.id, bad.clone()).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{bad:?} was not refused: {r:?}"
        );
    }
    check_eq!(
        store.get_user(s, u.id).await?,
        Some(cleared),
        "refusals changed nothing"
    );
    check_err!(
        store
            .update_user_profile(s, UserId(u.id.0 + 1000), ProfileUpdate::default())
            .await,
        StoreError::not_found(Resource::User),
        "unknown user"
    );
    Ok(())
}

/// Deleting a user removes their points, ledger, inventory, purchases, drops, cooldowns and
/// sessions, and nothing of anyone else; their verification codes stay.
pub async fn delete_user_removes_their_rows(h: Harness) -> CaseResult {
    let store = h.store().await;
    let p = populate(&*store, h.clock(), Spec::solo("chan", 1), h.clock().now()).await?;
    let (s, gone) = (p.streamer, p.rich_user);
    let before = export(&*store, s).await?;
    store.delete_user(s, gone).await?;
    let after = export(&*store, s).await?;
    check_eq!(store.get_user(s, gone).await?, None, "the user is gone");
    check_eq!(
        after,
        StreamerExport {
            users: before
                .users
                .iter()
                .filter(|u| u.id != gone)
                .cloned()
                .collect(),
            points: before
                .points
                .iter()
                .filter(|r| r.user_id != gone)
                .cloned()
                .collect(),
            transactions: before
                .transactions
                .iter()
                .filter(|r| r.user_id != gone)
                .cloned()
                .collect(),
            inventory: before
                .inventory
                .iter()
                .filter(|r| r.user_id != gone)
                .cloned()
                .collect(),
            purchases: before
                .purchases
                .iter()
                .filter(|r| r.user_id != gone)
                .cloned()
                .collect(),
            drops: before
                .drops
                .iter()
                .filter(|r| r.user_id != gone)
                .cloned()
                .collect(),
            cooldowns: before
                .cooldowns
                .iter()
                .filter(|r| r.user_id != gone)
                .cloned()
                .collect(),
            user_sessions: before
                .user_sessions
                .iter()
                .filter(|r| r.user_id != gone)
                .cloned()
                .collect(),
            ..before.clone()
        },
        "exactly the user's rows went"
    );
    check!(
        !before.verification_codes.is_empty(),
        "the population has verification codes"
    );
    check_err!(
        store.delete_user(s, gone).await,
        StoreError::not_found(Resource::User),
        "deleting twice"
    );
    check_invariants(&after)
}

/// The admin's user list pages by id, counts the whole list, and shows zero balances for
/// users who never had points.
pub async fn list_users_with_points_paginates(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let mut ids = Vec::new();
    for (i, n) in ["e", "d", "c", "b", "a"].iter().enumerate() {
        ids.push(funded(&*store, s, n, i as i64 * 10).await?);
    }
    let all = store
        .list_users_with_points(
            s,
            PageRequest {
                offset: 0,
                limit: 1000,
            },
        )
        .await?;
    check_eq!(all.total, 5, "total");
    check_eq!(
        all.items.iter().map(|u| u.user.id).collect::<Vec<_>>(),
        ids,
        "by id"
    );
    check_eq!(
        all.items[0].points,
        Points::ZERO,
        "a user who never had points"
    );
    check_eq!(
        all.items[4].points.channel_points,
        40,
        "balances come with the users"
    );
    let page = store
        .list_users_with_points(
            s,
            PageRequest {
                offset: 1,
                limit: 2,
            },
        )
        .await?;
    check_eq!(
        (
            page.items.iter().map(|u| u.user.id).collect::<Vec<_>>(),
            page.total
        ),
        (ids[1..3].to_vec(), 5),
        "a middle page"
    );
    let past = store
        .list_users_with_points(
            s,
            PageRequest {
                offset: 10,
                limit: 2,
            },
        )
        .await?;
    check_eq!((past.items.len(), past.total), (0, 5), "past the end");
    for limit in [0, validate::MAX_PAGE_LIMIT + 1] {
        let r = store
            .list_users_with_points(s, PageRequest { offset: 0, limit })
            .await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "limit {limit} was not refused: {r:?}"
        );
    }
    check_eq!(store.count_users(s).await?, 5, "count");
    Ok(())
}

/// Usernames with unicode, quotes and SQL are data, stored and returned exactly; empty,
/// padded, multi-line, control-character and over-long names are refused.
pub async fn usernames_are_validated_and_stored_exactly(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    for name in [
        "Robert'); DROP TABLE users;--",
        "\"quoted\" \\ back",
        "名前🎮",
        "a%_b",
        &"x".repeat(validate::MAX_USERNAME_CHARS),
    ] {
        let u = store.get_or_create_user(s, name).await?.user;
        check_eq!(u.username.as_str(), name, "stored exactly");
        check_eq!(
            store.get_user_by_username(s, name).await?.map(|u| u.id),
            Some(u.id),
            "found by the same text"
        );
    }
    check_eq!(
        store.get_user_by_username(s, "a__b").await?,
        None,
        "LIKE wildcards are not wildcards"
    );
    let too_long = "x".repeat(validate::MAX_USERNAME_CHARS + 1);
    for bad in [
        "",
        " ",
        " lead",
        "trail ",
        "two\nlines",
        "tab\tbed",
        "nul\0",
        too_long.as_str(),
    ] {
        let r = store.get_or_create_user(s, bad).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{bad:?} was not refused: {r:?}"
        );
    }
    check_eq!(store.count_users(s).await?, 5, "refusals created nothing");
    Ok(())
}

/// Ids are never reused: after the newest user, tip or streamer is deleted, the next one gets
/// a new, larger id (so a stale link never names somebody else's row).
pub async fn ids_are_never_reused(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let first = user(&*store, s, "first").await?;
    let newest = user(&*store, s, "newest").await?;
    store.delete_user(s, newest).await?;
    let next = user(&*store, s, "next").await?;
    check!(
        first < newest && newest < next,
        "user ids: {first} {newest} {next}"
    );
    let t1 = store.create_tip(s, NewTip::new("one")).await?.id;
    store.delete_tip(s, t1).await?;
    let t2 = store.create_tip(s, NewTip::new("two")).await?.id;
    check!(t1 < t2, "tip ids: {t1} {t2}");
    let gone = streamer(&*store, "gone").await?;
    store.delete_streamer(gone).await?;
    let again = streamer(&*store, "again").await?;
    check!(s < gone && gone < again, "streamer ids: {s} {gone} {again}");
    Ok(())
}

/// A lookup by a name or key holding a NUL character (a `%00` in a URL) finds nothing, and a
/// delete by one deletes nothing: no stored text can hold one (writes refuse control
/// characters), and a backend whose text type cannot hold one must still answer, not fail.
pub async fn lookups_by_text_holding_nul_find_nothing(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    store.get_or_create_user(s, "ab").await?;
    let nul = "a\0b";
    check_eq!(
        store.get_streamer_by_username(nul).await?,
        None,
        "a streamer"
    );
    check_eq!(store.get_user_by_username(s, nul).await?, None, "a viewer");
    check_eq!(store.get_overlay_setting(s, nul).await?, None, "a setting");
    check_eq!(
        store.get_layout(s, &LayoutId::new(nul)).await?,
        None,
        "a layout"
    );
    check_eq!(store.get_goal(s, &GoalId::new(nul)).await?, None, "a goal");
    check_eq!(store.get_oauth_token(s, nul).await?, None, "a token");
    check_eq!(
        store.get_verification_code(s, nul, "CODE").await?,
        None,
        "a code"
    );
    check_eq!(
        store.latest_verification_code(s, nul).await?,
        None,
        "the latest code"
    );
    check_err!(
        store.delete_overlay_setting(s, nul).await,
        StoreError::not_found(Resource::OverlaySetting),
        "deleting a setting"
    );
    check_err!(
        store.delete_goal(s, &GoalId::new(nul)).await,
        StoreError::not_found(Resource::Goal),
        "deleting a goal"
    );
    check_err!(
        store.get_or_create_user(s, nul).await,
        StoreError::invalid("username", "must not contain control characters"),
        "creating a viewer"
    );
    check_eq!(store.count_users(s).await?, 1, "nothing was created");
    Ok(())
}
