-- return_home_interviews: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE return_home_interviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE return_home_interviews FORCE ROW LEVEL SECURITY;

CREATE POLICY rhi_owner ON return_home_interviews TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY rhi_insert ON return_home_interviews FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND updated_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY rhi_read ON return_home_interviews FOR SELECT TO homeward_app
    USING ((hw_role() <> 'partner' AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('episode', episode_id, 'return_interview')));
CREATE POLICY rhi_update ON return_home_interviews FOR UPDATE TO homeward_app
    USING ((hw_is_operational() AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND provider_agency_id = hw_agency_id()
               AND hw_shared_with_caller('episode', episode_id, 'return_interview')))
    WITH CHECK (updated_by = hw_user_id()
                AND (hw_is_operational() OR provider_agency_id = hw_agency_id()));

GRANT SELECT,INSERT ON return_home_interviews TO homeward_app;
GRANT UPDATE(provider_agency_id) ON return_home_interviews TO homeward_app;
GRANT UPDATE(status) ON return_home_interviews TO homeward_app;
GRANT UPDATE(status_reason) ON return_home_interviews TO homeward_app;
GRANT UPDATE(completed_at) ON return_home_interviews TO homeward_app;
GRANT UPDATE(updated_by) ON return_home_interviews TO homeward_app;
GRANT UPDATE(updated_at) ON return_home_interviews TO homeward_app;

-- A restricted person's records are read-only (issue 19; hw_refuse_restricted_write).
CREATE TRIGGER return_home_interviews_restricted BEFORE INSERT OR UPDATE OR DELETE ON return_home_interviews
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('episode_id', 'episodes');
