-- protocol_profiles: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE protocol_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE protocol_profiles FORCE ROW LEVEL SECURITY;

CREATE POLICY protocol_profiles_insert ON protocol_profiles FOR INSERT TO homeward_app
    WITH CHECK (hw_role() = 'mfhc' AND recorded_by = hw_user_id());
CREATE POLICY protocol_profiles_owner ON protocol_profiles TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY protocol_profiles_read ON protocol_profiles FOR SELECT TO homeward_app
    USING (hw_role() = 'mfhc'
           OR (hw_is_operational() AND EXISTS (
                   SELECT 1 FROM episodes e
                    WHERE e.person_id = protocol_profiles.person_id AND e.status IN ('reported', 'active'))));
CREATE POLICY protocol_profiles_update ON protocol_profiles FOR UPDATE TO homeward_app
    USING (hw_role() = 'mfhc') WITH CHECK (hw_role() = 'mfhc');

GRANT SELECT,INSERT,UPDATE ON protocol_profiles TO homeward_app;

-- Restriction and disposal (issue 19): a restricted record is read only with a stated
-- reason (set for one-record reads, never for lists), a disposed one by no one.
CREATE POLICY protocol_profiles_in_view ON protocol_profiles AS RESTRICTIVE FOR SELECT TO homeward_app
    USING (NOT restricted OR hw_access_reason() IS NOT NULL);
-- A restricted person's records are read-only (hw_refuse_restricted_write says why).
CREATE TRIGGER protocol_profiles_restricted_insert BEFORE INSERT ON protocol_profiles
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('person_id', 'persons');
-- A row's own flag says whether its person is restricted (hw_set_restricted keeps them
-- all, and a write under a parent waits for a restriction being placed), so an
-- unrestricted row's change costs nothing here unless it moves to another parent.
CREATE TRIGGER protocol_profiles_restricted BEFORE UPDATE ON protocol_profiles
    FOR EACH ROW WHEN (OLD.restricted OR NEW.restricted
                  OR OLD.person_id IS DISTINCT FROM NEW.person_id)
    EXECUTE FUNCTION hw_refuse_restricted_write('person_id', 'persons');
-- Nor is a row written already restricted, or (a person, an episode) already disposed of.
CREATE POLICY protocol_profiles_written_in_view ON protocol_profiles AS RESTRICTIVE FOR INSERT TO homeward_app
    WITH CHECK (NOT restricted);
CREATE TRIGGER protocol_profiles_restricted_delete BEFORE DELETE ON protocol_profiles
    FOR EACH ROW WHEN (OLD.restricted) EXECUTE FUNCTION hw_refuse_restricted_write();
