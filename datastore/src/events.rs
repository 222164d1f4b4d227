//! Events: what changed on a streamer's overlays, recorded with the change itself.
//!
//! Every write that changes what an overlay shows records its events for its streamer **in the
//! same transaction** as the change, as the last step before it commits: a write that fails
//! records nothing, one that succeeds records exactly the events its operation documents. The
//! list of which operation records what is [`EventData`]'s documentation.
//!
//! # Ids
//!
//! Event ids count per streamer, from 1, with no gaps: the `n`th event a streamer ever
//! recorded has id `n`, so the ids streamer B sees say nothing about how busy streamer A is,
//! and a reader that has seen id `n` knows exactly what follows. A backend that runs writes
//! concurrently takes the streamer's counter last in each transaction and holds it to commit,
//! so events commit in id order: a reader of "after `n`" never skips an event that commits
//! later with a smaller id. Purging old events never resets the counter.
//!
//! # Payloads
//!
//! A payload holds only what the public reads already show: a viewer's public profile, balances
//! and ledger rows, the enabled goals, tips and powerups, the settings, layouts and theme. A
//! goal, tip or powerup that is disabled (or deleted) appears as its id with no body, so a
//! stream never shows what the public lists hide. Never a key, token, secret or hash.
//!
//! # Deleted viewers
//!
//! Deleting a viewer (`UserStore::delete_user`) takes their name out of the event log too: in
//! the same transaction, every earlier event of the streamer that names the viewer
//! ([`EventData::viewer`] is `Some` of them) becomes [`EventData::ViewerRemoved`] for them,
//! with its id and time kept, before the deletion records its own `ViewerRemoved`. Ids stay
//! dense, and a reader that replays the log just removes the viewer again.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::goals::Goal;
use crate::ids::{GoalId, LayoutId, StreamerId, TipId, UserId};
use crate::overlay::{OverlayLayout, OverlaySetting, Theme};
use crate::points::{PointSource, Points};
use crate::powerup_type::PowerupType;
use crate::powerups::PowerupConfig;
use crate::tips::Tip;
use crate::users::User;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// An event's id: its place in its streamer's sequence, from 1 (0 is "before the first").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct EventId(pub i64);

impl EventId {
    /// Before the first event: reading after it reads from the beginning.
    pub const START: EventId = EventId(0);

    /// The raw number.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// Its place in the streamer's sequence.
    pub id: EventId,
    /// When the change was made (the store's clock).
    pub at: Timestamp,
    /// What changed.
    #[serde(flatten)]
    pub data: EventData,
}

/// A viewer's balances after a change, with who they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ViewerBalances {
    /// The viewer.
    pub user_id: UserId,
    /// Their username.
    pub username: String,
    /// Channel points after the change.
    pub channel_points: i64,
    /// Drop points after the change.
    pub drop_points: i64,
    /// Drops after the change.
    pub total_drops: i64,
}

impl ViewerBalances {
    /// The balances `points` of `user`.
    pub fn of(user_id: UserId, username: impl Into<String>, points: &Points) -> Self {
        ViewerBalances {
            user_id,
            username: username.into(),
            channel_points: points.channel_points,
            drop_points: points.drop_points,
            total_drops: points.total_drops,
        }
    }
}

