//! Points: balances, the ledger, drops, the leaderboards and the bulk award.

use crate::convert::{Count, Db, DbOptional, parse, ts};
use crate::events::record;
use crate::lookups::require_streamer;
use crate::store::SqliteStore;
use crate::users::{self, points_from_row};
use async_trait::async_trait;
use datastore::{
    AdminSetPoints, BulkAward, EventData, HistoryRequest, LeaderboardEntry, NewDrop, PointDelta,
    PointSource, PointStore, PointTransaction, Points, Resource, SourceSummary, StoreError,
    StoreResult, StreamerId, Timestamp, TransactionId, UserId, ViewerBalances, validate,
};
use rusqlite::{Connection, Row, params};
use std::collections::HashSet;

pub(crate) fn ledger_from_row(r: &Row<'_>) -> rusqlite::Result<PointTransaction> {
    Ok(PointTransaction {
        id: TransactionId(r.get("id")?),
        user_id: UserId(r.get("user_id")?),
        amount: r.get("amount")?,
        source: parse(r, "source")?,
        description: r.get("description")?,
        created_at: ts(r, "created_at")?,
    })
}

/// The balances of a user of this streamer (zeros without a balance row) as `map` reads them
/// from the row (which also holds `username`), or `None` when the streamer has no such user:
/// existence and balance in one statement.
pub(crate) fn balance_of<T>(
    conn: &Connection,
    s: StreamerId,
    u: UserId,
    map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Option<T>> {
    conn.prepare_cached(
        "SELECT p.channel_points, p.drop_points, p.total_drops, p.last_updated, u.username \
         FROM users u LEFT JOIN user_points p ON p.streamer_id = u.streamer_id AND p.user_id = u.id \
         WHERE u.streamer_id = ?1 AND u.id = ?2",
    )
    .db()?
    .query_row([s.0, u.0], map)
    .db_optional()
}

/// A user's balances before a write, with their username (for the write's events).
pub(crate) struct Holder {
    /// The username, as stored.
    pub(crate) username: String,
    /// The balances.
    pub(crate) points: Points,
}

impl Holder {
    /// The user's balances `after` a write, for its events.
    pub(crate) fn balances(&self, u: UserId, after: &Points) -> ViewerBalances {
        ViewerBalances::of(u, self.username.clone(), after)
    }
}

/// `balance_of` with the username, `NotFound(User)` for a missing user.
pub(crate) fn user_balance(conn: &Connection, s: StreamerId, u: UserId) -> StoreResult<Holder> {
    balance_of(conn, s, u, |r| {
        Ok(Holder {
            username: r.get("username")?,
            points: points_from_row(r)?,
        })
    })?
    .ok_or(StoreError::not_found(Resource::User))
}

/// The viewers a bulk award reached (`names`, a JSON array of folded-distinct names, all of
/// them users of the streamer now), with their balances after it, in the array's order.
fn awarded_balances(
    conn: &Connection,
    s: StreamerId,
    names: &str,
) -> StoreResult<Vec<ViewerBalances>> {
    conn.prepare_cached(
        "SELECT u.id, u.username, p.channel_points, p.drop_points, p.total_drops \
         FROM json_each(?2) j CROSS JOIN users u ON u.streamer_id = ?1 AND u.username = j.value \
         JOIN user_points p ON p.streamer_id = u.streamer_id AND p.user_id = u.id ORDER BY j.key",
    )
    .db()?
    .query_map(params![s.0, names], |r| {
        Ok(ViewerBalances {
            user_id: UserId(r.get(0)?),
            username: r.get(1)?,
            channel_points: r.get(2)?,
            drop_points: r.get(3)?,
            total_drops: r.get(4)?,
        })
    })
    .db()?
    .collect::<rusqlite::Result<_>>()
    .db()
}

/// Writes a user's whole balance row, creating it when missing; returns it as stored.
pub(crate) fn store_points(
    conn: &Connection,
    s: StreamerId,
    u: UserId,
    channel_points: i64,
    drop_points: i64,
    total_drops: i64,
    now: Timestamp,
) -> StoreResult<Points> {
    let values = params![
        s.0,
        u.0,
        channel_points,
        drop_points,
        total_drops,
        now.as_millis()
    ];
    // Most users have a balance row: an UPDATE is cheaper than an upsert's failed INSERT.
    let updated = conn
        .prepare_cached(
            "UPDATE user_points SET channel_points = ?3, drop_points = ?4, total_drops = ?5, \
             last_updated = ?6 WHERE streamer_id = ?1 AND user_id = ?2", // equivalent mutant: user ids are global and every caller has just read this user under this streamer
        )
        .db()?
        .execute(values)
        .db()?;
    if updated == 0 {
        conn.prepare_cached(
            "INSERT INTO user_points (streamer_id, user_id, channel_points, drop_points, \
             total_drops, last_updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .db()?
        .execute(values)
        .db()?;
    }
    Ok(Points {
        channel_points,
        drop_points,
        total_drops,
        last_updated: Some(now),
    })
}

/// Sets a user's channel points to `balance` and writes the ledger row of `amount`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn move_points(
    conn: &Connection,
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
        conn,
        s,
        u,
        balance,
        before.drop_points,
        before.total_drops,
        now,
    )?;
    conn.prepare_cached(
        "INSERT INTO point_transactions (streamer_id, user_id, amount, source, description, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .db()?
    .execute(params![
        s.0,
        u.0,
        amount,
        source.as_str(),
        description,
        now.as_millis()
    ])
    .db()?;
    Ok(after)
}

/// A change of a user's channel points made by [`move_by`].
pub(crate) struct Moved {
    /// The balances after it.
    pub(crate) points: Points,
    /// The user and their balances after it.
    pub(crate) viewer: ViewerBalances,
    /// Its `PointsChanged` event; `None` when nothing moved.
    pub(crate) event: Option<EventData>,
}

/// One change of a user's channel points, as [`move_by`] books it.
pub(crate) struct Booking {
    /// How many points move (negative: taken); 0 writes nothing.
    pub(crate) amount: i64,
    /// What the balance must cover before anything moves.
    pub(crate) required: i64,
    /// The argument a balance pushed out of range is reported against.
    pub(crate) field: &'static str,
    /// The ledger row's source.
    pub(crate) source: PointSource,
    /// The ledger row's description.
    pub(crate) description: Option<String>,
    /// Whether a gain is cut to what fits under [`validate::MAX_BALANCE`] (a Kick effect, which
    /// must never fail a delivery for a full balance) instead of refused.
    pub(crate) capped: bool,
}

impl Booking {
    /// `amount` points earned.
    pub(crate) fn earn(amount: i64, source: PointSource, description: Option<String>) -> Self {
        Booking {
            amount,
            required: 0,
            field: "amount",
            source,
            description,
            capped: false,
        }
    }

    /// `amount` points spent, when the balance covers them.
    pub(crate) fn spend(amount: i64, source: PointSource, description: Option<String>) -> Self {
        Booking {
            amount: -amount,
            required: amount,
            field: "amount",
            source,
            description,
            capped: false,
        }
    }
}

/// Books a change of a user's channel points with one ledger row, provided the balance covers
/// what it requires first (else `InsufficientPoints`, nothing written); an amount of 0 writes
/// nothing. `NotFound(User)` for a missing user, `InvalidInput` for a balance the change would
/// push out of range. What `earn_points` and `spend_points` do, and the Kick steps that earn,
/// spend, bet and duel.
pub(crate) fn move_by(
    conn: &Connection,
    s: StreamerId,
    u: UserId,
    booking: Booking,
    now: Timestamp,
) -> StoreResult<Moved> {
    let Booking {
        amount,
        required,
        field,
        source,
        description,
        capped,
    } = booking;
    let holder = user_balance(conn, s, u)?;
    let before = &holder.points;
    if before.channel_points < required {
        return Err(StoreError::InsufficientPoints {
            balance: before.channel_points,
            required,
        });
    }
    let amount = match capped {
        true => amount.min(validate::MAX_BALANCE.saturating_sub(before.channel_points)),
        false => amount,
    };
    if amount == 0 {
        return Ok(Moved {
            viewer: holder.balances(u, before),
            points: holder.points,
            event: None,
        });
    }
    let balance = validate::add_to_balance(field, before.channel_points, amount)?;
    let after = move_points(
        conn,
        s,
        u,
        before,
        balance,
        amount,
        source,
        description.as_deref(),
        now,
    )?;
    let viewer = holder.balances(u, &after);
    let event = EventData::PointsChanged {
        viewer: viewer.clone(),
        amount,
        source,
        description,
    };
    Ok(Moved {
        points: after,
        viewer,
        event: Some(event),
    })
}

/// A board row (either leaderboard) as read, unranked.
fn board_entry(r: &Row<'_>) -> rusqlite::Result<LeaderboardEntry> {
    let channel_points: i64 = r.get("channel_points")?;
    let drop_points: i64 = r.get("drop_points")?;
    Ok(LeaderboardEntry {
        rank: 0,
        user_id: UserId(r.get("user_id")?),
        username: r.get("username")?,
        channel_points,
        drop_points,
        total_points: channel_points + drop_points,
        total_drops: r.get("total_drops")?,
    })
}

/// Board rows in board order, ranked from 1.
fn ranked(rows: Vec<LeaderboardEntry>) -> Vec<LeaderboardEntry> {
    rows.into_iter()
        .zip(1..)
        .map(|(e, rank)| LeaderboardEntry { rank, ..e })
        .collect()
}

#[async_trait]
impl PointStore for SqliteStore {
    async fn get_points(&self, streamer: StreamerId, user: UserId) -> StoreResult<Option<Points>> {
        self.read_one(move |c, _| balance_of(c, streamer, user, points_from_row))
            .await
    }

    async fn earn_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        earn: PointDelta,
    ) -> StoreResult<Points> {
        earn.validate()?;
        self.write(streamer, move |tx, now| {
            let booking = Booking::earn(earn.amount, earn.source, earn.description);
            let moved = move_by(tx, streamer, user, booking, now)?;
            record(tx, streamer, now, moved.event.as_slice())?;
            Ok(moved.points)
        })
        .await
    }

    async fn spend_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        spend: PointDelta,
    ) -> StoreResult<Points> {
        spend.validate()?;
        self.write(streamer, move |tx, now| {
            let booking = Booking::spend(spend.amount, spend.source, spend.description);
            let moved = move_by(tx, streamer, user, booking, now)?;
            record(tx, streamer, now, moved.event.as_slice())?;
            Ok(moved.points)
        })
        .await
    }

    async fn set_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        set: AdminSetPoints,
    ) -> StoreResult<Points> {
        set.validate()?;
        self.write(streamer, move |tx, now| {
            let holder = user_balance(tx, streamer, user)?;
            let amount = set.channel_points - holder.points.channel_points;
            let description = set.ledger_description();
            let after = move_points(
                tx,
                streamer,
                user,
                &holder.points,
                set.channel_points,
                amount,
                PointSource::Admin,
                Some(&description),
                now,
            )?;
            let after = match set.drop_points {
                Some(d) => store_points(
                    tx,
                    streamer,
                    user,
                    after.channel_points,
                    d,
                    after.total_drops,
                    now,
                )?,
                None => after,
            };
            // The one ledger row, with the balances after the whole write (drop points too).
            let changed = EventData::PointsChanged {
                viewer: holder.balances(user, &after),
                amount,
                source: PointSource::Admin,
                description: Some(description),
            };
            record(tx, streamer, now, &[changed])?;
            Ok(after)
        })
        .await
    }

    async fn add_drop_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        drop: NewDrop,
    ) -> StoreResult<Points> {
        drop.validate()?;
        self.write(streamer, move |tx, now| {
            let holder = user_balance(tx, streamer, user)?;
            let before = &holder.points;
            let drop_points = validate::add_to_balance("score", before.drop_points, drop.score)?;
            let after = store_points(
                tx,
                streamer,
                user,
                before.channel_points,
                drop_points,
                before.total_drops + 1,
                now,
            )?;
            tx.prepare_cached(
                "INSERT INTO drop_history (streamer_id, user_id, score, is_perfect, powerup_used, \
                 created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .db()?
            .execute(params![
                streamer.0,
                user.0,
                drop.score,
                drop.is_perfect,
                drop.powerup_used.map(|p| p.as_str()),
                now.as_millis()
            ])
            .db()?;
            // No ledger row: the drop's own event only.
            let recorded = EventData::DropRecorded {
                viewer: holder.balances(user, &after),
                score: drop.score,
                is_perfect: drop.is_perfect,
                powerup_used: drop.powerup_used,
            };
            record(tx, streamer, now, &[recorded])?;
            Ok(after)
        })
        .await
    }

    async fn leaderboard(
        &self,
        streamer: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>> {
        validate::limit(limit)?;
        let current = self.boards.generation(streamer);
        if let Some(rows) = self.boards.get(streamer, limit, current) {
            return Ok(rows);
        }
        let rows = self.read_one(move |c, _| {
            let rows = c
                .prepare_cached(
                    "SELECT p.user_id, u.username, p.channel_points, p.drop_points, p.total_drops \
                     FROM user_points p JOIN users u ON u.streamer_id = p.streamer_id AND u.id = p.user_id \
                     WHERE p.streamer_id = ?1 AND p.channel_points + p.drop_points > 0 \
                     ORDER BY p.channel_points + p.drop_points DESC, p.user_id LIMIT ?2",
                )
                .db()?
                .query_map(params![streamer.0, limit], board_entry)
                .db()?
                .collect::<rusqlite::Result<Vec<_>>>()
                .db()?;
            Ok(ranked(rows))
        })
        .await?;
        self.boards.put(streamer, limit, current, &rows);
        Ok(rows)
    }

    async fn drop_leaderboard(
        &self,
        streamer: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>> {
        validate::limit(limit)?;
        // Not cached, unlike `leaderboard`: chat asks for it under a command cooldown, not an
        // overlay every few seconds, and the partial index `user_points_by_drops` (migration
        // 010) reads just the rows it returns. Every read is fresh, so it can never be stale.
        self.read_one(move |c, _| {
            let rows = c
                .prepare_cached(
                    "SELECT p.user_id, u.username, p.channel_points, p.drop_points, p.total_drops \
                     FROM user_points p JOIN users u ON u.streamer_id = p.streamer_id AND u.id = p.user_id \
                     WHERE p.streamer_id = ?1 AND p.drop_points > 0 \
                     ORDER BY p.drop_points DESC, p.user_id LIMIT ?2",
                )
                .db()?
                .query_map(params![streamer.0, limit], board_entry)
                .db()?
                .collect::<rusqlite::Result<Vec<_>>>()
                .db()?;
            Ok(ranked(rows))
        })
        .await
    }

    async fn points_summary(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<SourceSummary>>> {
        self.read_long(move |c, _| {
            users::joined_rows(
                c,
                "SELECT t.source, sum(t.amount) AS total, count(t.id) AS transactions \
                 FROM users u LEFT JOIN point_transactions t \
                 ON t.streamer_id = u.streamer_id AND t.user_id = u.id \
                 WHERE u.streamer_id = ?1 AND u.id = ?2 GROUP BY t.source ORDER BY t.source",
                [streamer.0, user.0],
                "source",
                |r| {
                    Ok(SourceSummary {
                        source: parse(r, "source")?,
                        total: r.get("total")?,
                        transactions: r.get::<_, Count>("transactions")?.0,
                    })
                },
            )
        })
        .await
    }

    async fn transaction_history(
        &self,
        streamer: StreamerId,
        user: UserId,
        page: HistoryRequest,
    ) -> StoreResult<Option<Vec<PointTransaction>>> {
        validate::limit(page.limit)?;
        self.read_one(move |c, _| {
            users::joined_rows(
                c,
                "SELECT t.id, t.user_id, t.amount, t.source, t.description, t.created_at \
                 FROM users u LEFT JOIN point_transactions t \
                 ON t.streamer_id = u.streamer_id AND t.user_id = u.id \
                 AND (?3 IS NULL OR t.id < ?3) \
                 WHERE u.streamer_id = ?1 AND u.id = ?2 ORDER BY t.id DESC LIMIT ?4",
                params![streamer.0, user.0, page.before.map(|b| b.0), page.limit],
                "id",
                ledger_from_row,
            )
        })
        .await
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
        // The names go to SQLite as one JSON array: each step below is one set-based statement
        // over `json_each`, not one statement per viewer.
        let names_json = serde_json::to_string(&names).map_err(StoreError::backend)?;
        // One transaction: any failure (a balance that would overflow) leaves nothing written.
        self.write_long(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            let (s, at) = (streamer.0, now.as_millis());
            // New viewers first, in the order of first mention.
            let created = tx
                .prepare_cached(
                    "INSERT INTO users (streamer_id, username, created_at, updated_at) \
                     SELECT ?1, j.value, ?2, ?2 FROM json_each(?3) j WHERE NOT EXISTS \
                     (SELECT 1 FROM users u WHERE u.streamer_id = ?1 AND u.username = j.value) \
                     ORDER BY j.key",
                )
                .db()?
                .execute(params![s, at, names_json])
                .db()?;
            // A balance the award would push past the maximum fails the whole award.
            let too_rich: Option<i64> = tx
                .prepare_cached(
                    "SELECT p.channel_points FROM json_each(?2) j \
                     CROSS JOIN users u ON u.streamer_id = ?1 AND u.username = j.value \
                     JOIN user_points p ON p.streamer_id = u.streamer_id AND p.user_id = u.id \
                     WHERE p.channel_points > ?3 LIMIT 1",
                )
                .db()?
                .query_row(
                    params![s, names_json, validate::MAX_BALANCE - award.amount],
                    |r| r.get(0),
                )
                .db_optional()?;
            if let Some(balance) = too_rich {
                validate::add_to_balance("amount", balance, award.amount)?;
            }
            tx.prepare_cached(
                "INSERT INTO user_points (streamer_id, user_id, channel_points, drop_points, \
                 total_drops, last_updated) \
                 SELECT ?1, u.id, ?2, 0, 0, ?3 FROM json_each(?4) j \
                 CROSS JOIN users u ON u.streamer_id = ?1 AND u.username = j.value WHERE true \
                 ON CONFLICT (streamer_id, user_id) DO UPDATE SET \
                 channel_points = channel_points + excluded.channel_points, \
                 last_updated = excluded.last_updated",
            )
            .db()?
            .execute(params![s, award.amount, at, names_json])
            .db()?;
            // The ledger rows, in the order of first mention.
            tx.prepare_cached(
                "INSERT INTO point_transactions (streamer_id, user_id, amount, source, \
                 description, created_at) \
                 SELECT ?1, u.id, ?2, ?3, ?4, ?5 FROM json_each(?6) j \
                 CROSS JOIN users u ON u.streamer_id = ?1 AND u.username = j.value \
                 ORDER BY j.key",
            )
            .db()?
            .execute(params![
                s,
                award.amount,
                award.source.as_str(),
                award.description.as_deref(),
                at,
                names_json
            ])
            .db()?;
            // One event per ledger row, in the same order.
            let events: Vec<EventData> = awarded_balances(tx, streamer, &names_json)?
                .into_iter()
                .map(|viewer| EventData::PointsChanged {
                    viewer,
                    amount: award.amount,
                    source: award.source,
                    description: award.description.clone(),
                })
                .collect();
            record(tx, streamer, now, &events)?;
            Ok(BulkAward {
                awarded: names.len() as u64,
                created: created as u64,
            })
        })
        .await
    }
}
