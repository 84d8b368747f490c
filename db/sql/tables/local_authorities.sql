-- local_authorities: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE local_authorities ENABLE ROW LEVEL SECURITY;
ALTER TABLE local_authorities FORCE ROW LEVEL SECURITY;

CREATE POLICY local_authorities_owner ON local_authorities TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY local_authorities_read ON local_authorities FOR SELECT TO homeward_app USING (hw_is_authenticated());

GRANT SELECT ON local_authorities TO homeward_app;
