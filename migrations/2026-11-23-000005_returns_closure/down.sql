DROP POLICY IF EXISTS episodes_district_update ON episodes;
CREATE POLICY episodes_district_update ON episodes FOR UPDATE TO homeward_app
    USING (hw_is_operational() AND hw_covers_district(district_id))
    WITH CHECK (hw_is_operational() AND hw_covers_district(district_id));
ALTER TABLE episodes DROP CONSTRAINT IF EXISTS episodes_closed_has_closer,
    DROP COLUMN IF EXISTS no_interview_reason, DROP COLUMN IF EXISTS closed_by, DROP COLUMN IF EXISTS closed_at;
DROP TABLE IF EXISTS prevention_interviews, episode_returns;
