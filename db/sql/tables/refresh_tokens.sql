-- refresh_tokens: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;

CREATE POLICY refresh_tokens_owner ON refresh_tokens TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY refresh_tokens_self_insert ON refresh_tokens FOR INSERT TO homeward_app
    WITH CHECK (used_at IS NULL AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = session_id
                                            AND s.user_id = hw_user_id() AND s.revoked_at IS NULL));

GRANT INSERT ON refresh_tokens TO homeward_app;
