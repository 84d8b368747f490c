-- A child is under 18 until the day of their 18th birthday (domain::persons::is_child),
-- but these functions tested `age(day, date_of_birth) < interval '18 years'`. Intervals
-- compare with a month as 30 days, so on the eve of an 18th birthday after a 31-day
-- month, when age() gives "17 years 11 mons 30 days" (born 15 October 2008, reported
-- 14 October 2026), the test said 18 years: the episode counted as an adult's. They now
-- use hw_child_at (the born-after-the-same-day-18-years-earlier test the datasets use,
-- 28 February for 29 February), which agrees with is_child on every day. The kept
-- measure and children-per-month states were built with the old test, so both are
-- rebuilt.
SET LOCAL ROLE homeward_owner;

-- The repeat-missing measure for one window, as counts only: for each district (the
-- owning district at the start of the person's latest counted episode in the window)
-- and age group (child = under 18 when the episode started), how many distinct persons
-- had at least `p_threshold` counted episodes starting in [p_start, p_end). Cancelled
-- episodes never count; hospital ones only when `p_count_hospital`. Persons with no
-- date of birth count in neither group. Must equal `domain::measures::repeat_missing`.
CREATE OR REPLACE FUNCTION hw_repeat_missing(p_start timestamptz, p_end timestamptz, p_threshold integer,
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
                    WHEN hw_child_at(p.date_of_birth, e.reported_at)
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

-- The state rows of the given persons under the current definition. A
-- counted episode (not cancelled; hospital ones only if the definition says so; a known
-- date of birth) lies in the windows of the `window_months` month ends from the end of its
-- own (UTC) month on, exactly the windows `Definition::window` gives for those month ends;
-- a person is repeat missing at a month end when at least `repeat_threshold` of their
-- episodes in one age group lie in its window, and counts in the district of the latest.
CREATE OR REPLACE FUNCTION hw_measure_state_rows(p_persons uuid[])
RETURNS TABLE (definition_version integer, period_end date, age_group text, person_id uuid, district_id uuid)
LANGUAGE sql STABLE SET search_path = public, pg_temp SET jit = off AS $$
    WITH def AS (
        SELECT d.version, d.repeat_threshold, d.window_months, d.count_hospital
          FROM measure_definitions d ORDER BY d.version DESC LIMIT 1
    ), counted AS (
        SELECT e.person_id,
               coalesce((SELECT t.from_district_id FROM episode_transfers t
                          WHERE t.episode_id = e.id ORDER BY t.transferred_at, t.id LIMIT 1),
                        e.district_id) AS district,
               e.reported_at,
               date_trunc('month', e.reported_at AT TIME ZONE 'UTC') AS month,
               CASE WHEN hw_child_at(p.date_of_birth, e.reported_at)
                    THEN 'child' ELSE 'adult' END AS grp
          -- Person by person through the index, whatever the planner guesses of the array.
          FROM def, unnest(p_persons) AS x (id)
               CROSS JOIN LATERAL (SELECT * FROM episodes e WHERE e.person_id = x.id) e
               JOIN persons p ON p.id = e.person_id
         WHERE e.status <> 'cancelled' AND p.date_of_birth IS NOT NULL
           AND (def.count_hospital OR e.missing_from <> 'hospital_or_medical')
    ), enough AS (
        SELECT c.*, count(*) OVER (PARTITION BY c.person_id, c.grp) AS total FROM counted c
    )
    SELECT def.version,
           (c.month + make_interval(months => k + 1) - interval '1 day')::date AS period_end,
           c.grp, c.person_id,
           (array_agg(c.district ORDER BY c.reported_at DESC, c.district DESC))[1]
      FROM def, enough c, generate_series(0, def.window_months - 1) AS k
     WHERE c.total >= def.repeat_threshold
     GROUP BY def.version, def.repeat_threshold, 2, c.grp, c.person_id
    HAVING count(*) >= def.repeat_threshold
$$;

-- The children-month state rows of the given persons.
CREATE OR REPLACE FUNCTION hw_children_month_rows(p_persons uuid[])
RETURNS TABLE (person_id uuid, month date, district_id uuid, children integer, episodes integer)
LANGUAGE sql STABLE SET search_path = public, pg_temp SET jit = off AS $$
    WITH c AS (
        SELECT e.person_id,
               coalesce((SELECT t.from_district_id FROM episode_transfers t
                          WHERE t.episode_id = e.id ORDER BY t.transferred_at, t.id LIMIT 1),
                        e.district_id) AS district,
               e.reported_at,
               date_trunc('month', e.reported_at AT TIME ZONE 'UTC')::date AS m
          FROM unnest(p_persons) AS x (id)
               CROSS JOIN LATERAL (SELECT * FROM episodes e WHERE e.person_id = x.id) e
               JOIN persons p ON p.id = e.person_id
         WHERE e.status <> 'cancelled'
           AND hw_child_at(p.date_of_birth, e.reported_at)
    ), latest AS (
        SELECT DISTINCT ON (c.person_id, c.m) c.person_id, c.m, c.district
          FROM c ORDER BY c.person_id, c.m, c.reported_at DESC, c.district DESC
    )
    SELECT x.person_id, x.m, x.district, sum(x.children)::integer, sum(x.episodes)::integer
      FROM (SELECT c.person_id, c.m, c.district, 0 AS children, 1 AS episodes FROM c
            UNION ALL
            SELECT l.person_id, l.m, l.district, 1, 0 FROM latest l) x
     GROUP BY x.person_id, x.m, x.district
$$;

-- Withdraws a live, unclosed trigger whose basis has gone: an episode cancelled or
-- moved to another person, (first-time) an earlier episode now recorded or a corrected
-- date of birth, (out of area) a corrected placement.
CREATE OR REPLACE FUNCTION hw_trigger_withdraw(p_id uuid, p_reason text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT hw_is_operational() THEN
        RAISE EXCEPTION 'not permitted: only operational roles evaluate triggers' USING ERRCODE = '42501';
    END IF;
    UPDATE triggers t
       SET status = 'withdrawn', withdrawn_at = now(), withdrawn_reason = p_reason,
           version = t.version + 1, updated_at = now()
     WHERE t.id = p_id AND t.status IN ('open', 'acknowledged', 'plan_recorded')
       AND (EXISTS (SELECT 1 FROM unnest(t.basis_episode_ids) b LEFT JOIN episodes e ON e.id = b
                     WHERE e.id IS NULL OR e.person_id <> t.person_id OR e.status = 'cancelled')
            OR (t.kind = 'first_time_child' AND EXISTS (
                    SELECT 1 FROM episodes a JOIN episodes e ON e.id = t.anchor_episode_id
                     WHERE a.person_id = t.person_id AND a.status <> 'cancelled'
                       AND (a.reported_at, a.id) < (e.reported_at, e.id)))
            -- the date of birth was corrected: not a child when it started
            OR (t.kind = 'first_time_child' AND NOT EXISTS (
                    SELECT 1 FROM episodes e JOIN persons p ON p.id = e.person_id
                     WHERE e.id = t.anchor_episode_id AND p.date_of_birth IS NOT NULL
                       AND hw_child_at(p.date_of_birth, e.reported_at)))
            -- the placement is no longer out of area
            OR (t.kind = 'out_of_area_placement' AND NOT EXISTS (
                    SELECT 1 FROM episodes e JOIN placements pl ON pl.id = e.placement_id
                     WHERE e.id = t.anchor_episode_id AND pl.out_of_area)));
    RETURN FOUND;
END $$;

SELECT hw_measure_refresh(NULL);
DELETE FROM children_month_state;
DELETE FROM children_month_counts;
INSERT INTO children_month_state (person_id, month, district_id, children, episodes)
SELECT * FROM hw_children_month_rows(ARRAY(SELECT DISTINCT e.person_id FROM episodes e));
INSERT INTO children_month_counts (month, district_id, shard, children, episodes)
SELECT s.month, s.district_id, hw_measure_shard(s.person_id), sum(s.children), sum(s.episodes)
  FROM children_month_state s GROUP BY 1, 2, 3;

RESET ROLE;
