//! Cross-origin requests (CORS): which web pages on other origins may read the API's answers.
//!
//! - A [`Access::Public`] route (what overlays and profile pages read) and an
//!   [`Access::Overlay`] route (what a browser source writes with the overlay key in its URL;
//!   an OBS local file's origin is `null`, which no configuration could name) answer any
//!   origin: `Access-Control-Allow-Origin: *`, without credentials (the API uses bearer
//!   tokens and keys in URLs, never cookies, so no answer is ever shared with credentials).
//! - Every other route (admin, viewer, operator) answers only the origins the
//!   operator configured (`--cors-origin`, `KICKOVERLAY_CORS_ORIGINS`): the origin is echoed,
//!   with `Vary: Origin`. A page on any other origin gets no `Access-Control-Allow-Origin`, so
//!   its browser keeps the answer from it.
//! - A preflight (`OPTIONS`) of a path the route table knows is answered `204` with the methods
//!   that origin may use there, the request headers the API reads (`Authorization`,
//!   `Content-Type`, `Last-Event-ID`) and how long to keep the answer; a path the table does not
//!   know is `404` as for any other method.
//!
//! Errors carry the same headers as successes, so a page can read why it was refused. An
//! answer to a path no route has (`404`, `405`) is shared with anyone, as a public route's.

pub mod origins;

pub use origins::{CorsOrigins, NotAnOrigin};

use crate::error::ApiError;
use crate::route::{Access, Verb};
use crate::routes;
use warp::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD, ALLOW,
    ORIGIN, VARY,
};
use warp::http::{HeaderMap, HeaderValue, Method};
use warp::reply::Response;

/// The request headers a page may send: the credentials, the body's type, and where an event
/// stream resumes.
pub const ALLOWED_HEADERS: &str = "Authorization, Content-Type, Last-Event-ID";

/// The response headers a page may read beyond the always-readable ones.
pub const EXPOSED_HEADERS: &str = "Retry-After, WWW-Authenticate, Allow";

/// How long a browser may keep a preflight's answer, in seconds.
pub const MAX_AGE_S: u32 = 600;

/// Whether the answers of a route of `access` (`None`: no route) are shared with any origin.
fn shared_with_anyone(access: Option<Access>) -> bool {
    matches!(access, None | Some(Access::Public) | Some(Access::Overlay))
}

/// The credentials the route `method` and `path` name requires; `None` when no route has them.
pub fn access_of(method: &Method, path: &str) -> Option<Access> {
    routes::lookup(method, path).ok().map(|m| m.route.access)
}

/// Adds the CORS headers to `response`, the answer to a request from `origin` (its `Origin`
/// header, if any) to a route of `access` (`None`: no route matched).
pub fn decorate(
    origins: &CorsOrigins,
    access: Option<Access>,
    origin: Option<&HeaderValue>,
    response: &mut Response,
) {
    let headers = response.headers_mut();
    if shared_with_anyone(access) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
        return;
    }
    headers.append(VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin.filter(|o| o.to_str().is_ok_and(|o| origins.allows(o))) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
}

/// The answer to `OPTIONS path`: `204` with `Allow` and, for a preflight from an origin that may
/// use the method it asks about, the CORS headers; `404` when no route has the path.
pub fn preflight(origins: &CorsOrigins, path: &str, headers: &HeaderMap) -> Response {
    let verbs: Vec<Verb> = match routes::lookup(&Method::OPTIONS, path) {
        Err(ApiError::MethodNotAllowed { allow, .. }) => allow
            .split(", ")
            .filter_map(|m| Method::from_bytes(m.as_bytes()).ok())
            .filter_map(|m| Verb::of(&m))
            .collect(),
        Err(e) => {
            let mut r = e.into_response();
            decorate(origins, None, headers.get(ORIGIN), &mut r);
            return r;
        }
        // OPTIONS is no route's method.
        Ok(_) => Vec::new(),
    };
    let mut response = crate::reply::no_content();
    let allow: Vec<&str> = verbs
        .iter()
        .map(|v| v.as_str())
        .chain(["OPTIONS"])
        .collect();
    if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
        response.headers_mut().insert(ALLOW, v);
    }
    let out = response.headers_mut();
    out.insert(VARY, HeaderValue::from_static("Origin"));
    let origin = headers.get(ORIGIN).and_then(|o| o.to_str().ok());
    let asked = headers
        .get(ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
        .and_then(|m| Verb::of(&m));
    let (Some(origin), Some(asked)) = (origin, asked) else {
        return response;
    };
    let configured = origins.allows(origin);
    // The methods of this path the origin may use: a public route's with any origin, the
    // others' with a configured one. (A path parameter that is not UTF-8 is a 400 for any
    // origin, so such a route counts as public here.)
    let usable: Vec<Verb> = verbs
        .iter()
        .copied()
        .filter(|v| {
            let method = Method::from_bytes(v.as_str().as_bytes()).unwrap_or(Method::GET);
            let access = match routes::lookup(&method, path) {
                Ok(m) => Some(m.route.access),
                Err(_) => None,
            };
            configured || shared_with_anyone(access)
        })
        .collect();
    if !usable.contains(&asked) {
        return response;
    }
    let allow_origin = if configured {
        HeaderValue::from_str(origin).ok()
    } else {
        Some(HeaderValue::from_static("*"))
    };
    let Some(allow_origin) = allow_origin else {
        return response;
    };
    let methods: Vec<&str> = usable.iter().map(|v| v.as_str()).collect();
    out.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    if let Ok(v) = HeaderValue::from_str(&methods.join(", ")) {
        out.insert(ACCESS_CONTROL_ALLOW_METHODS, v);
    }
    out.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOWED_HEADERS),
    );
    out.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from(MAX_AGE_S));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(o: &str) -> HeaderValue {
        HeaderValue::from_str(o).unwrap()
    }

    #[test]
    fn public_answers_are_for_anyone_and_others_for_configured_origins() {
        let o = CorsOrigins::new(["https://admin.test"]).unwrap();
        let mut r = crate::reply::no_content();
        decorate(
            &o,
            Some(Access::Public),
            Some(&origin("https://a.test")),
            &mut r,
        );
        assert_eq!(r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(r.headers().get(VARY).is_none());
        for access in [Access::Admin, Access::Viewer, Access::Operator] {
            let mut r = crate::reply::no_content();
            decorate(
                &o,
                Some(access),
                Some(&origin("https://admin.test")),
                &mut r,
            );
            assert_eq!(
                r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
                "https://admin.test"
            );
            assert_eq!(r.headers()[VARY], "Origin");
            assert_eq!(r.headers()[ACCESS_CONTROL_EXPOSE_HEADERS], EXPOSED_HEADERS);
            let mut r = crate::reply::no_content();
            decorate(&o, Some(access), Some(&origin("https://a.test")), &mut r);
            assert!(r.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
            assert_eq!(r.headers()[VARY], "Origin");
            let mut r = crate::reply::no_content();
            decorate(&o, Some(access), None, &mut r);
            assert!(r.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
            assert_eq!(r.headers()[VARY], "Origin");
        }
    }
}
