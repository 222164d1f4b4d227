//! Users: the chat viewers of one streamer, and the user-row conversion and lookups the
//! other modules share (`from_row`, `by_name`, `insert`).

use crate::convert::{count, get, ts};
use crate::events::forget_viewer;
use crate::lookups::require_streamer;
use crate::points::points_from_row;
use crate::store::PgStore;
use crate::tx::Tx;
use async_trait::async_trait;
use datastore::{
    EventData, Page, PageRequest, ProfileUpdate, Resource, StoreError, StoreResult, StreamerId,
    Timestamp, User, UserId, UserLookup, UserStore, UserWithPoints, validate,
};
use tokio_postgres::Row;

/// The columns of `users`, as [`from_row`] reads them.
pub(crate) const COLUMNS: &str =
    "id, streamer_id, username, voice_id, drop_image, country, created_at, updated_at";

/// The columns of `users`, qualified by the alias `u` (for joins).
pub(crate) const U_COLUMNS: &str = "u.id, u.streamer_id, u.username, u.voice_id, u.drop_image, \
     u.country, u.created_at, u.updated_at";

/// A user from a row holding [`COLUMNS`] (or [`U_COLUMNS`]).
pub(crate) fn from_row(r: &Row) -> StoreResult<User> {
    Ok(User {
        id: UserId(get(r, "id")?),
        streamer_id: StreamerId(get(r, "streamer_id")?),
        username: get(r, "username")?,
        voice_id: get(r, "voice_id")?,
        drop_image: get(r, "drop_image")?,
        country: get(r, "country")?,
        created_at: ts(r, "created_at")?,
        updated_at: ts(r, "updated_at")?,
    })
}

/// The user of this streamer with this name (ignoring ASCII case).
pub(crate) async fn by_name(tx: &Tx, s: StreamerId, username: &str) -> StoreResult<Option<User>> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM users WHERE streamer_id = $1 AND username_key = fold($2)"),
        &[&s.0, &username],
    )
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// Creates a user of an existing streamer, unless the streamer has a user of that name
/// already (ignoring ASCII case), perhaps one a concurrent transaction just committed:
/// `None` then.
pub(crate) async fn insert(
    tx: &Tx,
    s: StreamerId,
    username: &str,
    now: Timestamp,
) -> StoreResult<Option<User>> {
    tx.query_opt(
        &format!(
            "INSERT INTO users (streamer_id, username, created_at, updated_at) \
             VALUES ($1, $2, $3, $3) ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
        ),
        &[&s.0, &username, &now.as_millis()],
    )
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// How many users the streamer has.
async fn count_of(tx: &Tx, s: StreamerId) -> StoreResult<u64> {
    let row = tx
        .query_one(
            "SELECT count(*)::bigint AS n FROM users WHERE streamer_id = $1",
            &[&s.0],
        )
        .await?;
    count(&row, "n")
}

#[async_trait]
impl UserStore for PgStore {
    async fn get_or_create_user(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<UserLookup> {
        validate::username(username)?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            require_streamer(&tx, streamer).await?;
            if let Some(user) = by_name(&tx, streamer, username).await? {
                return Ok(UserLookup {
                    user,
                    created: false,
                });
            }
            if let Some(user) = insert(&tx, streamer, username, now).await? {
                return Ok(UserLookup {
                    user,
                    created: true,
                });
            }
            // A concurrent call created it after our lookup: it is committed now.
            let user = by_name(&tx, streamer, username)
                .await?
                .ok_or_else(|| StoreError::backend("a user vanished while being created"))?;
            Ok(UserLookup {
                user,
                created: false,
            })
        }
        .await;
        tx.finish(out).await
    }

    async fn get_user(&self, streamer: StreamerId, user: UserId) -> StoreResult<Option<User>> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                &format!("SELECT {COLUMNS} FROM users WHERE streamer_id = $1 AND id = $2"),
                &[&streamer.0, &user.0],
            )
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(from_row).transpose()
    }

    async fn get_user_by_username(
        &self,
        streamer: StreamerId,
        username: &str,
    ) -> StoreResult<Option<User>> {
        let tx = self.tenant(streamer).await?;
        let user = by_name(&tx, streamer, username).await;
        tx.finish(user).await
    }

    async fn update_user_profile(
        &self,
        streamer: StreamerId,
        user: UserId,
        update: ProfileUpdate,
    ) -> StoreResult<User> {
        let update = update.validated()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let updated = async {
            let row = tx
                .query_opt(
                    &format!(
                        "UPDATE users SET \
                     voice_id = CASE WHEN $3 THEN $4 ELSE voice_id END, \
                     drop_image = CASE WHEN $5 THEN $6 ELSE drop_image END, \
                     country = CASE WHEN $7 THEN $8 ELSE country END, updated_at = $9 \
                     WHERE streamer_id = $1 AND id = $2 RETURNING {COLUMNS}"
                    ),
                    &[
                        &streamer.0,
                        &user.0,
                        &update.voice_id.is_some(),
                        &update.voice_id.clone().flatten(),
                        &update.drop_image.is_some(),
                        &update.drop_image.clone().flatten(),
                        &update.country.is_some(),
                        &update.country.clone().flatten(),
                        &now.as_millis(),
                    ],
                )
                .await?
                .ok_or(StoreError::not_found(Resource::User))?;
            let user = from_row(&row)?;
            let event = EventData::ViewerChanged { user: user.clone() };
            self.record(&tx, streamer, now, [event]).await?;
            Ok(user)
        }
        .await;
        tx.finish(updated).await
    }

    async fn delete_user(&self, streamer: StreamerId, user: UserId) -> StoreResult<()> {
        // Every table that hangs off a user cascades through (streamer_id, user_id).
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let deleted = async {
            let deleted = tx
                .execute(
                    "DELETE FROM users WHERE streamer_id = $1 AND id = $2",
                    &[&streamer.0, &user.0],
                )
                .await?;
            if deleted == 0 {
                return Err(StoreError::not_found(Resource::User));
            }
            // Their earlier events lose their name too.
            forget_viewer(&tx, streamer, user).await?;
            let event = EventData::ViewerRemoved { user_id: user };
            self.record(&tx, streamer, now, [event]).await
        }
        .await;
        tx.finish(deleted).await
    }

    async fn list_users_with_points(
        &self,
        streamer: StreamerId,
        page: PageRequest,
    ) -> StoreResult<Page<UserWithPoints>> {
        validate::limit(page.limit)?;
        // The page and the total from one snapshot.
        let tx = self.snapshot(streamer).await?;
        let out = async {
            let total = count_of(&tx, streamer).await?;
            let rows = tx
                .query(
                    &format!(
                        "SELECT {U_COLUMNS}, p.channel_points, p.drop_points, p.total_drops, \
                         p.last_updated FROM users u LEFT JOIN user_points p \
                         ON p.streamer_id = u.streamer_id AND p.user_id = u.id \
                         WHERE u.streamer_id = $1 ORDER BY u.id LIMIT $2 OFFSET $3"
                    ),
                    &[
                        &streamer.0,
                        &i64::from(page.limit),
                        &i64::try_from(page.offset).unwrap_or(i64::MAX),
                    ],
                )
                .await?;
            let items = rows
                .iter()
                .map(|r| {
                    Ok(UserWithPoints {
                        user: from_row(r)?,
                        points: points_from_row(r)?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Page { items, total })
        }
        .await;
        tx.finish(out).await
    }

    async fn count_users(&self, streamer: StreamerId) -> StoreResult<u64> {
        let tx = self.tenant(streamer).await?;
        let n = count_of(&tx, streamer).await;
        tx.finish(n).await
    }
}
