-- Back to UTC days and the report time, as the migrations before this one had them.
SET LOCAL ROLE homeward_owner;
DROP FUNCTION hw_set_force_zone(text);
DROP FUNCTION hw_measure_rebuild();
DROP TRIGGER measure_episodes_update ON episodes;
CREATE TRIGGER measure_episodes_update AFTER UPDATE ON episodes FOR EACH ROW
    WHEN (OLD.person_id <> NEW.person_id OR OLD.reported_at <> NEW.reported_at
          OR (OLD.status = 'cancelled') <> (NEW.status = 'cancelled')
          OR OLD.missing_from <> NEW.missing_from OR OLD.district_id <> NEW.district_id)
    EXECUTE FUNCTION hw_measure_episode_updated();
DROP FUNCTION hw_repeat_missing(timestamptz, timestamptz, integer, boolean, text);
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
REVOKE ALL ON FUNCTION hw_repeat_missing(timestamptz, timestamptz, integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_repeat_missing(timestamptz, timestamptz, integer, boolean) TO homeward_app;

CREATE OR REPLACE FUNCTION hw_child_at(dob date, started timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT dob > ((started AT TIME ZONE 'UTC')::date - interval '18 years')::date $$;

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

CREATE OR REPLACE FUNCTION hw_children_by_month(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (month date, district_id uuid, children bigint, episodes bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_from date := (p_from AT TIME ZONE 'UTC')::date;
    v_to date := (p_to AT TIME ZONE 'UTC')::date;
BEGIN
    PERFORM hw_require_measures_reader();
    IF p_from <> v_from::timestamp AT TIME ZONE 'UTC' OR extract(day FROM v_from) <> 1
       OR p_to <> v_to::timestamp AT TIME ZONE 'UTC' OR extract(day FROM v_to) <> 1 THEN
        RAISE EXCEPTION 'hw_children_by_month takes whole UTC months' USING ERRCODE = '22023';
    END IF;
    PERFORM hw_measure_catch_up(NULL);
    RETURN QUERY
    SELECT c.month, c.district_id, sum(c.children)::bigint, sum(c.episodes)::bigint
      FROM children_month_counts c
     WHERE c.month >= v_from AND c.month < v_to
     GROUP BY c.month, c.district_id
    HAVING sum(c.episodes) > 0;
END $$;

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

CREATE OR REPLACE FUNCTION hw_actions_due(p_days integer)
RETURNS TABLE (action_id uuid, owner_agency_id uuid, owner_user_id uuid, due_on date, overdue boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT a.id, a.owner_agency_id, a.owner_user_id, a.due_on, a.due_on < current_date
      FROM actions a
     WHERE a.status IN ('open', 'in_progress') AND a.due_on <= current_date + p_days
$$;

CREATE OR REPLACE FUNCTION hw_mfhc_digests()
RETURNS TABLE (user_id uuid, email text, district_id uuid, open_high_risk bigint,
               triggers_unacknowledged bigint, interviews_overdue bigint, actions_overdue bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT u.id, u.email, u.district_id,
           (SELECT count(*) FROM episodes e WHERE e.district_id = u.district_id
               AND e.status IN ('reported', 'active') AND e.risk_level = 'high'),
           (SELECT count(*) FROM triggers t WHERE t.district_id = u.district_id AND t.status = 'open'),
           (SELECT count(*) FROM return_home_interviews r JOIN episodes e ON e.id = r.episode_id
             WHERE e.district_id = u.district_id AND r.status IN ('pending', 'offered', 'accepted')
               AND r.due_at < now()),
           (SELECT count(*) FROM actions a WHERE a.district_id = u.district_id
               AND a.status IN ('open', 'in_progress') AND a.due_on < current_date)
      FROM users u LEFT JOIN notification_preferences np ON np.user_id = u.id
     WHERE u.active AND u.role = 'mfhc' AND u.district_id IS NOT NULL AND coalesce(np.daily_digest, true)
$$;

CREATE OR REPLACE FUNCTION hw_agency_digests()
RETURNS TABLE (agency_id uuid, mailbox text, open_actions bigint, overdue_actions bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT g.id, g.mailbox, count(*), count(*) FILTER (WHERE a.due_on < current_date)
      FROM actions a JOIN agencies g ON g.id = a.owner_agency_id
     WHERE g.active AND a.status IN ('open', 'in_progress')
     GROUP BY g.id, g.mailbox
$$;

ALTER TABLE measure_definitions DROP COLUMN episode_start;
DROP FUNCTION hw_local_date(timestamptz);
DROP FUNCTION hw_force_zone();
SELECT hw_measure_refresh(NULL);
DELETE FROM children_month_state;
DELETE FROM children_month_counts;
INSERT INTO children_month_state (person_id, month, district_id, children, episodes)
SELECT * FROM hw_children_month_rows(ARRAY(SELECT DISTINCT e.person_id FROM episodes e));
INSERT INTO children_month_counts (month, district_id, shard, children, episodes)
SELECT s.month, s.district_id, hw_measure_shard(s.person_id), sum(s.children), sum(s.episodes)
  FROM children_month_state s GROUP BY 1, 2, 3;
RESET ROLE;
