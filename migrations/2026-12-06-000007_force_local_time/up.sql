SET LOCAL ROLE homeward_owner;

-- Days, months, quarters, rolling windows and ages are cut in the force's local time,
-- not in UTC: a report at 00:30 BST on 1 June is in June, and a child turns 18 at local
-- midnight. The zone is the service's HOMEWARD_TIME_ZONE (default Europe/London); the
-- database holds it as a constant function, so every expression that uses it is folded
-- to a constant when planned and the inlined age test costs nothing more. The service
-- sets it at start-up (hw_set_force_zone), which rebuilds the kept state when it changes.
CREATE FUNCTION hw_force_zone() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT 'Europe/London'::text $$;

-- The local calendar day an instant falls on.
CREATE FUNCTION hw_local_date(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (t AT TIME ZONE hw_force_zone())::date $$;

-- A child (under 18) on the local day an episode started: born after the same day 18
-- years earlier (28 February for 29 February), as domain::persons::is_child.
CREATE OR REPLACE FUNCTION hw_child_at(dob date, started timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT dob > (hw_local_date(started) - interval '18 years')::date $$;

-- When an episode starts for the measure is part of the versioned definition: when it
-- was reported (the default, as before) or when the person was last seen.
ALTER TABLE measure_definitions
    ADD COLUMN episode_start text NOT NULL DEFAULT 'reported'
        CHECK (episode_start IN ('reported', 'last_seen'));

-- The state rows of the given persons under the current definition: as in 2026-12-01,
-- with each episode's start taken as the definition says, and its month and age in local
-- time.
CREATE OR REPLACE FUNCTION hw_measure_state_rows(p_persons uuid[])
RETURNS TABLE (definition_version integer, period_end date, age_group text, person_id uuid, district_id uuid)
LANGUAGE sql STABLE SET search_path = public, pg_temp SET jit = off AS $$
    WITH def AS (
        SELECT d.version, d.repeat_threshold, d.window_months, d.count_hospital,
               d.episode_start = 'last_seen' AS by_last_seen
          FROM measure_definitions d ORDER BY d.version DESC LIMIT 1
    ), episode AS (
        SELECT e.*, CASE WHEN def.by_last_seen THEN e.last_seen_at ELSE e.reported_at END AS started
          -- Person by person through the index, whatever the planner guesses of the array.
          FROM def, unnest(p_persons) AS x (id)
               CROSS JOIN LATERAL (SELECT * FROM episodes e WHERE e.person_id = x.id) e
         WHERE e.status <> 'cancelled'
           AND (def.count_hospital OR e.missing_from <> 'hospital_or_medical')
    ), counted AS (
        SELECT e.person_id,
               coalesce((SELECT t.from_district_id FROM episode_transfers t
                          WHERE t.episode_id = e.id ORDER BY t.transferred_at, t.id LIMIT 1),
                        e.district_id) AS district,
               e.started,
               date_trunc('month', e.started AT TIME ZONE hw_force_zone()) AS month,
               CASE WHEN hw_child_at(p.date_of_birth, e.started)
                    THEN 'child' ELSE 'adult' END AS grp
          FROM episode e JOIN persons p ON p.id = e.person_id
         WHERE p.date_of_birth IS NOT NULL
    ), enough AS (
        SELECT c.*, count(*) OVER (PARTITION BY c.person_id, c.grp) AS total FROM counted c
    )
    SELECT def.version,
           (c.month + make_interval(months => k + 1) - interval '1 day')::date AS period_end,
           c.grp, c.person_id,
           (array_agg(c.district ORDER BY c.started DESC, c.district DESC))[1]
      FROM def, enough c, generate_series(0, def.window_months - 1) AS k
     WHERE c.total >= def.repeat_threshold
     GROUP BY def.version, def.repeat_threshold, 2, c.grp, c.person_id
    HAVING count(*) >= def.repeat_threshold
$$;

-- The repeat-missing measure for one window [p_start, p_end) (local midnights, from the
-- service), computed live: as before, with the episode's start chosen by
-- `p_episode_start`. A person is last seen no later than reported, so the report time
-- bounds the window from below either way, through the report-time index.
DROP FUNCTION hw_repeat_missing(timestamptz, timestamptz, integer, boolean);
CREATE FUNCTION hw_repeat_missing(p_start timestamptz, p_end timestamptz, p_threshold integer,
                                  p_count_hospital boolean, p_episode_start text)
RETURNS TABLE (district_id uuid, age_group text, persons bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    by_last_seen boolean := p_episode_start = 'last_seen';
BEGIN
    IF NOT hw_reads_measures() THEN
        RAISE EXCEPTION 'not permitted: measures are for analysts, coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH episode AS (
        SELECT e.*, CASE WHEN by_last_seen THEN e.last_seen_at ELSE e.reported_at END AS started
          FROM episodes e
         WHERE e.status <> 'cancelled' AND e.reported_at >= p_start
           AND (by_last_seen OR e.reported_at < p_end)
           AND (p_count_hospital OR e.missing_from <> 'hospital_or_medical')
    ), counted AS (
        SELECT e.person_id,
               coalesce((SELECT t.from_district_id FROM episode_transfers t
                          WHERE t.episode_id = e.id ORDER BY t.transferred_at, t.id LIMIT 1),
                        e.district_id) AS district,
               e.started,
               CASE WHEN p.date_of_birth IS NULL THEN NULL
                    WHEN hw_child_at(p.date_of_birth, e.started)
                    THEN 'child' ELSE 'adult' END AS grp
          FROM episode e JOIN persons p ON p.id = e.person_id
         WHERE e.started >= p_start AND e.started < p_end
    ), per AS (
        SELECT c.person_id, c.grp, count(*) AS n,
               (array_agg(c.district ORDER BY c.started DESC, c.district DESC))[1] AS district
          FROM counted c WHERE c.grp IS NOT NULL
         GROUP BY c.person_id, c.grp
    )
    SELECT per.district, per.grp, count(*)
      FROM per WHERE per.n >= p_threshold
     GROUP BY per.district, per.grp;
END $$;
REVOKE ALL ON FUNCTION hw_repeat_missing(timestamptz, timestamptz, integer, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_repeat_missing(timestamptz, timestamptz, integer, boolean, text) TO homeward_app;

-- The children-month state rows: as before, months in local time (the datasets' episodes
-- start when reported).
CREATE OR REPLACE FUNCTION hw_children_month_rows(p_persons uuid[])
RETURNS TABLE (person_id uuid, month date, district_id uuid, children integer, episodes integer)
LANGUAGE sql STABLE SET search_path = public, pg_temp SET jit = off AS $$
    WITH c AS (
        SELECT e.person_id,
               coalesce((SELECT t.from_district_id FROM episode_transfers t
                          WHERE t.episode_id = e.id ORDER BY t.transferred_at, t.id LIMIT 1),
                        e.district_id) AS district,
               e.reported_at,
               date_trunc('month', e.reported_at AT TIME ZONE hw_force_zone())::date AS m
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

-- Children per local month: the bounds must be local month starts.
CREATE OR REPLACE FUNCTION hw_children_by_month(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (month date, district_id uuid, children bigint, episodes bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_from date := hw_local_date(p_from);
    v_to date := hw_local_date(p_to);
BEGIN
    PERFORM hw_require_measures_reader();
    IF p_from <> v_from::timestamp AT TIME ZONE hw_force_zone() OR extract(day FROM v_from) <> 1
       OR p_to <> v_to::timestamp AT TIME ZONE hw_force_zone() OR extract(day FROM v_to) <> 1 THEN
        RAISE EXCEPTION 'hw_children_by_month takes whole months of the force''s local time'
            USING ERRCODE = '22023';
    END IF;
    PERFORM hw_measure_catch_up(NULL);
    RETURN QUERY
    SELECT c.month, c.district_id, sum(c.children)::bigint, sum(c.episodes)::bigint
      FROM children_month_counts c
     WHERE c.month >= v_from AND c.month < v_to
     GROUP BY c.month, c.district_id
    HAVING sum(c.episodes) > 0;
END $$;

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

-- Actions are due on local days: "today" is the force's, not the session's.
CREATE OR REPLACE FUNCTION hw_actions_due(p_days integer)
RETURNS TABLE (action_id uuid, owner_agency_id uuid, owner_user_id uuid, due_on date, overdue boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT a.id, a.owner_agency_id, a.owner_user_id, a.due_on, a.due_on < hw_local_date(now())
      FROM actions a
     WHERE a.status IN ('open', 'in_progress') AND a.due_on <= hw_local_date(now()) + p_days
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
               AND a.status IN ('open', 'in_progress') AND a.due_on < hw_local_date(now()))
      FROM users u LEFT JOIN notification_preferences np ON np.user_id = u.id
     WHERE u.active AND u.role = 'mfhc' AND u.district_id IS NOT NULL AND coalesce(np.daily_digest, true)
$$;

CREATE OR REPLACE FUNCTION hw_agency_digests()
RETURNS TABLE (agency_id uuid, mailbox text, open_actions bigint, overdue_actions bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT g.id, g.mailbox, count(*), count(*) FILTER (WHERE a.due_on < hw_local_date(now()))
      FROM actions a JOIN agencies g ON g.id = a.owner_agency_id
     WHERE g.active AND a.status IN ('open', 'in_progress')
     GROUP BY g.id, g.mailbox
$$;

-- A change of last-seen time moves the measure when a definition counts from it.
DROP TRIGGER measure_episodes_update ON episodes;
CREATE TRIGGER measure_episodes_update AFTER UPDATE ON episodes FOR EACH ROW
    WHEN (OLD.person_id <> NEW.person_id OR OLD.reported_at <> NEW.reported_at
          OR OLD.last_seen_at <> NEW.last_seen_at
          OR (OLD.status = 'cancelled') <> (NEW.status = 'cancelled')
          OR OLD.missing_from <> NEW.missing_from OR OLD.district_id <> NEW.district_id)
    EXECUTE FUNCTION hw_measure_episode_updated();

-- Rebuilds both kept states from scratch (after the zone or the cutting rules change).
CREATE FUNCTION hw_measure_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off AS $$
BEGIN
    PERFORM hw_measure_refresh(NULL);
    LOCK TABLE children_month_state, children_month_counts IN EXCLUSIVE MODE;
    DELETE FROM children_month_state;
    DELETE FROM children_month_counts;
    INSERT INTO children_month_state (person_id, month, district_id, children, episodes)
    SELECT * FROM hw_children_month_rows(ARRAY(SELECT DISTINCT e.person_id FROM episodes e));
    INSERT INTO children_month_counts (month, district_id, shard, children, episodes)
    SELECT s.month, s.district_id, hw_measure_shard(s.person_id), sum(s.children), sum(s.episodes)
      FROM children_month_state s GROUP BY 1, 2, 3;
END $$;
REVOKE ALL ON FUNCTION hw_measure_rebuild() FROM PUBLIC;

-- Sets the force's zone (an IANA name Postgres knows); when it changes, the constant is
-- redefined and the kept state rebuilt, in the caller's transaction. Returns whether it
-- changed. For the administrative connection at start-up, never the runtime role.
CREATE FUNCTION hw_set_force_zone(p_zone text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_zone) THEN
        RAISE EXCEPTION 'unknown time zone %', p_zone USING ERRCODE = '22023';
    END IF;
    IF p_zone = hw_force_zone() THEN
        RETURN false;
    END IF;
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION hw_force_zone() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
        format('SELECT %L::text', p_zone));
    PERFORM hw_measure_rebuild();
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION hw_set_force_zone(text) FROM PUBLIC;

-- Everything kept was cut in UTC.
SELECT hw_measure_rebuild();

RESET ROLE;
