//! Goals.

use super::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq, check_err};
use datastore::*;
use std::time::Duration;

fn goal(label: &str, current: i64, target: i64, enabled: bool) -> GoalInput {
    GoalInput {
        label: label.into(),
        current_value: current,
        target_value: target,
        enabled,
    }
}

/// Upsert creates or replaces, progress moves `current_value`, delete removes, lists are by
/// id with the enabled list leaving disabled ones out.
pub async fn goals_upsert_progress_and_delete(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let followers = GoalId::new("followers");
    let subs = GoalId::new("subscribers");
    let g = store
        .upsert_goal(s, &subs, goal("Subs", 3, 10, false))
        .await?;
    check_eq!(
        g,
        Goal {
            id: subs.clone(),
            label: "Subs".into(),
            current_value: 3,
            target_value: 10,
            enabled: false,
            updated_at: h.clock().now(),
        },
        "created"
    );
    store
        .upsert_goal(s, &followers, goal("Followers", 0, 100, true))
        .await?;
    h.clock().advance(Duration::from_secs(1));
    let p = store.set_goal_progress(s, &followers, 150).await?;
    check_eq!(
        (p.current_value, p.target_value, p.updated_at),
        (150, 100, h.clock().now()),
        "progress may pass the target"
    );
    let ids = |l: Vec<Goal>| l.into_iter().map(|g| g.id.0).collect::<Vec<_>>();
    check_eq!(
        ids(store.list_goals(s).await?),
        vec!["followers", "subscribers"],
        "by id"
    );
    check_eq!(
        ids(store.list_enabled_goals(s).await?),
        vec!["followers"],
        "enabled only"
    );
    let replaced = store
        .upsert_goal(s, &subs, goal("Subs!", 0, 5, true))
        .await?;
    check_eq!(store.get_goal(s, &subs).await?, Some(replaced), "replaced");
    store.delete_goal(s, &subs).await?;
    check_eq!(store.get_goal(s, &subs).await?, None, "deleted");
    check_err!(
        store.delete_goal(s, &subs).await,
        StoreError::not_found(Resource::Goal),
        "twice"
    );
    check_err!(
        store.set_goal_progress(s, &subs, 1).await,
        StoreError::not_found(Resource::Goal),
        "progress of a deleted goal"
    );
    Ok(())
}

/// Bad ids, labels and values are refused and change nothing.
pub async fn goal_inputs_are_validated(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let g = GoalId::new("followers");
    store
        .upsert_goal(s, &g, goal("Followers", 1, 10, true))
        .await?;
    let before = store.list_goals(s).await?;
    for (id, input) in [
        ("bad id", goal("x", 0, 1, true)),
        ("", goal("x", 0, 1, true)),
        ("followers", goal("", 0, 1, true)),
        ("followers", goal("x", -1, 1, true)),
        ("followers", goal("x", 0, 0, true)),
        ("followers", goal("x", 0, validate::MAX_BALANCE + 1, true)),
    ] {
        let r = store.upsert_goal(s, &GoalId::new(id), input.clone()).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "{id:?} {input:?}: {r:?}"
        );
    }
    let r = store.set_goal_progress(s, &g, -1).await;
    check!(
        matches!(r, Err(StoreError::InvalidInput { .. })),
        "negative progress: {r:?}"
    );
    check_eq!(store.list_goals(s).await?, before, "nothing changed");
    Ok(())
}
