-- episode_reference_counters: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE episode_reference_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE episode_reference_counters FORCE ROW LEVEL SECURITY;

CREATE POLICY counters_operational ON episode_reference_counters TO homeward_app
    USING (hw_is_operational() AND hw_covers_district(district_id))
    WITH CHECK (hw_is_operational() AND hw_covers_district(district_id));
CREATE POLICY counters_owner ON episode_reference_counters TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT,INSERT,UPDATE ON episode_reference_counters TO homeward_app;
