//! What is copied: every table both schemas share, each column with its kind, in an order in
//! which every row's references are already there. Kept by hand, and checked against both
//! schemas by `tests/tables.rs` (which names any table or column missing here).

/// How a column is stored: SQLite's INTEGER, TEXT and BLOB, and PostgreSQL's BIGINT, TEXT,
/// BOOLEAN (an INTEGER 0 or 1 in SQLite) and BYTEA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An integer (BIGINT).
    Int,
    /// Text.
    Text,
    /// A flag: 0 or 1 in SQLite, BOOLEAN in PostgreSQL.
    Bool,
    /// Bytes (BLOB, BYTEA).
    Bytes,
}

/// One table to copy.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// Its name, the same in both schemas.
    pub name: &'static str,
    /// Its columns, with their kinds.
    pub columns: &'static [(&'static str, Kind)],
    /// Whether its `id` comes from an identity sequence that must continue after the copy.
    pub sequence: bool,
}

use Kind::{Bool, Bytes, Int, Text};

/// Every table, parents before children.
pub const TABLES: &[Table] = &[
    Table {
        name: "streamers",
        columns: &[
            ("id", Int),
            ("kick_user_id", Int),
            ("username", Text),
            ("display_name", Text),
            ("avatar_url", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        sequence: true,
    },
    Table {
        name: "users",
        columns: &[
            ("streamer_id", Int),
            ("id", Int),
            ("username", Text),
            ("voice_id", Text),
            ("drop_image", Text),
            ("country", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        sequence: true,
    },
    Table {
        name: "user_points",
        columns: &[
            ("streamer_id", Int),
            ("user_id", Int),
            ("channel_points", Int),
            ("drop_points", Int),
            ("total_drops", Int),
            ("last_updated", Int),
        ],
        sequence: false,
    },
    Table {
        name: "point_transactions",
        columns: &[
            ("streamer_id", Int),
            ("id", Int),
            ("user_id", Int),
            ("amount", Int),
            ("source", Text),
            ("description", Text),
            ("created_at", Int),
        ],
        sequence: true,
    },
    Table {
        name: "powerup_inventory",
        columns: &[
            ("streamer_id", Int),
            ("user_id", Int),
            ("powerup_type", Text),
            ("quantity", Int),
        ],
        sequence: false,
    },
    Table {
        name: "powerup_purchases",
        columns: &[
            ("streamer_id", Int),
            ("id", Int),
            ("user_id", Int),
            ("powerup_type", Text),
            ("cost", Int),
            ("purchased_at", Int),
        ],
        sequence: true,
    },
    Table {
        name: "drop_history",
        columns: &[
            ("streamer_id", Int),
            ("id", Int),
            ("user_id", Int),
            ("score", Int),
            ("is_perfect", Bool),
            ("powerup_used", Text),
            ("created_at", Int),
        ],
        sequence: true,
    },
    Table {
        name: "command_cooldowns",
        columns: &[
            ("streamer_id", Int),
            ("user_id", Int),
            ("command", Text),
            ("last_used_at", Int),
            ("expires_at", Int),
        ],
        sequence: false,
    },
    Table {
        name: "user_sessions",
        columns: &[
            ("streamer_id", Int),
            ("token_hash", Bytes),
            ("user_id", Int),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        sequence: false,
    },
    Table {
        name: "streamer_sessions",
        columns: &[
            ("streamer_id", Int),
            ("token_hash", Bytes),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        sequence: false,
    },
    Table {
        name: "verification_codes",
        columns: &[
            ("streamer_id", Int),
            ("id", Int),
            ("username", Text),
            ("code", Text),
            ("verified", Bool),
            ("created_at", Int),
            ("expires_at", Int),
            ("secret_hash", Bytes),
            ("failed_redemptions", Int),
        ],
        sequence: true,
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("streamer_id", Int),
            ("provider", Text),
            ("access_token", Text),
            ("refresh_token", Text),
            ("expires_at", Int),
            ("scope", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        sequence: false,
    },
    Table {
        name: "powerup_config",
        columns: &[
            ("streamer_id", Int),
            ("id", Text),
            ("name", Text),
            ("description", Text),
            ("cost", Int),
            ("emoji", Text),
            ("effect", Text),
            ("variables", Text),
            ("enabled", Bool),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        sequence: false,
    },
    Table {
        name: "overlay_settings",
        columns: &[
            ("streamer_id", Int),
            ("key", Text),
            ("value", Text),
            ("description", Text),
            ("updated_at", Int),
        ],
        sequence: false,
    },
    Table {
        name: "overlay_layouts",
        columns: &[
            ("streamer_id", Int),
            ("id", Text),
            ("name", Text),
            ("is_default", Bool),
            ("layout", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        sequence: false,
    },
    Table {
        name: "theme_settings",
        columns: &[("streamer_id", Int), ("theme", Text), ("updated_at", Int)],
        sequence: false,
    },
    Table {
        name: "tips",
        columns: &[
            ("streamer_id", Int),
            ("id", Int),
            ("content", Text),
            ("enabled", Bool),
            ("sort_order", Int),
            ("created_at", Int),
        ],
        sequence: true,
    },
    Table {
        name: "goals",
        columns: &[
            ("streamer_id", Int),
            ("id", Text),
            ("label", Text),
            ("current_value", Int),
            ("target_value", Int),
            ("enabled", Bool),
            ("updated_at", Int),
        ],
        sequence: false,
    },
    Table {
        name: "admin_keys",
        columns: &[
            ("streamer_id", Int),
            ("key_hash", Bytes),
            ("created_at", Int),
        ],
        sequence: false,
    },
    // Event ids count per streamer (the counter is copied with them), not from a sequence.
    Table {
        name: "event_sequences",
        columns: &[("streamer_id", Int), ("last_id", Int)],
        sequence: false,
    },
    Table {
        name: "events",
        columns: &[
            ("streamer_id", Int),
            ("id", Int),
            ("kind", Text),
            ("payload", Text),
            ("created_at", Int),
            ("user_id", Int),
        ],
        sequence: false,
    },
    Table {
        name: "overlay_keys",
        columns: &[
            ("streamer_id", Int),
            ("key_hash", Bytes),
            ("created_at", Int),
        ],
        sequence: false,
    },
    // What Kick drives: the deliveries already applied (so a redelivery after the move still
    // changes nothing), Kick user links, the live state, recent chatters, the watch minutes
    // already awarded, open duels and the economy's configuration.
    Table {
        name: "kick_viewers",
        columns: &[
            ("streamer_id", Int),
            ("kick_user_id", Int),
            ("user_id", Int),
        ],
        sequence: false,
    },
    Table {
        name: "kick_deliveries",
        columns: &[
            ("streamer_id", Int),
            ("delivery_id", Text),
            ("received_at", Int),
        ],
        sequence: false,
    },
    Table {
        name: "stream_states",
        columns: &[("streamer_id", Int), ("live", Bool), ("changed_at", Int)],
        sequence: false,
    },
    Table {
        name: "chatters",
        columns: &[
            ("streamer_id", Int),
            ("user_id", Int),
            ("last_chat_at", Int),
        ],
        sequence: false,
    },
    Table {
        name: "watch_minutes",
        columns: &[("streamer_id", Int), ("minute", Int)],
        sequence: false,
    },
    // `id` is the order the duels were opened in.
    Table {
        name: "duels",
        columns: &[
            ("streamer_id", Int),
            ("id", Int),
            ("challenger_id", Int),
            ("opponent_id", Int),
            ("stake", Int),
            ("expires_at", Int),
            ("created_at", Int),
        ],
        sequence: true,
    },
    Table {
        name: "economy_configs",
        columns: &[
            ("streamer_id", Int),
            ("document", Text),
            ("updated_at", Int),
        ],
        sequence: false,
    },
];

/// Tables of the SQLite schema that are not copied, and why.
pub const NOT_COPIED: &[(&str, &str)] = &[
    (
        "migration_audit",
        "the record of legacy migrations run on that file; it stays with the file",
    ),
    (
        "sqlite_sequence",
        "SQLite's own; the sequences are set from it",
    ),
];
