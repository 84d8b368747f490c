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

-- Measure definitions, versioned: a change is a new version; reports name the one used.
CREATE TABLE measure_definitions (
    version          integer PRIMARY KEY CHECK (version >= 1),
    repeat_threshold integer NOT NULL CHECK (repeat_threshold BETWEEN 2 AND 50),
    window_months    integer NOT NULL CHECK (window_months BETWEEN 1 AND 36),
    count_hospital   boolean NOT NULL,
    note             text NOT NULL CHECK (length(note) BETWEEN 1 AND 1000),
    created_by       uuid REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now()
);
INSERT INTO measure_definitions (version, repeat_threshold, window_months, count_hospital, note)
VALUES (1, 2, 12, true, 'Default: 2 or more episodes starting in the rolling 12 months; hospital episodes count');

-- Baselines per district (NULL: the force) and age group, versioned: computed from the
-- recorded episodes for the window ending `period_end`, or an official figure with its
-- source.
CREATE TABLE baselines (
    id                 uuid PRIMARY KEY,
    district_id        uuid REFERENCES districts (id),
    age_group          text NOT NULL CHECK (age_group IN ('child', 'adult')),
    version            integer NOT NULL CHECK (version >= 1),
    period_end         date NOT NULL,
    value              bigint NOT NULL CHECK (value >= 0),
    source             text NOT NULL CHECK (source IN ('computed', 'official')),
    source_note        text CHECK (length(source_note) BETWEEN 1 AND 1000),
    definition_version integer NOT NULL REFERENCES measure_definitions (version),
    created_by         uuid NOT NULL REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (district_id, age_group, version),
    CHECK (source = 'computed' OR source_note IS NOT NULL)
);

ALTER TABLE measure_definitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE measure_definitions FORCE ROW LEVEL SECURITY;
CREATE POLICY measure_definitions_read ON measure_definitions FOR SELECT TO homeward_app USING (hw_reads_measures());
CREATE POLICY measure_definitions_admin ON measure_definitions FOR INSERT TO homeward_app
    WITH CHECK (hw_is_admin() AND created_by = hw_user_id());
CREATE POLICY measure_definitions_owner ON measure_definitions TO homeward_owner USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON measure_definitions TO homeward_app;

ALTER TABLE baselines ENABLE ROW LEVEL SECURITY;
ALTER TABLE baselines FORCE ROW LEVEL SECURITY;
CREATE POLICY baselines_read ON baselines FOR SELECT TO homeward_app USING (hw_reads_measures());
CREATE POLICY baselines_admin ON baselines FOR INSERT TO homeward_app
    WITH CHECK (hw_is_admin() AND created_by = hw_user_id());
CREATE POLICY baselines_owner ON baselines TO homeward_owner USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON baselines TO homeward_app;

-- Persons missing since `p_since`, summarised (counts only): per district and age group
-- of each person's latest counted episode, how many persons, their episodes, and how
-- many went missing more than once. Persons with no date of birth are `unknown`.
CREATE FUNCTION hw_missing_persons_summary(p_since timestamptz)
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
                    WHEN age((e.reported_at AT TIME ZONE 'UTC')::date, p.date_of_birth) < interval '18 years'
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
REVOKE ALL ON FUNCTION hw_missing_persons_summary(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_missing_persons_summary(timestamptz) TO homeward_app;

RESET ROLE;
