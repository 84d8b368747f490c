SET LOCAL ROLE homeward_owner;

-- A report used to take its district's reference number first, holding the counter row
-- (which keeps the numbers gap-free in commit order) through the measure refresh and
-- the trigger evaluation: reports in a district ran one at a time. The service now
-- inserts the episode without a reference and takes the number last, just before the
-- alerts, the audit row and the commit. No episode commits without one: a deferred
-- check, at commit, refuses the transaction.
ALTER TABLE episodes ALTER COLUMN reference DROP NOT NULL;

CREATE FUNCTION hw_episode_reference_required() RETURNS trigger
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
CREATE CONSTRAINT TRIGGER episodes_reference_required
    AFTER INSERT OR UPDATE OF reference ON episodes
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION hw_episode_reference_required();

RESET ROLE;
