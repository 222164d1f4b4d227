//! Streamers: the tenants, and the root every other table cascades from. Creating, listing and
//! finding streamers by name or Kick id are the operator's operations; reading, updating and
//! deleting a streamer run as that streamer, so row-level security guards them too. Listing the
//! live streamers starts as the operator and reads each stream's state as its streamer.

use crate::convert::{get, ts};
use crate::lookups::require_streamer;
use crate::store::PgStore;
use crate::tx::Tx;
use async_trait::async_trait;
use datastore::{
    ConflictKind, NewStreamer, Resource, StoreError, StoreResult, Streamer, StreamerId,
    StreamerStore, StreamerUpdate, default_powerups,
};
use tokio_postgres::Row;

const COLUMNS: &str =
    "id, kick_user_id, username, display_name, avatar_url, created_at, updated_at";

fn from_row(r: &Row) -> StoreResult<Streamer> {
    Ok(Streamer {
        id: StreamerId(get(r, "id")?),
        kick_user_id: get(r, "kick_user_id")?,
        username: get(r, "username")?,
        display_name: get(r, "display_name")?,
        avatar_url: get(r, "avatar_url")?,
        created_at: ts(r, "created_at")?,
        updated_at: ts(r, "updated_at")?,
    })
}

/// Streamer `s` as the transaction `tx` sees it (`None` when there is no such streamer).
pub(crate) async fn read(tx: &Tx, s: StreamerId) -> StoreResult<Option<Streamer>> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM streamers WHERE streamers.id = $1"),
        &[&s.0],
    )
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// `Conflict(StreamerUsername)` when a streamer has this username. Checked before the insert
/// so that a username and a Kick id colliding at once report the username, as every backend
/// does; the unique index stays the guarantee. Runs as the operator: the names of other
/// streamers are not a tenant's to read. (An update relies on the indexes alone, which check
/// the username first.)
async fn check_username_free(tx: &Tx, username: &str) -> StoreResult<()> {
    let taken = tx
        .query_opt(
            "SELECT 1 FROM streamers WHERE username_key = fold($1)",
            &[&username],
        )
        .await?;
    match taken {
        Some(_) => Err(StoreError::conflict(ConflictKind::StreamerUsername)),
        None => Ok(()),
    }
}

impl PgStore {
    /// The streamer `filter` (a condition on `$1`) selects, read as the operator.
    async fn streamer_by(
        &self,
        filter: &str,
        value: &(dyn tokio_postgres::types::ToSql + Sync),
    ) -> StoreResult<Option<Streamer>> {
        let tx = self.operator().await?;
        let sql = format!("SELECT {COLUMNS} FROM streamers WHERE {filter}");
        let row = tx.query_opt(&sql, &[value]).await;
        let row = tx.finish(row).await?;
        row.as_ref().map(from_row).transpose()
    }
}

