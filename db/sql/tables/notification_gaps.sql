-- notification_gaps: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE notification_gaps ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_gaps FORCE ROW LEVEL SECURITY;

-- Written only by hw_notification_gap; administrators read them.
CREATE POLICY notification_gaps_admin_read ON notification_gaps FOR SELECT TO homeward_app USING (hw_is_admin());
CREATE POLICY notification_gaps_owner ON notification_gaps TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT ON notification_gaps TO homeward_app;
