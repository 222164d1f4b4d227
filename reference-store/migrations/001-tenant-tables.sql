-- 001: the multi-tenant tables.
--
-- Every table but `streamers` carries `streamer_id`, NOT NULL, cascading from `streamers`.
-- Tables that hang off a user reach it through the composite key (streamer_id, user_id), so a
-- row can never point at another streamer's user. Times are Unix milliseconds (INTEGER);
-- session tokens are SHA-256 hashes (32-byte BLOBs), never the tokens themselves.

CREATE TABLE streamers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kick_user_id  INTEGER UNIQUE CHECK (kick_user_id IS NULL OR kick_user_id > 0),
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE
                          CHECK (length(username) BETWEEN 1 AND 32),
    display_name  TEXT    NOT NULL CHECK (length(display_name) >= 1),
    avatar_url    TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    username     TEXT    NOT NULL COLLATE NOCASE CHECK (length(username) BETWEEN 1 AND 64),
    voice_id     TEXT,
    drop_image   TEXT,
    country      TEXT    CHECK (country IS NULL OR country GLOB '[A-Z][A-Z]'),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (streamer_id, id),
    UNIQUE (streamer_id, username)
) STRICT;

CREATE TABLE user_points (
    streamer_id     INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    channel_points  INTEGER NOT NULL DEFAULT 0 CHECK (channel_points >= 0),
    drop_points     INTEGER NOT NULL DEFAULT 0 CHECK (drop_points >= 0),
    total_drops     INTEGER NOT NULL DEFAULT 0 CHECK (total_drops >= 0),
    last_updated    INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, user_id),
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE point_transactions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    amount       INTEGER NOT NULL,
    source       TEXT    NOT NULL CHECK (source IN ('admin', 'chat', 'drop', 'duel', 'gamble',
                             'gift', 'renewal', 'spend', 'sub', 'tip', 'watch')),
    description  TEXT,
    created_at   INTEGER NOT NULL,
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE powerup_inventory (
    streamer_id   INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    powerup_type  TEXT    NOT NULL CHECK (powerup_type IN ('boost', 'ghost', 'magnet',
                              'powerdrop', 'shield', 'tnt')),
    quantity      INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    PRIMARY KEY (streamer_id, user_id, powerup_type),
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE powerup_purchases (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id   INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    powerup_type  TEXT    NOT NULL CHECK (powerup_type IN ('boost', 'ghost', 'magnet',
                              'powerdrop', 'shield', 'tnt')),
    cost          INTEGER NOT NULL CHECK (cost >= 0),
    purchased_at  INTEGER NOT NULL,
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE drop_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id   INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    score         INTEGER NOT NULL CHECK (score >= 0),
    is_perfect    INTEGER NOT NULL DEFAULT 0 CHECK (is_perfect IN (0, 1)),
    powerup_used  TEXT    CHECK (powerup_used IS NULL OR powerup_used IN ('boost', 'ghost',
                              'magnet', 'powerdrop', 'shield', 'tnt')),
    created_at    INTEGER NOT NULL,
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE command_cooldowns (
    streamer_id   INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    command       TEXT    NOT NULL CHECK (length(command) BETWEEN 1 AND 128),
    last_used_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL CHECK (expires_at >= last_used_at),
    PRIMARY KEY (streamer_id, user_id, command),
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE user_sessions (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    token_hash   BLOB    NOT NULL CHECK (length(token_hash) = 32),
    user_id      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, token_hash),
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE streamer_sessions (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    token_hash   BLOB    NOT NULL CHECK (length(token_hash) = 32),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, token_hash)
) STRICT;

CREATE TABLE verification_codes (
    -- `id` is the issue order ("the newest code" of a username).
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    username     TEXT    NOT NULL COLLATE NOCASE,
    code         TEXT    NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
    verified     INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    UNIQUE (streamer_id, username, code)
) STRICT;

CREATE TABLE api_tokens (
    streamer_id    INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    provider       TEXT    NOT NULL,
    access_token   TEXT    NOT NULL,
    refresh_token  TEXT,
    expires_at     INTEGER NOT NULL,
    scope          TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (streamer_id, provider)
) STRICT;

CREATE TABLE powerup_config (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    id           TEXT    NOT NULL CHECK (id IN ('boost', 'ghost', 'magnet', 'powerdrop',
                             'shield', 'tnt')),
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    cost         INTEGER NOT NULL DEFAULT 500 CHECK (cost >= 0),
    emoji        TEXT    NOT NULL,
    effect       TEXT    NOT NULL,
    variables    TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(variables) = 'object'),
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, id)
) STRICT;

CREATE TABLE overlay_settings (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    key          TEXT    NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
    value        TEXT    NOT NULL,
    description  TEXT,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, key)
) STRICT;

CREATE TABLE overlay_layouts (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    id           TEXT    NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
    name         TEXT    NOT NULL COLLATE NOCASE,
    is_default   INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    layout       TEXT    NOT NULL CHECK (json_type(layout) = 'object'),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, id),
    UNIQUE (streamer_id, name)
) STRICT;

-- At most one default layout per streamer.
CREATE UNIQUE INDEX overlay_layouts_one_default
    ON overlay_layouts (streamer_id) WHERE is_default = 1;

-- WITHOUT ROWID: an INTEGER PRIMARY KEY of a rowid table would alias the rowid, where SQLite
-- ignores NOT NULL and fills a NULL in with a fresh number (possibly another streamer's id).
CREATE TABLE theme_settings (
    streamer_id  INTEGER NOT NULL PRIMARY KEY REFERENCES streamers (id) ON DELETE CASCADE,
    theme        TEXT    NOT NULL CHECK (json_type(theme) = 'object'),
    updated_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE tips (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    content      TEXT    NOT NULL CHECK (length(content) >= 1),
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    sort_order   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE goals (
    streamer_id    INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    id             TEXT    NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
    label          TEXT    NOT NULL,
    current_value  INTEGER NOT NULL DEFAULT 0 CHECK (current_value >= 0),
    target_value   INTEGER NOT NULL CHECK (target_value > 0),
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, id)
) STRICT;