/// What changed, with what the overlays need to show it. Serialized as
/// `{"type": "<name>", "data": {…}}`; [`EventData::kind`] is the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum EventData {
    /// A viewer's channel points changed, by one ledger row: `earn_points`, `spend_points`,
    /// `set_points` (always one; amount 0 when the channel points stay), `bulk_award` (one per
    /// viewer),
    /// `purchase_powerup` (the spend, before its `PowerupPurchased`).
    PointsChanged {
        /// The viewer and their balances after the change.
        #[serde(flatten)]
        viewer: ViewerBalances,
        /// The change of channel points (the ledger row's amount).
        amount: i64,
        /// The ledger row's source.
        source: PointSource,
        /// The ledger row's description.
        description: Option<String>,
    },
    /// A drop-game result was recorded (`add_drop_points`).
    DropRecorded {
        /// The viewer and their balances after the drop.
        #[serde(flatten)]
        viewer: ViewerBalances,
        /// The drop's score.
        score: i64,
        /// Whether it was a perfect landing.
        is_perfect: bool,
        /// The powerup used for it, if any.
        powerup_used: Option<PowerupType>,
    },
    /// A viewer bought a powerup (`purchase_powerup`).
    PowerupPurchased {
        /// The viewer.
        user_id: UserId,
        /// Their username.
        username: String,
        /// The powerup.
        powerup: PowerupType,
        /// How many were bought.
        quantity: i64,
        /// How many they hold now.
        owned: i64,
    },
    /// A viewer was given powerups (`add_powerup`).
    PowerupAdded {
        /// The viewer.
        user_id: UserId,
        /// Their username.
        username: String,
        /// The powerup.
        powerup: PowerupType,
        /// How many were given.
        quantity: i64,
        /// How many they hold now.
        owned: i64,
    },
    /// A viewer used a powerup (`use_powerup`).
    PowerupUsed {
        /// The viewer.
        user_id: UserId,
        /// Their username.
        username: String,
        /// The powerup.
        powerup: PowerupType,
        /// How many they hold now.
        owned: i64,
    },
    /// A powerup's configuration changed (`upsert_powerup`, `update_powerup`).
    PowerupChanged {
        /// The powerup.
        id: PowerupType,
        /// Its configuration when it is on sale; `None` when it is disabled.
        powerup: Option<PowerupConfig>,
    },
    /// A goal was written or deleted (`upsert_goal`, `set_goal_progress`, `delete_goal`).
    GoalChanged {
        /// The goal.
        id: GoalId,
        /// The goal when it is enabled; `None` when it is disabled or deleted.
        goal: Option<Goal>,
    },
    /// A tip was written or deleted (`create_tip`, `update_tip`, `delete_tip`).
    TipChanged {
        /// The tip.
        id: TipId,
        /// The tip when it is enabled; `None` when it is disabled or deleted.
        tip: Option<Tip>,
    },
    /// An overlay setting was written or deleted (`upsert_overlay_setting`,
    /// `delete_overlay_setting`).
    SettingChanged {
        /// The setting's key.
        key: String,
        /// The setting; `None` when it was deleted.
        setting: Option<OverlaySetting>,
    },
    /// A layout was written or deleted (`upsert_layout`, `delete_layout`; one event for each
    /// layout whose default flag the write changed, too).
    LayoutChanged {
        /// The layout.
        id: LayoutId,
        /// The layout; `None` when it was deleted.
        layout: Option<OverlayLayout>,
    },
    /// The theme was set (`set_theme`).
    ThemeChanged {
        /// The theme as stored.
        theme: Theme,
    },
    /// A viewer's public profile changed (`update_user_profile`).
    ViewerChanged {
        /// The viewer as the public read shows them now.
        user: User,
    },
    /// A viewer was deleted with their balances, ledger and inventory (`delete_user`).
    ///
    /// `delete_user` also rewrites every earlier event of the streamer that names the viewer
    /// ([`EventData::viewer`]) into this one, keeping its id and time, so the viewer's name
    /// leaves the event log with them.
    ViewerRemoved {
        /// The viewer.
        user_id: UserId,
    },
    /// Something happened on Kick that overlays announce: a follow, a subscription, gifts,
    /// kicks (`apply_delivery`'s `Alert` step).
    Alert {
        /// What happened.
        kind: AlertKind,
        /// Who did it; `None` for an anonymous gift.
        user_id: Option<UserId>,
        /// Their username.
        username: Option<String>,
        /// How many (gifts, kicks); 1 otherwise.
        amount: i64,
    },
    /// A viewer queued a text-to-speech message (`apply_delivery`'s `Speak` step).
    SpeechQueued {
        /// The viewer.
        user_id: UserId,
        /// Their username.
        username: String,
        /// What to say.
        text: String,
        /// The voice chosen, when one was.
        voice: Option<String>,
    },
    /// The stream went live or ended (`apply_delivery`'s `SetLive` step, when it changes the
    /// flag).
    LiveChanged {
        /// Whether the stream is live now.
        live: bool,
    },
}

