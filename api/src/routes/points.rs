//! Channel points, the ledger, drops and the leaderboard.

use crate::handlers::points;
use crate::models::points::{Award, PointsChange, PointsView};
use crate::route::{Route, route};
use datastore::{AdminSetPoints, BulkAward, LeaderboardEntry, NewDrop, PointTransaction, Points};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Get "/{streamer}/api/leaderboard", Public, 200, "The top viewers by channel plus drop points", points::leaderboard, res: Vec<LeaderboardEntry>,
        query: ["limit"]),
    route!(Get "/{streamer}/api/users/{id}/points", Public, 200, "A viewer's balances and ledger summed by source", points::get, res: PointsView),
    route!(Get "/{streamer}/api/users/{id}/transactions", Public, 200, "A viewer's ledger, newest first, a page at a time", points::transactions, res: Vec<PointTransaction>,
        query: ["limit", "before"]),
    route!(Post "/{streamer}/api/users/{id}/points", Admin, 200, "Earn (positive amount) or spend (negative; 409 when the balance is short)", points::change, req: PointsChange, res: Points,
        body: r#"{"amount": 25, "source": "chat", "description": "chat message"}"#),
    route!(Put "/{streamer}/api/users/{id}/points", Admin, 200, "Set a viewer's balances (recorded in the ledger)", points::set, req: AdminSetPoints, res: Points,
        body: r#"{"channel_points": 5000, "drop_points": 120, "description": "restored after a refund"}"#),
    route!(Post "/{streamer}/api/users/{id}/drops", Overlay, 200, "Record a drop game result (the overlay key is enough)", points::drop, req: NewDrop, res: Points,
        body: r#"{"score": 200, "is_perfect": true, "powerup_used": "shield"}"#, query: ["key"]),
    route!(Post "/{streamer}/api/points/award", Admin, 200, "Award one amount to many viewers by username (new ones are created)", points::award, req: Award, res: BulkAward,
        body: r#"{"usernames": ["alice", "bob"], "amount": 5, "source": "watch"}"#),
];
