-- children_month_state: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE children_month_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE children_month_state FORCE ROW LEVEL SECURITY;

CREATE POLICY children_month_state_owner ON children_month_state TO homeward_owner USING (true) WITH CHECK (true);
