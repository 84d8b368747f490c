-- person_merge_moves: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE person_merge_moves ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_merge_moves FORCE ROW LEVEL SECURITY;

CREATE POLICY person_merge_moves_owner ON person_merge_moves TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY person_merge_moves_read ON person_merge_moves FOR SELECT TO homeward_app USING (hw_is_operational());

GRANT SELECT ON person_merge_moves TO homeward_app;
