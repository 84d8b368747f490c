SET LOCAL ROLE homeward_owner;

-- The grader's role when the grading was made (roles change; the grading's meaning does
-- not). A high grading made by a supervisor is that supervisor's confirmation; only an
-- officer's or MFHC's waits for one. Gradings made before this was kept have no role
-- recorded and confirm nothing, as before.
ALTER TABLE risk_gradings ADD COLUMN grader_role text
    CHECK (grader_role IN ('officer', 'supervisor', 'mfhc'));

-- A grader records their own role, never another's.
DROP POLICY risk_gradings_insert ON risk_gradings;
CREATE POLICY risk_gradings_insert ON risk_gradings FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND graded_by = hw_user_id() AND grader_role = hw_role()
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));

RESET ROLE;
