//! The OpenAPI 3.1 document, generated from the route table so it lists every route. The server
//! builds it once when it starts ([`crate::state::AppState::openapi`]).
//!
//! Every body's schema is generated from the Rust type the route names in the table (`req:` for
//! what its handler reads, `res:` or `sse:` for what it answers, [`crate::route::Route`]) by
//! `schemars`, so serde's attributes (renames, tags, flattening, refused unknown fields) are
//! what the document says. Response schemas follow what serializing writes, request schemas
//! what deserializing accepts (a defaulted field may be left out); a type whose two shapes
//! differ is described twice, the request's under its name with `Input` after it. Schemas are
//! JSON Schema 2020-12, which OpenAPI 3.1 uses as is. Errors are the [`ErrorBody`] every error
//! response serializes.

use crate::body::MAX_BODY_BYTES;
use crate::error::ErrorBody;
use crate::route::{Access, Payload, Route};
use datastore::{EVENT_TYPES, EventId};
use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The OpenAPI version the document declares.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// Where the document keeps its named schemas.
const SCHEMAS: &str = "#/components/schemas/";

/// What the event stream's `ready` (it follows everything after `last_id` from now on) and
/// `reset` (what the reader missed was purged: it reloads its data and goes on from
/// `last_id`) events carry. Only its schema is used.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct EventStreamMark {
    /// The streamer's latest event id.
    last_id: EventId,
}

/// The names the event stream's `event:` lines take: every stored type, `reset` and `ready`.
fn stream_event_types() -> Vec<&'static str> {
    let mut names = EVENT_TYPES.to_vec();
    if !names.contains(&"ready") {
        names.push("ready");
    }
    names
}

/// The two schema generators: what the server writes, and what it reads.
struct Schemas {
    responses: SchemaGenerator,
    requests: SchemaGenerator,
}

impl Schemas {
    fn new() -> Self {
        let settings = |contract| {
            let mut s = SchemaSettings::draft2020_12();
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
            s.contract = contract;
            s
        };
        Schemas {
            responses: settings(Contract::Serialize).into_generator(),
            requests: settings(Contract::Deserialize).into_generator(),
        }
    }

    fn response(&mut self, payload: &Payload) -> Value {
        (payload.schema)(&mut self.responses).to_value()
    }

    fn response_of<T: JsonSchema>(&mut self) -> Value {
        self.responses.subschema_for::<T>().to_value()
    }

    /// Every named schema, and the renamings: a request shape that differs from the response
    /// shape of the same name is renamed (`FooInput`).
    fn finish(mut self) -> (Map<String, Value>, BTreeMap<String, String>) {
        let mut all = self.responses.take_definitions(true);
        let requests = self.requests.take_definitions(true);
        let mut renamed = BTreeMap::new();
        for (name, schema) in &requests {
            match all.get(name) {
                Some(existing) if existing == schema => {}
                Some(_) => {
                    let mut new = format!("{name}Input");
                    while all.contains_key(&new) || requests.contains_key(&new) {
                        new.push('_');
                    }
                    renamed.insert(name.clone(), new);
                }
                None => {}
            }
        }
        for (name, mut schema) in requests {
            rename_refs(&mut schema, &renamed);
            let name = renamed.get(&name).cloned().unwrap_or(name);
            all.entry(name).or_insert(schema);
        }
        (all, renamed)
    }
}

/// Rewrites `$ref`s to the schemas `renamed` names.
fn rename_refs(v: &mut Value, renamed: &BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "$ref"
                    && let Some(name) = x.as_str().and_then(|r| r.strip_prefix(SCHEMAS))
                    && let Some(new) = renamed.get(name)
                {
                    *x = Value::String(format!("{SCHEMAS}{new}"));
                } else {
                    rename_refs(x, renamed);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rename_refs(x, renamed)),
        _ => {}
    }
}

fn error_response(description: &str, error: &Value) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": error}}
    })
}

