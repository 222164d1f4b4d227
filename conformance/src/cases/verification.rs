//! Verification codes.

use super::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq, check_err};
use datastore::*;
use std::time::Duration;

fn code(username: &str, code: &str, expires_at: Timestamp) -> NewVerificationCode {
    NewVerificationCode {
        username: username.into(),
        code: code.into(),
        expires_at,
    }
}

fn later(h: &Harness, secs: u64) -> Timestamp {
    let now = h.clock().now();
    now.checked_add(Duration::from_secs(secs)).unwrap_or(now)
}

/// Issuing the same username (any ASCII case) and code again refreshes only its expiry;
/// expired codes are not returned.
pub async fn verification_codes_refresh_and_expire(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let created = h.clock().now();
    let c = store
        .create_verification_code(s, code("Viewer", "ABC123", later(&h, 60)))
        .await?;
    check_eq!(
        c,
        VerificationCode {
            username: "Viewer".into(),
            code: "ABC123".into(),
            verified: false,
            created_at: created,
            expires_at: later(&h, 60),
        },
        "issued"
    );
    h.clock().advance(Duration::from_secs(30));
    let refreshed = store
        .create_verification_code(s, code("VIEWER", "ABC123", later(&h, 60)))
        .await?;
    check_eq!(
        refreshed,
        VerificationCode {
            expires_at: later(&h, 60),
            ..c
        },
        "refreshed: only the expiry moved"
    );
    check_eq!(
        store.get_verification_code(s, "viewer", "ABC123").await?,
        Some(refreshed.clone()),
        "found ignoring the username's case"
    );
    check_eq!(
        store.get_verification_code(s, "viewer", "abc123").await?,
        None,
        "codes are compared exactly"
    );
    h.clock().advance(Duration::from_secs(60));
    check_eq!(
        store.get_verification_code(s, "viewer", "ABC123").await?,
        None,
        "expired"
    );
    check_eq!(
        export(&*store, s).await?.verification_codes,
        vec![refreshed],
        "one row"
    );
    for bad in [
        code("", "1", later(&h, 1)),
        code("v", "", later(&h, 1)),
        code("v", "a-b", later(&h, 1)),
    ] {
        let r = store.create_verification_code(s, bad.clone()).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{bad:?}: {r:?}"
        );
    }
    Ok(())
}

/// The latest code is the one issued last among the unexpired ones.
pub async fn latest_verification_code_is_the_newest(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    store
        .create_verification_code(s, code("viewer", "FIRST", later(&h, 600)))
        .await?;
    let second = store
        .create_verification_code(s, code("viewer", "SECOND", later(&h, 600)))
        .await?;
    store
        .create_verification_code(s, code("other", "OTHER", later(&h, 600)))
        .await?;
    check_eq!(
        store.latest_verification_code(s, "Viewer").await?,
        Some(second.clone()),
        "the second code"
    );
    // Refreshing the first does not make it newer.
    store
        .create_verification_code(s, code("viewer", "FIRST", later(&h, 900)))
        .await?;
    check_eq!(
        store.latest_verification_code(s, "viewer").await?,
        Some(second),
        "refreshing keeps the issue order"
    );
    let short = store
        .create_verification_code(s, code("viewer", "THIRD", later(&h, 1)))
        .await?;
    check_eq!(
        store.latest_verification_code(s, "viewer").await?,
        Some(short),
        "the third"
    );
    h.clock().advance(Duration::from_secs(1));
    check_eq!(
        store
            .latest_verification_code(s, "viewer")
            .await?
            .map(|c| c.code),
        Some("SECOND".into()),
        "an expired newest code is skipped"
    );
    check_eq!(
        store.latest_verification_code(s, "nobody").await?,
        None,
        "no codes"
    );
    Ok(())
}

/// Marking verified works on an unexpired code only; delete removes every code of a username.
pub async fn verification_codes_are_verified_and_deleted(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    store
        .create_verification_code(s, code("viewer", "A1", later(&h, 60)))
        .await?;
    store
        .create_verification_code(s, code("Viewer", "B2", later(&h, 1)))
        .await?;
    store
        .create_verification_code(s, code("other", "A1", later(&h, 60)))
        .await?;
    let v = store
        .mark_verification_code_verified(s, "VIEWER", "A1")
        .await?;
    check!(v.verified, "verified");
    check_eq!(
        store
            .get_verification_code(s, "viewer", "A1")
            .await?
            .map(|c| c.verified),
        Some(true),
        "stays verified"
    );
    check_eq!(
        store
            .get_verification_code(s, "other", "A1")
            .await?
            .map(|c| c.verified),
        Some(false),
        "the same code of another username is not"
    );
    h.clock().advance(Duration::from_secs(1));
    check_err!(
        store
            .mark_verification_code_verified(s, "viewer", "B2")
            .await,
        StoreError::not_found(Resource::VerificationCode),
        "an expired code"
    );
    check_err!(
        store
            .mark_verification_code_verified(s, "viewer", "ZZ")
            .await,
        StoreError::not_found(Resource::VerificationCode),
        "an unknown code"
    );
    check_eq!(
        store.delete_verification_codes(s, "VIEWER").await?,
        2,
        "both of viewer's codes"
    );
    check_eq!(
        store.delete_verification_codes(s, "viewer").await?,
        0,
        "none left"
    );
    check_eq!(
        store
            .get_verification_code(s, "other", "A1")
            .await?
            .map(|c| c.username),
        Some("other".into()),
        "other usernames keep theirs"
    );
    Ok(())
}
