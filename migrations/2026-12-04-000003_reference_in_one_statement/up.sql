SET LOCAL ROLE homeward_owner;

-- A report's reference, `LDS-2026-000123`: district code, year, sequence, zero-padded to
-- four and six digits and never cut short. `domain::episodes::reference` formats the
-- same way (the synthetic loader uses it; a test holds the two equal).
CREATE FUNCTION hw_episode_reference(p_code text, p_year integer, p_sequence integer)
RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT p_code || '-'
          || CASE WHEN p_year >= 1000 THEN p_year::text ELSE lpad(p_year::text, 4, '0') END || '-'
          || CASE WHEN p_sequence >= 100000 THEN p_sequence::text ELSE lpad(p_sequence::text, 6, '0') END $$;

-- The district's next number for the year, formatted. The counter row stays locked until
-- the transaction ends (numbers are gap-free in commit order), so a district's reports
-- queue for it. The service sets a report's reference with this, in one statement, as the
-- last before its commit (2026-12-01-000003 took the number and set the reference in two
-- round trips, with the alerts and the audit row after them, all while holding the row).
-- As the caller, through its own policies.
CREATE FUNCTION hw_episode_take_reference(p_district uuid, p_year integer)
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

RESET ROLE;
