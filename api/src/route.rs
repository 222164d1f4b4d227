//! The route table's types: a [`Route`] (method, path template, credentials, status, summary,
//! example body, handler), its [`Verb`] and [`Access`], and the `route!` macro the domain
//! tables in [`crate::routes`] are written with.

use crate::call::{Call, HandlerFuture};
use warp::http::Method;

/// One [`Route`] of a domain table:
/// `route!(Get "/{streamer}/api/x/{id}", Public, 200, "What it does", handlers::x::get)`,
/// optionally followed by `, body: r#"{…example…}"#` and `, query: ["limit"]`.
macro_rules! route {
    ($verb:ident $path:literal, $access:ident, $status:literal, $summary:literal, $handler:path
     $(, body: $body:literal)? $(, query: [$($q:literal),*])?) => {
        $crate::route::Route {
            verb: $crate::route::Verb::$verb,
            path: $path,
            access: $crate::route::Access::$access,
            status: $status,
            summary: $summary,
            body: route!(@body $($body)?),
            query: &[$($($q),*)?],
            handler: |call| ::std::boxed::Box::pin($handler(call)),
        }
    };
    (@body) => { None };
    (@body $b:literal) => { Some($b) };
}
pub(crate) use route;

/// An HTTP method a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verb {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Verb {
    /// The method's name, upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
        }
    }

    pub(crate) fn of(m: &Method) -> Option<Verb> {
        Some(match *m {
            // HEAD is GET without the body (hyper drops it).
            Method::GET | Method::HEAD => Verb::Get,
            Method::POST => Verb::Post,
            Method::PUT => Verb::Put,
            Method::PATCH => Verb::Patch,
            Method::DELETE => Verb::Delete,
            _ => return None,
        })
    }
}

/// The credentials a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// None: what overlays and profile pages fetch.
    Public,
    /// The operator key (`KICKOVERLAY_OPERATOR_KEY`).
    Operator,
    /// The streamer's admin key (or a live dashboard session of that streamer).
    Admin,
    /// A viewer session token of that streamer.
    Viewer,
}

/// One route.
#[derive(Debug)]
pub struct Route {
    /// Its method.
    pub verb: Verb,
    /// Its path template.
    pub path: &'static str,
    /// The credentials it requires.
    pub access: Access,
    /// What it does, in one line.
    pub summary: &'static str,
    /// An example JSON body; `None` for a route that reads no body.
    pub body: Option<&'static str>,
    /// The query parameters it reads.
    pub query: &'static [&'static str],
    /// Its success status.
    pub status: u16,
    /// The handler.
    pub handler: fn(Call) -> HandlerFuture,
}

impl Route {
    /// `"GET /{streamer}/api/users/{id}"`: how tests and logs name the route.
    pub fn key(&self) -> String {
        format!("{} {}", self.verb.as_str(), self.path)
    }

    /// The names of the template's parameters, in order.
    pub fn params(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }
}
