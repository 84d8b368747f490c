-- Web sessions (issue 17): a browser signs in to a login session like any other, so
-- sign-out, deactivation and a role change end it at once. The cookie's secret is kept
-- only as a SHA-256 digest; last_seen_at drives the idle timeout. API sessions leave
-- both empty.
ALTER TABLE sessions
    ADD COLUMN web_token_hash bytea,
    ADD COLUMN last_seen_at timestamptz;
CREATE UNIQUE INDEX sessions_web_token_idx ON sessions (web_token_hash)
    WHERE web_token_hash IS NOT NULL;
