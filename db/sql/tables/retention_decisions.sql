-- retention_decisions: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE retention_decisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE retention_decisions FORCE ROW LEVEL SECURITY;

-- Data protection officers record and read the decisions; none is changed or deleted.
CREATE POLICY retention_decisions_dpo_read ON retention_decisions FOR SELECT TO homeward_app
    USING (hw_is_dpo());
CREATE POLICY retention_decisions_dpo_insert ON retention_decisions FOR INSERT TO homeward_app
    WITH CHECK (hw_is_dpo() AND decided_by = hw_user_id());
CREATE POLICY retention_decisions_owner ON retention_decisions TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT, INSERT ON retention_decisions TO homeward_app;
