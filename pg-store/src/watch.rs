//! The per-minute watch award ([`datastore::KickStore::award_watch_minute`]), exactly once per
//! streamer and minute however many servers call it: the minute's row in `watch_minutes` is
//! inserted first, so a second server's insert waits for the first's transaction and then
//! finds the minute taken. The award is set-based, like the bulk award: the recent chatters are
//! locked in id order, checked, credited and given their ledger rows in a few statements.

use crate::convert::get;
use crate::points::{lock_users, points_changed, points_from_row};
use crate::tx::Tx;
use datastore::{
    EventData, PointSource, StoreResult, StreamerId, Timestamp, UserId, ViewerBalances, WatchAward,
    validate,
};
use std::time::Duration;

/// Whether the stream is live, its state row locked until the transaction ends (a change of the
/// live flag waits for the award).
async fn live(tx: &Tx, s: StreamerId) -> StoreResult<bool> {
    let row = tx
        .query_opt(
            "SELECT live FROM stream_states WHERE streamer_id = $1 FOR SHARE",
            &[&s.0],
        )
        .await?;
    row.map_or(Ok(false), |r| get(&r, "live"))
}

/// Awards `minute` of watch time to the streamer's viewers who chatted within `window` before
/// `now`: `amount` each, one `watch` ledger row and one `PointsChanged` each (added to
/// `events`, by viewer id), unless the stream is not live or the minute was awarded already.
/// A balance the award would push past the maximum fails the whole award.
pub(crate) async fn award(
    tx: &Tx,
    s: StreamerId,
    minute: i64,
    amount: i64,
    window: Duration,
    now: Timestamp,
    events: &mut Vec<EventData>,
) -> StoreResult<WatchAward> {
    if !live(tx, s).await? {
        return Ok(WatchAward::NotLive);
    }
    let taken = tx
        .execute(
            "INSERT INTO watch_minutes (streamer_id, minute) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
            &[&s.0, &minute],
        )
        .await?;
    if taken == 0 {
        return Ok(WatchAward::AlreadyAwarded);
    }
    let since = now.checked_sub(window).unwrap_or(Timestamp::MIN);
    let recent = tx
        .query(
            "SELECT c.user_id FROM chatters c WHERE c.last_chat_at >= $2 \
             AND c.streamer_id = $1 ORDER BY c.user_id", // equivalent mutant: user ids are global and the viewers are then locked under this streamer, which leaves out any other's
            &[&s.0, &since.as_millis()],
        )
        .await?;
    let recent = recent
        .iter()
        .map(|r| Ok(UserId(get(r, "user_id")?)))
        .collect::<StoreResult<Vec<_>>>()?;
    if recent.is_empty() {
        return Ok(WatchAward::Awarded {
            viewers: Vec::new(),
        });
    }
    // Locked in id order; the ones still there are awarded.
    let ids: Vec<i64> = lock_users(tx, s, &recent)
        .await?
        .iter()
        .map(|(u, _)| u.0)
        .collect();
    // A chatter the award would push past the balance limit (read by a statement of its own,
    // after the locks) is left out.
    let too_rich = tx
        .query(
            "SELECT p.user_id FROM user_points p WHERE p.user_id = ANY($2) \
             AND p.channel_points > $3 AND p.streamer_id = $1", // equivalent mutant: user ids are global and these viewers were just locked under this streamer
            &[&s.0, &ids, &(validate::MAX_BALANCE - amount)],
        )
        .await?
        .iter()
        .map(|r| get::<i64>(r, "user_id"))
        .collect::<StoreResult<std::collections::HashSet<i64>>>()?;
    let ids: Vec<i64> = ids.into_iter().filter(|u| !too_rich.contains(u)).collect();
    let at = now.as_millis();
    tx.execute(
        concat!(
            "INSERT INTO user_points (streamer_id, user_id, channel_points, drop_points, \
             total_drops, last_updated) SELECT $1, u.id, $2, 0, 0, $3 FROM users u \
             WHERE u.id = ANY($4) AND u.streamer_id = $1", // equivalent mutant: user ids are global and these viewers were just locked under this streamer
            " ON CONFLICT (streamer_id, user_id) DO UPDATE SET \
             channel_points = user_points.channel_points + excluded.channel_points, \
             last_updated = excluded.last_updated"
        ),
        &[&s.0, &amount, &at, &ids],
    )
    .await?;
    tx.execute(
        "INSERT INTO point_transactions (streamer_id, user_id, amount, source, description, \
         created_at) SELECT $1, j.id, $2, $3, NULL, $4 \
         FROM unnest($5::bigint[]) WITH ORDINALITY AS j(id, ord) ORDER BY j.ord",
        &[&s.0, &amount, &PointSource::Watch.as_str(), &at, &ids],
    )
    .await?;
    let rows = tx
        .query(
            "SELECT u.id, u.username, p.channel_points, p.drop_points, p.total_drops, \
             p.last_updated FROM users u JOIN user_points p \
             ON p.streamer_id = u.streamer_id AND p.user_id = u.id \
             WHERE u.id = ANY($2) AND u.streamer_id = $1 ORDER BY u.id", // equivalent mutant: user ids are global and these viewers were just locked under this streamer
            &[&s.0, &ids],
        )
        .await?;
    let mut viewers = Vec::with_capacity(rows.len());
    for r in &rows {
        let u = UserId(get(r, "id")?);
        let username: String = get(r, "username")?;
        let points = points_from_row(r)?;
        events.push(points_changed(
            u,
            &username,
            &points,
            amount,
            PointSource::Watch,
            None,
        ));
        viewers.push(ViewerBalances::of(u, username, &points));
    }
    Ok(WatchAward::Awarded { viewers })
}
