-- audit_queue: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE audit_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_queue FORCE ROW LEVEL SECURITY;

-- As before: anyone acting records what they did, only as themselves. No one but the
-- sealer reads, moves or deletes a queued row; the time is the database's.
CREATE POLICY audit_queue_insert ON audit_queue FOR INSERT TO homeward_app
    WITH CHECK (actor_id IS NOT DISTINCT FROM hw_user_id());
CREATE POLICY audit_queue_sealer ON audit_queue FOR ALL TO homeward_owner USING (true);

GRANT INSERT(actor_id) ON audit_queue TO homeward_app;
GRANT INSERT(actor_role) ON audit_queue TO homeward_app;
GRANT INSERT(operation) ON audit_queue TO homeward_app;
GRANT INSERT(record_type) ON audit_queue TO homeward_app;
GRANT INSERT(record_ids) ON audit_queue TO homeward_app;
GRANT INSERT(purpose) ON audit_queue TO homeward_app;
GRANT INSERT(recipients) ON audit_queue TO homeward_app;
GRANT INSERT(request_id) ON audit_queue TO homeward_app;
GRANT INSERT(lawful_basis) ON audit_queue TO homeward_app;