/// What an overlay alert announces ([`EventData::Alert`], from `apply_delivery`'s `Alert` step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A new follower.
    Follow,
    /// A new subscription.
    Subscription,
    /// A renewed subscription.
    Renewal,
    /// Gifted subscriptions (`amount` of them).
    Gift,
    /// Kicks tipped (`amount` of them).
    Kicks,
}

/// Every event type name, in [`EventData`]'s order.
pub const EVENT_TYPES: [&str; 17] = [
    "points_changed",
    "drop_recorded",
    "powerup_purchased",
    "powerup_added",
    "powerup_used",
    "powerup_changed",
    "goal_changed",
    "tip_changed",
    "setting_changed",
    "layout_changed",
    "theme_changed",
    "viewer_changed",
    "viewer_removed",
    "alert",
    "speech_queued",
    "live_changed",
    // Not stored: what the event stream sends a reader whose place was purged.
    "reset",
];

impl EventData {
    /// The event's type name, as stored and as the event stream's `event:` field.
    pub fn kind(&self) -> &'static str {
        match self {
            EventData::PointsChanged { .. } => "points_changed",
            EventData::DropRecorded { .. } => "drop_recorded",
            EventData::PowerupPurchased { .. } => "powerup_purchased",
            EventData::PowerupAdded { .. } => "powerup_added",
            EventData::PowerupUsed { .. } => "powerup_used",
            EventData::PowerupChanged { .. } => "powerup_changed",
            EventData::GoalChanged { .. } => "goal_changed",
            EventData::TipChanged { .. } => "tip_changed",
            EventData::SettingChanged { .. } => "setting_changed",
            EventData::LayoutChanged { .. } => "layout_changed",
            EventData::ThemeChanged { .. } => "theme_changed",
            EventData::ViewerChanged { .. } => "viewer_changed",
            EventData::ViewerRemoved { .. } => "viewer_removed",
            EventData::Alert { .. } => "alert",
            EventData::SpeechQueued { .. } => "speech_queued",
            EventData::LiveChanged { .. } => "live_changed",
        }
    }

    /// The viewer whose name or profile the event holds: `Some` for `PointsChanged`,
    /// `DropRecorded`, `PowerupPurchased`, `PowerupAdded`, `PowerupUsed` and `ViewerChanged`;
    /// `None` for the others, `ViewerRemoved` included (it holds only the id). Stored with the
    /// event, so `delete_user` finds the events to rewrite.
    pub fn viewer(&self) -> Option<UserId> {
        match self {
            EventData::PointsChanged { viewer, .. } | EventData::DropRecorded { viewer, .. } => {
                Some(viewer.user_id)
            }
            EventData::PowerupPurchased { user_id, .. }
            | EventData::PowerupAdded { user_id, .. }
            | EventData::PowerupUsed { user_id, .. } => Some(*user_id),
            EventData::ViewerChanged { user } => Some(user.id),
            EventData::SpeechQueued { user_id, .. } => Some(*user_id),
            EventData::Alert { user_id, .. } => *user_id,
            EventData::PowerupChanged { .. }
            | EventData::GoalChanged { .. }
            | EventData::TipChanged { .. }
            | EventData::SettingChanged { .. }
            | EventData::LayoutChanged { .. }
            | EventData::ThemeChanged { .. }
            | EventData::ViewerRemoved { .. }
            | EventData::LiveChanged { .. } => None,
        }
    }

    /// The payload (the `data` member) as JSON text, for storage.
    pub fn payload_json(&self) -> String {
        let mut v = serde_json::to_value(self).expect("event data serializes");
        v.get_mut("data")
            .map(serde_json::Value::take)
            .unwrap_or(serde_json::Value::Null)
            .to_string()
    }

    /// The event stored as `kind` and `payload` (from [`EventData::payload_json`]).
    pub fn from_stored(kind: &str, payload: &str) -> Result<EventData, serde_json::Error> {
        let data: serde_json::Value = serde_json::from_str(payload)?;
        serde_json::from_value(serde_json::json!({"type": kind, "data": data}))
    }
}

