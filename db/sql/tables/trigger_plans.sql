-- trigger_plans: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE trigger_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE trigger_plans FORCE ROW LEVEL SECURITY;

CREATE POLICY trigger_plans_insert ON trigger_plans FOR INSERT TO homeward_app
    WITH CHECK (hw_role() = 'mfhc' AND recorded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM triggers t WHERE t.id = trigger_id AND hw_covers_district(t.district_id)));
CREATE POLICY trigger_plans_owner ON trigger_plans TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY trigger_plans_read ON trigger_plans FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND EXISTS (SELECT 1 FROM triggers t WHERE t.id = trigger_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('trigger', trigger_id, 'plan')));
CREATE POLICY trigger_plans_update ON trigger_plans FOR UPDATE TO homeward_app
    USING (hw_role() = 'mfhc' AND EXISTS (SELECT 1 FROM triggers t WHERE t.id = trigger_id AND hw_covers_district(t.district_id)))
    WITH CHECK (hw_role() = 'mfhc' AND recorded_by = hw_user_id());

GRANT SELECT,INSERT,UPDATE ON trigger_plans TO homeward_app;

-- A restricted person's records are read-only (issue 19; hw_refuse_restricted_write).
CREATE TRIGGER trigger_plans_restricted BEFORE INSERT OR UPDATE OR DELETE ON trigger_plans
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('trigger_id', 'triggers');
