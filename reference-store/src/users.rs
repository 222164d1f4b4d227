//! Users: the chat viewers of one streamer.

use crate::convert::{Count, Db, DbOptional, ts_at};
use crate::events::{forget_viewer, record};
use crate::lookups::require_streamer;
use crate::store::SqliteStore;
use async_trait::async_trait;
use datastore::{
    EventData, Page, PageRequest, Points, ProfileUpdate, Resource, StoreError, StoreResult,
    StreamerId, Timestamp, User, UserId, UserLookup, UserStore, UserWithPoints, validate,
};
use rusqlite::{Connection, Row, params};

/// The columns of `users`, as a literal for `concat!`.
macro_rules! user_columns {
    () => {
        "id, streamer_id, username, voice_id, drop_image, country, created_at, updated_at"
    };
}

/// The columns of `users`, in the order [`from_row`] reads them.
pub(crate) const COLUMNS: &str = user_columns!();

/// The columns of `users`, qualified by the alias `u` (for joins).
pub(crate) const U_COLUMNS: &str = "u.id, u.streamer_id, u.username, u.voice_id, u.drop_image, \
     u.country, u.created_at, u.updated_at";

/// A user from a row whose first columns are [`COLUMNS`] or [`U_COLUMNS`], read by position
/// (a name lookup per column is a measurable part of a point read).
pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: UserId(r.get(0)?),
        streamer_id: StreamerId(r.get(1)?),
        username: r.get(2)?,
        voice_id: r.get(3)?,
        drop_image: r.get(4)?,
        country: r.get(5)?,
        created_at: ts_at(r, 6, "created_at")?,
        updated_at: ts_at(r, 7, "updated_at")?,
    })
}

/// A user's balances as the `LEFT JOIN user_points p` columns `channel_points`,
/// `drop_points`, `total_drops` and `last_updated` give them: zeros when there is no row.
pub(crate) fn points_from_row(r: &Row<'_>) -> rusqlite::Result<Points> {
    let last: Option<i64> = r.get("last_updated")?;
    Ok(match last {
        None => Points::ZERO,
        Some(ms) => Points {
            channel_points: r.get("channel_points")?,
            drop_points: r.get("drop_points")?,
            total_drops: r.get("total_drops")?,
            last_updated: Some(Timestamp::from_millis(ms).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Integer,
                    e.to_string().into(),
                )
            })?),
        },
    })
}

/// The user of this streamer with this name (ignoring ASCII case).
pub(crate) fn by_name(
    conn: &Connection,
    s: StreamerId,
    username: &str,
) -> StoreResult<Option<User>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE streamer_id = ?1 AND username = ?2"
    ))
    .db()?
    .query_row(params![s.0, username], from_row)
    .db_optional()
}

/// Creates a user of an existing streamer.
pub(crate) fn insert(
    conn: &Connection,
    s: StreamerId,
    username: &str,
    now: Timestamp,
) -> StoreResult<User> {
    conn.prepare_cached(&format!(
        "INSERT INTO users (streamer_id, username, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?3) RETURNING {COLUMNS}"
    ))
    .db()?
    .query_row(params![s.0, username, now.as_millis()], from_row)
    .db()
}

/// The rows of one user's table that `sql` selects as `users u LEFT JOIN <table>`, keyed by
/// the user: `None` when the streamer has no such user (no row at all), an empty list when the
/// user has no rows there (one row whose `present` column is NULL). Existence and contents
/// come from one statement, so its tenant predicate alone decides what is seen.
pub(crate) fn joined_rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    present: &str,
    mut map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Option<Vec<T>>> {
    let rows = conn
        .prepare_cached(sql)
        .db()?
        .query_map(params, |r| match r.get_ref(present)? {
            rusqlite::types::ValueRef::Null => Ok(None),
            _ => map(r).map(Some),
        })
        .db()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .db()?;
    Ok((!rows.is_empty()).then(|| rows.into_iter().flatten().collect()))
}