/// The event of a write to a goal, tip or powerup configuration, which the public reads show
/// only when enabled: `None` (nothing recorded) when the row was disabled (or missing) before
/// and is disabled (or gone) after; otherwise `event` of the row after the write when it is
/// enabled, of `None` when it is not. Every backend decides with this, so all record alike.
pub fn visible_change<T>(
    enabled_before: bool,
    after: Option<T>,
    enabled: impl Fn(&T) -> bool,
    event: impl FnOnce(Option<T>) -> EventData,
) -> Option<EventData> {
    let after = after.filter(|row| enabled(row));
    (enabled_before || after.is_some()).then(|| event(after))
}

/// A page of a streamer's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventPage {
    /// The events after the id asked for, oldest first, at most the limit asked for.
    pub events: Vec<Event>,
    /// The id of the streamer's latest event ever recorded ([`EventId::START`] for none),
    /// whether or not it is still kept.
    pub last_id: EventId,
}

impl EventPage {
    /// Whether this page, read after `after`, continues from it without a hole: `false` when
    /// events after `after` were purged before they were read, or when `after` is beyond the
    /// streamer's latest event (a place from another history). A reader that gets `false`
    /// reloads its data instead of applying events.
    pub fn continues_from(&self, after: EventId) -> bool {
        if after > self.last_id {
            return false;
        }
        match self.events.first() {
            Some(first) => first.id.0 == after.0 + 1,
            None => after == self.last_id,
        }
    }

    /// The id the next page should be read after.
    pub fn next_after(&self, after: EventId) -> EventId {
        self.events.last().map_or(after, |e| e.id)
    }
}

/// How long a streamer's events are kept: an event goes when it is older than `max_age` or not
/// among the streamer's newest `max_count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRetention {
    /// The age past which an event goes.
    pub max_age: Duration,
    /// How many of the newest events are kept at most.
    pub max_count: u32,
}

/// The most events a page holds.
pub const MAX_EVENT_PAGE: u32 = 1000;

/// The most events a retention may keep per streamer.
pub const MAX_EVENT_RETENTION_COUNT: u32 = 1_000_000;

impl EventRetention {
    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        crate::validate::in_range(
            "max_count",
            i64::from(self.max_count),
            1,
            i64::from(MAX_EVENT_RETENTION_COUNT),
        )
    }
}

/// Refuses a page size the contract does not accept (1 to [`MAX_EVENT_PAGE`]).
pub fn validate_event_limit(limit: u32) -> StoreResult<()> {
    crate::validate::in_range("limit", i64::from(limit), 1, i64::from(MAX_EVENT_PAGE))
}

/// Reading and purging a streamer's events (recording happens inside the writes).
///
/// Tenant rule: a streamer's events are read and purged only under that streamer; ids count per
/// streamer, so they reveal nothing of any other streamer's activity. A streamer that does not
/// exist has no events (an empty page with `last_id` 0; a purge of 0).
#[async_trait]
pub trait EventStore: Send + Sync {
    /// The streamer's events with ids after `after`, oldest first, at most `limit`
    /// (1 to [`MAX_EVENT_PAGE`], else `InvalidInput`), and the latest id.
    async fn read_events(
        &self,
        streamer: StreamerId,
        after: EventId,
        limit: u32,
    ) -> StoreResult<EventPage>;

    /// Deletes the streamer's events that `retention` no longer keeps; returns how many. The
    /// counter stays: [`EventPage::last_id`] still tells a reader what was purged.
    /// `InvalidInput` for a `max_count` of 0 or over [`MAX_EVENT_RETENTION_COUNT`].
    async fn purge_events(
        &self,
        streamer: StreamerId,
        retention: EventRetention,
    ) -> StoreResult<u64>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme_event(id: i64) -> Event {
        Event {
            id: EventId(id),
            at: Timestamp::from_millis(1).unwrap(),
            data: EventData::ViewerRemoved {
                user_id: UserId(id),
            },
        }
    }

