SET LOCAL ROLE homeward_owner;

-- Refresh what is queued, then put back the refresh in the writers' transactions
-- (the definitions of 000013 and 000014, as they were).
SELECT hw_measure_catch_up(NULL);

CREATE OR REPLACE FUNCTION hw_measure_refresh(p_persons uuid[])
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off AS $$
DECLARE
    before hw_measure_key[];
    v_version integer := (SELECT max(d.version) FROM measure_definitions d);
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
    PERFORM 1 FROM persons p WHERE p.id = ANY (p_persons) ORDER BY p.id FOR UPDATE;
    SELECT array_agg(ROW(s.period_end, s.age_group, s.district_id, hw_measure_shard(s.person_id))::hw_measure_key)
      INTO before FROM measure_repeat_state s WHERE s.person_id IN (SELECT unnest(p_persons));
    DELETE FROM measure_repeat_state s WHERE s.person_id IN (SELECT unnest(p_persons));
    INSERT INTO measure_repeat_state (definition_version, period_end, age_group, person_id, district_id)
    SELECT * FROM hw_measure_state_rows(p_persons);
    INSERT INTO measure_repeat_counts AS c (definition_version, period_end, age_group, district_id, shard, persons)
    SELECT v_version, d.period_end, d.age_group, d.district_id, d.shard, sum(d.n)
      FROM (SELECT b.period_end, b.age_group, b.district_id, b.shard, -1 AS n FROM unnest(before) b
            UNION ALL
            SELECT s.period_end, s.age_group, s.district_id, hw_measure_shard(s.person_id), 1
              FROM measure_repeat_state s WHERE s.person_id IN (SELECT unnest(p_persons))) d
     GROUP BY d.period_end, d.age_group, d.district_id, d.shard
    HAVING sum(d.n) <> 0
     ORDER BY d.period_end, d.age_group, d.district_id, d.shard
    ON CONFLICT (definition_version, period_end, age_group, district_id, shard)
    DO UPDATE SET persons = c.persons + excluded.persons;
    PERFORM hw_children_month_refresh(p_persons);
END $$;

CREATE OR REPLACE FUNCTION hw_children_month_refresh(p_persons uuid[])
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off AS $$
DECLARE
    before children_month_state[];
BEGIN
    SELECT array_agg(s) INTO before FROM children_month_state s WHERE s.person_id IN (SELECT unnest(p_persons));
    DELETE FROM children_month_state s WHERE s.person_id IN (SELECT unnest(p_persons));
    INSERT INTO children_month_state (person_id, month, district_id, children, episodes)
    SELECT * FROM hw_children_month_rows(p_persons);
    INSERT INTO children_month_counts AS c (month, district_id, shard, children, episodes)
    SELECT d.month, d.district_id, d.shard, sum(d.children), sum(d.episodes)
      FROM (SELECT b.month, b.district_id, hw_measure_shard(b.person_id) AS shard,
                   -b.children AS children, -b.episodes AS episodes FROM unnest(before) b
            UNION ALL
            SELECT s.month, s.district_id, hw_measure_shard(s.person_id), s.children, s.episodes
              FROM children_month_state s WHERE s.person_id IN (SELECT unnest(p_persons))) d
     GROUP BY d.month, d.district_id, d.shard
    HAVING sum(d.children) <> 0 OR sum(d.episodes) <> 0
     ORDER BY d.month, d.district_id, d.shard
    ON CONFLICT (month, district_id, shard)
    DO UPDATE SET children = c.children + excluded.children, episodes = c.episodes + excluded.episodes;
END $$;

CREATE OR REPLACE FUNCTION hw_measure_episodes_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    touched uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT n.person_id) INTO touched FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT o.person_id) INTO touched FROM old_rows o;
    ELSE
        -- Only what the measure reads: whose, when, cancelled or not, where from, district.
        SELECT array_agg(DISTINCT x.person_id) INTO touched FROM (
            SELECT o.person_id FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE o.person_id <> n.person_id OR o.reported_at <> n.reported_at
                OR (o.status = 'cancelled') <> (n.status = 'cancelled')
                OR o.missing_from <> n.missing_from OR o.district_id <> n.district_id
            UNION
            SELECT n.person_id FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE o.person_id <> n.person_id
        ) x;
    END IF;
    PERFORM hw_measure_refresh(coalesce(touched, '{}'));
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
    PERFORM hw_measure_refresh(coalesce(touched, '{}'));
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
    PERFORM hw_measure_refresh(coalesce(touched, '{}'));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hw_repeat_missing_at(p_version integer, p_period_ends date[])
RETURNS TABLE (period_end date, district_id uuid, age_group text, persons bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT hw_reads_measures() THEN
        RAISE EXCEPTION 'not permitted: measures are for analysts, coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
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

CREATE OR REPLACE FUNCTION hw_children_by_month(p_from timestamptz, p_to timestamptz)
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

DROP TRIGGER measure_episodes_update ON episodes;
DROP FUNCTION hw_measure_episode_updated();
CREATE TRIGGER measure_episodes_update AFTER UPDATE ON episodes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_episodes_changed();
DROP FUNCTION hw_measure_catch_up(integer);
DROP FUNCTION hw_measure_refresh_later(uuid[]);
DROP TABLE measure_pending;

RESET ROLE;