/// Applies a validated profile update to a user of this streamer and returns them after it
/// (`NotFound(User)` for a missing user). Records nothing: the caller decides what it tells.
pub(crate) fn update_user_profile(
    conn: &Connection,
    streamer: StreamerId,
    user: UserId,
    update: &ProfileUpdate,
    now: Timestamp,
) -> StoreResult<User> {
    conn.prepare_cached(&format!(
        "UPDATE users SET \
         voice_id = CASE WHEN ?3 THEN ?4 ELSE voice_id END, \
         drop_image = CASE WHEN ?5 THEN ?6 ELSE drop_image END, \
         country = CASE WHEN ?7 THEN ?8 ELSE country END, updated_at = ?9 \
         WHERE streamer_id = ?1 AND id = ?2 RETURNING {COLUMNS}"
    ))
    .db()?
    .query_row(
        params![
            streamer.0,
            user.0,
            update.voice_id.is_some(),
            update.voice_id.clone().flatten(),
            update.drop_image.is_some(),
            update.drop_image.clone().flatten(),
            update.country.is_some(),
            update.country.clone().flatten(),
            now.as_millis()
        ],
        from_row,
    )
    .db_optional()?
    .ok_or(StoreError::not_found(Resource::User))
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn get_or_create_user(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<UserLookup> {
        validate::username(username)?;
        let username = username.to_owned();
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            if let Some(user) = by_name(tx, streamer, &username)? {
                return Ok(UserLookup {
                    user,
                    created: false,
                });
            }
            let user = insert(tx, streamer, &username, now)?;
            Ok(UserLookup {
                user,
                created: true,
            })
        })
        .await
    }

    async fn get_user(&self, streamer: StreamerId, user: UserId) -> StoreResult<Option<User>> {
        self.read_one(move |c, _| {
            c.prepare_cached(concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE streamer_id = ?1 AND id = ?2"
            ))
            .db()?
            .query_row([streamer.0, user.0], from_row)
            .db_optional()
        })
        .await
    }

    async fn get_user_by_username(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<Option<User>> {
        let username = username.to_owned();
        self.read_one(move |c, _| by_name(c, streamer, &username))
            .await
    }

    async fn update_user_profile(
        &self,
        streamer: StreamerId,
        user: UserId,
        update: ProfileUpdate,
    ) -> StoreResult<User> {
        let update = update.validated()?;
        self.write(streamer, move |tx, now| {
            let after = update_user_profile(tx, streamer, user, &update, now)?;
            let changed = EventData::ViewerChanged {
                user: after.clone(),
            };
            record(tx, streamer, now, &[changed])?;
            Ok(after)
        })
        .await
    }

    async fn delete_user(&self, streamer: StreamerId, user: UserId) -> StoreResult<()> {
        // Every table that hangs off a user cascades through (streamer_id, user_id).
        self.write_erasing(streamer, move |tx, now| {
            let deleted = tx
                .prepare_cached("DELETE FROM users WHERE streamer_id = ?1 AND id = ?2")
                .db()?
                .execute([streamer.0, user.0])
                .db()?;
            if deleted == 0 {
                return Err(StoreError::not_found(Resource::User));
            }
            // Their earlier events lose their name too (secure_delete zeroes the old payloads'
            // bytes; write_erasing empties the log that still holds them).
            forget_viewer(tx, streamer, user)?;
            record(
                tx,
                streamer,
                now,
                &[EventData::ViewerRemoved { user_id: user }],
            )
        })
        .await
    }

    async fn list_users_with_points(
        &self,
        streamer: StreamerId,
        page: PageRequest,
    ) -> StoreResult<Page<UserWithPoints>> {
        validate::limit(page.limit)?;
        self.read(move |c, _| {
            let total = count(c, streamer)?;
            let items = c
                .prepare_cached(&format!(
                    "SELECT {U_COLUMNS}, p.channel_points, p.drop_points, p.total_drops, \
                     p.last_updated FROM users u LEFT JOIN user_points p \
                     ON p.streamer_id = u.streamer_id AND p.user_id = u.id \
                     WHERE u.streamer_id = ?1 ORDER BY u.id LIMIT ?2 OFFSET ?3"
                ))
                .db()?
                .query_map(
                    params![
                        streamer.0,
                        page.limit,
                        i64::try_from(page.offset).unwrap_or(i64::MAX)
                    ],
                    |r| {
                        Ok(UserWithPoints {
                            user: from_row(r)?,
                            points: points_from_row(r)?,
                        })
                    },
                )
                .db()?
                .collect::<rusqlite::Result<_>>()
                .db()?;
            Ok(Page { items, total })
        })
        .await
    }

    async fn count_users(&self, streamer: StreamerId) -> StoreResult<u64> {
        self.read_long(move |c, _| count(c, streamer)).await
    }
}

fn count(c: &Connection, streamer: StreamerId) -> StoreResult<u64> {
    Ok(
        c.prepare_cached("SELECT count(*) FROM users WHERE streamer_id = ?1")
            .db()?
            .query_row([streamer.0], |r| r.get::<_, Count>(0))
            .db()?
            .0,
    )
}
