-- baselines: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE baselines ENABLE ROW LEVEL SECURITY;
ALTER TABLE baselines FORCE ROW LEVEL SECURITY;

CREATE POLICY baselines_admin ON baselines FOR INSERT TO homeward_app
    WITH CHECK (hw_is_admin() AND created_by = hw_user_id());
CREATE POLICY baselines_owner ON baselines TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY baselines_read ON baselines FOR SELECT TO homeward_app USING (hw_reads_measures());

GRANT SELECT,INSERT ON baselines TO homeward_app;
