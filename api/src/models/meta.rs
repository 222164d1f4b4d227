//! The server itself: its health and its OpenAPI document.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Serialize;
use std::borrow::Cow;

/// `GET /api/health`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Health {
    /// Always `ok`: the server answers and its store reads.
    pub status: HealthStatus,
}

/// What [`Health`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Serving.
    Ok,
}

/// `GET /api/openapi.json`: the document [`crate::openapi::document`] builds. Only its schema is
/// used; the handler answers the document itself.
#[derive(Debug, Clone, Copy)]
pub struct OpenApiDocument;

impl JsonSchema for OpenApiDocument {
    fn schema_name() -> Cow<'static, str> {
        "OpenApiDocument".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An OpenAPI 3.1 document (this one)",
            "type": "object",
            "required": ["openapi", "info", "paths"],
            "properties": {
                "openapi": {"type": "string", "pattern": "^3\\.1\\.[0-9]+$"},
                "info": {"type": "object"},
                "paths": {"type": "object"},
                "components": {"type": "object"}
            }
        })
    }
}
