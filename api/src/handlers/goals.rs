//! Goals (followers, subscribers, …).

use crate::call::{ApiResult, Call};
use crate::error::ApiError;
use crate::models::goals::ProgressBody;
use crate::reply;
use datastore::GoalId;
use datastore::GoalInput;

fn goal_id(c: &Call) -> Result<GoalId, ApiError> {
    Ok(GoalId::new(c.param("id")?))
}

/// `GET /{streamer}/api/goals`.
pub async fn list_enabled(c: Call) -> ApiResult {
    Ok(reply::ok(
        &c.store().list_enabled_goals(c.streamer_id()?).await?,
    ))
}

/// `GET /{streamer}/api/admin/goals`.
pub async fn list_all(c: Call) -> ApiResult {
    Ok(reply::ok(&c.store().list_goals(c.streamer_id()?).await?))
}

/// `PUT /{streamer}/api/goals/{id}`.
pub async fn put(c: Call) -> ApiResult {
    let body: GoalInput = c.json()?;
    let goal = c
        .store()
        .upsert_goal(c.streamer_id()?, &goal_id(&c)?, body)
        .await?;
    Ok(reply::ok(&goal))
}

/// `PATCH /{streamer}/api/goals/{id}/progress`.
pub async fn progress(c: Call) -> ApiResult {
    let body: ProgressBody = c.json()?;
    let goal = c
        .store()
        .set_goal_progress(c.streamer_id()?, &goal_id(&c)?, body.current_value)
        .await?;
    Ok(reply::ok(&goal))
}

/// `DELETE /{streamer}/api/goals/{id}`.
pub async fn delete(c: Call) -> ApiResult {
    c.store()
        .delete_goal(c.streamer_id()?, &goal_id(&c)?)
        .await?;
    Ok(reply::no_content())
}
