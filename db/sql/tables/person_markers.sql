-- person_markers: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE person_markers ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_markers FORCE ROW LEVEL SECURITY;

CREATE POLICY person_markers_insert ON person_markers FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND recorded_by = hw_user_id());
CREATE POLICY person_markers_owner ON person_markers TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY person_markers_read ON person_markers FOR SELECT TO homeward_app USING (hw_is_operational());
CREATE POLICY person_markers_update ON person_markers FOR UPDATE TO homeward_app
    USING (hw_is_operational()) WITH CHECK (hw_is_operational());
CREATE POLICY person_markers_partner_read ON person_markers FOR SELECT TO homeward_app
    USING (hw_role() = 'partner' AND hw_person_shared_with_caller(person_id, 'markers'));

GRANT SELECT,INSERT,UPDATE ON person_markers TO homeward_app;

-- Restriction and disposal (issue 19): a restricted record is read only with a stated
-- reason (set for one-record reads, never for lists), a disposed one by no one.
CREATE POLICY person_markers_in_view ON person_markers AS RESTRICTIVE FOR SELECT TO homeward_app
    USING (NOT restricted OR hw_access_reason() IS NOT NULL);
-- A restricted person's records are read-only (hw_refuse_restricted_write says why).
CREATE TRIGGER person_markers_restricted_insert BEFORE INSERT ON person_markers
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('person_id', 'persons');
-- A row's own flag says whether its person is restricted (hw_set_restricted keeps them
-- all, and a write under a parent waits for a restriction being placed), so an
-- unrestricted row's change costs nothing here unless it moves to another parent.
CREATE TRIGGER person_markers_restricted BEFORE UPDATE ON person_markers
    FOR EACH ROW WHEN (OLD.restricted OR NEW.restricted
                  OR OLD.person_id IS DISTINCT FROM NEW.person_id)
    EXECUTE FUNCTION hw_refuse_restricted_write('person_id', 'persons');
-- Nor is a row written already restricted, or (a person, an episode) already disposed of.
CREATE POLICY person_markers_written_in_view ON person_markers AS RESTRICTIVE FOR INSERT TO homeward_app
    WITH CHECK (NOT restricted);
CREATE TRIGGER person_markers_restricted_delete BEFORE DELETE ON person_markers
    FOR EACH ROW WHEN (OLD.restricted) EXECUTE FUNCTION hw_refuse_restricted_write();