/// The success answer `payload` describes.
fn success(description: &str, payload: &Payload, schemas: &mut Schemas) -> Value {
    let schema = schemas.response(payload);
    if payload.is_event_stream() {
        let mark = schemas.response_of::<EventStreamMark>();
        let types = stream_event_types();
        return json!({
            "description": format!(
                "Server-Sent Events. Each event has an `id:` line (the event's id), an `event:` \
                 line (its type: one of {}) and one `data:` line, JSON: the Event, or for \
                 `ready` (the stream follows from here) and `reset` (what the reader missed is \
                 gone: reload, then go on) an EventStreamMark. Comment lines keep the \
                 connection open.",
                types.join(", ")
            ),
            "content": {payload.media_type: {
                "schema": {
                    "description": "One event's `data:` line",
                    "oneOf": [schema, mark]
                },
                "x-event-types": types,
            }}
        });
    }
    json!({"description": description, "content": {payload.media_type: {"schema": schema}}})
}

fn operation(r: &Route, schemas: &mut Schemas, error: &Value) -> Value {
    let mut parameters: Vec<Value> = r
        .params()
        .map(|name| {
            let description = match name {
                "streamer" => "The streamer's username (ignoring case)",
                "id" => "The resource's id",
                "type" => "A powerup: tnt, powerdrop, shield, magnet, ghost or boost",
                _ => "A key, percent-encoded",
            };
            json!({"name": name, "in": "path", "required": true, "description": description,
                   "schema": {"type": "string"}})
        })
        .collect();
    for q in r.query {
        let schema = match *q {
            "limit" => json!({"type": "integer", "minimum": 1, "maximum": 500, "default": 50}),
            "key" => json!({"type": "string"}),
            _ => json!({"type": "integer", "minimum": 0}),
        };
        parameters.push(json!({"name": q, "in": "query", "required": false, "schema": schema}));
    }
    if r.response.as_ref().is_some_and(|p| p.is_event_stream()) {
        parameters.push(json!({
            "name": "Last-Event-ID", "in": "header", "required": false,
            "description": "The id of the last event the client received (browsers send it when \
                they reconnect): the stream first sends what came after it, or `reset` when that \
                is no longer kept. `?last_event_id=` does the same for clients that cannot set \
                headers.",
            "schema": {"type": "integer", "minimum": 0}
        }));
    }
    let mut responses = Map::new();
    for status in r.statuses() {
        let answer = if status == r.status {
            match (&r.response, status) {
                (_, 204) | (None, _) => json!({"description": "Done; no body"}),
                (Some(p), _) => success("Success", p, schemas),
            }
        } else {
            match status {
                200 => match &r.response {
                    Some(p) => success("Already there; nothing was created", p, schemas),
                    None => json!({"description": "Already there; nothing was created"}),
                },
                400 => error_response(
                    "Malformed JSON, a key named twice, or an invalid value (body, path or query)",
                    error,
                ),
                401 => error_response(
                    match r.access {
                        Access::Public => "The proof offered is not valid (see the summary)",
                        _ => "Missing or invalid credentials",
                    },
                    error,
                ),
                404 => error_response(
                    "Unknown streamer or resource (another streamer's is the same)",
                    error,
                ),
                408 => error_response("The body did not arrive within the body timeout", error),
                409 => error_response("Conflicts with stored state", error),
                413 => error_response(&format!("Body over {MAX_BODY_BYTES} bytes"), error),
                415 => error_response("The body is not sent as application/json", error),
                429 => error_response(
                    "Too many requests; the Retry-After header says when to try again",
                    error,
                ),
                500 => error_response("The server failed; the details are in its log", error),
                503 => error_response(
                    "Busy with work of this kind (the Retry-After header says when to try again), \
                     or something the route needs is not configured or not reachable now",
                    error,
                ),
                _ => error_response("An error", error),
            }
        };
        responses.insert(status.to_string(), answer);
    }
    let mut op = json!({
        "summary": r.summary,
        "operationId": operation_id(r),
        "tags": [tag(r)],
        "parameters": parameters,
        "responses": responses,
    });
    let security = match r.access {
        Access::Public => None,
        Access::Operator => Some("operatorKey"),
        Access::Admin => Some("adminKey"),
        Access::Viewer => Some("viewerSession"),
        Access::Overlay => None,
    };
    if let Some(s) = security {
        op["security"] = json!([{ s: [] }]);
    }
    if r.access == Access::Overlay {
        op["security"] = json!([{"overlayKey": []}, {"overlayBearer": []}, {"adminKey": []}]);
    }
    if r.body.is_some() || r.request.is_some() {
        let mut content = json!({"schema": {}});
        if let Some(schema) = r.request {
            content["schema"] = schema(&mut schemas.requests).to_value();
        }
        if let Some(example) = r.body {
            content["example"] = serde_json::from_str(example).unwrap_or(Value::Null);
        }
        op["requestBody"] = json!({
            "required": true,
            "content": {"application/json": content}
        });
    }
    op
}

