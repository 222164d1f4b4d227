//! How deliveries resolve Kick users to viewers: created and linked on first sight, a viewer
//! known only by name linked, renames followed (or refused when the name is taken), a stale
//! holder moved out of a name; and what deleting a viewer does to their Kick data.

use crate::cases::kick_support::*;
use crate::cases::support::*;
use crate::harness::{CaseResult, Harness, check, check_eq};
use datastore::*;
use std::time::Duration;

/// A Kick user seen for the first time becomes a new viewer with their username, linked to
/// their Kick id, and creating them records nothing.
pub async fn a_new_kick_user_becomes_a_linked_viewer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let before = last_event(&*store, s).await?;
    let (effects, _) = applied(
        &*store,
        s,
        delivery("n-1", vec![chatted(&kv(100, "Newbie"))], vec![]),
    )
    .await?;
    let u = linked(&*store, s, 100).await?;
    check_eq!(
        effects,
        vec![StepResult::Viewer(u.id)],
        "the result names them"
    );
    check_eq!(
        (u.username.as_str(), u.streamer_id, u.voice_id.clone()),
        ("Newbie", s, None),
        "the new viewer"
    );
    check_eq!(
        store.get_user_by_username(s, "NEWBIE").await?,
        Some(u.clone()),
        "found by name, ignoring case"
    );
    check_eq!(
        last_event(&*store, s).await?,
        before,
        "creating a viewer records nothing"
    );
    applied(
        &*store,
        s,
        delivery(
            "n-2",
            vec![earn(&kv(100, "Newbie"), 5, PointSource::Chat)],
            vec![],
        ),
    )
    .await?;
    check_eq!(
        store.count_users(s).await?,
        1,
        "seen again, the same viewer"
    );
    check_eq!(
        store.get_kick_viewer(s, 101).await?,
        None,
        "another Kick id links nobody"
    );
    Ok(())
}

/// A viewer known only by name (a legacy viewer, or one created by name) is linked to the
/// first Kick user with that name, ignoring case, and keeps their id, name, points, history
/// and inventory.
pub async fn a_name_only_viewer_is_linked_and_keeps_everything(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let legacy = funded(&*store, s, "Alice", 500).await?;
    store.add_powerup(s, legacy, PowerupType::Shield, 2).await?;
    let (effects, _) = applied(
        &*store,
        s,
        delivery(
            "l-1",
            vec![earn(&kv(7, "alice"), 25, PointSource::Chat)],
            vec![],
        ),
    )
    .await?;
    let b = balances(&effects[0])?;
    check_eq!(
        (b.user_id, b.channel_points, b.username.as_str()),
        (legacy, 525, "Alice"),
        "the legacy viewer, name kept as stored"
    );
    let u = linked(&*store, s, 7).await?;
    check_eq!(u.id, legacy, "linked from now on");
    check_eq!(store.count_users(s).await?, 1, "no second viewer");
    check_eq!(
        store
            .get_inventory(s, legacy)
            .await?
            .map(|i| i.iter().map(|x| x.quantity).sum::<i64>()),
        Some(2),
        "inventory kept"
    );
    check_eq!(
        export(&*store, s).await?.transactions.len(),
        2,
        "history kept"
    );
    // Linked now: another Kick user with that name is a stranger to them.
    applied(
        &*store,
        s,
        delivery("l-2", vec![chatted(&kv(8, "ALICE"))], vec![]),
    )
    .await?;
    let other = linked(&*store, s, 8).await?;
    check!(
        other.id != legacy,
        "a second Kick user named alice is a new viewer"
    );
    Ok(())
}

