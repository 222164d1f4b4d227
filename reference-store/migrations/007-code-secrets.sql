-- 007: a verification code remembers the hash of the login secret issued with it, so that only
-- that secret redeems it (a secret that merely derives the same code does not), and counts
-- redemptions with a wrong secret, so that a code is deleted after a few. Codes issued before
-- this version (and codes a legacy migration brought) have no hash and are never redeemed:
-- they expire within minutes of issue.

ALTER TABLE verification_codes
    ADD COLUMN secret_hash BLOB CHECK (secret_hash IS NULL OR length(secret_hash) = 32);
ALTER TABLE verification_codes
    ADD COLUMN failed_redemptions INTEGER NOT NULL DEFAULT 0 CHECK (failed_redemptions >= 0);
