-- triage_meetings: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE triage_meetings ENABLE ROW LEVEL SECURITY;
ALTER TABLE triage_meetings FORCE ROW LEVEL SECURITY;

CREATE POLICY triage_meetings_insert ON triage_meetings FOR INSERT TO homeward_app
    WITH CHECK (hw_role() IN ('mfhc', 'early_action') AND recorded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id AND hw_covers_district(r.district_id)));
CREATE POLICY triage_meetings_owner ON triage_meetings TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY triage_meetings_read ON triage_meetings FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND EXISTS (SELECT 1 FROM referrals r
                                             WHERE r.id = referral_id AND hw_covers_district(r.district_id)))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('referral', referral_id, 'triage')));

GRANT SELECT,INSERT ON triage_meetings TO homeward_app;

-- A restricted person's records are read-only (issue 19; hw_refuse_restricted_write).
CREATE TRIGGER triage_meetings_restricted BEFORE INSERT OR UPDATE OR DELETE ON triage_meetings
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('referral_id', 'referrals');
