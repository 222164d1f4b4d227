//! Channel points, the ledger, drops and the leaderboard.

use crate::call::{ApiResult, Call, DEFAULT_PAGE, MAX_PAGE, found};
use crate::error::ApiError;
use crate::models::points::{Award, PointsChange, PointsView};
use crate::reply;
use datastore::{AdminSetPoints, HistoryRequest, NewDrop, PointDelta, TransactionId};

/// `GET /{streamer}/api/leaderboard?limit=`.
pub async fn leaderboard(c: Call) -> ApiResult {
    let limit = c.query_in("limit", DEFAULT_PAGE, 1, MAX_PAGE)?;
    Ok(reply::ok(
        &c.store().leaderboard(c.streamer_id()?, limit).await?,
    ))
}

/// `GET /{streamer}/api/users/{id}/points`.
pub async fn get(c: Call) -> ApiResult {
    let (s, u) = (c.streamer_id()?, c.user_id()?);
    let points = found(c.store().get_points(s, u).await?, "user")?;
    let summary = found(c.store().points_summary(s, u).await?, "user")?;
    Ok(reply::ok(&PointsView { points, summary }))
}

/// `GET /{streamer}/api/users/{id}/transactions?limit=&before=`.
pub async fn transactions(c: Call) -> ApiResult {
    let limit = c.query_in("limit", DEFAULT_PAGE, 1, MAX_PAGE)?;
    let before = match c.query::<i64>("before")? {
        Some(n) if n > 0 => Some(TransactionId(n)),
        Some(_) => return Err(ApiError::invalid("before", "must be a positive integer")),
        None => None,
    };
    let page = HistoryRequest { limit, before };
    let history = c
        .store()
        .transaction_history(c.streamer_id()?, c.user_id()?, page)
        .await?;
    Ok(reply::ok(&found(history, "user")?))
}

/// `POST /{streamer}/api/users/{id}/points`.
pub async fn change(c: Call) -> ApiResult {
    let body: PointsChange = c.json()?;
    let (s, u) = (c.streamer_id()?, c.user_id()?);
    let delta = |amount: i64| PointDelta {
        amount,
        source: body.source,
        description: body.description.clone(),
    };
    let max = datastore::validate::MAX_AMOUNT;
    if body.amount == 0 || body.amount.unsigned_abs() > max.unsigned_abs() {
        return Err(ApiError::invalid(
            "amount",
            format!("must be between -{max} and {max}, and not zero"),
        ));
    }
    let points = if body.amount > 0 {
        c.store().earn_points(s, u, delta(body.amount)).await?
    } else {
        c.store().spend_points(s, u, delta(-body.amount)).await?
    };
    Ok(reply::ok(&points))
}

/// `PUT /{streamer}/api/users/{id}/points`.
pub async fn set(c: Call) -> ApiResult {
    let body: AdminSetPoints = c.json()?;
    let points = c
        .store()
        .set_points(c.streamer_id()?, c.user_id()?, body)
        .await?;
    Ok(reply::ok(&points))
}

/// `POST /{streamer}/api/users/{id}/drops`.
pub async fn drop(c: Call) -> ApiResult {
    let body: NewDrop = c.json()?;
    let points = c
        .store()
        .add_drop_points(c.streamer_id()?, c.user_id()?, body)
        .await?;
    Ok(reply::ok(&points))
}

/// `POST /{streamer}/api/points/award`.
pub async fn award(c: Call) -> ApiResult {
    let body: Award = c.json()?;
    let award = PointDelta {
        amount: body.amount,
        source: body.source,
        description: body.description,
    };
    let done = c
        .store()
        .bulk_award(c.streamer_id()?, &body.usernames, award)
        .await?;
    Ok(reply::ok(&done))
}
