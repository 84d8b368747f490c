-- The Police and Crime Plan measure: the live computation and the kept state behind the
-- writers (queued, caught up, rebuilt), and its readers.

CREATE OR REPLACE FUNCTION hw_measure_shard(p_person uuid) RETURNS smallint LANGUAGE sql IMMUTABLE AS
$$ SELECT (abs(hashtext(p_person::text)) % 16)::smallint $$;

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

REVOKE ALL ON FUNCTION hw_measure_state_rows(p_persons uuid[]) FROM PUBLIC;

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

REVOKE ALL ON FUNCTION hw_children_month_rows(p_persons uuid[]) FROM PUBLIC;

-- As in 000013, with three changes, now that refreshes run outside the writers'
-- transactions and take many persons at a time. The kept rows of the persons are found by
-- `= ANY (p_persons)`, which the planner answers through the person index, where
-- `IN (SELECT unnest(p_persons))` was a hash join over a scan of the whole state (70 ms
-- for 160 persons at 100,000 episodes, against 5 ms). A refresh of some persons first takes a ROW EXCLUSIVE lock on the state
-- tables, so it waits for a rebuild under a new definition (which holds them EXCLUSIVE) to
-- commit before it reads the definition version or the state, and a rebuild waits for
-- refreshes in flight: one could otherwise start before a rebuild and finish after it.
-- And refreshes of a person exclude each other with an advisory lock rather than the
-- person's row lock, which the writers' own transactions take.
CREATE OR REPLACE FUNCTION hw_measure_refresh(p_persons uuid[])
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off AS $$
DECLARE
    before hw_measure_key[];
    v_version integer;
BEGIN
    IF p_persons IS NULL THEN
        LOCK TABLE measure_repeat_state, measure_repeat_counts IN EXCLUSIVE MODE;
        DELETE FROM measure_repeat_state;
        DELETE FROM measure_repeat_counts;
        INSERT INTO measure_repeat_state (definition_version, period_end, age_group, person_id, district_id)
        SELECT * FROM hw_measure_state_rows(ARRAY(SELECT DISTINCT e.person_id FROM episodes e));
        INSERT INTO measure_repeat_counts (definition_version, period_end, age_group, district_id, shard, persons)
        SELECT s.definition_version, s.period_end, s.age_group, s.district_id, hw_measure_shard(s.person_id), count(*)
          FROM measure_repeat_state s GROUP BY 1, 2, 3, 4, 5;
        RETURN;
    END IF;
    IF cardinality(p_persons) = 0 THEN
        RETURN;
    END IF;
    LOCK TABLE measure_repeat_state, measure_repeat_counts IN ROW EXCLUSIVE MODE;
    v_version := (SELECT max(d.version) FROM measure_definitions d);
    -- Refreshes of one person take turns (each moves the counts by the difference between
    -- what it finds before and after), taking their locks in one order so that two never
    -- deadlock. Advisory locks, not the persons' rows: writers never wait for a refresh.
    PERFORM pg_advisory_xact_lock(hashtext('hw_measure_refresh'), s.k)
       FROM (SELECT DISTINCT hashtext(x::text) AS k FROM unnest(p_persons) AS x ORDER BY 1) s;
    SELECT array_agg(ROW(s.period_end, s.age_group, s.district_id, hw_measure_shard(s.person_id))::hw_measure_key)
      INTO before FROM measure_repeat_state s WHERE s.person_id = ANY (p_persons);
    DELETE FROM measure_repeat_state s WHERE s.person_id = ANY (p_persons);
    INSERT INTO measure_repeat_state (definition_version, period_end, age_group, person_id, district_id)
    SELECT * FROM hw_measure_state_rows(p_persons);
    INSERT INTO measure_repeat_counts AS c (definition_version, period_end, age_group, district_id, shard, persons)
    SELECT v_version, d.period_end, d.age_group, d.district_id, d.shard, sum(d.n)
      FROM (SELECT b.period_end, b.age_group, b.district_id, b.shard, -1 AS n FROM unnest(before) b
            UNION ALL
            SELECT s.period_end, s.age_group, s.district_id, hw_measure_shard(s.person_id), 1
              FROM measure_repeat_state s WHERE s.person_id = ANY (p_persons)) d
     GROUP BY d.period_end, d.age_group, d.district_id, d.shard
    HAVING sum(d.n) <> 0
     ORDER BY d.period_end, d.age_group, d.district_id, d.shard
    ON CONFLICT (definition_version, period_end, age_group, district_id, shard)
    DO UPDATE SET persons = c.persons + excluded.persons;
    PERFORM hw_children_month_refresh(p_persons);
