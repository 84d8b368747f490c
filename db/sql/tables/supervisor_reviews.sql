-- supervisor_reviews: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE supervisor_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervisor_reviews FORCE ROW LEVEL SECURITY;

-- Only supervisors record reviews (the domain checks this too).
CREATE POLICY supervisor_reviews_insert ON supervisor_reviews FOR INSERT TO homeward_app
    WITH CHECK (reviewed_by = hw_user_id() AND hw_role() = 'supervisor'
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY supervisor_reviews_owner ON supervisor_reviews TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY supervisor_reviews_read ON supervisor_reviews FOR SELECT TO homeward_app
    USING ((hw_role() <> 'partner' AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('episode', episode_id, 'risk')));

GRANT SELECT,INSERT ON supervisor_reviews TO homeward_app;

-- A restricted person's records are read-only (issue 19; hw_refuse_restricted_write).
CREATE TRIGGER supervisor_reviews_restricted BEFORE INSERT OR UPDATE OR DELETE ON supervisor_reviews
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('episode_id', 'episodes');
