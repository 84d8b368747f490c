SET LOCAL ROLE homeward_owner;

-- Pre-aggregated state for the repeat-missing measure at month ends, kept exactly equal to
-- `hw_repeat_missing` (and so to `domain::measures::repeat_missing`) for the current
-- definition: one row per person, age group and month end at which that person is repeat
-- missing, with the district they count in. Statement triggers on every table the measure
-- reads refresh the persons a statement touched, in the same transaction, so the state is
-- never stale; a new definition rebuilds it. A report then counts rows instead of
-- re-reading a year of episodes per point. Any period end that is not a month end is
-- computed live by `hw_repeat_missing`.
CREATE TABLE measure_repeat_state (
    definition_version integer NOT NULL,
    period_end         date NOT NULL,
    age_group          text NOT NULL CHECK (age_group IN ('child', 'adult')),
    person_id          uuid NOT NULL,
    district_id        uuid NOT NULL,
    PRIMARY KEY (definition_version, period_end, age_group, person_id) INCLUDE (district_id)
);
CREATE INDEX measure_repeat_state_person_idx ON measure_repeat_state (person_id);

-- The state counted: persons per month end, age group and district, split into 16 shards
-- by person so that concurrent changes to different persons rarely wait on one row. A
-- report sums at most (month ends × 2 × districts × 16) rows, however many episodes there
-- are. Always equal to counting `measure_repeat_state` (the tests check it).
CREATE TABLE measure_repeat_counts (
    definition_version integer NOT NULL,
    period_end         date NOT NULL,
    age_group          text NOT NULL,
    district_id        uuid NOT NULL,
    shard              smallint NOT NULL,
    -- No CHECK (persons >= 0): Postgres checks a proposed INSERT row before ON CONFLICT
    -- turns it into an UPDATE, and a decrement is proposed as a negative row.
    persons            bigint NOT NULL,
    PRIMARY KEY (definition_version, period_end, age_group, district_id, shard) INCLUDE (persons)
) WITH (fillfactor = 50);

-- Children going missing per calendar month (UTC), the coordinators' rolling-average
-- dataset, kept the same way: per person, month and district (owning at the start), how
-- many of the person's counted child episodes that month started there and whether the
-- latest of them did (a child counts once a month, in the district of their latest
-- episode); and those summed per month, district and shard.
CREATE TABLE children_month_state (
    person_id   uuid NOT NULL,
    month       date NOT NULL,
    district_id uuid NOT NULL,
    children    integer NOT NULL,
    episodes    integer NOT NULL,
    PRIMARY KEY (person_id, month, district_id)
);
CREATE TABLE children_month_counts (
    month       date NOT NULL,
    district_id uuid NOT NULL,
    shard       smallint NOT NULL,
    children    bigint NOT NULL,
    episodes    bigint NOT NULL,
    PRIMARY KEY (month, district_id, shard) INCLUDE (children, episodes)
) WITH (fillfactor = 50);
ALTER TABLE children_month_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE children_month_state FORCE ROW LEVEL SECURITY;
CREATE POLICY children_month_state_owner ON children_month_state TO homeward_owner USING (true) WITH CHECK (true);
ALTER TABLE children_month_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE children_month_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY children_month_counts_owner ON children_month_counts TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE measure_repeat_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE measure_repeat_state FORCE ROW LEVEL SECURITY;
CREATE POLICY measure_repeat_state_owner ON measure_repeat_state TO homeward_owner USING (true) WITH CHECK (true);
ALTER TABLE measure_repeat_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE measure_repeat_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY measure_repeat_counts_owner ON measure_repeat_counts TO homeward_owner USING (true) WITH CHECK (true);
-- No grants to homeward_app: it reads the counts only through hw_repeat_missing_at.

CREATE FUNCTION hw_measure_shard(p_person uuid) RETURNS smallint LANGUAGE sql IMMUTABLE AS
$$ SELECT (abs(hashtext(p_person::text)) % 16)::smallint $$;

CREATE TYPE hw_measure_key AS (period_end date, age_group text, district_id uuid, shard smallint);

