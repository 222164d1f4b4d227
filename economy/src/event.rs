//! What the planner is given: a Kick event in domain form and the channel it happened on.

use datastore::{EconomyConfig, KickViewer, Timestamp};

/// A Kick event in domain form (the HTTP layer parses Kick's JSON into it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KickEvent {
    /// `chat.message.sent`: a chat message, possibly a `!command`.
    ChatMessage {
        /// Who wrote it.
        sender: KickViewer,
        /// The message as typed.
        content: String,
        /// When Kick stamped it.
        sent_at: Timestamp,
    },
    /// `channel.followed`.
    Follow {
        /// The new follower.
        follower: KickViewer,
    },
    /// `channel.subscription.new` (`renewal: false`) or `.renewal` (`renewal: true`).
    Subscription {
        /// Who subscribed.
        subscriber: KickViewer,
        /// A renewal rather than a new subscription.
        renewal: bool,
    },
    /// `channel.subscription.gifts`.
    Gifts {
        /// Who gifted; `None` for an anonymous gift.
        gifter: Option<KickViewer>,
        /// Who received one; their number is the gift count (at least 1 is counted).
        giftees: Vec<KickViewer>,
    },
    /// `kicks.gifted`: Kicks tipped to the channel.
    Kicks {
        /// Who tipped.
        sender: KickViewer,
        /// How many Kicks (a non-positive amount does nothing).
        amount: i64,
    },
    /// `livestream.status.updated`.
    LiveStatus {
        /// Live or not.
        live: bool,
        /// When the change happened, by Kick's clock.
        at: Timestamp,
    },
}

/// What the planner knows about the channel an event happened on.
#[derive(Debug, Clone, Copy)]
pub struct Channel<'a> {
    /// The streamer's economy ([`datastore::KickStore::get_economy_config`]).
    pub config: &'a EconomyConfig,
    /// The streamer's own Kick user id, when known: that account is exempt from cooldowns and
    /// from the cost of `!say`.
    pub owner_kick_user_id: Option<i64>,
}

impl Channel<'_> {
    /// Whether `viewer` is the streamer's own account.
    pub fn is_owner(&self, viewer: &KickViewer) -> bool {
        self.owner_kick_user_id == Some(viewer.kick_user_id)
    }
}
