-- agency_types: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE agency_types ENABLE ROW LEVEL SECURITY;
ALTER TABLE agency_types FORCE ROW LEVEL SECURITY;

CREATE POLICY agency_types_owner ON agency_types TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY agency_types_read ON agency_types FOR SELECT TO homeward_app USING (hw_is_authenticated());

GRANT SELECT ON agency_types TO homeward_app;
