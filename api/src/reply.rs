//! Building responses: JSON bodies and empty ones.

use serde::Serialize;
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
