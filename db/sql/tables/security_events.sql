-- security_events: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE security_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE security_events FORCE ROW LEVEL SECURITY;

-- Written only by hw_security_event; read by administrators.
CREATE POLICY security_events_admin_read ON security_events FOR SELECT TO homeward_app USING (hw_is_admin());
CREATE POLICY security_events_owner ON security_events TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT ON security_events TO homeward_app;
