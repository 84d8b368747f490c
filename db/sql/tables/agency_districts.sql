-- agency_districts: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE agency_districts ENABLE ROW LEVEL SECURITY;
ALTER TABLE agency_districts FORCE ROW LEVEL SECURITY;

CREATE POLICY agency_districts_admin_delete ON agency_districts FOR DELETE TO homeward_app USING (hw_is_admin());
CREATE POLICY agency_districts_admin_insert ON agency_districts FOR INSERT TO homeward_app WITH CHECK (hw_is_admin());
CREATE POLICY agency_districts_owner ON agency_districts TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY agency_districts_read ON agency_districts FOR SELECT TO homeward_app USING (hw_is_authenticated());

GRANT SELECT,INSERT,DELETE ON agency_districts TO homeward_app;
