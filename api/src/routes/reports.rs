//! Analytics and the export.

use crate::handlers::reports;
use crate::models::export::ExportDocument;
use crate::route::{Route, route};
use datastore::Analytics;

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/analytics", Admin, 200, "Totals: viewers, points, drops, purchases by powerup", reports::analytics, res: Analytics),
    route!(Get "/{streamer}/api/export", Admin, 200, "Everything the streamer owns, as one JSON document (OAuth tokens as metadata)", reports::export, res: ExportDocument,
        also: [503]),
];
