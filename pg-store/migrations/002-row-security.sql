-- 002: row-level security, the second wall behind the store's own `streamer_id` predicates.
--
-- A tenant transaction sets `kickoverlay.streamer_id` with `set_config(…, true)`, which lasts
-- until the transaction ends. Every tenant table shows and accepts only that streamer's rows;
-- when the setting is missing or empty `tenant_id()` is NULL, which equals nothing, so a
-- transaction that names no streamer reads and writes no tenant row (the policies fail
-- closed). FORCE applies the policies to the tables' owner too. Foreign-key checks and
-- cascades are not subject to row security, so deleting a streamer still removes everything
-- it owns.
--
-- The operator operations (creating, listing and finding streamers by name or Kick id) run
-- with `kickoverlay.operator` set to `on` instead, which lets them read the `streamers` table
-- and insert into it, and nothing else: they cannot update or delete a streamer, nor see a
-- tenant's rows. Updating or deleting a streamer runs as that streamer.

CREATE FUNCTION tenant_id() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN NULLIF(current_setting('kickoverlay.streamer_id', true), '')::bigint;

CREATE FUNCTION operator_mode() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(current_setting('kickoverlay.operator', true) = 'on', false);

ALTER TABLE streamers ENABLE ROW LEVEL SECURITY;
ALTER TABLE streamers FORCE ROW LEVEL SECURITY;
CREATE POLICY own_row ON streamers
    USING (id = tenant_id()) WITH CHECK (id = tenant_id());
CREATE POLICY operator_reads ON streamers FOR SELECT USING (operator_mode());
CREATE POLICY operator_creates ON streamers FOR INSERT WITH CHECK (operator_mode());

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'user_points', 'point_transactions', 'powerup_inventory',
        'powerup_purchases', 'drop_history', 'command_cooldowns', 'user_sessions',
        'streamer_sessions', 'verification_codes', 'api_tokens', 'powerup_config',
        'overlay_settings', 'overlay_layouts', 'theme_settings', 'tips', 'goals', 'admin_keys']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY own_rows ON %I USING (streamer_id = tenant_id()) '
                       'WITH CHECK (streamer_id = tenant_id())', t);
    END LOOP;
END
$$;