END $$;

REVOKE ALL ON FUNCTION hw_measure_refresh(p_persons uuid[]) FROM PUBLIC;

-- As in 000013, finding the kept rows through the person index (above).
CREATE OR REPLACE FUNCTION hw_children_month_refresh(p_persons uuid[])
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off AS $$
DECLARE
    before children_month_state[];
BEGIN
    SELECT array_agg(s) INTO before FROM children_month_state s WHERE s.person_id = ANY (p_persons);
    DELETE FROM children_month_state s WHERE s.person_id = ANY (p_persons);
    INSERT INTO children_month_state (person_id, month, district_id, children, episodes)
    SELECT * FROM hw_children_month_rows(p_persons);
    INSERT INTO children_month_counts AS c (month, district_id, shard, children, episodes)
    SELECT d.month, d.district_id, d.shard, sum(d.children), sum(d.episodes)
      FROM (SELECT b.month, b.district_id, hw_measure_shard(b.person_id) AS shard,
                   -b.children AS children, -b.episodes AS episodes FROM unnest(before) b
            UNION ALL
            SELECT s.month, s.district_id, hw_measure_shard(s.person_id), s.children, s.episodes
              FROM children_month_state s WHERE s.person_id = ANY (p_persons)) d
     GROUP BY d.month, d.district_id, d.shard
    HAVING sum(d.children) <> 0 OR sum(d.episodes) <> 0
     ORDER BY d.month, d.district_id, d.shard
    ON CONFLICT (month, district_id, shard)
    DO UPDATE SET children = c.children + excluded.children, episodes = c.episodes + excluded.episodes;
END $$;

REVOKE ALL ON FUNCTION hw_children_month_refresh(p_persons uuid[]) FROM PUBLIC;