/// A Kick user who renamed is renamed with their points, history and inventory; a rename in
/// case only is a rename too, and the old name is free afterwards.
pub async fn a_renamed_kick_user_keeps_points_history_and_inventory(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let old = kv(7, "alice");
    applied(
        &*store,
        s,
        delivery(
            "r-1",
            vec![earn(&old, 600, PointSource::Sub)],
            vec![Step::BuyPowerup {
                viewer: old.clone(),
                powerup: PowerupType::Boost,
            }],
        ),
    )
    .await?;
    let u = linked(&*store, s, 7).await?;
    let e_before = export(&*store, s).await?;
    h.clock().advance(Duration::from_secs(60));
    let (effects, _) = applied(
        &*store,
        s,
        delivery("r-2", vec![chatted(&kv(7, "alice_new"))], vec![]),
    )
    .await?;
    check_eq!(effects, vec![StepResult::Viewer(u.id)], "the same viewer");
    let renamed = linked(&*store, s, 7).await?;
    check_eq!(renamed.username, "alice_new", "renamed");
    check_eq!(renamed.created_at, u.created_at, "created when they were");
    check_eq!(
        store.get_user_by_username(s, "alice").await?,
        None,
        "the old name is free"
    );
    let e_after = export(&*store, s).await?;
    check_eq!(
        (
            &e_after.points,
            &e_after.transactions,
            &e_after.inventory,
            &e_after.purchases
        ),
        (
            &e_before.points,
            &e_before.transactions,
            &e_before.inventory,
            &e_before.purchases
        ),
        "points, history, inventory and purchases stay"
    );
    applied(
        &*store,
        s,
        delivery("r-3", vec![chatted(&kv(7, "ALICE_NEW"))], vec![]),
    )
    .await?;
    check_eq!(
        linked(&*store, s, 7).await?.username,
        "ALICE_NEW",
        "a rename in case only"
    );
    applied(
        &*store,
        s,
        delivery("r-4", vec![chatted(&kv(9, "alice"))], vec![]),
    )
    .await?;
    check!(
        linked(&*store, s, 9).await?.id != u.id,
        "the old name went to a new viewer"
    );
    Ok(())
}

/// A rename to a name another viewer holds who is linked to no Kick user keeps the old name
/// (the holder keeps theirs, and is linked when their own Kick user shows up).
pub async fn a_rename_to_a_taken_name_keeps_the_old_name(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let bob = funded(&*store, s, "bob", 40).await?;
    applied(
        &*store,
        s,
        delivery(
            "t-1",
            vec![earn(&kv(7, "alice"), 10, PointSource::Chat)],
            vec![],
        ),
    )
    .await?;
    let alice = linked(&*store, s, 7).await?;
    let (effects, _) = applied(
        &*store,
        s,
        delivery(
            "t-2",
            vec![earn(&kv(7, "BOB"), 5, PointSource::Chat)],
            vec![],
        ),
    )
    .await?;
    let b = balances(&effects[0])?;
    check_eq!(
        (b.user_id, b.username.as_str(), b.channel_points),
        (alice.id, "alice", 15),
        "alice keeps her name and gets the points"
    );
    check_eq!(
        store.get_user(s, bob).await?.map(|u| u.username),
        Some("bob".to_owned()),
        "bob keeps his"
    );
    check_eq!(balance(&*store, s, bob).await?, 40, "and his points");
    applied(
        &*store,
        s,
        delivery("t-3", vec![chatted(&kv(8, "bob"))], vec![]),
    )
    .await?;
    check_eq!(
        linked(&*store, s, 8).await?.id,
        bob,
        "bob is linked when his own Kick user shows up"
    );
    Ok(())
}

/// When a name belongs to a viewer linked to another Kick user (who renamed on Kick since),
/// that holder is renamed `{name}#{their Kick id}` (cut to the username limit) and the name
/// goes to the delivery's Kick user, points staying with each.
pub async fn a_stale_holder_gives_up_the_name(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    applied(
        &*store,
        s,
        delivery(
            "h-1",
            vec![earn(&kv(7, "alice"), 70, PointSource::Sub)],
            vec![],
        ),
    )
    .await?;
    let first = linked(&*store, s, 7).await?;
    // A new Kick user now called alice: a new viewer takes the name.
    applied(
        &*store,
        s,
        delivery(
            "h-2",
            vec![earn(&kv(9, "Alice"), 90, PointSource::Sub)],
            vec![],
        ),
    )
    .await?;
    let second = linked(&*store, s, 9).await?;
    check!(second.id != first.id, "a new viewer");
    check_eq!(second.username, "Alice", "with the name");
    check_eq!(
        linked(&*store, s, 7).await?.username,
        "alice#7",
        "the stale holder is moved aside"
    );
    check_eq!(
        (
            kick_balance(&*store, s, 7).await?,
            kick_balance(&*store, s, 9).await?
        ),
        (70, 90),
        "points stay with each"
    );
    // The first Kick user shows up under their new name.
    applied(
        &*store,
        s,
        delivery("h-3", vec![chatted(&kv(7, "alicia"))], vec![]),
    )
    .await?;
    check_eq!(
        linked(&*store, s, 7).await?.username,
        "alicia",
        "renamed from the stand-in name"
    );
    // A linked viewer renaming onto a name whose holder is linked elsewhere takes it.
    applied(
        &*store,
        s,
        delivery("h-4", vec![chatted(&kv(11, "carol"))], vec![]),
    )
    .await?;
    applied(
        &*store,
        s,
        delivery("h-5", vec![chatted(&kv(7, "CAROL"))], vec![]),
    )
    .await?;
    check_eq!(
        (
            linked(&*store, s, 7).await?.username,
            linked(&*store, s, 11).await?.username
        ),
        ("CAROL".to_owned(), "carol#11".to_owned()),
        "the renaming viewer takes the name from its stale holder"
    );
    // The stand-in name is cut to the username limit.
    let long = "x".repeat(60);
    applied(
        &*store,
        s,
        delivery("h-6", vec![chatted(&kv(123_456, &long))], vec![]),
    )
    .await?;
    applied(
        &*store,
        s,
        delivery("h-7", vec![chatted(&kv(5, &long))], vec![]),
    )
    .await?;
    check_eq!(
        linked(&*store, s, 123_456).await?.username,
        format!("{long}#123"),
        "cut to 64 characters"
    );
    check_eq!(
        linked(&*store, s, 5).await?.username,
        long,
        "the newcomer's name"
    );
    check_eq!(
        store.count_users(s).await?,
        5,
        "five Kick users, five viewers"
    );
    check_invariants(&export(&*store, s).await?)
}

