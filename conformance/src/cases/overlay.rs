//! Overlay settings, layouts and theme.

use super::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq, check_err};
use datastore::*;
use serde_json::json;
use std::time::Duration;

/// An upsert without a description keeps the existing one; with one, replaces it.
pub async fn overlay_setting_upsert_keeps_description(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let first = store
        .upsert_overlay_setting(s, "drop.speed", "3", Some("how fast drops fall"))
        .await?;
    check_eq!(
        first,
        OverlaySetting {
            key: "drop.speed".into(),
            value: "3".into(),
            description: Some("how fast drops fall".into()),
            updated_at: h.clock().now(),
        },
        "created"
    );
    h.clock().advance(Duration::from_secs(1));
    let kept = store
        .upsert_overlay_setting(s, "drop.speed", "5", None)
        .await?;
    check_eq!(
        kept,
        OverlaySetting {
            value: "5".into(),
            updated_at: h.clock().now(),
            ..first
        },
        "value replaced, description kept"
    );
    let replaced = store
        .upsert_overlay_setting(s, "drop.speed", "5", Some("new words"))
        .await?;
    check_eq!(
        replaced.description.as_deref(),
        Some("new words"),
        "description replaced"
    );
    let none = store.upsert_overlay_setting(s, "fresh", "", None).await?;
    check_eq!(
        (none.value.as_str(), none.description),
        ("", None),
        "a new key, no description"
    );
    check_eq!(
        store.get_overlay_setting(s, "drop.speed").await?,
        Some(replaced),
        "get"
    );
    Ok(())
}

/// Settings are listed by key; delete removes one, and a missing one is `NotFound`.
pub async fn overlay_settings_list_by_key_and_delete(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    for k in ["b", "a.z", "A", "a"] {
        store.upsert_overlay_setting(s, k, k, None).await?;
    }
    let keys: Vec<String> = store
        .list_overlay_settings(s)
        .await?
        .into_iter()
        .map(|s| s.key)
        .collect();
    check_eq!(keys, vec!["A", "a", "a.z", "b"], "by key, byte order");
    store.delete_overlay_setting(s, "a").await?;
    check_eq!(store.get_overlay_setting(s, "a").await?, None, "deleted");
    check_eq!(
        store.get_overlay_setting(s, "A").await?.map(|s| s.value),
        Some("A".into()),
        "keys are case-sensitive"
    );
    check_err!(
        store.delete_overlay_setting(s, "a").await,
        StoreError::not_found(Resource::OverlaySetting),
        "deleting twice"
    );
    check_err!(
        store.delete_overlay_setting(s, "not a key!").await,
        StoreError::not_found(Resource::OverlaySetting),
        "a key that cannot exist"
    );
    Ok(())
}

/// At most one layout is the default; making one default unsets the others; replacing keeps
/// `created_at`; deleting the default leaves none.
pub async fn layouts_keep_at_most_one_default(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let layout = |name: &str, is_default| LayoutInput {
        name: name.into(),
        is_default,
        layout: json!({"widgets": [name]}),
    };
    let created = h.clock().now();
    store
        .upsert_layout(s, &LayoutId::new("main"), layout("Main", true))
        .await?;
    store
        .upsert_layout(s, &LayoutId::new("brb"), layout("Be right back", false))
        .await?;
    let defaults = |l: Vec<OverlayLayout>| -> Vec<(String, bool)> {
        l.into_iter().map(|l| (l.id.0, l.is_default)).collect()
    };
    check_eq!(
        defaults(store.list_layouts(s).await?),
        vec![("brb".into(), false), ("main".into(), true)],
        "by id, main is the default"
    );
    h.clock().advance(Duration::from_secs(1));
    let brb = store
        .upsert_layout(s, &LayoutId::new("brb"), layout("BRB", true))
        .await?;
    check_eq!(
        (
            brb.name.as_str(),
            brb.is_default,
            brb.created_at,
            brb.updated_at
        ),
        ("BRB", true, created, h.clock().now()),
        "replaced"
    );
    check_eq!(
        defaults(store.list_layouts(s).await?),
        vec![("brb".into(), true), ("main".into(), false)],
        "the default moved"
    );
    check_eq!(
        store.get_layout(s, &LayoutId::new("brb")).await?,
        Some(brb),
        "get"
    );
    store.delete_layout(s, &LayoutId::new("brb")).await?;
    check_eq!(
        defaults(store.list_layouts(s).await?),
        vec![("main".into(), false)],
        "no default left"
    );
    check_err!(
        store.delete_layout(s, &LayoutId::new("brb")).await,
        StoreError::not_found(Resource::Layout),
        "deleting twice"
    );
    check_eq!(
        store.get_layout(s, &LayoutId::new("brb")).await?,
        None,
        "gone"
    );
    Ok(())
}

