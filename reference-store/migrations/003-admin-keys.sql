-- 003: each streamer's admin key (the HTTP API's bearer credential), stored as its SHA-256
-- hash only (a 32-byte BLOB), never the key itself. At most one per streamer: setting a key
-- replaces the row. The same hash may be any number of streamers' key, so nothing about it is
-- unique beyond the streamer.

-- WITHOUT ROWID, as theme_settings: an INTEGER PRIMARY KEY of a rowid table would alias the
-- rowid, where SQLite ignores NOT NULL and fills a NULL in with a fresh number.
CREATE TABLE admin_keys (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    key_hash     BLOB    NOT NULL CHECK (typeof(key_hash) = 'blob' AND length(key_hash) = 32),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id)
) STRICT, WITHOUT ROWID;
