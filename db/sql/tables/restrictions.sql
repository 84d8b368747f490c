-- restrictions: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE restrictions ENABLE ROW LEVEL SECURITY;
ALTER TABLE restrictions FORCE ROW LEVEL SECURITY;

-- Data protection officers place, read and lift restrictions; none is deleted.
CREATE POLICY restrictions_dpo_read ON restrictions FOR SELECT TO homeward_app
    USING (hw_is_dpo());
CREATE POLICY restrictions_dpo_insert ON restrictions FOR INSERT TO homeward_app
    WITH CHECK (hw_is_dpo() AND placed_by = hw_user_id() AND lifted_at IS NULL);
CREATE POLICY restrictions_dpo_lift ON restrictions FOR UPDATE TO homeward_app
    USING (hw_is_dpo() AND lifted_at IS NULL) WITH CHECK (hw_is_dpo() AND lifted_by = hw_user_id());
CREATE POLICY restrictions_owner ON restrictions TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE ON restrictions TO homeward_app;
