-- agencies: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE agencies ENABLE ROW LEVEL SECURITY;
ALTER TABLE agencies FORCE ROW LEVEL SECURITY;

CREATE POLICY agencies_admin_insert ON agencies FOR INSERT TO homeward_app WITH CHECK (hw_is_admin());
CREATE POLICY agencies_admin_update ON agencies FOR UPDATE TO homeward_app
    USING (hw_is_admin()) WITH CHECK (hw_is_admin());
CREATE POLICY agencies_owner ON agencies TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY agencies_read ON agencies FOR SELECT TO homeward_app USING (hw_is_authenticated());

GRANT SELECT,INSERT,UPDATE ON agencies TO homeward_app;
