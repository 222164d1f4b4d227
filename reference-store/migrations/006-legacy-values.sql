-- 006: values the legacy app accepted, so that a migrated install carries them instead of being
-- refused. The legacy app created viewers from any URL segment of its profile route (usernames
-- of any length), took goal ids and setting keys from URL segments too (of any length), and
-- saved tips with no text and goals with a target of 0. The store's contract still refuses
-- such values when they are written through it; the schema now holds the ones a migration
-- brings. SQLite cannot alter a CHECK constraint, so `migrations.rs` rewrites the table
-- definitions in place (`Migration::relax`), which is safe because every constraint only gets
-- looser: rows that passed the old check pass the new one.
--
-- And the audit trail records the expired sessions, codes and cooldowns a run left behind
-- (`table` → rows), which the copy skips: they mean nothing once expired, and a rollback must
-- know the backup holds them. Runs recorded before this column copied expired rows too; their
-- rows keep NULL here, which tells a rollback to compare them with a copy made the same way.

ALTER TABLE migration_audit
    ADD COLUMN expired TEXT CHECK (expired IS NULL OR json_type(expired) = 'object');