    #[test]
    fn stored_form_round_trips_and_names_every_type() {
        let e = EventData::PointsChanged {
            viewer: ViewerBalances {
                user_id: UserId(7),
                username: "alice".into(),
                channel_points: 30,
                drop_points: 2,
                total_drops: 1,
            },
            amount: 5,
            source: PointSource::Chat,
            description: None,
        };
        let payload = e.payload_json();
        assert!(payload.contains("\"username\":\"alice\""), "{payload}");
        assert_eq!(EventData::from_stored(e.kind(), &payload).unwrap(), e);
        assert!(EventData::from_stored("no_such_type", &payload).is_err());
        assert!(EVENT_TYPES.contains(&e.kind()));
    }

    #[test]
    fn viewer_names_the_viewer_an_event_holds() {
        let at = Timestamp::from_millis(1).unwrap();
        let balances = ViewerBalances::of(UserId(3), "bob", &Points::ZERO);
        let user = User {
            id: UserId(4),
            streamer_id: StreamerId(1),
            username: "carol".into(),
            voice_id: None,
            drop_image: None,
            country: None,
            created_at: at,
            updated_at: at,
        };
        let cases = [
            (
                EventData::PointsChanged {
                    viewer: balances.clone(),
                    amount: 1,
                    source: PointSource::Chat,
                    description: None,
                },
                Some(UserId(3)),
            ),
            (
                EventData::DropRecorded {
                    viewer: balances,
                    score: 1,
                    is_perfect: false,
                    powerup_used: None,
                },
                Some(UserId(3)),
            ),
            (
                EventData::PowerupPurchased {
                    user_id: UserId(5),
                    username: "dan".into(),
                    powerup: PowerupType::Shield,
                    quantity: 1,
                    owned: 1,
                },
                Some(UserId(5)),
            ),
            (
                EventData::PowerupAdded {
                    user_id: UserId(6),
                    username: "eve".into(),
                    powerup: PowerupType::Shield,
                    quantity: 1,
                    owned: 1,
                },
                Some(UserId(6)),
            ),
            (
                EventData::PowerupUsed {
                    user_id: UserId(7),
                    username: "fay".into(),
                    powerup: PowerupType::Shield,
                    owned: 0,
                },
                Some(UserId(7)),
            ),
            (EventData::ViewerChanged { user }, Some(UserId(4))),
            (EventData::ViewerRemoved { user_id: UserId(8) }, None),
            (
                EventData::GoalChanged {
                    id: GoalId::new("g"),
                    goal: None,
                },
                None,
            ),
            (
                EventData::TipChanged {
                    id: TipId(1),
                    tip: None,
                },
                None,
            ),
            (
                EventData::SettingChanged {
                    key: "k".into(),
                    setting: None,
                },
                None,
            ),
            (
                EventData::ThemeChanged {
                    theme: Theme {
                        theme: serde_json::json!({}),
                        updated_at: at,
                    },
                },
                None,
            ),
        ];
        for (event, viewer) in cases {
            assert_eq!(event.viewer(), viewer, "{}", event.kind());
        }
    }

    #[test]
    fn a_page_tells_a_hole_from_a_continuation() {
        let page = |ids: &[i64], last: i64| EventPage {
            events: ids.iter().map(|&i| theme_event(i)).collect(),
            last_id: EventId(last),
        };
        assert!(page(&[4, 5], 5).continues_from(EventId(3)));
        assert!(!page(&[5], 5).continues_from(EventId(3)), "4 was purged");
        assert!(page(&[], 5).continues_from(EventId(5)));
        assert!(!page(&[], 5).continues_from(EventId(9)), "from elsewhere");
        assert!(!page(&[], 5).continues_from(EventId(2)), "3..5 were purged");
        assert!(page(&[], 0).continues_from(EventId::START));
        assert_eq!(page(&[4, 5], 5).next_after(EventId(3)), EventId(5));
    }
}
