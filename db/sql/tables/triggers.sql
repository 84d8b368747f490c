-- triggers: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE triggers ENABLE ROW LEVEL SECURITY;
ALTER TABLE triggers FORCE ROW LEVEL SECURITY;

CREATE POLICY triggers_owner ON triggers TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY triggers_read ON triggers FOR SELECT TO homeward_app
    USING (((SELECT hw_is_case_worker())
            AND (district_id = (SELECT hw_district_id()) OR (SELECT hw_covers_every_district())))
           OR ((SELECT hw_role() = 'partner') AND hw_shared_with_caller('trigger', id, 'summary')));
CREATE POLICY triggers_update ON triggers FOR UPDATE TO homeward_app
    USING (hw_role() = 'mfhc' AND hw_covers_district(district_id))
    WITH CHECK (hw_role() = 'mfhc' AND hw_covers_district(district_id) AND status <> 'withdrawn');

GRANT SELECT ON triggers TO homeward_app;
GRANT UPDATE(status) ON triggers TO homeward_app;
GRANT UPDATE(assigned_to) ON triggers TO homeward_app;
GRANT UPDATE(acknowledged_at) ON triggers TO homeward_app;
GRANT UPDATE(acknowledged_by) ON triggers TO homeward_app;
GRANT UPDATE(closed_at) ON triggers TO homeward_app;
GRANT UPDATE(closed_by) ON triggers TO homeward_app;
GRANT UPDATE(closure_note) ON triggers TO homeward_app;
GRANT UPDATE(version) ON triggers TO homeward_app;
GRANT UPDATE(updated_at) ON triggers TO homeward_app;

-- Restriction and disposal (issue 19): a restricted record is read only with a stated
-- reason (set for one-record reads, never for lists), a disposed one by no one.
CREATE POLICY triggers_in_view ON triggers AS RESTRICTIVE FOR SELECT TO homeward_app
    USING (NOT restricted OR (SELECT hw_access_reason() IS NOT NULL));
-- A restricted person's records are read-only (hw_refuse_restricted_write says why).
CREATE TRIGGER triggers_restricted_insert BEFORE INSERT ON triggers
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('person_id', 'persons');
-- A row's own flag says whether its person is restricted (hw_set_restricted keeps them
-- all, and a write under a parent waits for a restriction being placed), so an
-- unrestricted row's change costs nothing here unless it moves to another parent.
CREATE TRIGGER triggers_restricted BEFORE UPDATE ON triggers
    FOR EACH ROW WHEN (OLD.restricted OR NEW.restricted
                  OR OLD.person_id IS DISTINCT FROM NEW.person_id)
    EXECUTE FUNCTION hw_refuse_restricted_write('person_id', 'persons');
-- Nor is a row written already restricted, or (a person, an episode) already disposed of.
CREATE POLICY triggers_written_in_view ON triggers AS RESTRICTIVE FOR INSERT TO homeward_app
    WITH CHECK (NOT restricted);
CREATE TRIGGER triggers_restricted_delete BEFORE DELETE ON triggers
    FOR EACH ROW WHEN (OLD.restricted) EXECUTE FUNCTION hw_refuse_restricted_write();
