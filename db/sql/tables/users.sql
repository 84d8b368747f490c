-- users: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;

CREATE POLICY users_admin_insert ON users FOR INSERT TO homeward_app WITH CHECK (hw_is_admin());
CREATE POLICY users_admin_read ON users FOR SELECT TO homeward_app USING (hw_is_admin());
CREATE POLICY users_admin_update ON users FOR UPDATE TO homeward_app
    USING (hw_is_admin()) WITH CHECK (hw_is_admin());
CREATE POLICY users_owner ON users TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY users_self_read ON users FOR SELECT TO homeward_app USING (id = hw_user_id());

GRANT SELECT,INSERT,UPDATE ON users TO homeward_app;