/// Layout names are unique within a streamer ignoring ASCII case; renaming a layout to its own
/// name is fine; a refused upsert changes nothing.
pub async fn layout_names_are_unique_within_a_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let input = |name: &str, is_default| LayoutInput {
        name: name.into(),
        is_default,
        layout: json!({}),
    };
    store
        .upsert_layout(s, &LayoutId::new("main"), input("Main", false))
        .await?;
    store
        .upsert_layout(s, &LayoutId::new("brb"), input("BRB", false))
        .await?;
    let before = store.list_layouts(s).await?;
    check_err!(
        store
            .upsert_layout(s, &LayoutId::new("brb"), input("MAIN", true))
            .await,
        StoreError::conflict(ConflictKind::LayoutName),
        "renaming onto another layout's name"
    );
    check_err!(
        store
            .upsert_layout(s, &LayoutId::new("new"), input("main", false))
            .await,
        StoreError::conflict(ConflictKind::LayoutName),
        "a new layout with a taken name"
    );
    check_eq!(store.list_layouts(s).await?, before, "nothing changed");
    let same = store
        .upsert_layout(s, &LayoutId::new("main"), input("MAIN", true))
        .await?;
    check!(
        same.name == "MAIN" && same.is_default,
        "a layout may keep its own name in another case"
    );
    Ok(())
}

/// The theme is absent until set, and set replaces it.
pub async fn theme_get_and_set(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    check_eq!(store.get_theme(s).await?, None, "no theme yet");
    store.set_theme(s, json!({"primary": "#ff0000"})).await?;
    h.clock().advance(Duration::from_secs(1));
    let t = store
        .set_theme(s, json!({"primary": "#00ff00", "radius": 4}))
        .await?;
    check_eq!(
        t,
        Theme {
            theme: json!({"primary": "#00ff00", "radius": 4}),
            updated_at: h.clock().now()
        },
        "set"
    );
    check_eq!(store.get_theme(s).await?, Some(t), "get");
    // Documents come back exactly: floats that need all 17 digits, big integers, unicode, and
    // the deepest nesting the contract allows; one level deeper is refused.
    let exact = json!({
        "tiny": 1.0715660391465826e-75, "third": 0.1 + 0.2, "big": u64::MAX, "neg": i64::MIN,
        "text": "Zoë \"quoted\" 🎮", "list": [1.5e300, -0.0, null, true]
    });
    let mut deep = json!({});
    for _ in 1..validate::MAX_DOCUMENT_DEPTH {
        deep = json!({ "d": deep });
    }
    for doc in [exact, deep.clone()] {
        let t = store.set_theme(s, doc.clone()).await?;
        check_eq!(t.theme, doc, "set returns the document as given");
        check_eq!(
            store.get_theme(s).await?.map(|t| t.theme),
            Some(doc),
            "get returns the document as given"
        );
    }
    let refused = store.set_theme(s, json!({ "d": deep })).await;
    check!(
        matches!(&refused, Err(StoreError::InvalidInput { field, .. }) if field == "theme"),
        "a document nested too deep is refused: {refused:?}"
    );
    Ok(())
}

/// Bad keys, oversized values and non-object documents are refused and change nothing.
pub async fn overlay_inputs_are_validated(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let before = export(&*store, s).await?;
    let big = "x".repeat(validate::MAX_SETTING_VALUE_BYTES + 1);
    for (k, v) in [
        ("", "1"),
        ("has space", "1"),
        ("ok", big.as_str()),
        ("ok", "nul\0"),
    ] {
        let r = store.upsert_overlay_setting(s, k, v, None).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{k:?}: {r:?}"
        );
    }
    let layout = |doc| LayoutInput {
        name: "x".into(),
        is_default: false,
        layout: doc,
    };
    let huge = json!({"blob": "x".repeat(validate::MAX_DOCUMENT_BYTES)});
    for (id, doc) in [
        ("ok", json!([1, 2])),
        ("ok", json!("text")),
        ("ok", huge.clone()),
        ("bad id", json!({})),
    ] {
        let r = store
            .upsert_layout(s, &LayoutId::new(id), layout(doc))
            .await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "layout {id}: {r:?}"
        );
    }
    for doc in [json!(null), json!(3), huge] {
        let r = store.set_theme(s, doc).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "theme: {r:?}"
        );
    }
    check_eq!(export(&*store, s).await?, before, "nothing changed");
    Ok(())
}

/// JSON documents hold any JSON string, an escaped NUL (`"\u0000"`) included, and come back
/// as they were written.
pub async fn documents_keep_escaped_control_characters(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let theme = serde_json::json!({ "siteName": "a\u{0}b", "tab": "\t" });
    let set = store.set_theme(s, theme.clone()).await?;
    check_eq!(set.theme, theme, "the theme as set");
    check_eq!(
        store.get_theme(s).await?.map(|t| t.theme),
        Some(theme.clone()),
        "the theme as read"
    );
    let layout = store
        .upsert_layout(
            s,
            &LayoutId::new("main"),
            LayoutInput {
                name: "Main".to_owned(),
                is_default: false,
                layout: theme.clone(),
            },
        )
        .await?;
    check_eq!(layout.layout, theme, "the layout as written");
    Ok(())
}
