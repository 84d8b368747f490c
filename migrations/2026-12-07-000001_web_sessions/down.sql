DROP INDEX IF EXISTS sessions_web_token_idx;
ALTER TABLE sessions DROP COLUMN IF EXISTS web_token_hash, DROP COLUMN IF EXISTS last_seen_at;