/// Rustdoc links in a description (`` [`Tip::content`] ``, `` [`x`](y) ``) as plain code spans.
fn plain_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("[`") {
        out.push_str(&rest[..i]);
        let code = &rest[i + 1..];
        let Some(j) = code[1..].find("`]") else {
            out.push_str(&rest[i..]);
            return out;
        };
        out.push_str(&code[..j + 2]);
        rest = &code[j + 3..];
        if rest.starts_with('(')
            && let Some(k) = rest.find(')')
        {
            rest = &rest[k + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// [`plain_links`] on every description in `v`.
fn plain_descriptions(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    Value::String(text) if k == "description" => *text = plain_links(text),
                    _ => plain_descriptions(x),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(plain_descriptions),
        _ => {}
    }
}

/// `GET /{streamer}/api/users/{id}` → `get_users_id`: what code generators accept.
fn operation_id(r: &Route) -> String {
    let mut id = r.verb.as_str().to_ascii_lowercase();
    for seg in r
        .path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "{streamer}" && *s != "api")
    {
        id.push('_');
        id.extend(
            seg.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .map(|c| if c == '-' { '_' } else { c }),
        );
    }
    if r.path.starts_with("/api/") {
        id.push_str("_root");
    }
    id
}

fn tag(r: &Route) -> &'static str {
    match r.access {
        Access::Operator => "operator",
        Access::Admin => "admin",
        Access::Viewer => "viewer",
        Access::Public => "public",
        Access::Overlay => "overlay",
    }
}

