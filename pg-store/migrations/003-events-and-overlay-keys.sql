-- 003: each streamer's events, their counter, and the overlay key.
--
-- `events` holds what changed on a streamer's overlays, recorded by the write that changed it
-- (see the `events` module). Ids count per streamer from 1 without gaps; the counter lives in
-- `event_sequences`, apart from the events, so purging events never resets it. Each write takes
-- the counter last, with one upsert, and holds its row until it commits, so a streamer's
-- events commit in id order. A payload is the event's data as JSON text (`EventData`'s `data`
-- member), checked as `json` like the other documents. `user_id` is the viewer the event names
-- (`EventData::viewer`), NULL for the others: deleting a viewer rewrites their events into
-- `viewer_removed` ones by it, so their name leaves the log too. No index on it: a deletion
-- reads the streamer's range, which retention keeps short.
--
-- `overlay_keys` holds each streamer's overlay key, as its hash, beside (never in) `admin_keys`.
--
-- Like every tenant table: `streamer_id` leads every key, cascading from `streamers`, and row
-- security is enabled, forced, and matched against the transaction's streamer.

CREATE TABLE event_sequences (
    streamer_id  BIGINT NOT NULL PRIMARY KEY REFERENCES streamers (id) ON DELETE CASCADE,
    last_id      BIGINT NOT NULL CHECK (last_id >= 1)
);

CREATE TABLE events (
    streamer_id  BIGINT NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    id           BIGINT NOT NULL CHECK (id >= 1),
    kind         TEXT COLLATE "C" NOT NULL CHECK (kind IN ('points_changed', 'drop_recorded',
                     'powerup_purchased', 'powerup_added', 'powerup_used', 'powerup_changed',
                     'goal_changed', 'tip_changed', 'setting_changed', 'layout_changed',
                     'theme_changed', 'viewer_changed', 'viewer_removed')),
    payload      TEXT COLLATE "C" NOT NULL CHECK (json_typeof(payload::json) = 'object'),
    created_at   BIGINT NOT NULL,
    user_id      BIGINT,
    PRIMARY KEY (streamer_id, id)
);

CREATE TABLE overlay_keys (
    streamer_id  BIGINT NOT NULL PRIMARY KEY REFERENCES streamers (id) ON DELETE CASCADE,
    key_hash     BYTEA  NOT NULL CHECK (octet_length(key_hash) = 32),
    created_at   BIGINT NOT NULL
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['event_sequences', 'events', 'overlay_keys']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY own_rows ON %I USING (streamer_id = tenant_id()) '
                       'WITH CHECK (streamer_id = tenant_id())', t);
    END LOOP;
END
$$;
