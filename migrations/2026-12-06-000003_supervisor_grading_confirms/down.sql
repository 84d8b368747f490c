SET LOCAL ROLE homeward_owner;
DROP POLICY risk_gradings_insert ON risk_gradings;
CREATE POLICY risk_gradings_insert ON risk_gradings FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND graded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
ALTER TABLE risk_gradings DROP COLUMN grader_role;
RESET ROLE;
