-- 008: each streamer's events (what changed on its overlays, recorded by the write that made
-- the change, in the same transaction), the counter their ids come from, and the streamer's
-- overlay key.
--
-- Event ids count per streamer from 1 with no gaps: a write takes its ids from
-- `event_sequences` with one upsert and inserts its events with them. The counter lives in a
-- table of its own so that purging old events never resets it. `kind` is the event's type name
-- and `payload` its data as JSON text (both as the contract's `EventData` stores them).
-- `user_id` is the viewer the event names (`EventData::viewer`), NULL for the others: deleting
-- a viewer rewrites their events into `viewer_removed` ones by it, so their name leaves the log
-- too. No index on it: a deletion reads the streamer's range, which retention keeps short.

-- WITHOUT ROWID, keyed by (streamer_id, id): a streamer's events are one range of one b-tree,
-- read in id order and purged from its start.
CREATE TABLE events (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    id           INTEGER NOT NULL CHECK (id >= 1),
    kind         TEXT    NOT NULL CHECK (length(kind) >= 1),
    payload      TEXT    NOT NULL CHECK (json_type(payload) = 'object'),
    created_at   INTEGER NOT NULL,
    user_id      INTEGER,
    PRIMARY KEY (streamer_id, id)
) STRICT, WITHOUT ROWID;

-- The latest event id each streamer has recorded (a streamer that never recorded one has no
-- row). WITHOUT ROWID, as admin_keys: an INTEGER PRIMARY KEY of a rowid table would alias the
-- rowid, where SQLite ignores NOT NULL.
CREATE TABLE event_sequences (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    last_id      INTEGER NOT NULL CHECK (last_id >= 1),
    PRIMARY KEY (streamer_id)
) STRICT, WITHOUT ROWID;

-- Each streamer's overlay key, as admin_keys holds the admin key: its SHA-256 hash only, one
-- row per streamer, replaced when a new key is set.
CREATE TABLE overlay_keys (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    key_hash     BLOB    NOT NULL CHECK (typeof(key_hash) = 'blob' AND length(key_hash) = 32),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id)
) STRICT, WITHOUT ROWID;