/// The document `GET /api/openapi.json` serves, for the route table `routes`.
pub fn document(routes: &[&Route]) -> Value {
    let mut schemas = Schemas::new();
    let error = schemas.response_of::<ErrorBody>();
    let mut paths: Map<String, Value> = Map::new();
    for r in routes {
        let entry = paths
            .entry(r.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[r.verb.as_str().to_ascii_lowercase()] = operation(r, &mut schemas, &error);
    }
    let (components, renamed) = schemas.finish();
    // Request bodies name the renamed request shapes.
    for op in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in op.values_mut() {
            if let Some(body) = op.get_mut("requestBody") {
                rename_refs(body, &renamed);
            }
        }
    }
    let mut doc = json!({
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "KickOverlay",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Overlays, profile pages and admin for many Kick streamers. Every tenant \
                route starts with the streamer's username; another streamer's resources answer \
                exactly like missing ones (404)."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "operatorKey": {"type": "http", "scheme": "bearer", "description": "KICKOVERLAY_OPERATOR_KEY"},
                "adminKey": {"type": "http", "scheme": "bearer", "description": "The streamer's admin key (valid only under that streamer's path)"},
                "viewerSession": {"type": "http", "scheme": "bearer", "description": "A viewer session token of that streamer"},
                "overlayKey": {"type": "apiKey", "in": "query", "name": "key", "description": "The streamer's overlay key, for browser sources (valid only under that streamer's path)"},
                "overlayBearer": {"type": "http", "scheme": "bearer", "description": "The streamer's overlay key as a bearer token"}
            },
            "schemas": components
        }
    });
    plain_descriptions(&mut doc);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes;
    use datastore::{
        Event, EventData, Goal, GoalId, LayoutId, OverlayLayout, OverlaySetting, PointSource,
        PowerupType, Theme, Timestamp, Tip, TipId, User, UserId, ViewerBalances, default_powerups,
    };

    /// A validator for `schema`, whose `$ref`s point into `doc`'s components.
    fn validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": doc["components"],
            "allOf": [schema],
        });
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("{schema} is not a valid schema: {e}"))
    }

    fn named(doc: &Value, name: &str) -> jsonschema::Validator {
        validator(doc, &json!({"$ref": format!("{SCHEMAS}{name}")}))
    }

    fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
        v.iter_errors(instance).map(|e| e.to_string()).collect()
    }

    #[test]
    fn every_route_is_in_the_document_with_a_valid_example() {
        let doc = document(routes::all());
        for r in routes::all() {
            let op = &doc["paths"][r.path][r.verb.as_str().to_ascii_lowercase()];
            assert_eq!(op["summary"], json!(r.summary), "{} is missing", r.key());
            if let Some(example) = r.body {
                let parsed: Result<Value, _> = serde_json::from_str(example);
                assert!(
                    parsed.is_ok(),
                    "the example body of {} is not JSON",
                    r.key()
                );
            }
        }
        let n: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(n, routes::all().len());
        let mut ids: Vec<String> = routes::all().iter().map(|r| operation_id(r)).collect();
        assert!(
            ids.iter()
                .all(|i| i.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        );
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), routes::all().len(), "operation ids are unique");
    }

    #[test]
    fn every_route_names_the_types_of_its_bodies() {
        let mut wrong = Vec::new();
        for r in routes::all() {
            match (r.status, r.response.is_some()) {
                (204, true) => wrong.push(format!("{} answers 204 but names a `res:`", r.key())),
                (204, false) | (_, true) => {}
                (_, false) => wrong.push(format!(
                    "{} answers a body but names no `res:` (or `sse:`, `html:`) type",
                    r.key()
                )),
            }
            match (r.body.is_some(), r.request.is_some()) {
                (true, false) => {
                    wrong.push(format!("{} reads a body but names no `req:` type", r.key()))
                }
                (false, true) => wrong.push(format!(
                    "{} names a `req:` type but no example `body:` (so it reads none)",
                    r.key()
                )),
                _ => {}
            }
        }
        assert!(
            wrong.is_empty(),
            "routes without schemas:\n{}",
            wrong.join("\n")
        );
        let doc = document(routes::all());
        for r in routes::all() {
            let op = &doc["paths"][r.path][r.verb.as_str().to_ascii_lowercase()];
            for (status, answer) in op["responses"].as_object().unwrap() {
                let has_schema = answer["content"]
                    .as_object()
                    .is_some_and(|c| c.values().all(|m| m["schema"].is_object()));
                assert_eq!(
                    has_schema,
                    status != "204",
                    "{} {status}: {answer}",
                    r.key()
                );
            }
        }
    }

    #[test]
    fn every_example_body_fits_its_schema() {
        let doc = document(routes::all());
        let mut checked = 0;
        for r in routes::all() {
            let Some(example) = r.body else { continue };
            let op = &doc["paths"][r.path][r.verb.as_str().to_ascii_lowercase()];
            let content = &op["requestBody"]["content"]["application/json"];
            let v = validator(&doc, &content["schema"]);
            let example: Value = serde_json::from_str(example).unwrap();
            assert_eq!(content["example"], example, "{}", r.key());
            let errors = errors(&v, &example);
            assert!(errors.is_empty(), "{}: {errors:?}", r.key());
            checked += 1;
        }
        assert!(checked >= 20, "only {checked} examples");
    }

    #[tokio::test]
    async fn errors_are_described_by_the_body_the_server_sends() {
        let doc = document(routes::all());
        let body = crate::error::ApiError::NotFound("tip".into()).into_response();
        let (_, body) = body.into_parts();
        let bytes = http_body_util::BodyExt::collect(body)
            .await
            .unwrap()
            .to_bytes();
        let sent: Value = serde_json::from_slice(&bytes).unwrap();
        let error = named(&doc, "ErrorBody");
        assert!(errors(&error, &sent).is_empty(), "{sent}");
        assert!(!error.is_valid(&json!({"code": "not_found", "message": "x"})));
        let r = routes::all()
            .iter()
            .find(|r| r.path == "/{streamer}/api/tips" && r.body.is_some())
            .unwrap();
        let op = &doc["paths"][r.path]["post"];
        for status in ["400", "401", "404", "413", "415", "500"] {
            assert_eq!(
                op["responses"][status]["content"]["application/json"]["schema"],
                json!({"$ref": format!("{SCHEMAS}ErrorBody")}),
                "{status}"
            );
        }
    }

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms).unwrap()
    }

    /// One event of every stored type, as the store records them.
    fn every_event() -> Vec<Event> {
        let viewer = ViewerBalances {
            user_id: UserId(3),
            username: "Zoë".into(),
            channel_points: 40,
            drop_points: 7,
            total_drops: 1,
        };
        let goal = Goal {
            id: GoalId::new("followers"),
            label: "Followers".into(),
            current_value: 3,
            target_value: 10,
            enabled: true,
            updated_at: at(1),
        };
        let tip = Tip {
            id: TipId(4),
            content: "Type !drop".into(),
            enabled: true,
            sort_order: 0,
            created_at: at(1),
        };
        let (kind, input) = default_powerups().remove(0);
        let user = User {
            id: UserId(3),
            streamer_id: datastore::StreamerId(1),
            username: "Zoë".into(),
            voice_id: None,
            drop_image: Some("https://example.com/z.png".into()),
            country: Some("GB".into()),
            created_at: at(1),
            updated_at: at(2),
        };
        let data = vec![
            EventData::PointsChanged {
                viewer: viewer.clone(),
                amount: -5,
                source: PointSource::Spend,
                description: None,
            },
            EventData::DropRecorded {
                viewer,
                score: 200,
                is_perfect: true,
                powerup_used: Some(PowerupType::Shield),
            },
            EventData::PowerupPurchased {
                user_id: UserId(3),
                username: "Zoë".into(),
                powerup: kind,
                quantity: 1,
                owned: 2,
            },
            EventData::PowerupAdded {
                user_id: UserId(3),
                username: "Zoë".into(),
                powerup: kind,
                quantity: 3,
                owned: 5,
            },
            EventData::PowerupUsed {
                user_id: UserId(3),
                username: "Zoë".into(),
                powerup: kind,
                owned: 4,
            },
            EventData::PowerupChanged {
                id: kind,
                powerup: Some(input.into_config(kind, at(1), at(2))),
            },
            EventData::GoalChanged {
                id: goal.id.clone(),
                goal: Some(goal),
            },
            EventData::TipChanged {
                id: tip.id,
                tip: Some(tip),
            },
            EventData::SettingChanged {
                key: "accent".into(),
                setting: Some(OverlaySetting {
                    key: "accent".into(),
                    value: "#ff6600".into(),
                    description: None,
                    updated_at: at(3),
                }),
            },
            EventData::LayoutChanged {
                id: LayoutId::new("main"),
                layout: Some(OverlayLayout {
                    id: LayoutId::new("main"),
                    name: "Main".into(),
                    is_default: true,
                    layout: json!({"widgets": []}),
                    created_at: at(1),
                    updated_at: at(1),
                }),
            },
            EventData::ThemeChanged {
                theme: Theme {
                    theme: json!({"primary": "#53fc18"}),
                    updated_at: at(4),
                },
            },
            EventData::ViewerChanged { user },
            EventData::ViewerRemoved { user_id: UserId(3) },
            EventData::Alert {
                kind: datastore::AlertKind::Gift,
                user_id: None,
                username: None,
                amount: 5,
            },
            EventData::SpeechQueued {
                user_id: UserId(3),
                username: "Zoë".into(),
                text: "hello chat".into(),
                voice: Some("brian".into()),
            },
            EventData::LiveChanged { live: true },
        ];
        data.into_iter()
            .enumerate()
            .map(|(i, data)| Event {
                id: datastore::EventId(i as i64 + 1),
                at: at(5),
                data,
            })
            .collect()
    }

    #[test]
    fn events_as_serialized_fit_the_event_schema_and_name_every_type() {
        let doc = document(routes::all());
        let schema = named(&doc, "Event");
        let events = every_event();
        let kinds: Vec<&str> = events.iter().map(|e| e.data.kind()).collect();
        assert_eq!(kinds, EVENT_TYPES[..EVENT_TYPES.len() - 1]);
        for e in &events {
            let v = serde_json::to_value(e).unwrap();
            assert!(
                errors(&schema, &v).is_empty(),
                "{v}: {:?}",
                errors(&schema, &v)
            );
        }
        // The tag and content of `EventData` (`{"type": …, "data": {…}}`) sit beside the id.
        let tags: Vec<&str> = doc["components"]["schemas"]["Event"]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|variant| variant["properties"]["type"]["const"].as_str().unwrap())
            .collect();
        assert_eq!(tags, kinds);
        let good = serde_json::to_value(&events[12]).unwrap();
        assert_eq!(
            good,
            json!({"id": 13, "at": "1970-01-01T00:00:00.005Z", "type": "viewer_removed",
                   "data": {"user_id": 3}})
        );
        let mut wrong = Vec::new();
        // Untagged content, a wrong tag, a string id, a number for a time, the content's
        // fields flattened beside the tag, a flattened viewer nested instead.
        wrong.push(json!({"id": 13, "at": "1970-01-01T00:00:00.005Z", "user_id": 3}));
        wrong.push(json!({"id": 13, "at": "1970-01-01T00:00:00.005Z", "type": "viewer_gone", "data": {"user_id": 3}}));
        wrong.push(json!({"id": "13", "at": "1970-01-01T00:00:00.005Z", "type": "viewer_removed", "data": {"user_id": 3}}));
        wrong.push(json!({"id": 13, "at": 5, "type": "viewer_removed", "data": {"user_id": 3}}));
        wrong.push(
            json!({"id": 13, "at": "yesterday", "type": "viewer_removed", "data": {"user_id": 3}}),
        );
        wrong.push(json!({"id": 13, "at": "1970-01-01T00:00:00.005Z", "type": "viewer_removed", "user_id": 3}));
        let mut nested = serde_json::to_value(&events[0]).unwrap();
        let data = nested["data"].as_object_mut().unwrap();
        let user_id = data.remove("user_id").unwrap();
        data.insert("viewer".into(), json!({"user_id": user_id}));
        wrong.push(nested);
        for w in wrong {
            assert!(!schema.is_valid(&w), "{w} should not fit");
        }
    }

    #[test]
    fn serde_attributes_are_in_the_schemas() {
        let doc = document(routes::all());
        let s = &doc["components"]["schemas"];
        // Refused unknown fields, defaults (not required), nullable patches.
        let tip = named(&doc, "NewTip");
        assert!(tip.is_valid(&json!({"content": "hi"})));
        assert!(!tip.is_valid(&json!({"content": "hi", "colour": "red"})));
        assert!(!tip.is_valid(&json!({"enabled": true})));
        let profile = named(&doc, "ProfileUpdate");
        assert!(profile.is_valid(&json!({})));
        assert!(profile.is_valid(&json!({"voice_id": null, "country": "gb"})));
        assert!(!profile.is_valid(&json!({"voice_id": 3})));
        assert!(!profile.is_valid(&json!({"nickname": "z"})));
        // Transparent ids are their inner value; enums are their snake_case names.
        assert_eq!(s["UserId"]["type"], "integer");
        assert_eq!(s["GoalId"]["type"], "string");
        let source = named(&doc, "PointSource");
        assert!(source.is_valid(&json!("chat")) && !source.is_valid(&json!("Chat")));
        let kind = named(&doc, "PowerupType");
        assert!(kind.is_valid(&json!("tnt")) && !kind.is_valid(&json!("Tnt")));
        // Responses: what serializing writes, so an `Option` is there as `null`.
        let user = named(&doc, "User");
        let sample = every_event().remove(11);
        let EventData::ViewerChanged { user: u } = sample.data else {
            unreachable!()
        };
        let mut v = serde_json::to_value(&u).unwrap();
        assert!(user.is_valid(&v), "{v}");
        v.as_object_mut().unwrap().remove("voice_id");
        assert!(!user.is_valid(&v), "a response always has every field");
        // The document's descriptions are plain: no rustdoc links.
        let text = doc.to_string();
        assert!(
            !text.contains("[`"),
            "a rustdoc link is left in the document"
        );
    }

    #[test]
    fn the_event_stream_is_described_with_its_event_types() {
        let doc = document(routes::all());
        let Some(r) = routes::all()
            .iter()
            .find(|r| r.response.as_ref().is_some_and(|p| p.is_event_stream()))
        else {
            panic!("no route answers an event stream (`sse:` in the route table)");
        };
        let answer = &doc["paths"][r.path]["get"]["responses"][r.status.to_string()];
        let media = &answer["content"]["text/event-stream"];
        assert_eq!(media["x-event-types"], json!(stream_event_types()));
        for t in stream_event_types() {
            assert!(answer["description"].as_str().unwrap().contains(t), "{t}");
        }
        let data = validator(&doc, &media["schema"]);
        let e = serde_json::to_value(&every_event()[3]).unwrap();
        assert!(data.is_valid(&e));
        assert!(data.is_valid(&json!({"last_id": 9})));
        assert!(!data.is_valid(&json!({"last": 9})));
    }

    #[test]
    fn rustdoc_links_become_code_spans() {
        assert_eq!(
            plain_links("See [`Tip::content`]; 1 to [`validate::MAX`](crate::x) chars [`x"),
            "See `Tip::content`; 1 to `validate::MAX` chars [`x"
        );
        assert_eq!(plain_links("no links [here]"), "no links [here]");
    }

    #[test]
    fn request_shapes_that_differ_are_renamed_and_their_refs_follow() {
        #[derive(JsonSchema, serde::Serialize, serde::Deserialize)]
        #[allow(dead_code)]
        struct Shape {
            #[serde(default)]
            n: i64,
        }
        #[derive(JsonSchema)]
        #[allow(dead_code)]
        struct Holder {
            shape: Shape,
        }
        let mut s = Schemas::new();
        s.response_of::<Shape>();
        let req = s.requests.subschema_for::<Holder>().to_value();
        let (all, renamed) = s.finish();
        assert_eq!(renamed.get("Shape").map(String::as_str), Some("ShapeInput"));
        assert_eq!(all["Shape"]["required"], json!(["n"]));
        assert!(all["ShapeInput"].get("required").is_none());
        assert_eq!(
            all["Holder"]["properties"]["shape"]["$ref"],
            format!("{SCHEMAS}ShapeInput")
        );
        assert_eq!(req, json!({"$ref": format!("{SCHEMAS}Holder")}));
    }
}
