-- The force's local time. hw_force_zone() itself is not here: it is a setting, redefined by
-- hw_set_force_zone from HOMEWARD_TIME_ZONE at start-up (created by migration 2026-12-06-000007).

-- The local calendar day an instant falls on.
CREATE OR REPLACE FUNCTION hw_local_date(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (t AT TIME ZONE hw_force_zone())::date $$;

-- A child (under 18) on the local day an episode started: born after the same day 18
-- years earlier (28 February for 29 February), as domain::persons::is_child.
CREATE OR REPLACE FUNCTION hw_child_at(dob date, started timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT dob > (hw_local_date(started) - interval '18 years')::date $$;

REVOKE ALL ON FUNCTION hw_child_at(dob date, started timestamp with time zone) FROM PUBLIC;

-- Sets the force's zone (an IANA name Postgres knows); when it changes, the constant is
-- redefined and the kept state rebuilt, in the caller's transaction. Returns whether it
-- changed. For the administrative connection at start-up, never the runtime role.
CREATE OR REPLACE FUNCTION hw_set_force_zone(p_zone text) RETURNS boolean
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

REVOKE ALL ON FUNCTION hw_set_force_zone(p_zone text) FROM PUBLIC;
