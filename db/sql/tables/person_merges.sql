-- person_merges: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE person_merges ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_merges FORCE ROW LEVEL SECURITY;

CREATE POLICY person_merges_insert ON person_merges FOR INSERT TO homeward_app
    WITH CHECK (hw_role() IN ('mfhc', 'supervisor') AND merged_by = hw_user_id() AND undone_at IS NULL);
CREATE POLICY person_merges_owner ON person_merges TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY person_merges_read ON person_merges FOR SELECT TO homeward_app USING (hw_is_operational());
CREATE POLICY person_merges_undo ON person_merges FOR UPDATE TO homeward_app
    USING (hw_role() IN ('mfhc', 'supervisor') AND undone_at IS NULL)
    WITH CHECK (hw_role() IN ('mfhc', 'supervisor') AND undone_by = hw_user_id());

GRANT SELECT,INSERT,UPDATE ON person_merges TO homeward_app;
