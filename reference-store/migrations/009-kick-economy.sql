-- 009: what Kick drives. Each streamer's link from Kick user ids to its viewers, the webhook
-- deliveries it has applied (so a redelivery changes nothing), its stream's live state, its
-- recent chatters and the watch minutes already awarded to them, its open chat duels, and its
-- economy's configuration. Like every tenant table, each row belongs to one streamer and goes
-- with it; rows that name a viewer reach them through (streamer_id, user) and go with them.

-- A Kick user id names at most one viewer of a streamer, and a viewer has at most one Kick user
-- id. The same Kick user is a different viewer (or none) under another streamer.
CREATE TABLE kick_viewers (
    streamer_id   INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    kick_user_id  INTEGER NOT NULL CHECK (kick_user_id > 0),
    user_id       INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, kick_user_id),
    UNIQUE (streamer_id, user_id),
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;

-- The ids of the deliveries a streamer applied (Kick's `Kick-Event-Message-Id`), recorded by
-- the delivery's own transaction, and purged by age. WITHOUT ROWID: one b-tree keyed by the id.
CREATE TABLE kick_deliveries (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    delivery_id  TEXT    NOT NULL CHECK (length(delivery_id) BETWEEN 1 AND 128),
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, delivery_id)
) STRICT, WITHOUT ROWID;

-- The purge deletes a streamer's oldest records.
CREATE INDEX kick_deliveries_by_age ON kick_deliveries (streamer_id, received_at);

-- Whether the stream is live, and the stamp of the change that set it (a change stamped
-- earlier is not applied). No row: not live. WITHOUT ROWID, as admin_keys: an INTEGER PRIMARY
-- KEY of a rowid table would alias the rowid, where SQLite ignores NOT NULL.
CREATE TABLE stream_states (
    streamer_id  INTEGER NOT NULL PRIMARY KEY REFERENCES streamers (id) ON DELETE CASCADE,
    live         INTEGER NOT NULL CHECK (live IN (0, 1)),
    changed_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- When each viewer last chatted: the watch award reaches those who chatted recently.
CREATE TABLE chatters (
    streamer_id   INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    last_chat_at  INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, user_id),
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;

-- The watch award reads one streamer's chatters since a time.
CREATE INDEX chatters_by_time ON chatters (streamer_id, last_chat_at);

-- The minutes (whole minutes since the Unix epoch) whose watch award a streamer has given: the
-- key makes each one given at most once, whichever server gives it.
CREATE TABLE watch_minutes (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    minute       INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, minute)
) STRICT, WITHOUT ROWID;

-- Open chat duels. A viewer is party to at most one (as challenger or as opponent: the store
-- checks both roles; the keys hold each role). An expired duel counts as closed and its row
-- is deleted by the next duel step. `id` is the order they were opened in.
CREATE TABLE duels (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id    INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    challenger_id  INTEGER NOT NULL,
    opponent_id    INTEGER NOT NULL CHECK (opponent_id <> challenger_id),
    stake          INTEGER NOT NULL CHECK (stake > 0),
    expires_at     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (streamer_id, challenger_id),
    UNIQUE (streamer_id, opponent_id),
    FOREIGN KEY (streamer_id, challenger_id) REFERENCES users (streamer_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (streamer_id, opponent_id) REFERENCES users (streamer_id, id)
        ON DELETE CASCADE
) STRICT;

-- A streamer's duels in the order they were opened.
CREATE INDEX duels_in_order ON duels (streamer_id, id);

-- Each streamer's economy (`EconomyConfig`) as one JSON document; no row: the defaults.
CREATE TABLE economy_configs (
    streamer_id  INTEGER NOT NULL PRIMARY KEY REFERENCES streamers (id) ON DELETE CASCADE,
    document     TEXT    NOT NULL CHECK (json_type(document) = 'object'),
    updated_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
