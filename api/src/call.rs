//! What a handler gets and gives: the [`Call`] (one request, its streamer and viewer resolved,
//! its parameters and body), [`ApiResult`], and the paging limits every list route shares.

use crate::error::ApiError;
use crate::state::AppState;
use bytes::Bytes;
use datastore::{DataStore, Streamer, StreamerId, UserId, UserSession};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::str::FromStr;
use warp::reply::Response;

/// What a handler returns.
pub type ApiResult = Result<Response, ApiError>;

/// A handler's future, boxed so that handlers fit one table.
pub type HandlerFuture = Pin<Box<dyn Future<Output = ApiResult> + Send>>;

/// The largest page (leaderboard, ledger, user list) the API serves.
pub const MAX_PAGE: u32 = 500;
/// The page size when none is asked for.
pub const DEFAULT_PAGE: u32 = 50;

/// `v`, or a 404 naming `what`: how a read that found nothing (or another streamer's row,
/// which the store reports the same way) is answered.
pub(crate) fn found<T>(v: Option<T>, what: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| ApiError::NotFound(what.to_owned()))
}

/// One request, as a handler sees it.
#[derive(Debug)]
pub struct Call {
    /// The server state.
    pub state: AppState,
    /// The streamer named by the path, when the route has one (it exists: checked before).
    pub streamer: Option<Streamer>,
    /// The viewer's session, on viewer routes (valid and the streamer's: checked before).
    pub viewer: Option<UserSession>,
    /// The path parameters, percent-decoded.
    pub params: Vec<(&'static str, String)>,
    /// The query parameters, decoded (the first of repeated names).
    pub query: Vec<(String, String)>,
    /// The body (empty for routes that read none).
    pub body: Bytes,
    /// The client's address, as the server's socket sees it.
    pub client: Option<IpAddr>,
    /// The request's headers.
    pub headers: warp::http::HeaderMap,
}

impl Call {
    /// The store.
    pub fn store(&self) -> &dyn DataStore {
        &*self.state.store
    }

    /// The id of the streamer named by the path.
    pub fn streamer_id(&self) -> Result<StreamerId, ApiError> {
        self.streamer.as_ref().map(|s| s.id).ok_or_else(|| {
            tracing::error!("a tenant handler ran without a streamer");
            ApiError::Internal
        })
    }

    /// A path parameter.
    pub fn param(&self, name: &str) -> Result<&str, ApiError> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| {
                tracing::error!(name, "a handler asked for a parameter its route lacks");
                ApiError::Internal
            })
    }

    /// A numeric id path parameter: a positive integer.
    pub fn id_param(&self, name: &str) -> Result<i64, ApiError> {
        let raw = self.param(name)?;
        match raw.parse::<i64>() {
            Ok(n) if n > 0 && raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0') => {
                Ok(n)
            }
            _ => Err(ApiError::invalid(name, "must be a positive integer")),
        }
    }

    /// The `{id}` parameter as a user id.
    pub fn user_id(&self) -> Result<UserId, ApiError> {
        self.id_param("id").map(UserId)
    }

    /// An optional query parameter.
    pub fn query<T: FromStr>(&self, name: &str) -> Result<Option<T>, ApiError> {
        match self.query.iter().find(|(n, _)| n == name) {
            None => Ok(None),
            Some((_, v)) => v
                .parse()
                .map(Some)
                .map_err(|_| ApiError::invalid(name, format!("{v:?} is not a valid value"))),
        }
    }

    /// A numeric query parameter between `min` and `max`, or `default` when absent.
    pub fn query_in(&self, name: &str, default: u32, min: u32, max: u32) -> Result<u32, ApiError> {
        let v = self.query::<i64>(name)?.unwrap_or(i64::from(default));
        if v < i64::from(min) || v > i64::from(max) {
            return Err(ApiError::invalid(
                name,
                format!("must be between {min} and {max}"),
            ));
        }
        Ok(v as u32)
    }

    /// The body, parsed as `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        crate::body::parse(&self.body)
    }
}
