//! Routes about the server itself.

use crate::handlers::meta;
use crate::models::meta::{Health, OpenApiDocument};
use crate::route::{Route, route};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/api/health", Public, 200, "Liveness: the server answers and the store reads", meta::health, res: Health),
    route!(Get "/api/openapi.json", Public, 200, "This API as an OpenAPI 3 document", meta::openapi, res: OpenApiDocument),
];
