-- risk_gradings: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE risk_gradings ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_gradings FORCE ROW LEVEL SECURITY;

CREATE POLICY risk_gradings_owner ON risk_gradings TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY risk_gradings_read ON risk_gradings FOR SELECT TO homeward_app
    USING ((hw_role() <> 'partner' AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('episode', episode_id, 'risk')));
CREATE POLICY risk_gradings_insert ON risk_gradings FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND graded_by = hw_user_id() AND grader_role = hw_role()
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));

GRANT SELECT,INSERT ON risk_gradings TO homeward_app;

-- A restricted person's records are read-only (issue 19; hw_refuse_restricted_write).
CREATE TRIGGER risk_gradings_restricted BEFORE INSERT OR UPDATE OR DELETE ON risk_gradings
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('episode_id', 'episodes');
