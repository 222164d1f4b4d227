//! Helpers the Kick cases share: building deliveries, and reading everything a streamer holds,
//! Kick data included.

use crate::cases::support::all_events;
use crate::harness::Failure;
use datastore::*;
use serde_json::{Value, json};
use std::time::Duration;

/// A Kick user.
pub fn kv(kick_user_id: i64, username: &str) -> KickViewer {
    KickViewer::new(kick_user_id, username)
}

/// A delivery.
pub fn delivery(id: &str, effects: Vec<Step>, command: Vec<Step>) -> Delivery {
    Delivery {
        id: DeliveryId(id.to_owned()),
        effects,
        command,
    }
}

/// An `Earn` without description.
pub fn earn(v: &KickViewer, amount: i64, source: PointSource) -> Step {
    Step::Earn {
        viewer: v.clone(),
        amount,
        source,
        description: None,
    }
}

/// A `Spend` (source `spend`) without description.
pub fn spend(v: &KickViewer, amount: i64) -> Step {
    Step::Spend {
        viewer: v.clone(),
        amount,
        source: PointSource::Spend,
        description: None,
    }
}

/// A `Wager` (source `gamble`) without description.
pub fn wager(v: &KickViewer, stake: i64, payout: i64) -> Step {
    Step::Wager {
        viewer: v.clone(),
        stake,
        payout,
        source: PointSource::Gamble,
        description: None,
    }
}

/// A `Chatted`.
pub fn chatted(v: &KickViewer) -> Step {
    Step::Chatted { viewer: v.clone() }
}

/// A `SetLive`.
pub fn live(on: bool, at: Timestamp) -> Step {
    Step::SetLive { live: on, at }
}

/// A `ChallengeDuel`.
pub fn challenge(challenger: &KickViewer, opponent: &str, stake: i64, secs: u64) -> Step {
    Step::ChallengeDuel {
        challenger: challenger.clone(),
        opponent: opponent.to_owned(),
        stake,
        expires_in: Duration::from_secs(secs),
    }
}

/// An `AcceptDuel`.
pub fn accept(opponent: &KickViewer, challenger_wins: bool) -> Step {
    Step::AcceptDuel {
        opponent: opponent.clone(),
        challenger_wins,
    }
}

/// `t` moved by `secs` seconds (either way), saturating.
pub fn shifted(t: Timestamp, secs: i64) -> Timestamp {
    let d = Duration::from_secs(secs.unsigned_abs());
    let moved = if secs >= 0 {
        t.checked_add(d)
    } else {
        t.checked_sub(d)
    };
    moved.unwrap_or(t)
}

/// The whole minute `t` falls in.
pub fn minute_of(t: Timestamp) -> i64 {
    WatchMinute::minute_of(t)
}

/// A watch minute.
pub fn watch(minute: i64, amount: i64, window_secs: u64) -> WatchMinute {
    WatchMinute {
        minute,
        amount,
        window: Duration::from_secs(window_secs),
    }
}

/// Applies a delivery that must apply; its effects' results and its command's outcome.
pub async fn applied(
    store: &dyn DataStore,
    s: StreamerId,
    d: Delivery,
) -> Result<(Vec<StepResult>, Option<CommandOutcome>), Failure> {
    let id = d.id.clone();
    match store.apply_delivery(s, d).await? {
        DeliveryOutcome::Applied { effects, command } => Ok((effects, command)),
        DeliveryOutcome::Duplicate => Err(Failure(format!(
            "delivery {id:?} was a Duplicate, wanted it applied"
        ))),
    }
}

/// Applies a delivery whose command must run to its end; the command's results.
pub async fn command_done(
    store: &dyn DataStore,
    s: StreamerId,
    d: Delivery,
) -> Result<Vec<StepResult>, Failure> {
    let id = d.id.clone();
    match applied(store, s, d).await?.1 {
        Some(CommandOutcome::Done { results }) => Ok(results),
        other => Err(Failure(format!(
            "the command of {id:?} did not run to its end: {other:?}"
        ))),
    }
}

/// Applies a delivery whose command must be refused; the step and the refusal.
pub async fn command_refused(
    store: &dyn DataStore,
    s: StreamerId,
    d: Delivery,
) -> Result<(usize, Refusal), Failure> {
    let id = d.id.clone();
    match applied(store, s, d).await?.1 {
        Some(CommandOutcome::Refused { step, refusal }) => Ok((step, refusal)),
        other => Err(Failure(format!(
            "the command of {id:?} was not refused: {other:?}"
        ))),
    }
}

/// The balances a step result holds.
pub fn balances(r: &StepResult) -> Result<ViewerBalances, Failure> {
    match r {
        StepResult::Balances(b) => Ok(b.clone()),
        other => Err(Failure(format!("wanted balances, got {other:?}"))),
    }
}

/// The channel points of the viewer linked to a Kick user id (0 when they have none).
pub async fn kick_balance(
    store: &dyn DataStore,
    s: StreamerId,
    kick_user_id: i64,
) -> Result<i64, Failure> {
    let u = store
        .get_kick_viewer(s, kick_user_id)
        .await?
        .ok_or_else(|| Failure(format!("no viewer linked to Kick user {kick_user_id}")))?;
    Ok(store
        .get_points(s, u.id)
        .await?
        .map_or(0, |p| p.channel_points))
}

/// The user linked to a Kick user id, which must exist.
pub async fn linked(
    store: &dyn DataStore,
    s: StreamerId,
    kick_user_id: i64,
) -> Result<User, Failure> {
    store
        .get_kick_viewer(s, kick_user_id)
        .await?
        .ok_or_else(|| Failure(format!("no viewer linked to Kick user {kick_user_id}")))
}

/// The events recorded after `after`.
pub async fn events_after(
    store: &dyn DataStore,
    s: StreamerId,
    after: EventId,
) -> Result<Vec<EventData>, Failure> {
    Ok(store
        .read_events(s, after, MAX_EVENT_PAGE)
        .await?
        .events
        .into_iter()
        .map(|e| e.data)
        .collect())
}

/// The id of the streamer's latest event.
pub async fn last_event(store: &dyn DataStore, s: StreamerId) -> Result<EventId, Failure> {
    Ok(store.read_events(s, EventId::START, 1).await?.last_id)
}

/// Everything a streamer holds: its export, events, live state, open duels, economy, whether
/// it recorded each of `ids`, the viewer linked to each of `kick_ids`, and whether it is
/// listed live. Equal snapshots mean nothing changed.
pub async fn snapshot(
    store: &dyn DataStore,
    s: StreamerId,
    ids: &[&str],
    kick_ids: &[i64],
) -> Result<Value, Failure> {
    let mut seen = Vec::new();
    for id in ids {
        seen.push(
            store
                .delivery_seen(s, &DeliveryId((*id).to_owned()))
                .await?,
        );
    }
    let mut links = Vec::new();
    for k in kick_ids {
        links.push(store.get_kick_viewer(s, *k).await?);
    }
    Ok(json!({
        "export": store.export_streamer(s).await?,
        "events": all_events(store, s).await?,
        "stream": store.get_stream_state(s).await?,
        "duels": store.list_duels(s).await?,
        "economy": store.get_economy_config(s).await?,
        "seen": seen,
        "links": links,
        "listed_live": store.list_live_streamers().await?.contains(&s),
    }))
}
