//! Each request on its way in: its client's address noted, its body read in full (bounded in
//! size and time) before it is routed, and the connection marked busy while it runs.

use super::limits::Limits;
use super::registry::{Activity, BusyGuard};
use crate::body::MAX_BODY_BYTES;
use crate::cors::{self, origins::CorsOrigins};
use crate::error::ApiError;
use crate::reply::StreamedBody;
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use warp::http::header::{CONNECTION, CONTENT_LENGTH, ORIGIN};
use warp::http::{HeaderValue, Request};
use warp::reply::Response;

/// The client's address, in every request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

/// The service every connection runs: warp's filter, given bodies already read.
pub trait Routes:
    hyper::service::Service<
        warp::http::Request<http_body_util::Full<bytes::Bytes>>,
        Response = warp::reply::Response,
        Error = Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> Routes for S where
    S: hyper::service::Service<
            warp::http::Request<http_body_util::Full<bytes::Bytes>>,
            Response = warp::reply::Response,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// The hyper service of one connection, in front of the routes.
#[derive(Clone)]
pub struct Front<S> {
    routes: S,
    addr: SocketAddr,
    activity: Arc<Activity>,
    limits: Limits,
}

impl<S> Front<S> {
    /// The front of a connection from `addr`.
    pub fn new(routes: S, addr: SocketAddr, activity: Arc<Activity>, limits: Limits) -> Self {
        Front {
            routes,
            addr,
            activity,
            limits,
        }
    }
}

/// What reading a body gave.
enum Read {
    /// The whole body.
    Whole(Bytes),
    /// Not all of it: too large (what was read, which is over the limit, or nothing when the
    /// declared length already is). The route answers 413 in its turn; the connection closes.
    TooLarge(Bytes),
}

/// What a connection sends: warp's body, or the chunks of a [`StreamedBody`].
pub type Outgoing = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `response` with the body it will be sent with. A streamed body keeps `busy` until its last
/// chunk: the connection has a request in progress for as long as the body is being sent, so
/// it is neither replaced by a newer client nor closed at shutdown before the grace.
fn outgoing(mut response: Response, busy: BusyGuard) -> warp::http::Response<Outgoing> {
    let streamed = response
        .extensions_mut()
        .remove::<StreamedBody>()
        .and_then(|s| s.0.lock().ok().and_then(|mut rx| rx.take()));
    match streamed {
        Some(rx) => {
            let chunks = futures_util::stream::unfold((rx, busy), |(mut rx, busy)| async move {
                let chunk = rx.recv().await?;
                Some((
                    chunk
                        .map(hyper::body::Frame::data)
                        .map_err(|e| Box::new(e) as BoxError),
                    (rx, busy),
                ))
            });
            response.map(|_| http_body_util::StreamBody::new(chunks).boxed_unsync())
        }
        None => {
            drop(busy);
            response.map(|b| b.map_err(|e| Box::new(e) as BoxError).boxed_unsync())
        }
    }
}

impl<S: Routes> hyper::service::Service<Request<Incoming>> for Front<S> {
    type Response = warp::http::Response<Outgoing>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let busy = self.activity.busy();
        let activity = self.activity.clone();
        let routes = self.routes.clone();
        let addr = self.addr;
        let body_timeout = self.limits.body_timeout;
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            parts.extensions.insert(ClientAddr(addr));
            // An answer given before routing still carries its route's CORS headers (those a
            // public route's answers carry; a protected route's need the configured origins,
            // which only the routes know, so those stay unreadable to other origins).
            let cors = |mut r: Response| {
                let access = cors::access_of(&parts.method, parts.uri.path());
                cors::decorate(
                    &CorsOrigins::none(),
                    access,
                    parts.headers.get(ORIGIN),
                    &mut r,
                );
                r
            };
            let reading = activity.reading();
            let read = tokio::time::timeout(body_timeout, read(&parts.headers, body)).await;
            drop(reading);
            let (bytes, close) = match read {
                Ok(Ok(Read::Whole(b))) => (b, false),
                Ok(Ok(Read::TooLarge(b))) => (b, true),
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "the client stopped sending its body");
                    return Ok(outgoing(
                        closing(cors(
                            ApiError::InvalidBody("it could not be read".into()).into_response(),
                        )),
                        busy,
                    ));
                }
                Err(_) => {
                    return Ok(outgoing(
                        closing(cors(
                            ApiError::RequestTimeout {
                                seconds: body_timeout.as_secs().max(1),
                            }
                            .into_response(),
                        )),
                        busy,
                    ));
                }
            };
            let response = routes
                .call(Request::from_parts(parts, Full::new(bytes)))
                .await?;
            let response = if close { closing(response) } else { response };
            Ok(outgoing(response, busy))
        })
    }
}

/// Reads the body, stopping once it passes [`MAX_BODY_BYTES`] (not reading at all when its
/// declared length already does).
async fn read(headers: &warp::http::HeaderMap, mut body: Incoming) -> Result<Read, hyper::Error> {
    if body.is_end_stream() {
        return Ok(Read::Whole(Bytes::new()));
    }
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Ok(Read::TooLarge(Bytes::new()));
    }
    let mut out = BytesMut::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            out.extend_from_slice(&data);
            if out.len() > MAX_BODY_BYTES {
                return Ok(Read::TooLarge(out.freeze()));
            }
        }
    }
    Ok(Read::Whole(out.freeze()))
}

/// `response`, telling the client the connection closes after it.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}
