//! The route table's types: a [`Route`] (method, path template, credentials, status, summary,
//! example body, the types of its request and response bodies, handler), its [`Verb`] and
//! [`Access`], and the `route!` macro the domain tables in [`crate::routes`] are written with.

use crate::call::{Call, HandlerFuture};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use warp::http::Method;

/// One [`Route`] of a domain table:
/// `route!(Get "/{streamer}/api/x/{id}", Public, 200, "What it does", handlers::x::get)`,
/// optionally followed by `, req: NewX` (the type the handler reads its body as), `, res: X`
/// (the type its success answer serializes; `sse: T` instead for Server-Sent Events whose
/// `data:` lines are `T`, `html: String` for a page), `, body: r#"{…example…}"#`,
/// `, query: ["limit"]` and `, also: [429]` (statuses the handler answers that the rules of
/// [`Route::statuses`] do not give). The OpenAPI document's schemas come from `req` and `res`
/// ([`crate::openapi::document`]).
macro_rules! route {
    ($verb:ident $path:literal, $access:ident, $status:literal, $summary:literal, $handler:path
     $(, req: $req:ty)? $(, res: $res:ty)? $(, sse: $sse:ty)? $(, html: $html:ty)?
     $(, body: $body:literal)? $(, query: [$($q:literal),*])? $(, also: [$($a:literal),*])?) => {
        $crate::route::Route {
            verb: $crate::route::Verb::$verb,
            path: $path,
            access: $crate::route::Access::$access,
            status: $status,
            summary: $summary,
            body: route!(@body $($body)?),
            request: route!(@req $($req)?),
            response: route!(@res $(json $res)? $(sse $sse)? $(html $html)?),
            query: &[$($($q),*)?],
            also: &[$($($a),*)?],
            handler: |call| ::std::boxed::Box::pin($handler(call)),
        }
    };
    (@body) => { None };
    (@body $b:literal) => { Some($b) };
    (@req) => { None };
    (@req $t:ty) => { Some($crate::route::schema_of::<$t> as $crate::route::SchemaFn) };
    (@res) => { None };
    (@res json $t:ty) => {
        Some($crate::route::Payload::json($crate::route::schema_of::<$t> as $crate::route::SchemaFn))
    };
    (@res sse $t:ty) => {
        Some($crate::route::Payload::events($crate::route::schema_of::<$t> as $crate::route::SchemaFn))
    };
    (@res html $t:ty) => {
        Some($crate::route::Payload::html($crate::route::schema_of::<$t> as $crate::route::SchemaFn))
    };
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
    /// The streamer's overlay key, in the URL (`?key=`, since a browser source cannot set
    /// headers) or as a bearer token; anything that opens [`Access::Admin`] opens these too.
    /// Only the few writes a browser source makes.
    Overlay,
}

/// Writes the JSON Schema of a body into a generator, answering the schema (or a `$ref` to it).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The JSON Schema of `T`, as a [`SchemaFn`]: what `req:` and `res:` store.
pub fn schema_of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// A body a route answers: its media type and the schema of its content.
#[derive(Debug, Clone, Copy)]
pub struct Payload {
    /// `application/json`, `text/event-stream` for Server-Sent Events, or `text/html`.
    pub media_type: &'static str,
    /// The schema of the JSON body, or of each event's `data:` line.
    pub schema: SchemaFn,
}

impl Payload {
    /// A JSON body of the schema `schema`.
    pub const fn json(schema: SchemaFn) -> Self {
        Payload {
            media_type: "application/json",
            schema,
        }
    }

    /// Server-Sent Events whose `data:` lines are JSON of the schema `schema`.
    pub const fn events(schema: SchemaFn) -> Self {
        Payload {
            media_type: "text/event-stream",
            schema,
        }
    }

    /// An HTML page (the schema of its text).
    pub const fn html(schema: SchemaFn) -> Self {
        Payload {
            media_type: "text/html",
            schema,
        }
    }

    /// Whether this is an event stream.
    pub fn is_event_stream(&self) -> bool {
        self.media_type == "text/event-stream"
    }
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
    /// The schema of the body the handler reads (`req:`); `None` for a route that reads none.
    pub request: Option<SchemaFn>,
    /// What the success answer carries (`res:`, `sse:` or `html:`); `None` for an answer without a body
    /// (204).
    pub response: Option<Payload>,
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
