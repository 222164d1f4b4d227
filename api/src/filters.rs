//! The warp filters: one request filter that dispatches through the route table, a log line
//! per request, and a `recover` for anything warp itself rejects.
//!
//! Checks run in one order for every route, so the status tells the first thing wrong: the
//! path (404 `no_route`), the method (405), the streamer (404), the credentials (401), the
//! body's type (415), the body size (413), the body (400), then the handler's own answers.

use crate::auth;
use crate::body::{self, MAX_BODY_BYTES};
use crate::call::{ApiResult, Call};
use crate::connections::ClientAddr;
use crate::cors;
use crate::error::ApiError;
use crate::route::{Access, Verb};
use crate::routes;
use crate::state::AppState;
use bytes::{Buf, Bytes};
use futures_util::Stream;
use percent_encoding::percent_decode_str;
use std::convert::Infallible;
use std::net::IpAddr;
use warp::http::header::ORIGIN;
use warp::http::{HeaderMap, Method};
use warp::path::FullPath;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

/// The whole API as one filter, with request logging.
pub fn api(
    state: AppState,
) -> impl Filter<Extract = (impl Reply,), Error = Infallible> + Clone + Send + Sync + 'static {
    let query = warp::query::raw().or(warp::any().map(String::new)).unify();
    warp::method()
        .and(warp::path::full())
        .and(query)
        .and(warp::header::headers_cloned())
        .and(warp::ext::optional::<ClientAddr>())
        .and(warp::body::stream())
        .and(warp::any().map(move || state.clone()))
        .then(dispatch)
        .recover(recover)
        .unify()
        .with(warp::log::custom(log_request))
}

fn log_request(info: warp::log::Info<'_>) {
    tracing::info!(
        method = %info.method(),
        path = info.path(),
        status = info.status().as_u16(),
        latency_ms = rounded_ms(info.elapsed()),
        "request"
    );
}

/// `d` in milliseconds to a tenth (`0.4`, `12.3`): what a person reading the log can use.
fn rounded_ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

async fn recover(rejection: Rejection) -> Result<Response, Infallible> {
    // Every request reaches `dispatch`, so warp rejects nothing today; should a filter ever
    // reject, the client still gets the JSON error body.
    let error = if rejection.is_not_found() {
        ApiError::NoRoute
    } else {
        tracing::warn!(?rejection, "warp rejected a request");
        ApiError::InvalidBody("the request could not be read".into())
    };
    Ok(error.into_response())
}

async fn dispatch<S, B>(
    method: Method,
    path: FullPath,
    query: String,
    headers: HeaderMap,
    client: Option<ClientAddr>,
    body: S,
    state: AppState,
) -> Response
where
    S: Stream<Item = Result<B, warp::Error>> + Send,
    B: Buf + Send,
{
    let client = client.map(|c| c.0.ip());
    // Cross-origin rules ([`cors`]): preflights are answered here, every other answer (errors
    // too) gets the headers of its route's access.
    if method == Method::OPTIONS {
        return cors::preflight(&state.cors, path.as_str(), &headers);
    }
    let origins = state.cors.clone();
    let origin = headers.get(ORIGIN).cloned();
    let access = cors::access_of(&method, path.as_str());
    let mut response =
        match handle(method, path.as_str(), &query, headers, client, body, state).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        };
    cors::decorate(&origins, access, origin.as_ref(), &mut response);
    response
}

async fn handle<S, B>(
    method: Method,
    path: &str,
    query: &str,
    headers: HeaderMap,
    client: Option<IpAddr>,
    body: S,
    state: AppState,
) -> ApiResult
where
    S: Stream<Item = Result<B, warp::Error>> + Send,
    B: Buf + Send,
{
    let matched = routes::lookup(&method, path)?;
    let route = matched.route;
    let streamer = match matched.params.iter().find(|(n, _)| *n == "streamer") {
        Some((_, name)) if route.access != Access::Operator => Some(
            state
                .store
                .get_streamer_by_username(name)
                .await?
                .ok_or_else(|| ApiError::NotFound("streamer".into()))?,
        ),
        _ => None,
    };
    let query = parse_query(query)?;
    let viewer = auth::authorize(
        &state,
        route.access,
        streamer.as_ref(),
        auth::bearer(&headers),
        auth::url_key(&query),
    )
    .await?;
    let body = match route.body {
        Some(_) => {
            body::require_json(&headers)?;
            body::read(&headers, body, MAX_BODY_BYTES).await?
        }
        None => Bytes::new(),
    };
    let rings = route.verb != Verb::Get;
    let written = streamer.as_ref().map(|s| s.id).filter(|_| rings);
    let hub = state.events.clone();
    let call = Call {
        state,
        streamer,
        viewer,
        params: matched.params,
        query,
        body,
        client,
        headers,
    };
    let Some(s) = written else {
        return (route.handler)(call).await;
    };
    // A write runs to its end on a task of its own, even when its client hangs up (a store may
    // commit it anyway), and then rings its streamer's bell: the streams of that streamer read
    // what it committed. (A failed write recorded nothing; ringing anyway is harmless.)
    let handler = route.handler;
    let write = tokio::spawn(async move {
        let answer = handler(call).await;
        hub.ring(s);
        answer
    });
    write.await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "a write's task failed");
        Err(ApiError::Internal)
    })
}

/// `a=1&b=x%20y` into pairs, percent-decoded (`+` is a space); the first of repeated names wins.
fn parse_query(raw: &str) -> Result<Vec<(String, String)>, ApiError> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| ApiError::invalid("query", "is not UTF-8 once percent-decoded"))
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = decode(k)?;
        if !out.iter().any(|(n, _)| *n == k) {
            out.push((k, decode(v)?));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_is_logged_in_tenths_of_a_millisecond() {
        use std::time::Duration;
        assert_eq!(rounded_ms(Duration::from_micros(1_234)), 1.2);
        assert_eq!(rounded_ms(Duration::from_micros(1_250)), 1.3);
        assert_eq!(rounded_ms(Duration::from_nanos(40_123)), 0.0);
        assert_eq!(rounded_ms(Duration::from_millis(12)), 12.0);
    }

    #[test]
    fn queries_are_decoded_and_first_wins() {
        assert_eq!(
            parse_query("limit=5&before=9&limit=7&x=a%20b+c&flag").unwrap(),
            vec![
                ("limit".into(), "5".into()),
                ("before".into(), "9".into()),
                ("x".into(), "a b c".into()),
                ("flag".into(), String::new()),
            ]
        );
        assert!(parse_query("a=%FF").is_err());
    }
}
