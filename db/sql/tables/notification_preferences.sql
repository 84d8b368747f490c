-- notification_preferences: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE notification_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_preferences FORCE ROW LEVEL SECURITY;

CREATE POLICY notification_preferences_owner ON notification_preferences TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY notification_preferences_self ON notification_preferences TO homeward_app
    USING (user_id = hw_user_id()) WITH CHECK (user_id = hw_user_id());

GRANT SELECT,INSERT,UPDATE ON notification_preferences TO homeward_app;
