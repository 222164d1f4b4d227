//! The live flag's changes (`stream_states`), from `apply_delivery`'s `SetLive` step.

use crate::convert::get;
use crate::tx::Tx;
use datastore::{StoreResult, StreamerId, Timestamp};

/// What a live change did: the flag after it, and whether it changed the flag.
pub(crate) struct LiveSet {
    /// The flag as it stands after the change.
    pub(crate) live: bool,
    /// Whether the flag differs from before (a stream never set counts as not live).
    pub(crate) changed: bool,
}

/// Sets the live flag as of `at`, unless a change stamped later is already applied (or one
/// stamped the same when this one goes live: offline wins a tie).
///
/// The stream's row is locked before it is read, so the flag compared is the one this change
/// replaces, and it stays locked until the delivery commits. A stream without a row gets one
/// with `INSERT … ON CONFLICT DO NOTHING`; when another transaction inserted it first, that
/// insert waits for it and does nothing, and the row, committed by then, is locked and read.
pub(crate) async fn set_live(
    tx: &Tx,
    s: StreamerId,
    live: bool,
    at: Timestamp,
) -> StoreResult<LiveSet> {
    let at = at.as_millis();
    // At most twice round: the second time the row another transaction inserted is there (or
    // its insert rolled back and this one goes in), unless the streamer was deleted meanwhile,
    // when the insert fails on its foreign key.
    loop {
        let row = tx
            .query_opt(
                "SELECT live, changed_at FROM stream_states WHERE streamer_id = $1 FOR UPDATE",
                &[&s.0],
            )
            .await?;
        if let Some(row) = row {
            let before: bool = get(&row, "live")?;
            let changed_at: i64 = get(&row, "changed_at")?;
            if at < changed_at || (at == changed_at && live) {
                return Ok(LiveSet {
                    live: before,
                    changed: false,
                });
            }
            tx.execute(
                "UPDATE stream_states SET live = $2, changed_at = $3 WHERE streamer_id = $1",
                &[&s.0, &live, &at],
            )
            .await?;
            return Ok(LiveSet {
                live,
                changed: live != before,
            });
        }
        let inserted = tx
            .execute(
                "INSERT INTO stream_states (streamer_id, live, changed_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (streamer_id) DO NOTHING",
                &[&s.0, &live, &at],
            )
            .await?;
        if inserted == 1 {
            return Ok(LiveSet {
                live,
                changed: live,
            });
        }
    }
}