-- The state rows of the given persons under the current definition. A
-- counted episode (not cancelled; hospital ones only if the definition says so; a known
-- date of birth) lies in the windows of the `window_months` month ends from the end of its
-- own (UTC) month on, exactly the windows `Definition::window` gives for those month ends;
-- a person is repeat missing at a month end when at least `repeat_threshold` of their
-- episodes in one age group lie in its window, and counts in the district of the latest.
CREATE FUNCTION hw_measure_state_rows(p_persons uuid[])
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
               CASE WHEN age((e.reported_at AT TIME ZONE 'UTC')::date, p.date_of_birth) < interval '18 years'
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
CREATE FUNCTION hw_children_month_rows(p_persons uuid[])
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
           AND age((e.reported_at AT TIME ZONE 'UTC')::date, p.date_of_birth) < interval '18 years'
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

-- Recomputes the children-month state of the given persons and moves the counts by the
-- difference (count rows locked in key order). The caller holds the persons' locks.
CREATE FUNCTION hw_children_month_refresh(p_persons uuid[])
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
REVOKE ALL ON FUNCTION hw_children_month_refresh(uuid[]) FROM PUBLIC;
-- The row builders read through the caller's own policies, so they could disclose
-- nothing; still, only the owner's refresh functions need them.
REVOKE ALL ON FUNCTION hw_measure_state_rows(uuid[]), hw_children_month_rows(uuid[]) FROM PUBLIC;

-- Recomputes the state of the given persons (NULL: rebuilds the repeat-missing state, the
-- only part a measure definition changes) and moves the counts
-- by the difference, taking the count rows' locks in key order so two refreshes never
-- deadlock on them. Locks the persons (as trigger evaluation does) so two transactions
-- never refresh one person at once.
CREATE FUNCTION hw_measure_refresh(p_persons uuid[])
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
REVOKE ALL ON FUNCTION hw_measure_refresh(uuid[]) FROM PUBLIC;

-- Statement triggers: one refresh per statement for every person it touched.
CREATE FUNCTION hw_measure_episodes_changed() RETURNS trigger
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
CREATE TRIGGER measure_episodes_insert AFTER INSERT ON episodes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_episodes_changed();
CREATE TRIGGER measure_episodes_update AFTER UPDATE ON episodes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_episodes_changed();
CREATE TRIGGER measure_episodes_delete AFTER DELETE ON episodes
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_episodes_changed();

CREATE FUNCTION hw_measure_transfers_changed() RETURNS trigger
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
CREATE TRIGGER measure_transfers_insert AFTER INSERT ON episode_transfers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_transfers_changed();
CREATE TRIGGER measure_transfers_delete AFTER DELETE ON episode_transfers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_transfers_changed();

CREATE FUNCTION hw_measure_persons_changed() RETURNS trigger
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
CREATE TRIGGER measure_persons_update AFTER UPDATE ON persons
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_persons_changed();

-- A new definition: the state is rebuilt for it in the same transaction.
CREATE FUNCTION hw_measure_definition_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM hw_measure_refresh(NULL);
    RETURN NULL;
END $$;
CREATE TRIGGER measure_definitions_insert AFTER INSERT ON measure_definitions
    FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_definition_changed();

-- The measure at month ends, from the counts: per period end, district and age group, how
-- many persons. Refuses a definition version other than the one the state holds (a
-- definition changed between the caller reading it and asking).
CREATE FUNCTION hw_repeat_missing_at(p_version integer, p_period_ends date[])
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
REVOKE ALL ON FUNCTION hw_repeat_missing_at(integer, date[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_repeat_missing_at(integer, date[]) TO homeward_app;

SELECT hw_measure_refresh(NULL);
INSERT INTO children_month_state (person_id, month, district_id, children, episodes)
SELECT * FROM hw_children_month_rows(ARRAY(SELECT DISTINCT e.person_id FROM episodes e));
INSERT INTO children_month_counts (month, district_id, shard, children, episodes)
SELECT s.month, s.district_id, hw_measure_shard(s.person_id), sum(s.children), sum(s.episodes)
  FROM children_month_state s GROUP BY 1, 2, 3;

RESET ROLE;
