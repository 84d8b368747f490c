-- districts: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE districts ENABLE ROW LEVEL SECURITY;
ALTER TABLE districts FORCE ROW LEVEL SECURITY;

CREATE POLICY districts_owner ON districts TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY districts_read ON districts FOR SELECT TO homeward_app USING (hw_is_authenticated());

GRANT SELECT ON districts TO homeward_app;
