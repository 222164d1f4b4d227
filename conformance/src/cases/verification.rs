//! Verification codes.

use super::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq, check_err};
use datastore::*;
use std::time::Duration;

fn code(username: &str, code: &str, expires_at: Timestamp) -> NewVerificationCode {
    NewVerificationCode {
        username: username.into(),
        code: code.into(),
        secret_hash: secret(code),
        expires_at,
    }
}

/// The secret issued with `code` in these cases.
fn secret(code: &str) -> TokenHash {
    SessionToken::new(format!("secret-of-{code}")).hash()
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

/// Only the secret issued with a code redeems it, once it is confirmed; a wrong secret is
/// counted and the code is deleted at the [`MAX_FAILED_REDEMPTIONS`]th; re-issuing a code keeps
/// its first secret.
pub async fn codes_redeem_only_with_their_own_secret(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    store
        .create_verification_code(s, code("viewer", "K7", later(&h, 600)))
        .await?;
    let wrong = secret("not-K7");
    check_eq!(
        store
            .redeem_verification_code(s, "Viewer", "K7", &secret("K7"))
            .await?,
        Redemption::NotConfirmed,
        "the right secret before the chat confirmed it"
    );
    store
        .mark_verification_code_verified(s, "viewer", "K7")
        .await?;
    for left in (1..MAX_FAILED_REDEMPTIONS).rev() {
        check_eq!(
            store
                .redeem_verification_code(s, "viewer", "K7", &wrong)
                .await?,
            Redemption::WrongSecret {
                attempts_left: left
            },
            "a wrong secret is counted"
        );
    }
    // A secret that derives the same code is still not the one issued; re-issuing the code
    // with another secret keeps the first.
    store
        .create_verification_code(
            s,
            NewVerificationCode {
                secret_hash: wrong,
                ..code("viewer", "K7", later(&h, 600))
            },
        )
        .await?;
    check_eq!(
        store
            .redeem_verification_code(s, "viewer", "K7", &secret("K7"))
            .await?,
        Redemption::Redeemed,
        "the first secret, after four failures"
    );
    check_err!(
        store
            .redeem_verification_code(s, "viewer", "K7", &secret("K7"))
            .await,
        StoreError::not_found(Resource::VerificationCode),
        "spent"
    );

    store
        .create_verification_code(s, code("viewer", "Q9", later(&h, 600)))
        .await?;
    store
        .mark_verification_code_verified(s, "viewer", "Q9")
        .await?;
    for _ in 0..MAX_FAILED_REDEMPTIONS {
        store
            .redeem_verification_code(s, "viewer", "Q9", &wrong)
            .await?;
    }
    check_eq!(
        store.get_verification_code(s, "viewer", "Q9").await?,
        None,
        "deleted after too many wrong secrets"
    );
    check_err!(
        store
            .redeem_verification_code(s, "viewer", "Q9", &secret("Q9"))
            .await,
        StoreError::not_found(Resource::VerificationCode),
        "the right secret comes too late"
    );
    store
        .create_verification_code(s, code("viewer", "E1", later(&h, 5)))
        .await?;
    store
        .mark_verification_code_verified(s, "viewer", "E1")
        .await?;
    h.clock().advance(Duration::from_secs(5));
    check_err!(
        store
            .redeem_verification_code(s, "viewer", "E1", &secret("E1"))
            .await,
        StoreError::not_found(Resource::VerificationCode),
        "expired"
    );
    Ok(())
}

/// Of many concurrent redemptions of one confirmed code with its secret, exactly one succeeds.
pub async fn concurrent_redemptions_redeem_once(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    store
        .create_verification_code(s, code("viewer", "RACE1", later(&h, 600)))
        .await?;
    store
        .mark_verification_code_verified(s, "viewer", "RACE1")
        .await?;
    let results = concurrently(12, |_| {
        let store = store.clone();
        async move {
            store
                .redeem_verification_code(s, "viewer", "RACE1", &secret("RACE1"))
                .await
        }
    })
    .await?;
    let redeemed = results
        .iter()
        .filter(|r| matches!(r, Ok(Redemption::Redeemed)))
        .count();
    let gone = results
        .iter()
        .filter(|r| matches!(r, Err(e) if *e == StoreError::not_found(Resource::VerificationCode)))
        .count();
    check_eq!(
        (redeemed, gone),
        (1, 11),
        "one redemption, the rest find nothing"
    );
    Ok(())
}

/// A username keeps at most [`MAX_LIVE_CODES`] live codes: issuing past it drops the oldest
/// unconfirmed one (the oldest when all are confirmed); issuing also drops its expired codes.
pub async fn live_codes_per_username_are_bounded(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let names: Vec<String> = (0..=MAX_LIVE_CODES).map(|i| format!("C{i}")).collect();
    store
        .create_verification_code(s, code("other", "KEEP", later(&h, 600)))
        .await?;
    store
        .create_verification_code(s, code("viewer", "OLD", later(&h, 1)))
        .await?;
    h.clock().advance(Duration::from_secs(1));
    for (i, c) in names.iter().enumerate().take(MAX_LIVE_CODES) {
        store
            .create_verification_code(s, code("viewer", c, later(&h, 600)))
            .await?;
        if i == 0 {
            store
                .mark_verification_code_verified(s, "viewer", c)
                .await?;
        }
    }
    let codes_of = |e: StreamerExport, who: &str| -> Vec<String> {
        e.verification_codes
            .into_iter()
            .filter(|c| c.username.eq_ignore_ascii_case(who))
            .map(|c| c.code)
            .collect()
    };
    check_eq!(
        codes_of(export(&*store, s).await?, "viewer"),
        names[..MAX_LIVE_CODES].to_vec(),
        "the expired code went when the next was issued"
    );
    store
        .create_verification_code(s, code("VIEWER", &names[MAX_LIVE_CODES], later(&h, 600)))
        .await?;
    let mut want = names.clone();
    want.remove(1);
    check_eq!(
        codes_of(export(&*store, s).await?, "viewer"),
        want,
        "the oldest unconfirmed code made way; the confirmed one stayed"
    );
    check_eq!(
        codes_of(export(&*store, s).await?, "other"),
        vec!["KEEP".to_owned()],
        "other usernames are untouched"
    );
    Ok(())
}

/// Purging deletes the streamer's expired codes and ended cooldowns, and nothing live.
pub async fn expired_codes_and_cooldowns_are_purged(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = user(&*store, s, "viewer").await?;
    store
        .create_verification_code(s, code("viewer", "SHORT", later(&h, 10)))
        .await?;
    let live = store
        .create_verification_code(s, code("viewer2", "LONG", later(&h, 600)))
        .await?;
    store
        .check_cooldown(s, u, "!drop", Duration::from_secs(10))
        .await?;
    store
        .check_cooldown(s, u, "!tts", Duration::from_secs(600))
        .await?;
    check_eq!(
        store.purge_expired_verification_codes(s).await?,
        0,
        "nothing has expired yet"
    );
    check_eq!(
        store.purge_expired_cooldowns(s).await?,
        0,
        "nothing has ended yet"
    );
    h.clock().advance(Duration::from_secs(10));
    check_eq!(
        store.purge_expired_verification_codes(s).await?,
        1,
        "one code"
    );
    check_eq!(store.purge_expired_cooldowns(s).await?, 1, "one cooldown");
    let e = export(&*store, s).await?;
    check_eq!(e.verification_codes, vec![live], "the live code stays");
    check_eq!(
        e.cooldowns
            .iter()
            .map(|c| c.command.as_str())
            .collect::<Vec<_>>(),
        vec!["!tts"],
        "the running cooldown stays"
    );
    check_eq!(store.purge_expired_verification_codes(s).await?, 0, "twice");
    Ok(())
}
