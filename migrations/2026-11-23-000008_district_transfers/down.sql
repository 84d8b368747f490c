DROP POLICY IF EXISTS episodes_district_update ON episodes;
CREATE POLICY episodes_district_update ON episodes FOR UPDATE TO homeward_app
    USING (hw_is_operational() AND hw_covers_district(district_id))
    WITH CHECK (hw_is_operational() AND hw_covers_district(district_id)
                AND (status <> 'closed' OR hw_role() = 'supervisor'));
DROP POLICY IF EXISTS episodes_district_read ON episodes;
CREATE POLICY episodes_district_read ON episodes FOR SELECT TO homeward_app
    USING (hw_is_operational() AND hw_covers_district(district_id));
DROP TABLE IF EXISTS episode_transfers;
