-- rectification_notes: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE rectification_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE rectification_notes FORCE ROW LEVEL SECURITY;

-- Data protection officers record and read the notes; none is changed or deleted.
CREATE POLICY rectification_notes_dpo_read ON rectification_notes FOR SELECT TO homeward_app
    USING (hw_is_dpo());
CREATE POLICY rectification_notes_dpo_insert ON rectification_notes FOR INSERT TO homeward_app
    WITH CHECK (hw_is_dpo() AND recorded_by = hw_user_id());
CREATE POLICY rectification_notes_owner ON rectification_notes TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT, INSERT ON rectification_notes TO homeward_app;
