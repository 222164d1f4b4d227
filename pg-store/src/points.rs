//! Points: balances, the ledger, drops, the leaderboards and the bulk award, and the balance
//! helpers the other modules share (`points_from_row`, `balance_of`, `locked_balance`,
//! `lock_users`, `store_points`, `move_points`, `points_changed`, `ledger_from_row`,
//! `joined_rows`).

use crate::convert::{count, get, parse, ts};
use crate::lookups::require_streamer;
use crate::store::PgStore;
use crate::tx::{Params, Tx};
use async_trait::async_trait;
use datastore::{
    AdminSetPoints, BulkAward, EventData, HistoryRequest, LeaderboardEntry, NewDrop, PointDelta,
    PointSource, PointStore, PointTransaction, Points, Resource, SourceSummary, StoreError,
    StoreResult, StreamerId, Timestamp, TransactionId, UserId, ViewerBalances, validate,
};
use std::collections::HashSet;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, Type};

/// A user's balances as the `LEFT JOIN user_points p` columns `channel_points`,
/// `drop_points`, `total_drops` and `last_updated` give them: zeros when there is no row.
pub(crate) fn points_from_row(r: &Row) -> StoreResult<Points> {
    let last: Option<i64> = crate::convert::get(r, "last_updated")?;
    Ok(match last {
        None => Points::ZERO,
        Some(ms) => Points {
            channel_points: crate::convert::get(r, "channel_points")?,
            drop_points: crate::convert::get(r, "drop_points")?,
            total_drops: crate::convert::get(r, "total_drops")?,
            last_updated: Some(
                Timestamp::from_millis(ms)
                    .map_err(|e| StoreError::backend(format!("last_updated: {e}")))?,
            ),
        },
    })
}

/// The balances of a user of this streamer (zeros without a balance row), or `None` when the
/// streamer has no such user: existence and balance in one statement.
pub(crate) async fn balance_of(tx: &Tx, s: StreamerId, u: UserId) -> StoreResult<Option<Points>> {
    tx.query_opt(
        "SELECT p.channel_points, p.drop_points, p.total_drops, p.last_updated \
         FROM users u LEFT JOIN user_points p ON p.streamer_id = u.streamer_id AND p.user_id = u.id \
         WHERE u.streamer_id = $1 AND u.id = $2",
        &[&s.0, &u.0],
    )
    .await?
    .as_ref()
    .map(points_from_row)
    .transpose()
}

/// `balance_of` for a write that reads the balance and then changes it: the user's row is
/// locked until the transaction ends, so concurrent changes of one user's balances queue
/// behind each other (two spends can never both see the old balance). Returns the user's
/// username (for the write's events) and balances; `NotFound(User)` for a missing user.
///
/// The balance is read by a second statement, after the lock is held: under READ COMMITTED
/// each statement sees what was committed when it began, so a statement that waited for the
/// lock would still see the balance from before the change it waited for.
pub(crate) async fn locked_balance(
    tx: &Tx,
    s: StreamerId,
    u: UserId,
) -> StoreResult<(String, Points)> {
    let user = tx
        .query_opt(
            "SELECT username FROM users WHERE streamer_id = $1 AND id = $2 FOR NO KEY UPDATE",
            &[&s.0, &u.0],
        )
        .await?
        .ok_or(StoreError::not_found(Resource::User))?;
    let username = get(&user, "username")?;
    let row = tx
        .query_opt(
            "SELECT channel_points, drop_points, total_drops, last_updated FROM user_points \
             WHERE streamer_id = $1 AND user_id = $2", // equivalent mutant: user ids are global and the lock above found this user under this streamer
            &[&s.0, &u.0],
        )
        .await?;
    let points = match row {
        Some(r) => points_from_row(&r)?,
        None => Points::ZERO,
    };
    Ok((username, points))
}

/// Locks the rows of the streamer's users `ids` in id order, until the transaction ends: for a
/// write that reads and changes the balances (or other rows) of several users, so that
/// concurrent writes over any of them queue instead of deadlocking. Returns the users it found,
/// by id, with their usernames as they are once locked.
pub(crate) async fn lock_users(
    tx: &Tx,
    s: StreamerId,
    ids: &[UserId],
) -> StoreResult<Vec<(UserId, String)>> {
    let ids: Vec<i64> = ids.iter().map(|u| u.0).collect();
    let rows = tx
        .query(
            "SELECT u.id, u.username FROM users u WHERE u.id = ANY($2) \
             AND u.streamer_id = $1 ORDER BY u.id FOR NO KEY UPDATE", // equivalent mutant: user ids are global and every caller found these users under this streamer
            &[&s.0, &ids],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((UserId(get(r, "id")?), get(r, "username")?)))
        .collect()
}

