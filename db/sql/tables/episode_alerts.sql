-- episode_alerts: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE episode_alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE episode_alerts FORCE ROW LEVEL SECURITY;

CREATE POLICY episode_alerts_owner ON episode_alerts TO homeward_owner USING (true) WITH CHECK (true);