#[async_trait]
impl StreamerStore for PgStore {
    async fn create_streamer(&self, new: NewStreamer) -> StoreResult<Streamer> {
        new.validate()?;
        let now = self.now();
        let tx = self.operator().await?;
        let created = async {
            check_username_free(&tx, &new.username).await?;
            let display_name = new.display_name.as_ref().unwrap_or(&new.username);
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO streamers (kick_user_id, username, display_name, avatar_url, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"
                    ),
                    &[
                        &new.kick_user_id,
                        &new.username,
                        display_name,
                        &new.avatar_url,
                        &now.as_millis(),
                    ],
                )
                .await?;
            let streamer = from_row(&row)?;
            // The new streamer's own rows are written as that streamer.
            tx.execute(
                "SELECT set_config('kickoverlay.streamer_id', $1, true)",
                &[&streamer.id.0.to_string()],
            )
            .await?;
            for (kind, config) in default_powerups() {
                crate::powerups::insert_config(&tx, streamer.id, kind, &config, now).await?;
            }
            Ok(streamer)
        }
        .await;
        tx.finish(created).await
    }

    async fn get_streamer(&self, id: StreamerId) -> StoreResult<Option<Streamer>> {
        let tx = self.tenant(id).await?;
        let streamer = read(&tx, id).await;
        tx.finish(streamer).await
    }

    async fn get_streamer_by_username(&self, username: &str) -> StoreResult<Option<Streamer>> {
        self.streamer_by("username_key = fold($1)", &username).await
    }

    async fn get_streamer_by_kick_user_id(
        &self,
        kick_user_id: i64,
    ) -> StoreResult<Option<Streamer>> {
        self.streamer_by("kick_user_id = $1", &kick_user_id).await
    }

    async fn update_streamer(
        &self,
        id: StreamerId,
        update: StreamerUpdate,
    ) -> StoreResult<Streamer> {
        update.validate()?;
        let now = self.now();
        let tx = self.tenant(id).await?;
        let updated = async {
            require_streamer(&tx, id).await?;
            let row = tx
                .query_opt(
                    &format!(
                        "UPDATE streamers SET username = coalesce($2, username), \
                         display_name = coalesce($3, display_name), \
                         kick_user_id = CASE WHEN $4 THEN $5 ELSE kick_user_id END, \
                         avatar_url = CASE WHEN $6 THEN $7 ELSE avatar_url END, updated_at = $8 \
                         WHERE streamers.id = $1 RETURNING {COLUMNS}"
                    ),
                    &[
                        &id.0,
                        &update.username,
                        &update.display_name,
                        &update.kick_user_id.is_some(),
                        &update.kick_user_id.flatten(),
                        &update.avatar_url.is_some(),
                        &update.avatar_url.clone().flatten(),
                        &now.as_millis(),
                    ],
                )
                .await?
                .ok_or(StoreError::not_found(Resource::Streamer))?;
            from_row(&row)
        }
        .await;
        tx.finish(updated).await
    }

    async fn list_streamers(&self) -> StoreResult<Vec<Streamer>> {
        let tx = self.operator().await?;
        let rows = tx
            .query(&format!("SELECT {COLUMNS} FROM streamers ORDER BY id"), &[])
            .await;
        let rows = tx.finish(rows).await?;
        rows.iter().map(from_row).collect()
    }

    async fn list_live_streamers(&self) -> StoreResult<Vec<StreamerId>> {
        // The operator lists the streamers; each one's live flag is then read as that streamer,
        // in the same transaction, so the operator never reads a tenant's row and every read
        // of `stream_states` stays behind both walls. One short statement per streamer, on one
        // connection, once a minute.
        let tx = self.operator().await?;
        let live = async {
            let rows = tx
                .query("SELECT id FROM streamers ORDER BY id", &[])
                .await?;
            let mut live = Vec::new();
            for r in &rows {
                let id = StreamerId(get(r, "id")?);
                tx.execute(
                    "SELECT set_config('kickoverlay.streamer_id', $1, true), \
                     set_config('kickoverlay.operator', '', true)",
                    &[&id.0.to_string()],
                )
                .await?;
                let state = tx
                    .query_opt(
                        "SELECT live FROM stream_states WHERE streamer_id = $1",
                        &[&id.0],
                    )
                    .await?;
                if let Some(state) = state
                    && get::<bool>(&state, "live")?
                {
                    live.push(id);
                }
            }
            Ok(live)
        }
        .await;
        tx.finish(live).await
    }

    async fn delete_streamer(&self, id: StreamerId) -> StoreResult<()> {
        // Every tenant table cascades from `streamers`: one statement removes everything the
        // streamer owns, inside this transaction (foreign-key cascades are not subject to row
        // security).
        let tx = self.tenant(id).await?;
        let deleted = tx
            .execute("DELETE FROM streamers WHERE streamers.id = $1", &[&id.0])
            .await;
        let deleted = match deleted {
            Ok(0) => Err(StoreError::not_found(Resource::Streamer)),
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        };
        tx.finish(deleted).await
    }
}
