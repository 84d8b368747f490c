-- shares: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE shares ENABLE ROW LEVEL SECURITY;
ALTER TABLE shares FORCE ROW LEVEL SECURITY;

CREATE POLICY shares_insert ON shares FOR INSERT TO homeward_app
    WITH CHECK (hw_is_case_worker() AND hw_covers_district(district_id) AND shared_by = hw_user_id()
                AND revoked_at IS NULL);
CREATE POLICY shares_owner ON shares TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY shares_read ON shares FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND hw_covers_district(district_id))
           OR (hw_role() = 'partner' AND agency_id = hw_agency_id()));
CREATE POLICY shares_revoke ON shares FOR UPDATE TO homeward_app
    USING (hw_is_case_worker() AND hw_covers_district(district_id) AND revoked_at IS NULL)
    WITH CHECK (hw_is_case_worker() AND hw_covers_district(district_id) AND revoked_by = hw_user_id());

GRANT SELECT,INSERT,UPDATE ON shares TO homeward_app;

-- A restricted person's records are not shared anew (a share is revoked with a stated reason).
CREATE TRIGGER shares_restricted BEFORE INSERT ON shares
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('record_id', 'episodes', 'record_id', 'triggers', 'record_id', 'referrals');
-- A share of a restricted person's record is as hidden as the record (issue 19): listed to
-- no one, read (and revoked) one at a time with a stated reason.
CREATE POLICY shares_in_view ON shares AS RESTRICTIVE FOR SELECT TO homeward_app
    USING (hw_access_reason() IS NOT NULL
           OR NOT hw_record_restricted(CASE record_type WHEN 'episode' THEN 'episodes'
                                                        WHEN 'trigger' THEN 'triggers'
                                                        ELSE 'referrals' END, record_id));
