//! What the webhook needs from the server's configuration: Kick's public key, the replay
//! window, where the dice come from, and the queue the bot's replies go to.

use super::dice::DiceSource;
use super::replies::ReplyQueue;
use super::signature::KickPublicKey;
use std::time::Duration;

/// The replay window unless `--kick-replay-window-secs` says otherwise: a delivery stamped
/// more than this before or after the server's clock is refused.
pub const DEFAULT_REPLAY_WINDOW: Duration = Duration::from_secs(600);

/// The webhook's configuration.
#[derive(Debug, Clone)]
pub struct KickSettings {
    /// Kick's public key; `None` and the webhook refuses every delivery (503).
    pub public_key: Option<KickPublicKey>,
    /// How far a delivery's `Kick-Event-Message-Timestamp` may be from the server's clock.
    pub replay_window: Duration,
    /// The games' dice.
    pub dice: DiceSource,
    /// Where the bot's chat replies go.
    pub replies: ReplyQueue,
}

impl Default for KickSettings {
    /// No key (the webhook answers 503), the default window, secure dice, replies off.
    fn default() -> Self {
        KickSettings {
            public_key: None,
            replay_window: DEFAULT_REPLAY_WINDOW,
            dice: DiceSource::Secure,
            replies: ReplyQueue::off(),
        }
    }
}
