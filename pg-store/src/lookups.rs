//! The existence checks writes begin with: does this streamer, or this user of this streamer,
//! exist? Each runs inside the operation's transaction.

use crate::tx::Tx;
use datastore::{Resource, StoreError, StoreResult, StreamerId, UserId};

/// `NotFound(Streamer)` unless the streamer exists: the first check of every write that
/// creates a row the streamer owns.
pub(crate) async fn require_streamer(tx: &Tx, s: StreamerId) -> StoreResult<()> {
    tx.query_opt("SELECT 1 FROM streamers WHERE streamers.id = $1", &[&s.0])
        .await?
        .map(|_| ())
        .ok_or(StoreError::not_found(Resource::Streamer))
}

/// `NotFound(User)` unless this streamer has this user.
pub(crate) async fn require_user(tx: &Tx, s: StreamerId, u: UserId) -> StoreResult<()> {
    tx.query_opt(
        "SELECT 1 FROM users WHERE streamer_id = $1 AND id = $2",
        &[&s.0, &u.0],
    )
    .await?
    .map(|_| ())
    .ok_or(StoreError::not_found(Resource::User))
}
