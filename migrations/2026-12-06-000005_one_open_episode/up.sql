SET LOCAL ROLE homeward_owner;

-- One disappearance is one episode. A report (or a merge) is checked against every
-- episode of the person, whichever district holds it, so the caller is told which one to
-- update instead: each episode's span (last seen to return; open ones have no end), for
-- the operational roles, who see every person.
CREATE FUNCTION hw_person_episode_spans(p_person uuid)
RETURNS TABLE (id uuid, reference text, district_id uuid, status text,
               last_seen_at timestamptz, returned_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF NOT hw_is_operational() THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT e.id, e.reference, e.district_id, e.status, e.last_seen_at, r.returned_at
          FROM episodes e
          LEFT JOIN episode_returns r ON r.episode_id = e.id
         WHERE e.person_id = p_person AND e.status <> 'cancelled'
         ORDER BY e.last_seen_at, e.id;
END
$$;
REVOKE ALL ON FUNCTION hw_person_episode_spans(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_person_episode_spans(uuid) TO homeward_app;

-- The backstop: whatever the code does, no new episode (or one moved to another person)
-- makes a second open one. Status changes cannot: nothing goes back to open. Records that
-- already had two before this migration are left as they are, and can still be worked.
CREATE FUNCTION hw_episodes_one_open() RETURNS trigger
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
CREATE TRIGGER episodes_one_open_insert AFTER INSERT ON episodes
    FOR EACH ROW WHEN (NEW.status IN ('reported', 'active'))
    EXECUTE FUNCTION hw_episodes_one_open();
CREATE TRIGGER episodes_one_open_move AFTER UPDATE OF person_id ON episodes
    FOR EACH ROW WHEN (NEW.status IN ('reported', 'active') AND OLD.person_id <> NEW.person_id)
    EXECUTE FUNCTION hw_episodes_one_open();

RESET ROLE;
