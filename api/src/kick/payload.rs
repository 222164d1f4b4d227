//! Kick's webhook payloads: the event type and version from the headers, the JSON body read into
//! an [`economy::KickEvent`] and the broadcaster it belongs to.
//!
//! Only what the economy uses is read; Kick may add fields freely. A known event whose body
//! lacks a field it needs (or holds one of the wrong type) is a precise [`PayloadError`]; an
//! event type or version this server does not handle is [`Parsed::Unhandled`], acknowledged
//! and ignored, so Kick neither retries it nor unsubscribes the app.

use datastore::{KickViewer, Timestamp};
use economy::KickEvent;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The event types this server handles, at [`VERSION`].
pub const HANDLED_TYPES: [&str; 7] = [
    "chat.message.sent",
    "channel.followed",
    "channel.subscription.new",
    "channel.subscription.renewal",
    "channel.subscription.gifts",
    "kicks.gifted",
    "livestream.status.updated",
];

/// The payload version handled (`Kick-Event-Version`).
pub const VERSION: &str = "1";

/// What a delivery holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// An event the economy handles, on the channel of `broadcaster_user_id`.
    Event {
        /// The channel's Kick user id (`broadcaster.user_id`).
        broadcaster_user_id: i64,
        /// The event.
        event: KickEvent,
    },
    /// A type or version this server does not handle: acknowledged, nothing done.
    Unhandled,
}

/// Why a body of a handled event cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Not JSON at all.
    #[error("the body is not valid JSON: {0}")]
    Malformed(String),
    /// JSON, but not the event's shape (a missing field, a wrong type, a bad value).
    #[error("the {event} payload does not fit: {reason}")]
    Shape {
        /// The event type.
        event: String,
        /// What is wrong.
        reason: String,
    },
}

/// A Kick user as payloads name them (other fields ignored).
#[derive(Debug, Deserialize)]
struct User {
    user_id: i64,
    username: String,
}

impl User {
    fn viewer(self) -> KickViewer {
        KickViewer::new(self.user_id, self.username)
    }
}

