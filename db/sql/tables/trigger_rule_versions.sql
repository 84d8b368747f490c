-- trigger_rule_versions: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE trigger_rule_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE trigger_rule_versions FORCE ROW LEVEL SECURITY;

CREATE POLICY trigger_rule_versions_owner ON trigger_rule_versions TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY trigger_rule_versions_read ON trigger_rule_versions FOR SELECT TO homeward_app USING (hw_is_authenticated());

GRANT SELECT ON trigger_rule_versions TO homeward_app;
