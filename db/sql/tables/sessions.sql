-- sessions: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;

CREATE POLICY sessions_admin_read ON sessions FOR SELECT TO homeward_app USING (hw_is_admin());
CREATE POLICY sessions_owner ON sessions TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY sessions_revoke ON sessions FOR UPDATE TO homeward_app
    USING (user_id = hw_user_id() OR hw_is_admin()) WITH CHECK (revoked_at IS NOT NULL);
CREATE POLICY sessions_self_insert ON sessions FOR INSERT TO homeward_app
    WITH CHECK (user_id = hw_user_id() AND revoked_at IS NULL AND expires_at > now());
-- Sessions: a caller starts and ends their own; an administrator may end anyone's. The
-- only change allowed is revocation (column grants and WITH CHECK), so a logout can
-- never be undone from the runtime role.
CREATE POLICY sessions_self_read ON sessions FOR SELECT TO homeward_app USING (user_id = hw_user_id());

GRANT SELECT,INSERT ON sessions TO homeward_app;
GRANT UPDATE(revoked_at) ON sessions TO homeward_app;
GRANT UPDATE(revoked_reason) ON sessions TO homeward_app;
