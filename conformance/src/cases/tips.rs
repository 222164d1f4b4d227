//! Tips.

use super::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq, check_err};
use datastore::*;

/// Tips are listed by sort order then id; the enabled list leaves disabled ones out.
pub async fn tips_are_ordered_and_filtered(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let mut ids = Vec::new();
    for (content, enabled, sort_order) in [
        ("c", true, 5),
        ("a", true, 1),
        ("hidden", false, 0),
        ("b", true, 1),
    ] {
        let t = store
            .create_tip(
                s,
                NewTip {
                    content: content.into(),
                    enabled,
                    sort_order,
                },
            )
            .await?;
        check_eq!(
            (t.content.as_str(), t.enabled, t.sort_order, t.created_at),
            (content, enabled, sort_order, h.clock().now()),
            "created"
        );
        ids.push(t.id);
    }
    let all: Vec<TipId> = store.list_tips(s).await?.iter().map(|t| t.id).collect();
    check_eq!(
        all,
        vec![ids[2], ids[1], ids[3], ids[0]],
        "all, by sort order then id"
    );
    let enabled: Vec<TipId> = store
        .list_enabled_tips(s)
        .await?
        .iter()
        .map(|t| t.id)
        .collect();
    check_eq!(enabled, vec![ids[1], ids[3], ids[0]], "enabled only");
    Ok(())
}

/// Update changes the given fields; delete removes; missing tips are `NotFound`.
pub async fn tip_update_and_delete(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let t = store.create_tip(s, NewTip::new("original")).await?;
    let u = store
        .update_tip(
            s,
            t.id,
            TipPatch {
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await?;
    check_eq!(
        u,
        Tip {
            enabled: false,
            ..t.clone()
        },
        "only enabled changed"
    );
    check_eq!(store.get_tip(s, t.id).await?, Some(u), "get");
    store.delete_tip(s, t.id).await?;
    check_eq!(store.get_tip(s, t.id).await?, None, "deleted");
    check_err!(
        store.update_tip(s, t.id, TipPatch::default()).await,
        StoreError::not_found(Resource::Tip),
        "update a deleted tip"
    );
    check_err!(
        store.delete_tip(s, t.id).await,
        StoreError::not_found(Resource::Tip),
        "twice"
    );
    Ok(())
}

/// Empty or oversized content and out-of-range sort orders are refused.
pub async fn tip_inputs_are_validated(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let t = store.create_tip(s, NewTip::new("keep me")).await?;
    let long = "x".repeat(validate::MAX_TEXT_CHARS + 1);
    for bad in [
        NewTip::new(""),
        NewTip::new("   "),
        NewTip::new(long.clone()),
        NewTip {
            sort_order: validate::MAX_SORT_ORDER + 1,
            ..NewTip::new("x")
        },
    ] {
        let r = store.create_tip(s, bad.clone()).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{bad:?}: {r:?}"
        );
    }
    for p in [
        TipPatch {
            content: Some(String::new()),
            ..Default::default()
        },
        TipPatch {
            sort_order: Some(-validate::MAX_SORT_ORDER - 1),
            ..Default::default()
        },
    ] {
        let r = store.update_tip(s, t.id, p.clone()).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{p:?}: {r:?}"
        );
        let r = store.update_tip(s, TipId(t.id.0 + 1000), p.clone()).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "input is checked before existence: {r:?}"
        );
    }
    check_eq!(store.list_tips(s).await?, vec![t], "nothing changed");
    Ok(())
}
