-- Missing episodes: references, one open episode per person, the provider's touch.

-- A report's reference, `LDS-2026-000123`: district code, year, sequence, zero-padded to
-- four and six digits and never cut short. `domain::episodes::reference` formats the
-- same way (the synthetic loader uses it; a test holds the two equal).
CREATE OR REPLACE FUNCTION hw_episode_reference(p_code text, p_year integer, p_sequence integer)
RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT p_code || '-'
          || CASE WHEN p_year >= 1000 THEN p_year::text ELSE lpad(p_year::text, 4, '0') END || '-'
          || CASE WHEN p_sequence >= 100000 THEN p_sequence::text ELSE lpad(p_sequence::text, 6, '0') END $$;

CREATE OR REPLACE FUNCTION hw_episode_reference_required() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF EXISTS (SELECT 1 FROM episodes WHERE id = NEW.id AND reference IS NULL) THEN
        RAISE EXCEPTION 'episode % would commit without a reference number', NEW.id
            USING ERRCODE = '23502';
    END IF;
    RETURN NULL;
END
$$;

-- The district's next number for the year, formatted. The counter row stays locked until
-- the transaction ends (numbers are gap-free in commit order), so a district's reports
-- queue for it. The service sets a report's reference with this, in one statement, as the
-- last before its commit (2026-12-01-000003 took the number and set the reference in two
-- round trips, with the alerts and the audit row after them, all while holding the row).
-- As the caller, through its own policies.
CREATE OR REPLACE FUNCTION hw_episode_take_reference(p_district uuid, p_year integer)
RETURNS text LANGUAGE plpgsql VOLATILE AS
$$
DECLARE
    v_code text;
    v_sequence integer;
BEGIN
    SELECT d.code INTO STRICT v_code FROM districts d WHERE d.id = p_district;
    INSERT INTO episode_reference_counters AS c (district_id, year, last_value)
    VALUES (p_district, p_year, 1)
    ON CONFLICT (district_id, year) DO UPDATE SET last_value = c.last_value + 1
    RETURNING c.last_value INTO v_sequence;
    RETURN hw_episode_reference(v_code, p_year, v_sequence);
END
$$;

-- The provider's partner records an interview's progress; the episode's version moves
-- on with it (partners cannot otherwise change episodes), so ETags stay honest.
CREATE OR REPLACE FUNCTION hw_episode_touch_by_provider(p_episode uuid, p_version integer)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v integer;
BEGIN
    IF NOT (coalesce(hw_role() = 'partner', false)
            AND hw_shared_with_caller('episode', p_episode, 'return_interview')
            AND EXISTS (SELECT 1 FROM return_home_interviews r
                         WHERE r.episode_id = p_episode AND r.provider_agency_id = hw_agency_id())) THEN
        RAISE EXCEPTION 'not permitted: only the interview provider''s partners, with the interview shared' USING ERRCODE = '42501';
    END IF;
    UPDATE episodes SET version = version + 1, updated_at = now()
     WHERE id = p_episode AND version = p_version
    RETURNING version INTO v;
    RETURN v;
END $$;

REVOKE ALL ON FUNCTION hw_episode_touch_by_provider(p_episode uuid, p_version integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_episode_touch_by_provider(p_episode uuid, p_version integer) TO homeward_app;

-- The backstop: whatever the code does, no new episode (or one moved to another person)
-- makes a second open one. Status changes cannot: nothing goes back to open. Records that
-- already had two before this migration are left as they are, and can still be worked.
CREATE OR REPLACE FUNCTION hw_episodes_one_open() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    -- Reports of one person take turns (the service locks the person first too).
    PERFORM 1 FROM persons WHERE id = NEW.person_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM episodes
                WHERE person_id = NEW.person_id AND id <> NEW.id
                  AND status IN ('reported', 'active')) THEN
        RAISE EXCEPTION 'person % already has an open missing episode', NEW.person_id
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'episodes_one_open_per_person',
                  TABLE = 'episodes';
    END IF;
    RETURN NULL;
END
$$;

-- One disappearance is one episode. A report (or a merge) is checked against every
-- episode of the person, whichever district holds it, so the caller is told which one to
-- update instead: each episode's span (last seen to return; open ones have no end), for
-- the operational roles, who see every person.
CREATE OR REPLACE FUNCTION hw_person_episode_spans(p_person uuid)
RETURNS TABLE (id uuid, reference text, district_id uuid, status text,
               last_seen_at timestamptz, returned_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF NOT hw_is_operational() THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT e.id, e.reference::text, e.district_id, e.status::text, e.last_seen_at, r.returned_at
          FROM episodes e
          LEFT JOIN episode_returns r ON r.episode_id = e.id
         WHERE e.person_id = p_person AND e.status <> 'cancelled'
         ORDER BY e.last_seen_at, e.id;
END
$$;

REVOKE ALL ON FUNCTION hw_person_episode_spans(p_person uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_person_episode_spans(p_person uuid) TO homeward_app;

-- The district that owned an episode when it started: the source of its first
-- transfer, else its district. Transfers are few, so this is hashed, not probed.
CREATE OR REPLACE FUNCTION hw_first_transfers() RETURNS TABLE (episode_id uuid, from_district_id uuid)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT DISTINCT ON (t.episode_id) t.episode_id, t.from_district_id
      FROM episode_transfers t ORDER BY t.episode_id, t.transferred_at, t.id
$$;

REVOKE ALL ON FUNCTION hw_first_transfers() FROM PUBLIC;

-- Keeps an episode's former_district_ids, the districts it was transferred from, as its
-- transfers are recorded (or removed), so the episode's read policy needs no subquery.
CREATE OR REPLACE FUNCTION hw_episode_transfers_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_episode uuid := coalesce(NEW.episode_id, OLD.episode_id);
BEGIN
    UPDATE episodes e
       SET former_district_ids = coalesce(
               (SELECT array_agg(DISTINCT t.from_district_id ORDER BY t.from_district_id)
                  FROM episode_transfers t WHERE t.episode_id = v_episode), '{}')
     WHERE e.id = v_episode;
    RETURN NULL;
END $$;

-- Refuses a request's own write of former_district_ids: it is kept from the transfers
-- (hw_episode_transfers_changed, a trigger, so the write comes one level deeper).
CREATE OR REPLACE FUNCTION hw_episode_former_districts_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF hw_role() IS NOT NULL AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'not permitted: an episode''s former districts are kept from its transfers'
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;
