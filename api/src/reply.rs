//! Building responses: JSON bodies, HTML pages, empty ones, and bodies streamed as they are produced.

use bytes::Bytes;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

/// A JSON response with `status`.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => {
            let mut r = Response::new(body.into());
            *r.status_mut() = status;
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "a response did not serialise");
            let mut r =
                Response::new(r#"{"error":{"code":"internal","message":"internal error"}}"#.into());
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        }
    }
}

/// `200 OK` with a JSON body.
pub fn ok<T: Serialize + ?Sized>(value: &T) -> Response {
    json(StatusCode::OK, value)
}

/// `201 Created` with a JSON body.
pub fn created<T: Serialize + ?Sized>(value: &T) -> Response {
    json(StatusCode::CREATED, value)
}

/// `204 No Content`.
pub fn no_content() -> Response {
    let mut r = Response::new(bytes::Bytes::new().into());
    *r.status_mut() = StatusCode::NO_CONTENT;
    r
}

/// `200 OK` with an HTML page (`text/html; charset=utf-8`).
pub fn html(page: &'static str) -> Response {
    let mut r = Response::new(page.into());
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// The chunks of a body produced while it is sent: a response carrying this extension gets
/// them as its body (the connection layer swaps it in; warp's own body cannot be a stream). An
/// `Err` chunk aborts the response, so a client never takes a cut-short body for a whole one.
#[derive(Clone, Debug)]
pub struct StreamedBody(pub Arc<Mutex<Option<mpsc::Receiver<Chunk>>>>);

/// A chunk of a streamed body, or the error that cuts it short.
pub type Chunk = Result<Bytes, std::io::Error>;

/// A `200 OK` of `content_type` whose body is the chunks `rx` yields.
pub fn streamed(content_type: &'static str, rx: mpsc::Receiver<Chunk>) -> Response {
    let mut r = Response::new(Bytes::new().into());
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.extensions_mut()
        .insert(StreamedBody(Arc::new(Mutex::new(Some(rx)))));
    r
}
