-- actions: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE actions FORCE ROW LEVEL SECURITY;

CREATE POLICY actions_insert ON actions FOR INSERT TO homeward_app
    WITH CHECK (hw_is_case_worker() AND hw_covers_district(district_id)
                AND created_by = hw_user_id() AND updated_by = hw_user_id());
CREATE POLICY actions_owner ON actions TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY actions_read ON actions FOR SELECT TO homeward_app
    USING (((SELECT hw_is_case_worker())
            AND (district_id = (SELECT hw_district_id()) OR (SELECT hw_covers_every_district())))
           OR ((SELECT hw_role() = 'partner') AND owner_agency_id = (SELECT hw_agency_id())));
CREATE POLICY actions_update ON actions FOR UPDATE TO homeward_app
    USING ((hw_is_case_worker() AND hw_covers_district(district_id))
           OR (hw_role() = 'partner' AND owner_agency_id = hw_agency_id()))
    WITH CHECK (updated_by = hw_user_id()
                AND ((hw_is_case_worker() AND hw_covers_district(district_id))
                     OR (hw_role() = 'partner' AND owner_agency_id = hw_agency_id())));

GRANT SELECT,INSERT,UPDATE ON actions TO homeward_app;

-- Restriction and disposal (issue 19): a restricted record is read only with a stated
-- reason (set for one-record reads, never for lists), a disposed one by no one.
CREATE POLICY actions_in_view ON actions AS RESTRICTIVE FOR SELECT TO homeward_app
    USING (NOT restricted OR (SELECT hw_access_reason() IS NOT NULL));
-- A restricted person's records are read-only (hw_refuse_restricted_write says why).
CREATE TRIGGER actions_restricted_insert BEFORE INSERT ON actions
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('episode_id', 'episodes', 'trigger_id', 'triggers', 'referral_id', 'referrals');
-- A row's own flag says whether its person is restricted (hw_set_restricted keeps them
-- all, and a write under a parent waits for a restriction being placed), so an
-- unrestricted row's change costs nothing here unless it moves to another parent.
CREATE TRIGGER actions_restricted BEFORE UPDATE ON actions
    FOR EACH ROW WHEN (OLD.restricted OR NEW.restricted
                  OR OLD.episode_id IS DISTINCT FROM NEW.episode_id OR OLD.trigger_id IS DISTINCT FROM NEW.trigger_id OR OLD.referral_id IS DISTINCT FROM NEW.referral_id)
    EXECUTE FUNCTION hw_refuse_restricted_write('episode_id', 'episodes', 'trigger_id', 'triggers', 'referral_id', 'referrals');
-- Nor is a row written already restricted, or (a person, an episode) already disposed of.
CREATE POLICY actions_written_in_view ON actions AS RESTRICTIVE FOR INSERT TO homeward_app
    WITH CHECK (NOT restricted);
CREATE TRIGGER actions_restricted_delete BEFORE DELETE ON actions
    FOR EACH ROW WHEN (OLD.restricted) EXECUTE FUNCTION hw_refuse_restricted_write();
