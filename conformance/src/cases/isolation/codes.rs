//! Verification codes of one username under two streamers: each streamer's bound on live codes,
//! failed redemptions and spending count only its own codes, even when the other streamer holds
//! the very same username and code strings.

use crate::cases::support::*;
use crate::harness::{CaseResult, Harness, check_eq, check_err};
use datastore::*;
use std::time::Duration;

fn issue(username: &str, code: &str, h: &Harness) -> NewVerificationCode {
    let now = h.clock().now();
    NewVerificationCode {
        username: username.into(),
        code: code.into(),
        secret_hash: SessionToken::new(format!("secret-{code}")).hash(),
        expires_at: now.checked_add(Duration::from_secs(600)).unwrap_or(now),
    }
}

async fn codes_of(
    store: &dyn DataStore,
    s: StreamerId,
    who: &str,
) -> Result<Vec<String>, crate::harness::Failure> {
    Ok(export(store, s)
        .await?
        .verification_codes
        .into_iter()
        .filter(|c| c.username.eq_ignore_ascii_case(who))
        .map(|c| c.code)
        .collect())
}

/// A's codes of a username never count toward B's bound on the same username, are never the
/// ones B's bound drops, and B's failed and successful redemptions of the same username and
/// code leave A's code as it was.
pub async fn codes_are_bounded_counted_and_spent_per_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let tick = || h.clock().advance(Duration::from_millis(1));

    // A fills its bound first (older rows), with codes B never has.
    let a_codes: Vec<String> = (0..MAX_LIVE_CODES).map(|i| format!("A{i}")).collect();
    for c in &a_codes {
        tick();
        store
            .create_verification_code(a, issue("viewer", c, &h))
            .await?;
    }
    let b_codes: Vec<String> = (0..=MAX_LIVE_CODES).map(|i| format!("B{i}")).collect();
    for c in &b_codes {
        tick();
        store
            .create_verification_code(b, issue("viewer", c, &h))
            .await?;
    }
    check_eq!(
        codes_of(&*store, b, "viewer").await?,
        b_codes[1..].to_vec(),
        "B dropped its own oldest code, once"
    );
    check_eq!(
        codes_of(&*store, a, "viewer").await?,
        a_codes,
        "A's codes are untouched"
    );

    // A's newer codes of the same username are no part of B's count: B, at its bound, drops
    // exactly its own oldest code, not as many as A's codes would add.
    let b_first: Vec<String> = (0..MAX_LIVE_CODES).map(|i| format!("C{i}")).collect();
    for c in &b_first {
        tick();
        store
            .create_verification_code(b, issue("third", c, &h))
            .await?;
    }
    for c in ["D0", "D1"] {
        tick();
        store
            .create_verification_code(a, issue("third", c, &h))
            .await?;
    }
    tick();
    store
        .create_verification_code(b, issue("third", "C9", &h))
        .await?;
    let mut expected = b_first[1..].to_vec();
    expected.push("C9".to_owned());
    check_eq!(
        codes_of(&*store, b, "third").await?,
        expected,
        "B dropped one code of its own, counting only its own"
    );
    check_eq!(
        codes_of(&*store, a, "third").await?,
        vec!["D0".to_owned(), "D1".to_owned()],
        "A's codes are untouched"
    );

    // The same strings under both: B's bound drops B's row only.
    let same: Vec<String> = (0..=MAX_LIVE_CODES).map(|i| format!("S{i}")).collect();
    for c in &same[..MAX_LIVE_CODES] {
        tick();
        store
            .create_verification_code(a, issue("twin", c, &h))
            .await?;
    }
    for c in &same {
        tick();
        store
            .create_verification_code(b, issue("twin", c, &h))
            .await?;
    }
    check_eq!(
        codes_of(&*store, a, "twin").await?,
        same[..MAX_LIVE_CODES].to_vec(),
        "A keeps the code B's bound dropped from B"
    );

    // B fails on its copy of a code A also has: A's count does not move.
    store
        .mark_verification_code_verified(a, "twin", "S1")
        .await?;
    store
        .mark_verification_code_verified(b, "twin", "S1")
        .await?;
    let wrong = SessionToken::new("wrong").hash();
    for _ in 0..MAX_FAILED_REDEMPTIONS - 1 {
        store
            .redeem_verification_code(b, "twin", "S1", &wrong)
            .await?;
    }
    check_eq!(
        store
            .redeem_verification_code(a, "twin", "S1", &wrong)
            .await?,
        Redemption::WrongSecret {
            attempts_left: MAX_FAILED_REDEMPTIONS - 1
        },
        "A's first failure is A's first"
    );
    store
        .redeem_verification_code(b, "twin", "S1", &wrong)
        .await?;
    check_eq!(
        store.get_verification_code(b, "twin", "S1").await?,
        None,
        "B's copy is deleted at B's last failure"
    );
    check_eq!(
        store
            .get_verification_code(a, "twin", "S1")
            .await?
            .map(|c| c.code),
        Some("S1".to_owned()),
        "A's copy stays"
    );

    // A's code and secret are nothing under B; B spending its own leaves A's.
    check_err!(
        store
            .redeem_verification_code(b, "viewer", "A0", &SessionToken::new("secret-A0").hash())
            .await,
        StoreError::not_found(Resource::VerificationCode),
        "A's code under B"
    );
    store
        .mark_verification_code_verified(b, "twin", "S2")
        .await?;
    check_eq!(
        store
            .redeem_verification_code(b, "twin", "S2", &SessionToken::new("secret-S2").hash())
            .await?,
        Redemption::Redeemed,
        "B logs in"
    );
    check_eq!(
        codes_of(&*store, b, "twin").await?,
        Vec::<String>::new(),
        "B's are spent"
    );
    check_eq!(
        codes_of(&*store, a, "twin").await?,
        same[..MAX_LIVE_CODES].to_vec(),
        "A's are all there"
    );
    Ok(())
}
