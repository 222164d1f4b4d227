-- 004: the audit trail of legacy migrations and imports (`kick-overlay migrate-legacy` and
-- `import-legacy`): when, from which file, which backup was taken, and how many rows of each
-- table were moved. One row per run that committed; it goes with its streamer.

CREATE TABLE migration_audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('migrate-legacy', 'import-legacy')),
    -- The streamer's names as the run created them (a rollback re-runs it to find later writes).
    username     TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    source_path  TEXT    NOT NULL,
    backup_path  TEXT,
    counts       TEXT    NOT NULL CHECK (json_type(counts) = 'object'),
    program      TEXT    NOT NULL
) STRICT;

CREATE INDEX migration_audit_by_streamer ON migration_audit (streamer_id, id);
