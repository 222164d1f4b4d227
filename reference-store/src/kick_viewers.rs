//! Kick users as a streamer's viewers: the link from a Kick user id to a viewer
//! (`kick_viewers`), and how a delivery's [`KickViewer`] resolves to one (the rule is
//! [`datastore::KickStore`]'s).

use crate::convert::{Db, DbOptional};
use crate::users::{self, COLUMNS, U_COLUMNS, from_row};
use datastore::{KickViewer, StoreResult, StreamerId, Timestamp, User, UserId, stale_name};
use rusqlite::{Connection, params};

/// The streamer's viewer linked to this Kick user id, if any.
pub(crate) fn linked(
    conn: &Connection,
    s: StreamerId,
    kick_user_id: i64,
) -> StoreResult<Option<User>> {
    conn.prepare_cached(&format!(
        "SELECT {U_COLUMNS} FROM kick_viewers k JOIN users u \
         ON u.streamer_id = k.streamer_id AND u.id = k.user_id \
         WHERE k.streamer_id = ?1 AND k.kick_user_id = ?2"
    ))
    .db()?
    .query_row(params![s.0, kick_user_id], from_row)
    .db_optional()
}

/// The streamer's viewer holding this username (ignoring ASCII case), with the Kick user id
/// they are linked to, if any.
fn holder(
    conn: &Connection,
    s: StreamerId,
    username: &str,
) -> StoreResult<Option<(User, Option<i64>)>> {
    conn.prepare_cached(&format!(
        "SELECT {U_COLUMNS}, k.kick_user_id FROM users u LEFT JOIN kick_viewers k \
         ON k.streamer_id = u.streamer_id AND k.user_id = u.id \
         WHERE u.streamer_id = ?1 AND u.username = ?2"
    ))
    .db()?
    .query_row(params![s.0, username], |r| Ok((from_row(r)?, r.get(8)?)))
    .db_optional()
}

/// Renames a viewer of the streamer (their points, history and inventory are theirs by id, so
/// they stay) and returns them after it.
fn rename(
    conn: &Connection,
    s: StreamerId,
    u: UserId,
    username: &str,
    now: Timestamp,
) -> StoreResult<User> {
    conn.prepare_cached(&format!(
        "UPDATE users SET username = ?3, updated_at = ?4 \
         WHERE streamer_id = ?1 AND id = ?2 RETURNING {COLUMNS}" // equivalent mutant: user ids are global and every caller has just read this user under this streamer
    ))
    .db()?
    .query_row(params![s.0, u.0, username, now.as_millis()], from_row)
    .db()
}

/// Links a viewer of the streamer, not linked yet, to a Kick user id not linked yet.
fn link(conn: &Connection, s: StreamerId, kick_user_id: i64, u: UserId) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO kick_viewers (streamer_id, kick_user_id, user_id) VALUES (?1, ?2, ?3)",
    )
    .db()?
    .execute(params![s.0, kick_user_id, u.0])
    .db()?;
    Ok(())
}

/// The streamer's viewer a delivery's Kick user is, created on first sight, inside the
/// delivery's transaction: (1) the viewer linked to the Kick user id, renamed to the delivery's
/// username unless another viewer holds it; (2) else the viewer holding the username who is not
/// linked yet, linked now; (3) else a new viewer, linked. A holder of the username linked to a
/// different Kick user id first gives it up for [`stale_name`]. Records no event.
pub(crate) fn resolve(
    conn: &Connection,
    s: StreamerId,
    v: &KickViewer,
    now: Timestamp,
) -> StoreResult<User> {
    let linked = linked(conn, s, v.kick_user_id)?;
    let mut name_taken = false;
    if let Some((held_by, held_kick_id)) = holder(conn, s, &v.username)? {
        let is_linked_viewer = linked.as_ref().is_some_and(|l| l.id == held_by.id);
        match held_kick_id {
            _ if is_linked_viewer => {}
            // Linked to another Kick user (a user can only be linked once, so not this one):
            // they renamed on Kick and this name is now someone else's.
            Some(other) => {
                rename(
                    conn,
                    s,
                    held_by.id,
                    &stale_name(&held_by.username, other),
                    now,
                )?;
            }
            None if linked.is_none() => {
                link(conn, s, v.kick_user_id, held_by.id)?;
                return Ok(held_by);
            }
            None => name_taken = true,
        }
    }
    match linked {
        Some(user) if user.username != v.username && !name_taken => {
            rename(conn, s, user.id, &v.username, now)
        }
        Some(user) => Ok(user),
        None => {
            let user = users::insert(conn, s, &v.username, now)?;
            link(conn, s, v.kick_user_id, user.id)?;
            Ok(user)
        }
    }
}
