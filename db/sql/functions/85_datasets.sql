-- The coordinators' datasets: counts for every reader, ids for MFHCs and supervisors.

-- Persons missing since `p_since`, summarised (counts only): per district and age group
-- of each person's latest counted episode, how many persons, their episodes, and how
-- many went missing more than once. Persons with no date of birth are `unknown`.
CREATE OR REPLACE FUNCTION hw_missing_persons_summary(p_since timestamptz)
RETURNS TABLE (district_id uuid, age_group text, persons bigint, episodes bigint, repeat_persons bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT hw_reads_measures() THEN
        RAISE EXCEPTION 'not permitted: datasets are for analysts, coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH counted AS (
        SELECT e.person_id, e.district_id, e.reported_at,
               CASE WHEN p.date_of_birth IS NULL THEN 'unknown'
                    WHEN hw_child_at(p.date_of_birth, e.reported_at)
                    THEN 'child' ELSE 'adult' END AS grp
          FROM episodes e JOIN persons p ON p.id = e.person_id
         WHERE e.status <> 'cancelled' AND e.reported_at >= p_since
    ), per AS (
        SELECT c.person_id, count(*) AS n,
               (array_agg(c.district_id ORDER BY c.reported_at DESC, c.district_id DESC))[1] AS district,
               (array_agg(c.grp ORDER BY c.reported_at DESC, c.district_id DESC))[1] AS grp
          FROM counted c GROUP BY c.person_id
    )
    SELECT per.district, per.grp, count(*), sum(per.n)::bigint, count(*) FILTER (WHERE per.n >= 2)
      FROM per GROUP BY per.district, per.grp;
END $$;

