//! The legacy tables: what a legacy file must hold, and how each table's rows become rows of
//! the multi-tenant schema.
//!
//! Each copy is one `INSERT … SELECT` per chunk of legacy rows, so a table is never read into
//! memory. In the SQL, `{src}` is where the legacy tables are (`legacy_` for a file migrated in
//! place, whose tables were renamed; `legacy.` for an attached file being imported) and
//! `{chunk}` selects the next chunk by the legacy `id`. The parameters: `:s` the streamer,
//! `:now` the migration's start (for NULL times), `:io` the offset added to the table's own ids
//! and `:uo` the one added to user ids (both 0 unless an import's ids collide).

/// One legacy table.
pub(crate) struct Table {
    /// Its name in a legacy file.
    pub legacy: &'static str,
    /// The multi-tenant table its rows go to.
    pub target: &'static str,
    /// The columns the copy reads (a legacy file must have them).
    pub columns: &'static [&'static str],
    /// The legacy column that names a row in messages (`id`, or `key` for settings).
    pub key: &'static str,
    /// How a legacy row `r` finds its copy `n` in the target (beside `n.streamer_id = :s`).
    pub join: &'static str,
    /// Its timestamp columns (TEXT in a legacy file, Unix milliseconds after the copy).
    pub times: &'static [&'static str],
    /// Its columns that must hold integers (the target tables are STRICT).
    pub integers: &'static [&'static str],
    /// Columns the copy takes as they are, under the same name: verification requires each
    /// copied row to hold exactly the legacy value (beside the key, times and normalised
    /// columns, which have checks of their own).
    pub verbatim: &'static [&'static str],
    /// Older legacy files lack it (the ledger).
    pub optional: bool,
    /// Rows are copied in chunks by the legacy `INTEGER PRIMARY KEY id`.
    pub chunked: bool,
    /// Its rows expire (`expires_at`): sessions, verification codes, cooldowns. Expired rows
    /// mean nothing any more (the store never answers them: an expired session logs no one in), so
    /// they are neither checked nor
    /// copied, only counted.
    pub ephemeral: bool,
    /// The target keeps the legacy `id` (plus `:io`).
    pub own_ids: bool,
    /// `INSERT INTO target (…) SELECT … FROM {src}legacy {chunk}`.
    pub copy: &'static str,
}

