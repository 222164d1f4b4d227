//! How a delivery's [`KickViewer`] becomes one of the streamer's users, inside the delivery's
//! transaction: the rule on [`datastore::KickStore`] (linked by Kick user id, renamed when the
//! name is free or held by someone linked to another Kick id; else a name-only viewer linked;
//! else a new viewer), and the `kick_viewers` links it keeps.
//!
//! Resolutions of one Kick user take turns (an advisory lock on the streamer and Kick user id,
//! held until the delivery ends), so two deliveries that meet the same new Kick user at once
//! create them once: the second resolves after the first has committed, and finds the link. A
//! name created meanwhile by another write (`get_or_create_user`, a bulk award) makes the
//! insert find it taken; resolution then starts over and links that viewer.

use crate::convert::get;
use crate::events::take_turns;
use crate::tx::Tx;
use crate::users;
use datastore::{KickViewer, StoreError, StoreResult, StreamerId, Timestamp, UserId};

/// How many times resolution starts over after losing a race to a concurrent write before
/// giving up (each loss means the other's row is committed and will be found next time).
const ATTEMPTS: usize = 3;

/// A viewer of the streamer, as resolution found or left them.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    /// Their id.
    pub(crate) id: UserId,
    /// Their username now.
    pub(crate) username: String,
}

/// The streamer's viewer other than `except` whose username is `name` (ignoring ASCII case),
/// with the Kick user id they are linked to, if any.
async fn holder(
    tx: &Tx,
    s: StreamerId,
    name: &str,
    except: Option<UserId>,
) -> StoreResult<Option<(UserId, String, Option<i64>)>> {
    let row = tx
        .query_opt(
            "SELECT u.id, u.username, k.kick_user_id FROM users u LEFT JOIN kick_viewers k \
             ON k.streamer_id = u.streamer_id AND k.user_id = u.id \
             WHERE u.streamer_id = $1 AND u.username_key = fold($2) \
             AND ($3::bigint IS NULL OR u.id <> $3::bigint)",
            &[&s.0, &name, &except.map(|u| u.0)],
        )
        .await?;
    row.map(|r| {
        Ok((
            UserId(get(&r, "id")?),
            get(&r, "username")?,
            get(&r, "kick_user_id")?,
        ))
    })
    .transpose()
}

/// Renames viewer `u`; the profile changes now.
async fn rename(tx: &Tx, s: StreamerId, u: UserId, name: &str, now: Timestamp) -> StoreResult<()> {
    tx.execute(
        "UPDATE users SET username = $3, updated_at = $4 WHERE id = $2 AND streamer_id = $1", // equivalent mutant: user ids are global and this user was just found under this streamer
        &[&s.0, &u.0, &name, &now.as_millis()],
    )
    .await?;
    Ok(())
}

/// Moves `holder` (called `old`, linked to Kick user `kick_id`) out of the way of a newcomer to
/// their name: [`datastore::stale_name`].
async fn rename_stale(
    tx: &Tx,
    s: StreamerId,
    holder: UserId,
    old: &str,
    kick_id: i64,
    now: Timestamp,
) -> StoreResult<()> {
    rename(tx, s, holder, &datastore::stale_name(old, kick_id), now).await
}

/// Links Kick user `kick_id` to viewer `u`, unless a concurrent delivery linked either first:
/// whether this one did.
async fn link(tx: &Tx, s: StreamerId, kick_id: i64, u: UserId) -> StoreResult<bool> {
    let linked = tx
        .execute(
            "INSERT INTO kick_viewers (streamer_id, kick_user_id, user_id) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
            &[&s.0, &kick_id, &u.0],
        )
        .await?;
    Ok(linked == 1)
}

/// The viewer linked to Kick user `kick_id`, with their username.
async fn linked(tx: &Tx, s: StreamerId, kick_id: i64) -> StoreResult<Option<Viewer>> {
    let row = tx
        .query_opt(
            "SELECT u.id, u.username FROM kick_viewers k JOIN users u \
             ON u.streamer_id = k.streamer_id AND u.id = k.user_id \
             WHERE k.streamer_id = $1 AND k.kick_user_id = $2",
            &[&s.0, &kick_id],
        )
        .await?;
    row.map(|r| {
        Ok(Viewer {
            id: UserId(get(&r, "id")?),
            username: get(&r, "username")?,
        })
    })
    .transpose()
}

/// Resolves `viewer` to one of streamer `s`'s users (which exists), creating, linking and
/// renaming as the rule says. A viewer created here records no event, as `get_or_create_user`
/// records none; nor does a rename.
pub(crate) async fn resolve(
    tx: &Tx,
    s: StreamerId,
    viewer: &KickViewer,
    now: Timestamp,
) -> StoreResult<Viewer> {
    let name = viewer.username.as_str();
    let kick_id = viewer.kick_user_id;
    take_turns(tx, &format!("kick viewer {} {kick_id}", s.0)).await?;
    for _ in 0..ATTEMPTS {
        // (1) The viewer linked to this Kick user id, renamed to the delivery's name when it
        // is free, or held by someone linked to another Kick id (who moves aside).
        if let Some(mut found) = linked(tx, s, kick_id).await? {
            if found.username != name {
                match holder(tx, s, name, Some(found.id)).await? {
                    None => {
                        rename(tx, s, found.id, name, now).await?;
                        found.username = name.to_owned();
                    }
                    Some((h, old, Some(k))) => {
                        rename_stale(tx, s, h, &old, k, now).await?;
                        rename(tx, s, found.id, name, now).await?;
                        found.username = name.to_owned();
                    }
                    // A viewer by name only keeps it; so does this one its own.
                    Some((_, _, None)) => {}
                }
            }
            return Ok(found);
        }
        // (2) A viewer of this name not linked yet: linked from now on. One linked to another
        // Kick id renamed on Kick since; the name goes to the newcomer.
        match holder(tx, s, name, None).await? {
            Some((h, username, None)) => {
                if link(tx, s, kick_id, h).await? {
                    return Ok(Viewer { id: h, username });
                }
                continue;
            }
            Some((h, old, Some(k))) => rename_stale(tx, s, h, &old, k, now).await?,
            None => {}
        }
        // (3) A new viewer, linked (nobody else links this Kick id meanwhile: the turn is
        // ours). None when a concurrent write has just created the name: found next time.
        if let Some(user) = users::insert(tx, s, name, now).await? {
            if !link(tx, s, kick_id, user.id).await? {
                return Err(StoreError::backend("a new viewer was linked already"));
            }
            return Ok(Viewer {
                id: user.id,
                username: user.username,
            });
        }
    }
    Err(StoreError::backend(
        "a Kick viewer could not be resolved: concurrent writes kept changing the name",
    ))
}
