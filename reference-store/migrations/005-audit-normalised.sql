-- 005: what a legacy migration or import normalised on the way in (an ISO country code
-- upper-cased, a NULL flag given its legacy default, …): `table.column` → values changed.
-- Older audit rows predate the count and hold an empty object.

ALTER TABLE migration_audit
    ADD COLUMN normalised TEXT NOT NULL DEFAULT '{}' CHECK (json_type(normalised) = 'object');