-- PL/pgSQL, not SQL: a SECURITY DEFINER function in SQL is parsed and planned on every
-- call, and every report calls this one.
CREATE OR REPLACE FUNCTION hw_measure_refresh_later(p_persons uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    INSERT INTO measure_pending (person_id) SELECT DISTINCT x FROM unnest(p_persons) AS x;
END
$$;

REVOKE ALL ON FUNCTION hw_measure_refresh_later(p_persons uuid[]) FROM PUBLIC;

-- Refreshes up to p_max queued entries (NULL: all), oldest first, for their distinct
-- persons; returns how many entries it took. Entries another catch-up holds are waited
-- for (and are then gone), so after a call everything queued by a commit before it has
-- been refreshed.
CREATE OR REPLACE FUNCTION hw_measure_catch_up(p_max integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off AS
$$
DECLARE
    taken integer;
    touched uuid[];
BEGIN
    WITH t AS (
        DELETE FROM measure_pending
         WHERE id IN (SELECT p.id FROM measure_pending p ORDER BY p.id LIMIT p_max FOR UPDATE)
        RETURNING person_id
    )
    SELECT count(*), array_agg(DISTINCT t.person_id) INTO taken, touched FROM t;
    IF taken > 0 THEN
        PERFORM hw_measure_refresh(touched);
    END IF;
    RETURN taken;
END
$$;

REVOKE ALL ON FUNCTION hw_measure_catch_up(p_max integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_measure_catch_up(p_max integer) TO homeward_app;

-- Rebuilds both kept states from scratch (after the zone or the cutting rules change).
CREATE OR REPLACE FUNCTION hw_measure_rebuild() RETURNS void
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

-- The statement triggers of 000013, queueing instead of refreshing.
CREATE OR REPLACE FUNCTION hw_measure_episodes_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    touched uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT n.person_id) INTO touched FROM new_rows n;
    ELSE
        SELECT array_agg(DISTINCT o.person_id) INTO touched FROM old_rows o;
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM hw_measure_refresh_later(touched);
    END IF;
    RETURN NULL;
END $$;

-- Updates: most (a status, a review date) change nothing the measure reads, and the
-- statement trigger paid for its transition tables on every one. A row trigger whose
-- WHEN clause names what the measure reads (whose, when, cancelled or not, where from,
-- district) now queues only the updates that matter, the WHEN checked without a call.
CREATE OR REPLACE FUNCTION hw_measure_episode_updated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM hw_measure_refresh_later(ARRAY[OLD.person_id, NEW.person_id]);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hw_measure_transfers_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    touched uuid[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT e.person_id) INTO touched
          FROM old_rows o JOIN episodes e ON e.id = o.episode_id;
    ELSE
        SELECT array_agg(DISTINCT e.person_id) INTO touched
          FROM new_rows n JOIN episodes e ON e.id = n.episode_id;
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM hw_measure_refresh_later(touched);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hw_measure_persons_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    touched uuid[];
BEGIN
    SELECT array_agg(n.id) INTO touched
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.date_of_birth IS DISTINCT FROM n.date_of_birth;
    IF touched IS NOT NULL THEN
        PERFORM hw_measure_refresh_later(touched);
    END IF;
    RETURN NULL;
END $$;

-- A new definition: the state is rebuilt for it in the same transaction.
CREATE OR REPLACE FUNCTION hw_measure_definition_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM hw_measure_refresh(NULL);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hw_repeat_missing(p_start timestamptz, p_end timestamptz, p_threshold integer,
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

REVOKE ALL ON FUNCTION hw_repeat_missing(p_start timestamp with time zone, p_end timestamp with time zone, p_threshold integer, p_count_hospital boolean, p_episode_start text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_repeat_missing(p_start timestamp with time zone, p_end timestamp with time zone, p_threshold integer, p_count_hospital boolean, p_episode_start text) TO homeward_app;

-- The readers of the kept counts: as in 000013 and 000014, after catching up (so they
-- are VOLATILE now: catching up writes).
CREATE OR REPLACE FUNCTION hw_repeat_missing_at(p_version integer, p_period_ends date[])
RETURNS TABLE (period_end date, district_id uuid, age_group text, persons bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT hw_reads_measures() THEN
        RAISE EXCEPTION 'not permitted: measures are for analysts, coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
    PERFORM hw_measure_catch_up(NULL);
    IF p_version IS DISTINCT FROM (SELECT max(d.version) FROM measure_definitions d) THEN
        RAISE EXCEPTION 'the measure definition changed while the report was read'
            USING ERRCODE = '40001';
    END IF;
    RETURN QUERY
    SELECT c.period_end, c.district_id, c.age_group, sum(c.persons)::bigint
      FROM measure_repeat_counts c
     WHERE c.definition_version = p_version AND c.period_end = ANY (p_period_ends)
     GROUP BY c.period_end, c.district_id, c.age_group
    HAVING sum(c.persons) > 0;
END $$;

REVOKE ALL ON FUNCTION hw_repeat_missing_at(p_version integer, p_period_ends date[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_repeat_missing_at(p_version integer, p_period_ends date[]) TO homeward_app;

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

REVOKE ALL ON FUNCTION hw_children_by_month(p_from timestamp with time zone, p_to timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_children_by_month(p_from timestamp with time zone, p_to timestamp with time zone) TO homeward_app;