/// Every legacy table, parents first (users before the rows that hang off them).
pub(crate) const TABLES: &[Table] = &[
    Table {
        legacy: "users",
        target: "users",
        columns: &[
            "id",
            "username",
            "voice_id",
            "drop_image",
            "country",
            "created_at",
            "updated_at",
        ],
        key: "id",
        join: "n.id = r.id + :io",
        times: &["created_at", "updated_at"],
        integers: &[],
        verbatim: &["username", "voice_id", "drop_image"],
        optional: false,
        chunked: true,
        ephemeral: false,
        own_ids: true,
        copy: "INSERT INTO users (id, streamer_id, username, voice_id, drop_image, country, \
               created_at, updated_at) \
               SELECT id + :io, :s, username, voice_id, drop_image, \
               nullif(upper(trim(country)), ''), \
               legacy_ms(created_at, 'users.created_at', :now), \
               legacy_ms(updated_at, 'users.updated_at', :now) FROM {src}users {chunk}",
    },
    Table {
        legacy: "user_points",
        target: "user_points",
        columns: &[
            "id",
            "user_id",
            "channel_points",
            "drop_points",
            "total_drops",
            "last_updated",
        ],
        key: "id",
        join: "n.user_id = r.user_id + :uo",
        times: &["last_updated"],
        integers: &["user_id", "channel_points", "drop_points", "total_drops"],
        verbatim: &[],
        optional: false,
        chunked: true,
        ephemeral: false,
        own_ids: false,
        copy: "INSERT INTO user_points (streamer_id, user_id, channel_points, drop_points, \
               total_drops, last_updated) \
               SELECT :s, user_id + :uo, coalesce(channel_points, 0), coalesce(drop_points, 0), \
               coalesce(total_drops, 0), \
               legacy_ms(last_updated, 'user_points.last_updated', :now) \
               FROM {src}user_points {chunk}",
    },
    Table {
        legacy: "point_transactions",
        target: "point_transactions",
        columns: &[
            "id",
            "user_id",
            "amount",
            "source",
            "description",
            "created_at",
        ],
        key: "id",
        join: "n.id = r.id + :io",
        times: &["created_at"],
        integers: &["user_id", "amount"],
        verbatim: &["amount", "source", "description"],
        optional: true,
        chunked: true,
        ephemeral: false,
        own_ids: true,
        copy: "INSERT INTO point_transactions (id, streamer_id, user_id, amount, source, \
               description, created_at) \
               SELECT id + :io, :s, user_id + :uo, amount, source, description, \
               legacy_ms(created_at, 'point_transactions.created_at', :now) \
               FROM {src}point_transactions {chunk}",
    },
    Table {
        legacy: "powerup_inventory",
        target: "powerup_inventory",
        columns: &["id", "user_id", "powerup_type", "quantity"],
        key: "id",
        join: "n.user_id = r.user_id + :uo AND n.powerup_type = r.powerup_type",
        times: &[],
        integers: &["user_id", "quantity"],
        verbatim: &[],
        optional: false,
        chunked: true,
        ephemeral: false,
        own_ids: false,
        copy: "INSERT INTO powerup_inventory (streamer_id, user_id, powerup_type, quantity) \
               SELECT :s, user_id + :uo, powerup_type, coalesce(quantity, 0) \
               FROM {src}powerup_inventory {chunk}",
    },
    Table {
        legacy: "powerup_purchases",
        target: "powerup_purchases",
        columns: &["id", "user_id", "powerup_type", "cost", "purchased_at"],
        key: "id",
        join: "n.id = r.id + :io",
        times: &["purchased_at"],
        integers: &["user_id", "cost"],
        verbatim: &["powerup_type", "cost"],
        optional: false,
        chunked: true,
        ephemeral: false,
        own_ids: true,
        copy: "INSERT INTO powerup_purchases (id, streamer_id, user_id, powerup_type, cost, \
               purchased_at) \
               SELECT id + :io, :s, user_id + :uo, powerup_type, cost, \
               legacy_ms(purchased_at, 'powerup_purchases.purchased_at', :now) \
               FROM {src}powerup_purchases {chunk}",
    },
    Table {
        legacy: "drop_history",
        target: "drop_history",
        columns: &[
            "id",
            "user_id",
            "score",
            "is_perfect",
            "powerup_used",
            "created_at",
        ],
        key: "id",
        join: "n.id = r.id + :io",
        times: &["created_at"],
        integers: &["user_id", "score", "is_perfect"],
        verbatim: &["score"],
        optional: false,
        chunked: true,
        ephemeral: false,
        own_ids: true,
        copy: "INSERT INTO drop_history (id, streamer_id, user_id, score, is_perfect, \
               powerup_used, created_at) \
               SELECT id + :io, :s, user_id + :uo, score, coalesce(is_perfect, 0) <> 0, \
               nullif(powerup_used, ''), \
               legacy_ms(created_at, 'drop_history.created_at', :now) \
               FROM {src}drop_history {chunk}",
    },
    Table {
        legacy: "command_cooldowns",
        target: "command_cooldowns",
        columns: &["id", "user_id", "command", "last_used_at", "expires_at"],
        key: "id",
        join: "n.user_id = r.user_id + :uo AND n.command = r.command",
        times: &["last_used_at", "expires_at"],
        integers: &["user_id"],
        verbatim: &[],
        optional: false,
        chunked: true,
        ephemeral: true,
        own_ids: false,
        copy: "INSERT INTO command_cooldowns (streamer_id, user_id, command, last_used_at, \
               expires_at) \
               SELECT :s, user_id + :uo, command, \
               legacy_ms(last_used_at, 'command_cooldowns.last_used_at', :now), \
               legacy_ms(expires_at, 'command_cooldowns.expires_at', :now) \
               FROM {src}command_cooldowns {chunk}",
    },
    Table {
        legacy: "user_sessions",
        target: "user_sessions",
        columns: &["id", "user_id", "session_token", "created_at", "expires_at"],
        key: "id",
        join: "n.token_hash = legacy_token_hash(r.session_token)",
        times: &["created_at", "expires_at"],
        integers: &["user_id"],
        verbatim: &[],
        optional: false,
        chunked: true,
        ephemeral: true,
        own_ids: false,
        copy: "INSERT INTO user_sessions (streamer_id, token_hash, user_id, created_at, \
               expires_at) \
               SELECT :s, legacy_token_hash(session_token), user_id + :uo, \
               legacy_ms(created_at, 'user_sessions.created_at', :now), \
               legacy_ms(expires_at, 'user_sessions.expires_at', :now) \
               FROM {src}user_sessions {chunk}",
    },
    Table {
        legacy: "admin_sessions",
        target: "streamer_sessions",
        columns: &["id", "session_token", "created_at", "expires_at"],
        key: "id",
        join: "n.token_hash = legacy_token_hash(r.session_token)",
        times: &["created_at", "expires_at"],
        integers: &[],
        verbatim: &[],
        optional: false,
        chunked: true,
        ephemeral: true,
        own_ids: false,
        copy: "INSERT INTO streamer_sessions (streamer_id, token_hash, created_at, expires_at) \
               SELECT :s, legacy_token_hash(session_token), \
               legacy_ms(created_at, 'admin_sessions.created_at', :now), \
               legacy_ms(expires_at, 'admin_sessions.expires_at', :now) \
               FROM {src}admin_sessions {chunk}",
    },
    Table {
        legacy: "verification_codes",
        target: "verification_codes",
        columns: &[
            "id",
            "username",
            "code",
            "verified",
            "created_at",
            "expires_at",
        ],
        key: "id",
        join: "n.id = r.id + :io",
        times: &["created_at", "expires_at"],
        integers: &["verified"],
        verbatim: &["username", "code"],
        optional: false,
        chunked: true,
        ephemeral: true,
        own_ids: true,
        copy: "INSERT INTO verification_codes (id, streamer_id, username, code, verified, \
               created_at, expires_at) \
               SELECT id + :io, :s, username, code, coalesce(verified, 0) <> 0, \
               legacy_ms(created_at, 'verification_codes.created_at', :now), \
               legacy_ms(expires_at, 'verification_codes.expires_at', :now) \
               FROM {src}verification_codes {chunk}",
    },
    Table {
        legacy: "api_tokens",
        target: "api_tokens",
        columns: &[
            "id",
            "provider",
            "access_token",
            "refresh_token",
            "expires_at",
            "scope",
            "created_at",
            "updated_at",
        ],
        key: "id",
        join: "n.provider = r.provider",
        times: &["expires_at", "created_at", "updated_at"],
        integers: &[],
        verbatim: &["access_token", "refresh_token", "scope"],
        optional: false,
        chunked: true,
        ephemeral: false,
        own_ids: false,
        copy: "INSERT INTO api_tokens (streamer_id, provider, access_token, refresh_token, \
               expires_at, scope, created_at, updated_at) \
               SELECT :s, provider, access_token, refresh_token, \
               legacy_ms(expires_at, 'api_tokens.expires_at', :now), scope, \
               legacy_ms(created_at, 'api_tokens.created_at', :now), \
               legacy_ms(updated_at, 'api_tokens.updated_at', :now) \
               FROM {src}api_tokens {chunk}",
    },
    Table {
        legacy: "powerup_config",
        target: "powerup_config",
        columns: &[
            "id",
            "name",
            "description",
            "cost",
            "emoji",
            "effect",
            "variables",
            "enabled",
            "created_at",
            "updated_at",
        ],
        key: "id",
        join: "n.id = r.id",
        times: &["created_at", "updated_at"],
        integers: &["cost", "enabled"],
        verbatim: &["name", "description", "cost", "emoji", "effect"],
        optional: false,
        chunked: false,
        ephemeral: false,
        own_ids: false,
        copy: "INSERT INTO powerup_config (streamer_id, id, name, description, cost, emoji, \
               effect, variables, enabled, created_at, updated_at) \
               SELECT :s, id, name, description, cost, emoji, effect, \
               coalesce(variables, '{}'), coalesce(enabled, 1) <> 0, \
               legacy_ms(created_at, 'powerup_config.created_at', :now), \
               legacy_ms(updated_at, 'powerup_config.updated_at', :now) \
               FROM {src}powerup_config {chunk}",
    },
    Table {
        legacy: "overlay_settings",
        target: "overlay_settings",
        columns: &["key", "value", "description", "updated_at"],
        key: "key",
        join: "n.key = r.key",
        times: &["updated_at"],
        integers: &[],
        verbatim: &["value", "description"],
        optional: false,
        chunked: false,
        ephemeral: false,
        own_ids: false,
        copy: "INSERT INTO overlay_settings (streamer_id, key, value, description, updated_at) \
               SELECT :s, key, value, description, \
               legacy_ms(updated_at, 'overlay_settings.updated_at', :now) \
               FROM {src}overlay_settings {chunk}",
    },
    Table {
        legacy: "tips",
        target: "tips",
        columns: &["id", "content", "enabled", "sort_order", "created_at"],
        key: "id",
        join: "n.id = r.id + :io",
        times: &["created_at"],
        integers: &["enabled", "sort_order"],
        verbatim: &["content"],
        optional: false,
        chunked: true,
        ephemeral: false,
        own_ids: true,
        copy: "INSERT INTO tips (id, streamer_id, content, enabled, sort_order, created_at) \
               SELECT id + :io, :s, content, coalesce(enabled, 1) <> 0, \
               coalesce(sort_order, 0), legacy_ms(created_at, 'tips.created_at', :now) \
               FROM {src}tips {chunk}",
    },
    Table {
        legacy: "goals",
        target: "goals",
        columns: &[
            "id",
            "label",
            "current_value",
            "target_value",
            "enabled",
            "updated_at",
        ],
        key: "id",
        join: "n.id = r.id",
        times: &["updated_at"],
        integers: &["current_value", "target_value", "enabled"],
        verbatim: &["label", "target_value"],
        optional: false,
        chunked: false,
        ephemeral: false,
        own_ids: false,
        copy: "INSERT INTO goals (streamer_id, id, label, current_value, target_value, enabled, \
               updated_at) \
               SELECT :s, id, label, coalesce(current_value, 0), target_value, \
               coalesce(enabled, 1) <> 0, legacy_ms(updated_at, 'goals.updated_at', :now) \
               FROM {src}goals {chunk}",
    },
];

/// The chunk filter of a chunked table: the legacy ids after `:after` up to `:upto`.
pub(crate) const CHUNK: &str = "WHERE id > :after AND id <= :upto";

/// What makes a row of an [ephemeral](Table::ephemeral) table expired at `now` (Unix
/// milliseconds), its columns prefixed with `alias` (`"r."`, or `""` unqualified): a readable
/// `expires_at` before `now`. A row whose `expires_at` cannot be read is not expired: the
/// pre-flight scan names it.
pub(crate) fn expired(alias: &str, now: i64) -> String {
    format!(
        "({alias}expires_at IS NOT NULL AND legacy_time_ok({alias}expires_at) \
         AND legacy_ms({alias}expires_at, '', 0) < {now})"
    )
}