/// The `PointsChanged` of a ledger row of `amount` for user `u` (called `username`), whose
/// balances after the whole write are `after`.
pub(crate) fn points_changed(
    u: UserId,
    username: &str,
    after: &Points,
    amount: i64,
    source: PointSource,
    description: Option<&str>,
) -> EventData {
    EventData::PointsChanged {
        viewer: ViewerBalances::of(u, username, after),
        amount,
        source,
        description: description.map(str::to_owned),
    }
}

/// Writes a user's whole balance row, creating it when missing; returns it as stored. The
/// caller holds the user's lock ([`locked_balance`]).
pub(crate) async fn store_points(
    tx: &Tx,
    s: StreamerId,
    u: UserId,
    channel_points: i64,
    drop_points: i64,
    total_drops: i64,
    now: Timestamp,
) -> StoreResult<Points> {
    tx.execute(
        "INSERT INTO user_points (streamer_id, user_id, channel_points, drop_points, \
         total_drops, last_updated) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (streamer_id, user_id) DO UPDATE SET channel_points = excluded.channel_points, \
         drop_points = excluded.drop_points, total_drops = excluded.total_drops, \
         last_updated = excluded.last_updated",
        &[&s.0, &u.0, &channel_points, &drop_points, &total_drops, &now.as_millis()],
    )
    .await?;
    Ok(Points {
        channel_points,
        drop_points,
        total_drops,
        last_updated: Some(now),
    })
}

/// Sets a user's channel points to `balance` and writes the ledger row of `amount`. The caller
/// holds the user's lock ([`locked_balance`]) and read `before` under it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn move_points(
    tx: &Tx,
    s: StreamerId,
    u: UserId,
    before: &Points,
    balance: i64,
    amount: i64,
    source: PointSource,
    description: Option<&str>,
    now: Timestamp,
) -> StoreResult<Points> {
    let after = store_points(
        tx,
        s,
        u,
        balance,
        before.drop_points,
        before.total_drops,
        now,
    )
    .await?;
    tx.execute(
        "INSERT INTO point_transactions (streamer_id, user_id, amount, source, description, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &s.0,
            &u.0,
            &amount,
            &source.as_str(),
            &description,
            &now.as_millis(),
        ],
    )
    .await?;
    Ok(after)
}

/// The rows of one user's table that `sql` selects as `users u LEFT JOIN <table>`, keyed by
/// the user: `None` when the streamer has no such user (no row at all), an empty list when the
/// user has no rows there (one row whose `present` column is NULL). Existence and contents
/// come from one statement, so its tenant predicate alone decides what is seen.
pub(crate) async fn joined_rows<T>(
    tx: &Tx,
    sql: &str,
    params: Params<'_>,
    present: &str,
    map: impl Fn(&Row) -> StoreResult<T>,
) -> StoreResult<Option<Vec<T>>> {
    let rows = tx.query(sql, params).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let present: Present = get(r, present)?;
        if present.0 {
            out.push(map(r)?);
        }
    }
    Ok(Some(out))
}

/// Whether a column of any type holds a value (not NULL).
struct Present(bool);

impl<'a> FromSql<'a> for Present {
    fn from_sql(_: &Type, _: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Present(true))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Present(false))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A ledger row from the columns `id, user_id, amount, source, description, created_at`.
pub(crate) fn ledger_from_row(r: &Row) -> StoreResult<PointTransaction> {
    Ok(PointTransaction {
        id: TransactionId(get(r, "id")?),
        user_id: UserId(get(r, "user_id")?),
        amount: get(r, "amount")?,
        source: parse(r, "source")?,
        description: get(r, "description")?,
        created_at: ts(r, "created_at")?,
    })
}

/// Board rows (either leaderboard), in board order, ranked from 1.
fn ranked(rows: &[Row]) -> StoreResult<Vec<LeaderboardEntry>> {
    rows.iter()
        .zip(1..)
        .map(|(r, rank)| {
            let channel_points: i64 = get(r, "channel_points")?;
            let drop_points: i64 = get(r, "drop_points")?;
            Ok(LeaderboardEntry {
                rank,
                user_id: UserId(get(r, "user_id")?),
                username: get(r, "username")?,
                channel_points,
                drop_points,
                total_points: channel_points + drop_points,
                total_drops: get(r, "total_drops")?,
            })
        })
        .collect()
}

