-- security_alerts: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE security_alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE security_alerts FORCE ROW LEVEL SECURITY;

-- Only hw_security_event writes or reads it (one alert per account per window).
CREATE POLICY security_alerts_owner ON security_alerts TO homeward_owner USING (true) WITH CHECK (true);
