//! Streamers: the tenants, and the root every other table cascades from.

use crate::convert::{Db, DbOptional, ts};
use crate::lookups::require_streamer;
use crate::store::SqliteStore;
use crate::stream_state::live_streamers;
use async_trait::async_trait;
use datastore::{
    ConflictKind, NewStreamer, Resource, StoreError, StoreResult, Streamer, StreamerId,
    StreamerStore, StreamerUpdate, default_powerups,
};
use rusqlite::{Connection, Row, params};

pub(crate) const COLUMNS: &str =
    "id, kick_user_id, username, display_name, avatar_url, created_at, updated_at";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Streamer> {
    Ok(Streamer {
        id: StreamerId(r.get("id")?),
        kick_user_id: r.get("kick_user_id")?,
        username: r.get("username")?,
        display_name: r.get("display_name")?,
        avatar_url: r.get("avatar_url")?,
        created_at: ts(r, "created_at")?,
        updated_at: ts(r, "updated_at")?,
    })
}

/// `Conflict(StreamerUsername)` when a streamer other than `except` has this username. Checked
/// before the write so that a username and a Kick id colliding at once report the username,
/// as every backend does; the unique index stays the guarantee.
fn check_username_free(conn: &Connection, username: &str, except: i64) -> StoreResult<()> {
    let taken = conn
        .prepare_cached("SELECT 1 FROM streamers WHERE username = ?1 AND id <> ?2")
        .db()?
        .query_row(params![username, except], |_| Ok(()))
        .db_optional()?;
    match taken {
        Some(()) => Err(StoreError::conflict(ConflictKind::StreamerUsername)),
        None => Ok(()),
    }
}

/// The streamer `filter` (a condition on `?1`) selects.
pub(crate) fn get_by(
    conn: &Connection,
    filter: &str,
    value: &dyn rusqlite::ToSql,
) -> StoreResult<Option<Streamer>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM streamers WHERE {filter}"))
        .db()?
        .query_row([value], from_row)
        .db_optional()
}

#[async_trait]
impl StreamerStore for SqliteStore {
    async fn create_streamer(&self, new: NewStreamer) -> StoreResult<Streamer> {
        new.validate()?;
        // No board to invalidate: a new id has never had users (ids are never reused).
        self.write(None, move |tx, now| {
            check_username_free(tx, &new.username, 0)?;
            let display_name = new
                .display_name
                .clone()
                .unwrap_or_else(|| new.username.clone());
            let streamer = tx
                .prepare_cached(&format!(
                    "INSERT INTO streamers (kick_user_id, username, display_name, avatar_url, \
                     created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING {COLUMNS}"
                ))
                .db()?
                .query_row(
                    params![
                        new.kick_user_id,
                        new.username,
                        display_name,
                        new.avatar_url,
                        now.as_millis()
                    ],
                    from_row,
                )
                .db()?;
            for (kind, config) in default_powerups() {
                crate::powerups::insert_config(tx, streamer.id, kind, &config, now)?;
            }
            Ok(streamer)
        })
        .await
    }

    async fn get_streamer(&self, id: StreamerId) -> StoreResult<Option<Streamer>> {
        self.read_one(move |c, _| get_by(c, "streamers.id = ?1", &id.0))
            .await
    }

    async fn get_streamer_by_username(&self, username: &str) -> StoreResult<Option<Streamer>> {
        let username = username.to_owned();
        self.read_one(move |c, _| get_by(c, "username = ?1", &username))
            .await
    }

    async fn get_streamer_by_kick_user_id(
        &self,
        kick_user_id: i64,
    ) -> StoreResult<Option<Streamer>> {
        self.read(move |c, _| get_by(c, "kick_user_id = ?1", &kick_user_id))
            .await
    }

    async fn update_streamer(
        &self,
        id: StreamerId,
        update: StreamerUpdate,
    ) -> StoreResult<Streamer> {
        update.validate()?;
        self.write(id, move |tx, now| {
            require_streamer(tx, id)?;
            if let Some(name) = &update.username {
                check_username_free(tx, name, id.0)?;
            }
            tx.prepare_cached(&format!(
                "UPDATE streamers SET username = coalesce(?2, username), \
                 display_name = coalesce(?3, display_name), \
                 kick_user_id = CASE WHEN ?4 THEN ?5 ELSE kick_user_id END, \
                 avatar_url = CASE WHEN ?6 THEN ?7 ELSE avatar_url END, updated_at = ?8 \
                 WHERE streamers.id = ?1 RETURNING {COLUMNS}"
            ))
            .db()?
            .query_row(
                params![
                    id.0,
                    update.username,
                    update.display_name,
                    update.kick_user_id.is_some(),
                    update.kick_user_id.flatten(),
                    update.avatar_url.is_some(),
                    update.avatar_url.clone().flatten(),
                    now.as_millis()
                ],
                from_row,
            )
            .db_optional()?
            .ok_or(StoreError::not_found(Resource::Streamer))
        })
        .await
    }

    async fn list_streamers(&self) -> StoreResult<Vec<Streamer>> {
        self.read_long(|c, _| {
            c.prepare_cached(&format!("SELECT {COLUMNS} FROM streamers ORDER BY id"))
                .db()?
                .query_map([], from_row)
                .db()?
                .collect::<rusqlite::Result<_>>()
                .db()
        })
        .await
    }

    async fn list_live_streamers(&self) -> StoreResult<Vec<StreamerId>> {
        // A point read per streamer: on the blocking pool, in one snapshot.
        self.read_long(|c, _| live_streamers(c)).await
    }

    async fn delete_streamer(&self, id: StreamerId) -> StoreResult<()> {
        // Every tenant table cascades from `streamers`: one statement removes everything the
        // streamer owns, inside this transaction.
        self.write_erasing(id, move |tx, _| {
            let deleted = tx
                .prepare_cached("DELETE FROM streamers WHERE streamers.id = ?1")
                .db()?
                .execute([id.0])
                .db()?;
            if deleted == 0 {
                return Err(StoreError::not_found(Resource::Streamer));
            }
            Ok(())
        })
        .await
    }
}
