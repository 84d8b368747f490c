-- prevention_interviews: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE prevention_interviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE prevention_interviews FORCE ROW LEVEL SECURITY;

CREATE POLICY prevention_interviews_owner ON prevention_interviews TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY prevention_interviews_insert ON prevention_interviews FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND recorded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY prevention_interviews_read ON prevention_interviews FOR SELECT TO homeward_app
    USING ((hw_role() <> 'partner' AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('episode', episode_id, 'return')));

GRANT SELECT,INSERT ON prevention_interviews TO homeward_app;

-- A restricted person's records are read-only (issue 19; hw_refuse_restricted_write).
CREATE TRIGGER prevention_interviews_restricted BEFORE INSERT OR UPDATE OR DELETE ON prevention_interviews
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('episode_id', 'episodes');
