//! The OpenAPI 3 document, generated from the route table so it lists every route. The server
//! builds it once when it starts ([`crate::state::AppState::openapi`]).

use crate::body::MAX_BODY_BYTES;
use crate::route::{Access, Route};
use serde_json::{Map, Value, json};

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

fn operation(r: &Route) -> Value {
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
            _ => json!({"type": "integer", "minimum": 0}),
        };
        parameters.push(json!({"name": q, "in": "query", "required": false, "schema": schema}));
    }
    let mut responses = Map::new();
    for status in r.statuses() {
        let answer = if status == r.status {
            match status {
                204 => json!({"description": "Done; no body"}),
                _ => {
                    json!({"description": "Success", "content": {"application/json": {"schema": {}}}})
                }
            }
        } else {
            match status {
                200 => {
                    json!({"description": "Already there; nothing was created", "content": {"application/json": {"schema": {}}}})
                }
                400 => error_response(
                    "Malformed JSON, a key named twice, or an invalid value (body, path or query)",
                ),
                401 => error_response(match r.access {
                    Access::Public => "The proof offered is not valid (see the summary)",
                    _ => "Missing or invalid credentials",
                }),
                404 => {
                    error_response("Unknown streamer or resource (another streamer's is the same)")
                }
                408 => error_response("The body did not arrive within the body timeout"),
                409 => error_response("Conflicts with stored state"),
                413 => error_response(&format!("Body over {MAX_BODY_BYTES} bytes")),
                415 => error_response("The body is not sent as application/json"),
                429 => error_response(
                    "Too many requests; the Retry-After header says when to try again",
                ),
                500 => error_response("The server failed; the details are in its log"),
                503 => error_response(
                    "Busy with work of this kind; the Retry-After header says when to try again",
                ),
                _ => error_response("An error"),
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
    };
    if let Some(s) = security {
        op["security"] = json!([{ s: [] }]);
    }
    if let Some(example) = r.body {
        let example: Value = serde_json::from_str(example).unwrap_or(Value::Null);
        op["requestBody"] = json!({
            "required": true,
            "content": {"application/json": {"schema": {"type": "object"}, "example": example}}
        });
    }
    op
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
    }
}

/// The document `GET /api/openapi.json` serves, for the route table `routes`.
pub fn document(routes: &[&Route]) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in routes {
        let entry = paths
            .entry(r.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[r.verb.as_str().to_ascii_lowercase()] = operation(r);
    }
    json!({
        "openapi": "3.0.3",
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
                "viewerSession": {"type": "http", "scheme": "bearer", "description": "A viewer session token of that streamer"}
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"}}}}
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes;

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
}