/// A user who may be anonymous (a gifter): no id or name then.
#[derive(Debug, Deserialize)]
struct MaybeAnonymous {
    #[serde(default)]
    is_anonymous: bool,
    #[serde(default)]
    user_id: Option<i64>,
    #[serde(default)]
    username: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Broadcaster {
    user_id: i64,
}

#[derive(Debug, Deserialize)]
struct ChatMessage {
    broadcaster: Broadcaster,
    sender: User,
    content: String,
    #[serde(default)]
    created_at: Option<Timestamp>,
}

#[derive(Debug, Deserialize)]
struct Followed {
    broadcaster: Broadcaster,
    follower: User,
}

#[derive(Debug, Deserialize)]
struct Subscription {
    broadcaster: Broadcaster,
    subscriber: User,
}

#[derive(Debug, Deserialize)]
struct Gifts {
    broadcaster: Broadcaster,
    #[serde(default)]
    gifter: Option<MaybeAnonymous>,
    giftees: Vec<User>,
}

#[derive(Debug, Deserialize)]
struct Gift {
    amount: i64,
}

#[derive(Debug, Deserialize)]
struct KicksGifted {
    broadcaster: Broadcaster,
    sender: User,
    gift: Gift,
}

#[derive(Debug, Deserialize)]
struct LiveStatus {
    broadcaster: Broadcaster,
    is_live: bool,
    #[serde(default)]
    started_at: Option<Timestamp>,
    #[serde(default)]
    ended_at: Option<Timestamp>,
}

/// Reads a delivery of `event_type` at `version` (the headers) with `body`; `sent_at` is the
/// delivery's own timestamp (`Kick-Event-Message-Timestamp`), used where the payload carries
/// no time of its own.
///
/// A live-status change is stamped with its `started_at` (going live) or `ended_at` (going
/// offline) when given, so a late delivery never undoes a newer state; a chat message with its
/// `created_at`.
pub fn parse(
    event_type: &str,
    version: &str,
    body: &[u8],
    sent_at: Timestamp,
) -> Result<Parsed, PayloadError> {
    if version.trim() != VERSION || !HANDLED_TYPES.contains(&event_type) {
        return Ok(Parsed::Unhandled);
    }
    let event = |broadcaster: Broadcaster, event: KickEvent| Parsed::Event {
        broadcaster_user_id: broadcaster.user_id,
        event,
    };
    Ok(match event_type {
        "chat.message.sent" => {
            let p: ChatMessage = read(event_type, body)?;
            event(
                p.broadcaster,
                KickEvent::ChatMessage {
                    sender: p.sender.viewer(),
                    content: p.content,
                    sent_at: p.created_at.unwrap_or(sent_at),
                },
            )
        }
        "channel.followed" => {
            let p: Followed = read(event_type, body)?;
            event(
                p.broadcaster,
                KickEvent::Follow {
                    follower: p.follower.viewer(),
                },
            )
        }
        "channel.subscription.new" | "channel.subscription.renewal" => {
            let p: Subscription = read(event_type, body)?;
            event(
                p.broadcaster,
                KickEvent::Subscription {
                    subscriber: p.subscriber.viewer(),
                    renewal: event_type.ends_with("renewal"),
                },
            )
        }
        "channel.subscription.gifts" => {
            let p: Gifts = read(event_type, body)?;
            let gifter = match p.gifter {
                None => None,
                Some(g) if g.is_anonymous => None,
                Some(MaybeAnonymous {
                    user_id: Some(id),
                    username: Some(name),
                    ..
                }) => Some(KickViewer::new(id, name)),
                Some(_) => {
                    return Err(shape(
                        event_type,
                        "gifter: a gifter who is not anonymous needs user_id and username",
                    ));
                }
            };
            event(
                p.broadcaster,
                KickEvent::Gifts {
                    gifter,
                    giftees: p.giftees.into_iter().map(User::viewer).collect(),
                },
            )
        }
        "kicks.gifted" => {
            let p: KicksGifted = read(event_type, body)?;
            if p.gift.amount <= 0 {
                return Err(shape(event_type, "gift.amount must be positive"));
            }
            event(
                p.broadcaster,
                KickEvent::Kicks {
                    sender: p.sender.viewer(),
                    amount: p.gift.amount,
                },
            )
        }
        "livestream.status.updated" => {
            let p: LiveStatus = read(event_type, body)?;
            let stamped = if p.is_live { p.started_at } else { p.ended_at };
            event(
                p.broadcaster,
                KickEvent::LiveStatus {
                    live: p.is_live,
                    at: stamped.unwrap_or(sent_at),
                },
            )
        }
        _ => Parsed::Unhandled,
    })
}

fn shape(event: &str, reason: impl Into<String>) -> PayloadError {
    PayloadError::Shape {
        event: event.to_owned(),
        reason: reason.into(),
    }
}

/// The body as `T`: strict JSON (a key named twice is refused, the top level is an object),
/// with serde's message naming the missing or mistyped field.
fn read<T: DeserializeOwned>(event: &str, body: &[u8]) -> Result<T, PayloadError> {
    use crate::error::ApiError;
    crate::body::parse::<T>(body).map_err(|e| match e {
        ApiError::MalformedJson(m) => PayloadError::Malformed(m),
        ApiError::InvalidBody(m) => shape(event, m),
        other => shape(event, other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Timestamp {
        "2025-01-14T16:08:06Z".parse().unwrap()
    }

    #[test]
    fn kicks_documented_chat_example_is_read() {
        let body =
            br##"{"message_id": "m1", "broadcaster": {"is_anonymous": false, "user_id": 123456789,
            "username": "broadcaster_name", "identity": null},
            "sender": {"is_anonymous": false, "user_id": 987654321, "username": "sender_name",
            "identity": {"username_color": "#FF5733", "badges": []}},
            "content": "Hello", "emotes": [], "created_at": "2025-01-14T16:08:06Z"}"##;
        let p = parse("chat.message.sent", "1", body, Timestamp::MIN).unwrap();
        assert_eq!(
            p,
            Parsed::Event {
                broadcaster_user_id: 123456789,
                event: KickEvent::ChatMessage {
                    sender: KickViewer::new(987654321, "sender_name"),
                    content: "Hello".into(),
                    sent_at: at(),
                }
            }
        );
    }

    #[test]
    fn unknown_types_and_versions_are_unhandled_whatever_the_body() {
        for (t, v) in [
            ("moderation.banned", "1"),
            ("chat.message.sent", "2"),
            ("livestream.metadata.updated", "1"),
        ] {
            assert_eq!(parse(t, v, b"not json", at()).unwrap(), Parsed::Unhandled);
        }
    }

    #[test]
    fn missing_fields_are_named_and_bad_json_is_malformed() {
        let e = parse(
            "channel.followed",
            "1",
            br#"{"broadcaster": {"user_id": 1}}"#,
            at(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("follower"), "{e}");
        assert!(matches!(
            parse("channel.followed", "1", b"{", at()),
            Err(PayloadError::Malformed(_))
        ));
        let e = parse(
            "kicks.gifted",
            "1",
            br#"{"broadcaster": {"user_id": 1}, "sender": {"user_id": 2, "username": "x"}, "gift": {"amount": "lots"}}"#,
            at(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("invalid type"), "{e}");
        let e = parse(
            "kicks.gifted",
            "1",
            br#"{"broadcaster": {"user_id": 1}, "sender": {"user_id": 2, "username": "x"}, "gift": {"amount": 0}}"#,
            at(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("gift.amount"), "{e}");
    }

    #[test]
    fn anonymous_gifts_have_no_gifter_and_live_changes_take_their_own_time() {
        let body = br#"{"broadcaster": {"user_id": 1}, "gifter": {"is_anonymous": true, "user_id": null, "username": null},
            "giftees": [{"user_id": 5, "username": "a"}, {"user_id": 6, "username": "b"}]}"#;
        match parse("channel.subscription.gifts", "1", body, at()).unwrap() {
            Parsed::Event {
                event: KickEvent::Gifts { gifter, giftees },
                ..
            } => {
                assert_eq!(gifter, None);
                assert_eq!(giftees.len(), 2);
            }
            other => panic!("{other:?}"),
        }
        let off = br#"{"broadcaster": {"user_id": 1}, "is_live": false, "title": "t",
            "started_at": "2025-01-01T11:00:00+11:00", "ended_at": "2025-01-01T15:00:00+11:00"}"#;
        match parse("livestream.status.updated", "1", off, at()).unwrap() {
            Parsed::Event {
                event: KickEvent::LiveStatus { live, at },
                ..
            } => {
                assert!(!live);
                assert_eq!(at.to_string(), "2025-01-01T04:00:00.000Z");
            }
            other => panic!("{other:?}"),
        }
    }
}
