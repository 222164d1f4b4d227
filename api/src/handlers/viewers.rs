//! Viewers proving who they are: a code from the API, typed in the streamer's chat, confirmed
//! by the chat bot (admin key), exchanged for a session token.

use crate::auth::{self, LOGIN_SECRET_PREFIX, SESSION_PREFIX};
use crate::call::{ApiResult, Call, found};
use crate::error::ApiError;
use crate::models::viewers::{
    CodeProof, LogIn, SessionIssued, VerificationConfirmed, VerificationIssued, VerificationRequest,
};
use crate::reply;
use crate::route::Access;
use datastore::{
    NewUserSession, NewVerificationCode, Redemption, Timestamp, UserSession, validate,
};
use std::time::Duration;

/// How long a verification code works.
pub const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// How long a viewer session lasts.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// Characters in a verification code.
pub const CODE_LEN: usize = 8;

const BAD_CODE: ApiError =
    ApiError::Unauthorized("the code is unknown, expired or not yet confirmed in chat");

fn in_future(c: &Call, d: Duration) -> Timestamp {
    c.state.clock.now().checked_add(d).unwrap_or(Timestamp::MAX)
}

fn session(c: &Call) -> Result<&UserSession, ApiError> {
    c.viewer.as_ref().ok_or(auth::unauthorized(Access::Viewer))
}

/// `POST /{streamer}/api/verifications`.
pub async fn request_code(c: Call) -> ApiResult {
    let body: VerificationRequest = c.json()?;
    validate::username(&body.username)?;
    c.state
        .code_limits
        .take(c.client, c.streamer_id()?)
        .map_err(|wait| ApiError::TooManyRequests {
            retry_after_s: wait.as_secs().saturating_add(1),
        })?;
    let secret = auth::new_secret(LOGIN_SECRET_PREFIX)?;
    let new = NewVerificationCode {
        username: body.username,
        code: auth::code_for(secret.expose(), CODE_LEN),
        secret_hash: secret.hash(),
        expires_at: in_future(&c, CODE_LIFETIME),
    };
    let v = c
        .store()
        .create_verification_code(c.streamer_id()?, new)
        .await?;
    Ok(reply::created(&VerificationIssued {
        username: v.username,
        code: v.code,
        login_secret: secret.expose().to_owned(),
        expires_at: v.expires_at,
    }))
}

/// `POST /{streamer}/api/verifications/confirm`.
pub async fn confirm_code(c: Call) -> ApiResult {
    let body: CodeProof = c.json()?;
    let v = c
        .store()
        .mark_verification_code_verified(c.streamer_id()?, &body.username, &body.code)
        .await?;
    Ok(reply::ok(&VerificationConfirmed {
        username: v.username,
        verified: v.verified,
        expires_at: v.expires_at,
    }))
}

/// `POST /{streamer}/api/sessions`: the code must be confirmed and `login_secret` must be the
/// very secret issued with it (the store keeps its hash): someone who only read the code in
/// chat cannot log in, even with a secret that derives the same code, and a code is deleted
/// after [`datastore::MAX_FAILED_REDEMPTIONS`] wrong secrets. The store spends the code
/// atomically, so concurrent log-ins with one code open one session.
pub async fn log_in(c: Call) -> ApiResult {
    let body: LogIn = c.json()?;
    let s = c.streamer_id()?;
    // A secret that does not even derive the code is refused without touching the store (and
    // without counting against the code: finding one that does costs about 2^40 hashes).
    if auth::code_for(&body.login_secret, CODE_LEN) != body.code {
        return Err(BAD_CODE);
    }
    let hash = datastore::SessionToken::new(body.login_secret.as_str()).hash();
    let redeemed = match c
        .store()
        .redeem_verification_code(s, &body.username, &body.code, &hash)
        .await
    {
        Ok(r) => r,
        Err(datastore::StoreError::NotFound { .. }) => return Err(BAD_CODE),
        Err(e) => return Err(e.into()),
    };
    if redeemed != Redemption::Redeemed {
        return Err(BAD_CODE);
    }
    let user = c.store().get_or_create_user(s, &body.username).await?.user;
    let token = auth::new_secret(SESSION_PREFIX)?;
    let created = c
        .store()
        .create_user_session(
            s,
            NewUserSession {
                user_id: user.id,
                token_hash: token.hash(),
                expires_at: in_future(&c, SESSION_LIFETIME),
            },
        )
        .await?;
    Ok(reply::created(&SessionIssued {
        token: token.expose().to_owned(),
        user,
        expires_at: created.expires_at,
    }))
}

/// `DELETE /{streamer}/api/sessions`.
pub async fn log_out(c: Call) -> ApiResult {
    let hash = session(&c)?.token_hash;
    c.store()
        .delete_user_session(c.streamer_id()?, &hash)
        .await?;
    Ok(reply::no_content())
}

/// `GET /{streamer}/api/me`.
pub async fn me(c: Call) -> ApiResult {
    let user_id = session(&c)?.user_id;
    let user = found(c.store().get_user(c.streamer_id()?, user_id).await?, "user")?;
    Ok(reply::ok(&user))
}

/// `PATCH /{streamer}/api/me`.
pub async fn update_me(c: Call) -> ApiResult {
    let body: datastore::ProfileUpdate = c.json()?;
    let user_id = session(&c)?.user_id;
    let user = c
        .store()
        .update_user_profile(c.streamer_id()?, user_id, body)
        .await?;
    Ok(reply::ok(&user))
}
