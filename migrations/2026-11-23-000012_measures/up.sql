SET LOCAL ROLE homeward_owner;

-- Who reads aggregate measures: analysts (never names), MFHCs, supervisors, admins.
CREATE FUNCTION hw_reads_measures() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(hw_role() IN ('analyst', 'mfhc', 'supervisor', 'admin'), false) $$;

-- The repeat-missing measure for one window, as counts only: for each district (the
-- owning district at the start of the person's latest counted episode in the window)
-- and age group (child = under 18 when the episode started), how many distinct persons
-- had at least `p_threshold` counted episodes starting in [p_start, p_end). Cancelled
-- episodes never count; hospital ones only when `p_count_hospital`. Persons with no
-- date of birth count in neither group. Must equal `domain::measures::repeat_missing`.
CREATE FUNCTION hw_repeat_missing(p_start timestamptz, p_end timestamptz, p_threshold integer,
                                  p_count_hospital boolean)
RETURNS TABLE (district_id uuid, age_group text, persons bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT hw_reads_measures() THEN
        RAISE EXCEPTION 'not permitted: measures are for analysts, coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH counted AS (
        SELECT e.person_id,
               coalesce((SELECT t.from_district_id FROM episode_transfers t
                          WHERE t.episode_id = e.id ORDER BY t.transferred_at, t.id LIMIT 1),
                        e.district_id) AS district,
               e.reported_at,
               CASE WHEN p.date_of_birth IS NULL THEN NULL
                    WHEN age((e.reported_at AT TIME ZONE 'UTC')::date, p.date_of_birth) < interval '18 years'
                    THEN 'child' ELSE 'adult' END AS grp
          FROM episodes e JOIN persons p ON p.id = e.person_id
         WHERE e.status <> 'cancelled' AND e.reported_at >= p_start AND e.reported_at < p_end
           AND (p_count_hospital OR e.missing_from <> 'hospital_or_medical')
    ), per AS (
        SELECT c.person_id, c.grp, count(*) AS n,
               (array_agg(c.district ORDER BY c.reported_at DESC, c.district DESC))[1] AS district
          FROM counted c WHERE c.grp IS NOT NULL
         GROUP BY c.person_id, c.grp
    )
    SELECT per.district, per.grp, count(*)
      FROM per WHERE per.n >= p_threshold
     GROUP BY per.district, per.grp;
END $$;
REVOKE ALL ON FUNCTION hw_repeat_missing(timestamptz, timestamptz, integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_repeat_missing(timestamptz, timestamptz, integer, boolean) TO homeward_app;

CREATE INDEX episodes_reported_idx ON episodes (reported_at) INCLUDE (person_id, district_id, status, missing_from);

RESET ROLE;