REVOKE ALL ON FUNCTION hw_missing_persons_summary(p_since timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_missing_persons_summary(p_since timestamp with time zone) TO homeward_app;

-- First-time missing children in [p_from, p_to): for each person whose first ever
-- counted episode (earliest reported_at, then id; looking at every district) started
-- in the range while they were under 18, that episode. Persons without a date of
-- birth are never counted.
CREATE OR REPLACE FUNCTION hw_first_time_children_in(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (episode_id uuid, person_id uuid, district_id uuid, looked_after boolean)
LANGUAGE sql STABLE AS $$
    SELECT f.id, f.person_id, f.district_id, f.looked_after
      FROM (SELECT DISTINCT ON (e.person_id) e.id, e.person_id, e.district_id, e.reported_at, e.looked_after
              FROM episodes e
             WHERE e.status <> 'cancelled' AND e.reported_at >= p_from AND e.reported_at < p_to
             ORDER BY e.person_id, e.reported_at, e.id) f
      JOIN persons p ON p.id = f.person_id
     WHERE hw_child_at(p.date_of_birth, f.reported_at)
       AND NOT EXISTS (SELECT 1 FROM episodes x
                        WHERE x.person_id = f.person_id AND x.status <> 'cancelled' AND x.reported_at < p_from)
$$;

REVOKE ALL ON FUNCTION hw_first_time_children_in(p_from timestamp with time zone, p_to timestamp with time zone) FROM PUBLIC;

-- The first episodes of first-time missing children, for MFHCs and supervisors: ids
-- only; the caller reads the episodes (and so sees only those its policies show).
CREATE OR REPLACE FUNCTION hw_first_time_children(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (episode_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT coalesce(hw_role() IN ('mfhc', 'supervisor'), false) THEN
        RAISE EXCEPTION 'not permitted: dataset rows are for coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT f.episode_id FROM hw_first_time_children_in(p_from, p_to) f;
END $$;

REVOKE ALL ON FUNCTION hw_first_time_children(p_from timestamp with time zone, p_to timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_first_time_children(p_from timestamp with time zone, p_to timestamp with time zone) TO homeward_app;

-- First-time missing children counted per (current) district of their first episode,
-- and how many of them were looked after then.
CREATE OR REPLACE FUNCTION hw_first_time_children_summary(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (district_id uuid, children bigint, looked_after bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM hw_require_measures_reader();
    RETURN QUERY
    SELECT f.district_id, count(*), count(*) FILTER (WHERE f.looked_after)
      FROM hw_first_time_children_in(p_from, p_to) f GROUP BY f.district_id;
END $$;

REVOKE ALL ON FUNCTION hw_first_time_children_summary(p_from timestamp with time zone, p_to timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_first_time_children_summary(p_from timestamp with time zone, p_to timestamp with time zone) TO homeward_app;

-- Looked-after children missing from care placements since `p_since`, counted per
-- (current) district, placement kind (`not_recorded` without a placement) and
-- out-of-area flag (NULL without a placement): episodes and distinct persons.
CREATE OR REPLACE FUNCTION hw_looked_after_summary(p_since timestamptz)
RETURNS TABLE (district_id uuid, placement_kind text, out_of_area boolean, episodes bigint, persons bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM hw_require_measures_reader();
    RETURN QUERY
    SELECT e.district_id, coalesce(pl.kind, 'not_recorded'), pl.out_of_area, count(*), count(DISTINCT e.person_id)
      FROM episodes e LEFT JOIN placements pl ON pl.id = e.placement_id
     WHERE e.status <> 'cancelled' AND e.reported_at >= p_since
       AND e.missing_from = 'care_placement' AND e.looked_after
     GROUP BY 1, 2, 3;
END $$;

REVOKE ALL ON FUNCTION hw_looked_after_summary(p_since timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_looked_after_summary(p_since timestamp with time zone) TO homeward_app;

-- Episodes from hospital or medical settings since `p_since`, per (current) district
-- and age group at the episode's start (`unknown` without a date of birth): episodes
-- and distinct persons.
CREATE OR REPLACE FUNCTION hw_hospital_summary(p_since timestamptz)
RETURNS TABLE (district_id uuid, age_group text, episodes bigint, persons bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM hw_require_measures_reader();
    RETURN QUERY
    SELECT e.district_id,
           CASE WHEN p.date_of_birth IS NULL THEN 'unknown'
                WHEN hw_child_at(p.date_of_birth, e.reported_at) THEN 'child' ELSE 'adult' END,
           count(*), count(DISTINCT e.person_id)
      FROM episodes e JOIN persons p ON p.id = e.person_id
     WHERE e.status <> 'cancelled' AND e.reported_at >= p_since AND e.missing_from = 'hospital_or_medical'
     GROUP BY 1, 2;
END $$;

REVOKE ALL ON FUNCTION hw_hospital_summary(p_since timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_hospital_summary(p_since timestamp with time zone) TO homeward_app;

-- The quarterly breakdown: as in 000014, a marker in force on the local day the episode
-- started.
CREATE OR REPLACE FUNCTION hw_quarterly_breakdown(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (district_id uuid, age_group text, sex text, ethnicity text, cse boolean,
               mental_health boolean, looked_after boolean, episodes bigint, persons bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET jit = off AS $$
BEGIN
    PERFORM hw_require_measures_reader();
    RETURN QUERY
    WITH counted AS (
        SELECT e.person_id, coalesce(ft.from_district_id, e.district_id) AS district,
               CASE WHEN p.date_of_birth IS NULL THEN 'unknown'
                    WHEN hw_child_at(p.date_of_birth, e.reported_at) THEN 'child' ELSE 'adult' END AS grp,
               p.sex, p.ethnicity, e.looked_after AS lac,
               (EXISTS (SELECT 1 FROM person_markers m
                         WHERE m.person_id = e.person_id AND m.kind = 'cse_risk' AND m.recorded_at <= e.reported_at
                           AND (m.ended_on IS NULL OR m.ended_on > hw_local_date(e.reported_at)))
                OR coalesce('cse' = ANY (r.markers_seen), false)) AS cse,
               (EXISTS (SELECT 1 FROM person_markers m
                         WHERE m.person_id = e.person_id AND m.kind = 'mental_health' AND m.recorded_at <= e.reported_at
                           AND (m.ended_on IS NULL OR m.ended_on > hw_local_date(e.reported_at)))
                OR coalesce('mental_health' = ANY (r.markers_seen), false)) AS mh
          FROM episodes e
          CROSS JOIN LATERAL (SELECT p.date_of_birth, p.sex, p.ethnicity FROM persons p
                               WHERE p.id = e.person_id OFFSET 0) p
          LEFT JOIN hw_first_transfers() ft ON ft.episode_id = e.id
          LEFT JOIN episode_returns r ON r.episode_id = e.id
         WHERE e.status <> 'cancelled' AND e.reported_at >= p_from AND e.reported_at < p_to
    )
    SELECT c.district, c.grp, c.sex, c.ethnicity, c.cse, c.mh, c.lac, count(*), count(DISTINCT c.person_id)
      FROM counted c
     GROUP BY GROUPING SETS ((c.district, c.grp, c.sex, c.ethnicity, c.cse, c.mh, c.lac),
                             (c.grp, c.sex, c.ethnicity, c.cse, c.mh, c.lac));
END $$;

REVOKE ALL ON FUNCTION hw_quarterly_breakdown(p_from timestamp with time zone, p_to timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_quarterly_breakdown(p_from timestamp with time zone, p_to timestamp with time zone) TO homeward_app;
