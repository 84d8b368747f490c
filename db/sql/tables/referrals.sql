-- referrals: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE referrals FORCE ROW LEVEL SECURITY;

CREATE POLICY referrals_insert ON referrals FOR INSERT TO homeward_app
    WITH CHECK (hw_role() IN ('officer', 'supervisor', 'mfhc', 'early_action')
                AND hw_covers_district(district_id) AND created_by = hw_user_id());
CREATE POLICY referrals_owner ON referrals TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY referrals_read ON referrals FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND hw_covers_district(district_id))
           OR (hw_role() <> 'partner' AND created_by = hw_user_id())
           OR (hw_role() = 'partner' AND hw_shared_with_caller('referral', id, 'summary')));
CREATE POLICY referrals_update ON referrals FOR UPDATE TO homeward_app
    USING (hw_role() IN ('mfhc', 'early_action') AND hw_covers_district(district_id))
    WITH CHECK (hw_role() IN ('mfhc', 'early_action') AND hw_covers_district(district_id));

GRANT SELECT,INSERT,UPDATE ON referrals TO homeward_app;
