//! How a delivery's [`KickViewer`] becomes one of the streamer's users: the rule on
//! [`datastore::KickStore`], step by step.

use super::{State, Tenant, next};
use datastore::{KickViewer, StoreResult, StreamerId, Timestamp, User, UserId};

impl Tenant {
    /// The user other than `except` holding `name` (ignoring ASCII case).
    fn holder(&self, name: &str, except: Option<UserId>) -> Option<UserId> {
        self.users
            .values()
            .find(|u| Some(u.id) != except && u.username.eq_ignore_ascii_case(name))
            .map(|u| u.id)
    }

    /// The Kick user id `user` is linked to.
    fn kick_id_of(&self, user: UserId) -> Option<i64> {
        self.kick_links
            .iter()
            .find(|(_, u)| **u == user)
            .map(|(k, _)| *k)
    }

    /// Renames `user` (the profile changes now).
    fn rename(&mut self, user: UserId, name: String, now: Timestamp) {
        if let Some(u) = self.users.get_mut(&user) {
            u.username = name;
            u.updated_at = now;
        }
    }

    /// Moves `holder`, linked to `kick_id`, out of the way of a newcomer to its name:
    /// [`datastore::stale_name`].
    fn rename_stale(&mut self, holder: UserId, kick_id: i64, now: Timestamp) {
        let old = self
            .users
            .get(&holder)
            .map_or_else(String::new, |u| u.username.clone());
        self.rename(holder, datastore::stale_name(&old, kick_id), now);
    }
}

/// Resolves `viewer` to one of streamer `s`'s users, creating, linking and renaming as the
/// rule says. The caller has checked the viewer's arguments and that the streamer exists.
pub(super) fn resolve(
    st: &mut State,
    s: StreamerId,
    viewer: &KickViewer,
    now: Timestamp,
) -> StoreResult<UserId> {
    let t = st.owner(s)?;
    let name = &viewer.username;
    // (1) The viewer linked to this Kick user id, renamed to the delivery's name when free
    // or held by someone linked to another Kick id.
    if let Some(&u) = t.kick_links.get(&viewer.kick_user_id) {
        let current = t.users.get(&u).map(|x| x.username.as_str());
        if current != Some(name.as_str()) {
            match t.holder(name, Some(u)) {
                None => t.rename(u, name.clone(), now),
                Some(h) => {
                    if let Some(k) = t.kick_id_of(h) {
                        t.rename_stale(h, k, now);
                        t.rename(u, name.clone(), now);
                    }
                }
            }
        }
        return Ok(u);
    }
    // (2) A viewer of this name not linked yet: linked from now on.
    if let Some(h) = t.holder(name, None) {
        match t.kick_id_of(h) {
            None => {
                t.kick_links.insert(viewer.kick_user_id, h);
                return Ok(h);
            }
            // Held by someone else on Kick: they renamed, the name is the newcomer's.
            Some(k) => t.rename_stale(h, k, now),
        }
    }
    // (3) A new viewer, linked.
    let id = UserId(next(&mut st.ids.user));
    let t = st.owner(s)?;
    t.users.insert(
        id,
        User {
            id,
            streamer_id: s,
            username: name.clone(),
            voice_id: None,
            drop_image: None,
            country: None,
            created_at: now,
            updated_at: now,
        },
    );
    t.kick_links.insert(viewer.kick_user_id, id);
    Ok(id)
}
