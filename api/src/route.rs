//! The route table's types: a [`Route`] (method, path template, credentials, status, summary,
//! example body, handler), its [`Verb`] and [`Access`], and the `route!` macro the domain
//! tables in [`crate::routes`] are written with.

use crate::call::{Call, HandlerFuture};
use warp::http::Method;

/// One [`Route`] of a domain table:
/// `route!(Get "/{streamer}/api/x/{id}", Public, 200, "What it does", handlers::x::get)`,
/// optionally followed by `, body: r#"{…example…}"#`, `, query: ["limit"]` and
/// `, also: [429]` (statuses the handler answers that the rules of [`Route::statuses`] do not
/// give).
macro_rules! route {
    ($verb:ident $path:literal, $access:ident, $status:literal, $summary:literal, $handler:path
     $(, body: $body:literal)? $(, query: [$($q:literal),*])? $(, also: [$($a:literal),*])?) => {
        $crate::route::Route {
            verb: $crate::route::Verb::$verb,
            path: $path,
            access: $crate::route::Access::$access,
            status: $status,
            summary: $summary,
            body: route!(@body $($body)?),
            query: &[$($($q),*)?],
            also: &[$($($a),*)?],
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
    /// Statuses its handler answers beyond those [`Route::statuses`] derives.
    pub also: &'static [u16],
    /// The handler.
    pub handler: fn(Call) -> HandlerFuture,
}

impl Route {
    /// `"GET /{streamer}/api/users/{id}"`: how tests and logs name the route.
    pub fn key(&self) -> String {
        format!("{} {}", self.verb.as_str(), self.path)
    }

    /// Every status the route answers: its own, what its handler declares ([`Route::also`]),
    /// and what the checks every request goes through can answer, in their order: 400 for a
    /// path parameter that is not UTF-8 once decoded, a bad query value or a bad body; 401 for
    /// missing or wrong credentials; 404 for an unknown streamer or resource; 408 for a body too
    /// slow (any route: every body is read); 415 and 413 for a body not JSON or too large; 409 for a write that conflicts; 500 when the
    /// store fails.
    pub fn statuses(&self) -> std::collections::BTreeSet<u16> {
        let mut out: std::collections::BTreeSet<u16> = self.also.iter().copied().collect();
        out.insert(self.status);
        let has_params = self.params().next().is_some();
        if has_params || self.body.is_some() || !self.query.is_empty() {
            out.insert(400);
        }
        if self.access != Access::Public {
            out.insert(401);
        }
        if has_params {
            out.insert(404);
        }
        // Every request's body is read (within the body timeout) before it is routed.
        out.insert(408);
        if self.body.is_some() {
            out.extend([413, 415]);
        }
        if matches!(self.verb, Verb::Post | Verb::Put | Verb::Patch) {
            out.insert(409);
        }
        out.insert(500);
        out
    }

    /// The names of the template's parameters, in order.
    pub fn params(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }
}
