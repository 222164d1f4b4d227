//! Channel points, the ledger, drops and the leaderboard.

use crate::handlers::points;
use crate::route::{Route, route};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/leaderboard", Public, 200, "The top viewers by channel plus drop points", points::leaderboard,
        query: ["limit"]),
    route!(Get "/{streamer}/api/users/{id}/points", Public, 200, "A viewer's balances and ledger summed by source", points::get),
    route!(Get "/{streamer}/api/users/{id}/transactions", Public, 200, "A viewer's ledger, newest first, a page at a time", points::transactions,
        query: ["limit", "before"]),
    route!(Post "/{streamer}/api/users/{id}/points", Admin, 200, "Earn (positive amount) or spend (negative; 409 when the balance is short)", points::change,
        body: r#"{"amount": 25, "source": "chat", "description": "chat message"}"#),
    route!(Put "/{streamer}/api/users/{id}/points", Admin, 200, "Set a viewer's balances (recorded in the ledger)", points::set,
        body: r#"{"channel_points": 5000, "drop_points": 120, "description": "restored after a refund"}"#),
    route!(Post "/{streamer}/api/users/{id}/drops", Admin, 200, "Record a drop game result", points::drop,
        body: r#"{"score": 200, "is_perfect": true, "powerup_used": "shield"}"#),
    route!(Post "/{streamer}/api/points/award", Admin, 200, "Award one amount to many viewers by username (new ones are created)", points::award,
        body: r#"{"usernames": ["alice", "bob"], "amount": 5, "source": "watch"}"#),
];