/// Deleting a viewer removes their Kick link, their open duels and their chatter record, and
/// rewrites their alerts and queued messages into `ViewerRemoved` (ids and times kept), leaving
/// other viewers' events and anonymous alerts as they were; their Kick user comes back as a
/// new viewer.
pub async fn deleting_a_viewer_removes_their_kick_data(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let (alice, bob) = (kv(7, "alice"), kv(8, "bob"));
    let now = h.clock().now();
    applied(
        &*store,
        s,
        delivery(
            "d-1",
            vec![
                live(true, now),
                earn(&alice, 1000, PointSource::Sub),
                earn(&bob, 1000, PointSource::Sub),
                chatted(&alice),
                Step::Alert {
                    kind: AlertKind::Follow,
                    viewer: Some(alice.clone()),
                    amount: 1,
                },
                Step::Alert {
                    kind: AlertKind::Kicks,
                    viewer: Some(bob.clone()),
                    amount: 3,
                },
                Step::Alert {
                    kind: AlertKind::Gift,
                    viewer: None,
                    amount: 2,
                },
            ],
            vec![
                Step::Speak {
                    viewer: alice.clone(),
                    text: "bye".into(),
                    voice: None,
                    cost: 0,
                },
                challenge(&alice, "bob", 100, 600),
            ],
        ),
    )
    .await?;
    let gone = linked(&*store, s, 7).await?;
    let before = all_events(&*store, s).await?.events;
    store.delete_user(s, gone.id).await?;
    let after = all_events(&*store, s).await?.events;
    check_eq!(after.len(), before.len() + 1, "one event more: the removal");
    for (b, a) in before.iter().zip(&after) {
        check_eq!((a.id, a.at), (b.id, b.at), "ids and times kept");
        if b.data.viewer() == Some(gone.id) {
            check_eq!(
                a.data,
                EventData::ViewerRemoved { user_id: gone.id },
                "alice's event {:?} is rewritten",
                b.data
            );
        } else {
            check_eq!(a.data, b.data, "another event is kept");
        }
    }
    check!(
        before
            .iter()
            .filter(|e| e.data.viewer() == Some(gone.id))
            .any(|e| matches!(e.data, EventData::SpeechQueued { .. })),
        "a queued message of alice's was among them"
    );
    check_eq!(store.get_kick_viewer(s, 7).await?, None, "the link is gone");
    check_eq!(store.list_duels(s).await?, vec![], "her duel is gone");
    let award = store
        .award_watch_minute(s, watch(minute_of(now), 5, 600))
        .await?;
    check_eq!(
        award,
        WatchAward::Awarded { viewers: vec![] },
        "her chatter record is gone"
    );
    applied(&*store, s, delivery("d-2", vec![chatted(&alice)], vec![])).await?;
    let back = linked(&*store, s, 7).await?;
    check!(back.id != gone.id, "she comes back as a new viewer");
    check_eq!(
        store
            .get_points(s, back.id)
            .await?
            .map(|p| p.channel_points),
        Some(0),
        "with nothing"
    );
    Ok(())
}
