//! A streamer's viewers.

use crate::call::{ApiResult, Call, DEFAULT_PAGE, MAX_PAGE, found};
use crate::models::users::CreateUser;
use crate::reply;
use datastore::ProfileUpdate;
use datastore::{PageRequest, User};

/// `GET /{streamer}/api/users/{id}`.
pub async fn get(c: Call) -> ApiResult {
    let user: User = found(
        c.store().get_user(c.streamer_id()?, c.user_id()?).await?,
        "user",
    )?;
    Ok(reply::ok(&user))
}

/// `GET /{streamer}/api/users/by-name/{username}`.
pub async fn by_name(c: Call) -> ApiResult {
    let name = c.param("username")?;
    let user = found(
        c.store()
            .get_user_by_username(c.streamer_id()?, name)
            .await?,
        "user",
    )?;
    Ok(reply::ok(&user))
}

/// `GET /{streamer}/api/admin/users?offset=&limit=`.
pub async fn list(c: Call) -> ApiResult {
    let offset = c.query::<u64>("offset")?.unwrap_or(0);
    let limit = c.query_in("limit", DEFAULT_PAGE, 1, MAX_PAGE)?;
    let page = c
        .store()
        .list_users_with_points(c.streamer_id()?, PageRequest { offset, limit })
        .await?;
    Ok(reply::ok(&page))
}

/// `POST /{streamer}/api/users`.
pub async fn create(c: Call) -> ApiResult {
    let body: CreateUser = c.json()?;
    let found = c
        .store()
        .get_or_create_user(c.streamer_id()?, &body.username)
        .await?;
    Ok(match found.created {
        true => reply::created(&found.user),
        false => reply::ok(&found.user),
    })
}

/// `PATCH /{streamer}/api/users/{id}`.
pub async fn update(c: Call) -> ApiResult {
    let body: ProfileUpdate = c.json()?;
    let user = c
        .store()
        .update_user_profile(c.streamer_id()?, c.user_id()?, body)
        .await?;
    Ok(reply::ok(&user))
}

/// `DELETE /{streamer}/api/users/{id}`.
pub async fn delete(c: Call) -> ApiResult {
    c.store()
        .delete_user(c.streamer_id()?, c.user_id()?)
        .await?;
    Ok(reply::no_content())
}
