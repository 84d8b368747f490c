-- subject_access_requests: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE subject_access_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE subject_access_requests FORCE ROW LEVEL SECURITY;

-- Data protection officers only: a request holds everything about its subject, so
-- administrators (who see no case content) do not read it.
CREATE POLICY subject_access_requests_dpo_read ON subject_access_requests FOR SELECT TO homeward_app
    USING (hw_is_dpo());
CREATE POLICY subject_access_requests_dpo_insert ON subject_access_requests FOR INSERT TO homeward_app
    WITH CHECK (hw_is_dpo() AND created_by = hw_user_id() AND status = 'open');
CREATE POLICY subject_access_requests_dpo_update ON subject_access_requests FOR UPDATE TO homeward_app
    USING (hw_is_dpo() AND status = 'open') WITH CHECK (hw_is_dpo());
CREATE POLICY subject_access_requests_owner ON subject_access_requests TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT, INSERT ON subject_access_requests TO homeward_app;
GRANT UPDATE (due_on, extension_reason, due_alerted_at, overdue_alerted_at, status, decided_at, decided_by, decision_note, bundle,
              assembled_at, version, updated_at) ON subject_access_requests TO homeward_app;
