SET LOCAL ROLE homeward_owner;

-- The coordinator datasets (issue 6) beyond missing-persons. Rows with names go through
-- the caller's own policies; what needs episodes the caller cannot see (a child's
-- earlier episodes elsewhere) or is for roles that see no episodes (analysts) runs in
-- SECURITY DEFINER functions that return episode ids to MFHCs and supervisors only,
-- and counts to everyone who reads measures. Cancelled episodes never count.

-- "Has this person a counted episode before ...?" is an index-only probe.
CREATE INDEX episodes_person_counted_idx ON episodes (person_id, reported_at) WHERE status <> 'cancelled';
-- Counted episodes in a window, with what the statistics group by, as an index-only
-- range scan (the heap is in insertion order, not by report time).
CREATE INDEX episodes_counted_reported_idx ON episodes (reported_at)
    INCLUDE (id, person_id, district_id, looked_after, missing_from) WHERE status <> 'cancelled';
-- Persons who can be children in a window (born after its start less 18 years), index-only.
CREATE INDEX persons_dob_id_idx ON persons (date_of_birth) INCLUDE (id);

-- Helpers (not callable by the application role; used inside the functions below).

-- Whether a person born on `dob` was a child (under 18) when an episode started at
-- `started` (the UTC day): born after the same day 18 years earlier (28 February for
-- 29 February). The same test as domain::persons::is_child and hw_repeat_missing's
-- age(), in plain date arithmetic, which is cheaper. NULL without a date of birth.
CREATE FUNCTION hw_child_at(dob date, started timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT dob > ((started AT TIME ZONE 'UTC')::date - interval '18 years')::date $$;

-- The district that owned an episode when it started: the source of its first
-- transfer, else its district. Transfers are few, so this is hashed, not probed.
CREATE FUNCTION hw_first_transfers() RETURNS TABLE (episode_id uuid, from_district_id uuid)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT DISTINCT ON (t.episode_id) t.episode_id, t.from_district_id
      FROM episode_transfers t ORDER BY t.episode_id, t.transferred_at, t.id
$$;

-- First-time missing children in [p_from, p_to): for each person whose first ever
-- counted episode (earliest reported_at, then id; looking at every district) started
-- in the range while they were under 18, that episode. Persons without a date of
-- birth are never counted.
CREATE FUNCTION hw_first_time_children_in(p_from timestamptz, p_to timestamptz)
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

-- The permission check that opens every dataset function for all who read measures:
-- raises 42501 unless the caller is an analyst, MFHC, supervisor or administrator.
CREATE FUNCTION hw_require_measures_reader() RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT hw_reads_measures() THEN
        RAISE EXCEPTION 'not permitted: datasets are for analysts, coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
END $$;

REVOKE ALL ON FUNCTION hw_child_at(date, timestamptz), hw_first_transfers(),
                       hw_first_time_children_in(timestamptz, timestamptz),
                       hw_require_measures_reader() FROM PUBLIC;

-- The first episodes of first-time missing children, for MFHCs and supervisors: ids
-- only; the caller reads the episodes (and so sees only those its policies show).
CREATE FUNCTION hw_first_time_children(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (episode_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT coalesce(hw_role() IN ('mfhc', 'supervisor'), false) THEN
        RAISE EXCEPTION 'not permitted: dataset rows are for coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT f.episode_id FROM hw_first_time_children_in(p_from, p_to) f;
END $$;

-- First-time missing children counted per (current) district of their first episode,
-- and how many of them were looked after then.
CREATE FUNCTION hw_first_time_children_summary(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (district_id uuid, children bigint, looked_after bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM hw_require_measures_reader();
    RETURN QUERY
    SELECT f.district_id, count(*), count(*) FILTER (WHERE f.looked_after)
      FROM hw_first_time_children_in(p_from, p_to) f GROUP BY f.district_id;
END $$;

-- Looked-after children missing from care placements since `p_since`, counted per
-- (current) district, placement kind (`not_recorded` without a placement) and
-- out-of-area flag (NULL without a placement): episodes and distinct persons.
CREATE FUNCTION hw_looked_after_summary(p_since timestamptz)
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

-- Episodes from hospital or medical settings since `p_since`, per (current) district
-- and age group at the episode's start (`unknown` without a date of birth): episodes
-- and distinct persons.
CREATE FUNCTION hw_hospital_summary(p_since timestamptz)
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

-- The quarterly breakdown of counted episodes starting in [p_from, p_to): per district
-- (owning district at the start, as the measures attribute; NULL: the force) and
-- age group at the start × sex and ethnicity as recorded (NULL: not recorded) ×
-- CSE / mental-health flag × looked-after at the report. A flag is set when the person
-- had such a marker in force when the episode started (recorded by then, not ended by
-- that day) or the return recorded it as seen while missing. Episodes and distinct persons.
CREATE FUNCTION hw_quarterly_breakdown(p_from timestamptz, p_to timestamptz)
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
                           AND (m.ended_on IS NULL OR m.ended_on > (e.reported_at AT TIME ZONE 'UTC')::date))
                OR coalesce('cse' = ANY (r.markers_seen), false)) AS cse,
               (EXISTS (SELECT 1 FROM person_markers m
                         WHERE m.person_id = e.person_id AND m.kind = 'mental_health' AND m.recorded_at <= e.reported_at
                           AND (m.ended_on IS NULL OR m.ended_on > (e.reported_at AT TIME ZONE 'UTC')::date))
                OR coalesce('mental_health' = ANY (r.markers_seen), false)) AS mh
          FROM episodes e
          -- A quarter is a few per cent of the episodes: probe persons by key (OFFSET 0
          -- keeps the planner from merging with a scan of every person).
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

-- Children going missing per calendar month (UTC) in [p_from, p_to) (month starts), per
-- district (owning district at the start): `children` counts each child (under 18 at the
-- episode's start) with a counted episode starting that month once, in the district of
-- their latest such episode that month, so districts add up to the force; `episodes`
-- counts those episodes in their own district. Read from the per-month counts migration
-- 000013 keeps in step with every write (children_month_counts), so a long series costs
-- the same at any volume.
CREATE FUNCTION hw_children_by_month(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (month date, district_id uuid, children bigint, episodes bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_from date := (p_from AT TIME ZONE 'UTC')::date;
    v_to date := (p_to AT TIME ZONE 'UTC')::date;
BEGIN
    PERFORM hw_require_measures_reader();
    IF p_from <> v_from::timestamp AT TIME ZONE 'UTC' OR extract(day FROM v_from) <> 1
       OR p_to <> v_to::timestamp AT TIME ZONE 'UTC' OR extract(day FROM v_to) <> 1 THEN
        RAISE EXCEPTION 'hw_children_by_month takes whole UTC months' USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
    SELECT c.month, c.district_id, sum(c.children)::bigint, sum(c.episodes)::bigint
      FROM children_month_counts c
     WHERE c.month >= v_from AND c.month < v_to
     GROUP BY c.month, c.district_id
    HAVING sum(c.episodes) > 0;
END $$;

REVOKE ALL ON FUNCTION hw_first_time_children(timestamptz, timestamptz),
                       hw_first_time_children_summary(timestamptz, timestamptz),
                       hw_looked_after_summary(timestamptz), hw_hospital_summary(timestamptz),
                       hw_quarterly_breakdown(timestamptz, timestamptz),
                       hw_children_by_month(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_first_time_children(timestamptz, timestamptz),
                          hw_first_time_children_summary(timestamptz, timestamptz),
                          hw_looked_after_summary(timestamptz), hw_hospital_summary(timestamptz),
                          hw_quarterly_breakdown(timestamptz, timestamptz),
                          hw_children_by_month(timestamptz, timestamptz) TO homeward_app;

RESET ROLE;