#[async_trait]
impl PointStore for PgStore {
    async fn get_points(&self, streamer: StreamerId, user: UserId) -> StoreResult<Option<Points>> {
        let tx = self.tenant(streamer).await?;
        let points = balance_of(&tx, streamer, user).await;
        tx.finish(points).await
    }

    async fn earn_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        earn: PointDelta,
    ) -> StoreResult<Points> {
        earn.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            let (username, before) = locked_balance(&tx, streamer, user).await?;
            let balance = validate::add_to_balance("amount", before.channel_points, earn.amount)?;
            let description = earn.description.as_deref();
            let after = move_points(
                &tx,
                streamer,
                user,
                &before,
                balance,
                earn.amount,
                earn.source,
                description,
                now,
            )
            .await?;
            let event = points_changed(
                user,
                &username,
                &after,
                earn.amount,
                earn.source,
                description,
            );
            self.record(&tx, streamer, now, [event]).await?;
            Ok(after)
        }
        .await;
        tx.finish(out).await
    }

    async fn spend_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        spend: PointDelta,
    ) -> StoreResult<Points> {
        spend.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            let (username, before) = locked_balance(&tx, streamer, user).await?;
            if before.channel_points < spend.amount {
                return Err(StoreError::InsufficientPoints {
                    balance: before.channel_points,
                    required: spend.amount,
                });
            }
            let description = spend.description.as_deref();
            let after = move_points(
                &tx,
                streamer,
                user,
                &before,
                before.channel_points - spend.amount,
                -spend.amount,
                spend.source,
                description,
                now,
            )
            .await?;
            let event = points_changed(
                user,
                &username,
                &after,
                -spend.amount,
                spend.source,
                description,
            );
            self.record(&tx, streamer, now, [event]).await?;
            Ok(after)
        }
        .await;
        tx.finish(out).await
    }

    async fn set_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        set: AdminSetPoints,
    ) -> StoreResult<Points> {
        set.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            let (username, before) = locked_balance(&tx, streamer, user).await?;
            let amount = set.channel_points - before.channel_points;
            let description = set.ledger_description();
            let after = move_points(
                &tx,
                streamer,
                user,
                &before,
                set.channel_points,
                amount,
                PointSource::Admin,
                Some(&description),
                now,
            )
            .await?;
            let after = match set.drop_points {
                Some(d) => {
                    store_points(
                        &tx,
                        streamer,
                        user,
                        after.channel_points,
                        d,
                        after.total_drops,
                        now,
                    )
                    .await?
                }
                None => after,
            };
            // The ledger row's change, with the balances after the whole write.
            let event = points_changed(
                user,
                &username,
                &after,
                amount,
                PointSource::Admin,
                Some(&description),
            );
            self.record(&tx, streamer, now, [event]).await?;
            Ok(after)
        }
        .await;
        tx.finish(out).await
    }

    async fn add_drop_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        drop: NewDrop,
    ) -> StoreResult<Points> {
        drop.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            let (username, before) = locked_balance(&tx, streamer, user).await?;
            let drop_points = validate::add_to_balance("score", before.drop_points, drop.score)?;
            let after = store_points(
                &tx,
                streamer,
                user,
                before.channel_points,
                drop_points,
                before.total_drops + 1,
                now,
            )
            .await?;
            tx.execute(
                "INSERT INTO drop_history (streamer_id, user_id, score, is_perfect, powerup_used, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &streamer.0,
                    &user.0,
                    &drop.score,
                    &drop.is_perfect,
                    &drop.powerup_used.map(|p| p.as_str()),
                    &now.as_millis(),
                ],
            )
            .await?;
            // No ledger row (drop points are not channel points), so no `PointsChanged`.
            let event = EventData::DropRecorded {
                viewer: ViewerBalances::of(user, username, &after),
                score: drop.score,
                is_perfect: drop.is_perfect,
                powerup_used: drop.powerup_used,
            };
            self.record(&tx, streamer, now, [event]).await?;
            Ok(after)
        }
        .await;
        tx.finish(out).await
    }

    async fn leaderboard(
        &self,
        streamer: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>> {
        validate::limit(limit)?;
        let tx = self.tenant(streamer).await?;
        let rows = tx
            .query(
                "SELECT p.user_id, u.username, p.channel_points, p.drop_points, p.total_drops \
                 FROM user_points p JOIN users u ON u.streamer_id = p.streamer_id AND u.id = p.user_id \
                 WHERE p.streamer_id = $1 AND p.channel_points + p.drop_points > 0 \
                 ORDER BY p.channel_points + p.drop_points DESC, p.user_id LIMIT $2",
                &[&streamer.0, &i64::from(limit)],
            )
            .await;
        ranked(&tx.finish(rows).await?)
    }

    async fn drop_leaderboard(
        &self,
        streamer: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>> {
        validate::limit(limit)?;
        // Read in the order of the partial index `user_points_by_drops` (migration 006).
        let tx = self.tenant(streamer).await?;
        let rows = tx
            .query(
                "SELECT p.user_id, u.username, p.channel_points, p.drop_points, p.total_drops \
                 FROM user_points p JOIN users u ON u.streamer_id = p.streamer_id AND u.id = p.user_id \
                 WHERE p.streamer_id = $1 AND p.drop_points > 0 \
                 ORDER BY p.drop_points DESC, p.user_id LIMIT $2",
                &[&streamer.0, &i64::from(limit)],
            )
            .await;
        ranked(&tx.finish(rows).await?)
    }

    async fn points_summary(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<SourceSummary>>> {
        let tx = self.tenant(streamer).await?;
        let summary = joined_rows(
            &tx,
            "SELECT t.source, coalesce(sum(t.amount), 0)::bigint AS total, \
             count(t.id)::bigint AS transactions \
             FROM users u LEFT JOIN point_transactions t \
             ON t.streamer_id = u.streamer_id AND t.user_id = u.id \
             WHERE u.streamer_id = $1 AND u.id = $2 GROUP BY t.source ORDER BY t.source",
            &[&streamer.0, &user.0],
            "source",
            |r| {
                Ok(SourceSummary {
                    source: parse(r, "source")?,
                    total: get(r, "total")?,
                    transactions: count(r, "transactions")?,
                })
            },
        )
        .await;
        tx.finish(summary).await
    }

    async fn transaction_history(
        &self,
        streamer: StreamerId,
        user: UserId,
        page: HistoryRequest,
    ) -> StoreResult<Option<Vec<PointTransaction>>> {
        validate::limit(page.limit)?;
        let tx = self.tenant(streamer).await?;
        let history = joined_rows(
            &tx,
            "SELECT t.id, t.user_id, t.amount, t.source, t.description, t.created_at \
             FROM users u LEFT JOIN point_transactions t \
             ON t.streamer_id = u.streamer_id AND t.user_id = u.id \
             AND ($3::bigint IS NULL OR t.id < $3::bigint) \
             WHERE u.streamer_id = $1 AND u.id = $2 ORDER BY t.id DESC LIMIT $4",
            &[
                &streamer.0,
                &user.0,
                &page.before.map(|b| b.0),
                &i64::from(page.limit),
            ],
            "id",
            ledger_from_row,
        )
        .await;
        tx.finish(history).await
    }

    async fn bulk_award(
        &self,
        streamer: StreamerId,
        usernames: &[String],
        award: PointDelta,
    ) -> StoreResult<BulkAward> {
        award.validate()?;
        if usernames.len() > validate::MAX_BULK_USERS {
            return Err(StoreError::invalid(
                "usernames",
                format!("at most {} per award", validate::MAX_BULK_USERS),
            ));
        }
        for name in usernames {
            validate::username(name)?;
        }
        // One entry per distinct user (ignoring ASCII case), in the order of first mention.
        let mut seen = HashSet::new();
        let names: Vec<String> = usernames
            .iter()
            .filter(|n| seen.insert(n.to_ascii_lowercase()))
            .cloned()
            .collect();
        let now = self.now();
        // One transaction: any failure (a balance that would overflow) leaves nothing written.
        // Each step is one set-based statement over the array of names, in the order of first
        // mention (`ord`).
        let tx = self.tenant(streamer).await?;
        let out = async {
            require_streamer(&tx, streamer).await?;
            // Bulk awards of one streamer take turns: two that create the same new viewers
            // in different orders would otherwise each wait for the other's new row.
            tx.execute("SELECT pg_advisory_xact_lock(1, hashtext($1::text))", &[&streamer.0.to_string()])
                .await?;
            let at = now.as_millis();
            // New viewers first, in the order of first mention. A name a concurrent award or
            // lookup creates meanwhile is skipped (and counted as existing).
            let created = tx
                .execute(
                    "INSERT INTO users (streamer_id, username, created_at, updated_at) \
                     SELECT $1, j.name, $2, $2 FROM unnest($3::text[]) WITH ORDINALITY AS j(name, ord) \
                     WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.streamer_id = $1 \
                     AND u.username_key = fold(j.name)) \
                     ORDER BY j.ord ON CONFLICT DO NOTHING",
                    &[&streamer.0, &at, &names],
                )
                .await?;
            // Every named user, locked in id order, so that concurrent awards and point writes
            // queue instead of deadlocking or losing updates.
            tx.query(
                "SELECT u.id FROM users u WHERE u.username_key IN \
                 (SELECT fold(j.name) FROM unnest($2::text[]) AS j(name)) \
                 AND u.streamer_id = $1 ORDER BY u.id FOR NO KEY UPDATE", // equivalent mutant: it only locks; nothing reads what it returns
                &[&streamer.0, &names],
            )
            .await?;
            // A balance the award would push past the maximum fails the whole award (read by a
            // statement of its own, which sees every change committed before the locks).
            let too_rich = tx
                .query_opt(
                    "SELECT p.channel_points FROM user_points p \
                     JOIN users u ON u.streamer_id = p.streamer_id AND u.id = p.user_id \
                     WHERE p.streamer_id = $1 AND p.channel_points > $3 \
                     AND u.username_key IN (SELECT fold(j.name) FROM unnest($2::text[]) AS j(name)) \
                     LIMIT 1",
                    &[&streamer.0, &names, &(validate::MAX_BALANCE - award.amount)],
                )
                .await?;
            if let Some(r) = too_rich {
                let balance: i64 = get(&r, "channel_points")?;
                validate::add_to_balance("amount", balance, award.amount)?;
            }
            tx.execute(
                "INSERT INTO user_points (streamer_id, user_id, channel_points, drop_points, \
                 total_drops, last_updated) \
                 SELECT $1, u.id, $2, 0, 0, $3 FROM users u WHERE u.streamer_id = $1 \
                 AND u.username_key IN (SELECT fold(j.name) FROM unnest($4::text[]) AS j(name)) \
                 ON CONFLICT (streamer_id, user_id) DO UPDATE SET \
                 channel_points = user_points.channel_points + excluded.channel_points, \
                 last_updated = excluded.last_updated",
                &[&streamer.0, &award.amount, &at, &names],
            )
            .await?;
            // The ledger rows, in the order of first mention.
            tx.execute(
                "INSERT INTO point_transactions (streamer_id, user_id, amount, source, \
                 description, created_at) \
                 SELECT $1, u.id, $2, $3, $4, $5 \
                 FROM unnest($6::text[]) WITH ORDINALITY AS j(name, ord) \
                 JOIN users u ON u.streamer_id = $1 AND u.username_key = fold(j.name) \
                 ORDER BY j.ord",
                &[
                    &streamer.0,
                    &award.amount,
                    &award.source.as_str(),
                    &award.description.as_deref(),
                    &at,
                    &names,
                ],
            )
            .await?;
            // One `PointsChanged` per awarded viewer, in the order of first mention, with the
            // balances after the award.
            let awarded = tx
                .query(
                    "SELECT u.id, u.username, p.channel_points, p.drop_points, p.total_drops, \
                     p.last_updated FROM unnest($2::text[]) WITH ORDINALITY AS j(name, ord) \
                     JOIN users u ON u.streamer_id = $1 AND u.username_key = fold(j.name) \
                     JOIN user_points p ON p.streamer_id = u.streamer_id AND p.user_id = u.id \
                     ORDER BY j.ord",
                    &[&streamer.0, &names],
                )
                .await?;
            let mut events = Vec::with_capacity(awarded.len());
            for r in &awarded {
                events.push(points_changed(
                    UserId(get(r, "id")?),
                    get(r, "username")?,
                    &points_from_row(r)?,
                    award.amount,
                    award.source,
                    award.description.as_deref(),
                ));
            }
            self.record(&tx, streamer, now, events).await?;
            Ok(BulkAward {
                awarded: names.len() as u64,
                created,
            })
        }
        .await;
        tx.finish(out).await
    }
}
