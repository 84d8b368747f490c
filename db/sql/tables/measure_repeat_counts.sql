-- measure_repeat_counts: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE measure_repeat_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE measure_repeat_counts FORCE ROW LEVEL SECURITY;

CREATE POLICY measure_repeat_counts_owner ON measure_repeat_counts TO homeward_owner USING (true) WITH CHECK (true);
