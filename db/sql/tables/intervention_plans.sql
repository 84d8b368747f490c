-- intervention_plans: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE intervention_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE intervention_plans FORCE ROW LEVEL SECURITY;

CREATE POLICY intervention_plans_insert ON intervention_plans FOR INSERT TO homeward_app
    WITH CHECK (hw_role() IN ('mfhc', 'early_action') AND recorded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id AND hw_covers_district(r.district_id)));
CREATE POLICY intervention_plans_owner ON intervention_plans TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY intervention_plans_read ON intervention_plans FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND EXISTS (SELECT 1 FROM referrals r
                                             WHERE r.id = referral_id AND hw_covers_district(r.district_id)))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('referral', referral_id, 'plan')));
CREATE POLICY intervention_plans_update ON intervention_plans FOR UPDATE TO homeward_app
    USING (hw_role() IN ('mfhc', 'early_action')
           AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id AND hw_covers_district(r.district_id)))
    WITH CHECK (hw_role() IN ('mfhc', 'early_action') AND recorded_by = hw_user_id());

GRANT SELECT,INSERT,UPDATE ON intervention_plans TO homeward_app;

-- A restricted person's records are read-only (issue 19; hw_refuse_restricted_write).
CREATE TRIGGER intervention_plans_restricted BEFORE INSERT OR UPDATE OR DELETE ON intervention_plans
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('referral_id', 'referrals');
