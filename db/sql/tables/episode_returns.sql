-- episode_returns: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE episode_returns ENABLE ROW LEVEL SECURITY;
ALTER TABLE episode_returns FORCE ROW LEVEL SECURITY;

CREATE POLICY episode_returns_owner ON episode_returns TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY episode_returns_insert ON episode_returns FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND recorded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY episode_returns_read ON episode_returns FOR SELECT TO homeward_app
    USING ((hw_role() <> 'partner' AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('episode', episode_id, 'return')));

GRANT SELECT,INSERT ON episode_returns TO homeward_app;

-- A restricted person's records are read-only (issue 19; hw_refuse_restricted_write).
CREATE TRIGGER episode_returns_restricted BEFORE INSERT OR UPDATE OR DELETE ON episode_returns
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('episode_id', 'episodes');
