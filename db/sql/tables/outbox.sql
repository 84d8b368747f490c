-- outbox: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;

CREATE POLICY outbox_admin_read ON outbox FOR SELECT TO homeward_app USING (hw_is_admin());
CREATE POLICY outbox_admin_retry ON outbox FOR UPDATE TO homeward_app
    USING (hw_is_admin() AND status = 'dead') WITH CHECK (hw_is_admin() AND status = 'pending');
CREATE POLICY outbox_enqueue ON outbox FOR INSERT TO homeward_app
    WITH CHECK (status = 'pending' AND attempts = 0 AND locked_by IS NULL);
CREATE POLICY outbox_owner ON outbox TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT,INSERT ON outbox TO homeward_app;
GRANT UPDATE(status) ON outbox TO homeward_app;
GRANT UPDATE(attempts) ON outbox TO homeward_app;
GRANT UPDATE(next_attempt_at) ON outbox TO homeward_app;
GRANT UPDATE(last_error) ON outbox TO homeward_app;
GRANT UPDATE(dead_at) ON outbox TO homeward_app;
