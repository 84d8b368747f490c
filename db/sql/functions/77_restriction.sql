-- Restriction of processing (DPA 2018 s.46): a restricted person's records are read-only
-- for everyone, hidden from every list and dataset row (the aggregate counts still
-- include them, so no published figure moves), and readable one at a time only with a
-- stated reason. The flags are kept on each record by hw_set_restricted; the tables'
-- policies read them from the row itself, and hw_refuse_restricted_write refuses changes.

-- The reason a request gave for reading one record (its `X-Purpose`), set by the services
-- that read one record (never by lists); NULL without one.
CREATE OR REPLACE FUNCTION hw_access_reason() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('homeward.access_reason', true), '') $$;

-- Whether one record is restricted, whatever the caller's policies show (false for no
-- such record). p_table is a table with a `restricted` column, or shares.
CREATE OR REPLACE FUNCTION hw_record_restricted(p_table text, p_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(CASE p_table
        WHEN 'persons' THEN (SELECT x.restricted FROM persons x WHERE x.id = p_id)
        WHEN 'episodes' THEN (SELECT x.restricted FROM episodes x WHERE x.id = p_id)
        WHEN 'referrals' THEN (SELECT x.restricted FROM referrals x WHERE x.id = p_id)
        WHEN 'triggers' THEN (SELECT x.restricted FROM triggers x WHERE x.id = p_id)
        WHEN 'actions' THEN (SELECT x.restricted FROM actions x WHERE x.id = p_id)
        -- A share is as restricted as the record it shares.
        WHEN 'shares' THEN (SELECT hw_record_restricted(CASE x.record_type WHEN 'episode' THEN 'episodes'
                                                                           WHEN 'trigger' THEN 'triggers'
                                                                           ELSE 'referrals' END, x.record_id)
                              FROM shares x WHERE x.id = p_id)
    END, false)
$$;

REVOKE ALL ON FUNCTION hw_record_restricted(p_table text, p_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_record_restricted(p_table text, p_id uuid) TO homeward_app;

-- Whether the caller's own policies would show this record if it gave a reason: that is,
-- it is hidden from the caller only by its restriction (so the caller may be told to state
-- one, and learns nothing of records it could never see). Runs as the caller.
CREATE OR REPLACE FUNCTION hw_hidden_by_restriction(p_table text, p_id uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
    seen boolean;
    prior text := coalesce(current_setting('homeward.access_reason', true), '');
BEGIN
    IF p_table NOT IN ('persons', 'episodes', 'referrals', 'triggers', 'actions', 'shares') THEN
        RAISE EXCEPTION 'hw_hidden_by_restriction: no restriction on %', p_table USING ERRCODE = '22023';
    END IF;
    IF NOT hw_record_restricted(p_table, p_id) THEN
        RETURN false;
    END IF;
    PERFORM set_config('homeward.access_reason', 'probe', true);
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', p_table) INTO seen USING p_id;
    PERFORM set_config('homeward.access_reason', prior, true);
    RETURN seen;
END $$;

REVOKE ALL ON FUNCTION hw_hidden_by_restriction(p_table text, p_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_hidden_by_restriction(p_table text, p_id uuid) TO homeward_app;

-- A parent record's state for a write under it, its row share-locked so a restriction or a
-- disposal being placed waits for the write's transaction (and then flags or erases what
-- it wrote), or the write waits for them (and is then refused): 'restricted',
-- 'disposed' or NULL. p_table is persons, episodes, triggers or referrals.
CREATE OR REPLACE FUNCTION hw_parent_state(p_table text, p_id uuid) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_restricted boolean;
    v_disposed boolean := false;
BEGIN
    CASE p_table
        WHEN 'persons' THEN
            SELECT x.restricted, x.disposed_at IS NOT NULL INTO v_restricted, v_disposed
              FROM persons x WHERE x.id = p_id FOR SHARE;
        WHEN 'episodes' THEN
            SELECT x.restricted, x.disposed_at IS NOT NULL INTO v_restricted, v_disposed
              FROM episodes x WHERE x.id = p_id FOR SHARE;
        WHEN 'triggers' THEN
            SELECT x.restricted INTO v_restricted FROM triggers x WHERE x.id = p_id FOR SHARE;
        WHEN 'referrals' THEN
            SELECT x.restricted INTO v_restricted FROM referrals x WHERE x.id = p_id FOR SHARE;
        ELSE
            RAISE EXCEPTION 'hw_parent_state: no parent table %', p_table USING ERRCODE = '22023';
    END CASE;
    RETURN CASE WHEN v_disposed THEN 'disposed' WHEN v_restricted THEN 'restricted' END;
END $$;

-- Refuses a request's change to a restricted record, or a write under a restricted or
-- disposed one. The row's own `restricted` flag is checked where the table has one; the
-- arguments are pairs (column, table) naming the records the row belongs to, checked for
-- the row as written (and as it was, on a change), under a share lock (hw_parent_state).
-- Background work (no caller) keeps its bookkeeping (escalations, overdue marks), and the
-- data protection officer's functions set and clear the flags (the dpo has no policy to
-- write case tables directly).
CREATE OR REPLACE FUNCTION hw_refuse_restricted_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    versions jsonb[] := '{}';
    r jsonb;
    i integer;
    state text;
BEGIN
    IF hw_role() IS NULL OR hw_role() = 'dpo' THEN
        RETURN coalesce(NEW, OLD);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        versions := versions || to_jsonb(OLD);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        versions := versions || to_jsonb(NEW);
    END IF;
    FOREACH r IN ARRAY versions LOOP
        IF coalesce((r ->> 'restricted')::boolean, false) THEN
            RAISE EXCEPTION 'restricted: this person''s records are restricted (DPA 2018 s.46) and cannot be changed until a data protection officer lifts the restriction'
                USING ERRCODE = '42501';
        END IF;
        i := 0;
        WHILE i + 1 < TG_NARGS LOOP
            IF r ->> TG_ARGV[i] IS NOT NULL THEN
                state := hw_parent_state(TG_ARGV[i + 1], (r ->> TG_ARGV[i])::uuid);
                IF state = 'restricted' THEN
                    RAISE EXCEPTION 'restricted: this person''s records are restricted (DPA 2018 s.46) and cannot be changed until a data protection officer lifts the restriction'
                        USING ERRCODE = '42501';
                ELSIF state = 'disposed' THEN
                    RAISE EXCEPTION 'disposed: the person''s record was disposed of at review'
                        USING ERRCODE = '55000';
                END IF;
            END IF;
            i := i + 2;
        END LOOP;
    END LOOP;
    RETURN coalesce(NEW, OLD);
END $$;

-- Sets (or clears) the restriction flag on every record of a person and of the duplicates
-- merged into them (however deep); returns the ids of the records it covers. For data protection officers.
CREATE OR REPLACE FUNCTION hw_set_restricted(p_person uuid, p_on boolean) RETURNS uuid[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ids uuid[];
    eps uuid[];
    trgs uuid[];
    refs uuid[];
    acts uuid[];
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'not permitted: restriction is for data protection officers' USING ERRCODE = '42501';
    END IF;
    -- The person locked, so a disposal or a merge cannot run beside this.
    PERFORM 1 FROM persons p WHERE p.id = p_person FOR UPDATE;
    IF EXISTS (SELECT 1 FROM persons p WHERE p.id = p_person AND p.disposed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'disposed: the person''s record was disposed of at review' USING ERRCODE = '55000';
    END IF;
    ids := hw_person_and_merged(p_person);
    SELECT r.eps, r.trgs, r.refs INTO eps, trgs, refs FROM hw_records_of(ids) r;
    UPDATE persons SET restricted = p_on WHERE id = ANY (ids);
    UPDATE episodes SET restricted = p_on WHERE id = ANY (eps);
    UPDATE triggers SET restricted = p_on WHERE id = ANY (trgs);
    UPDATE referrals SET restricted = p_on WHERE id = ANY (refs);
    -- Found after their parents are updated (a new snapshot): an action written under one
    -- meanwhile held its parent share-locked, so the update above waited for it.
    WITH u AS (UPDATE actions SET restricted = p_on
                WHERE episode_id = ANY (eps) OR trigger_id = ANY (trgs) OR referral_id = ANY (refs)
               RETURNING id)
    SELECT coalesce(array_agg(u.id), '{}') INTO acts FROM u;
    UPDATE person_markers SET restricted = p_on WHERE person_id = ANY (ids);
    UPDATE placements SET restricted = p_on WHERE person_id = ANY (ids);
    UPDATE protocol_profiles SET restricted = p_on WHERE person_id = ANY (ids);
    RETURN ids || eps || trgs || refs || acts;
END $$;

REVOKE ALL ON FUNCTION hw_set_restricted(p_person uuid, p_on boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_set_restricted(p_person uuid, p_on boolean) TO homeward_app;

-- Who the persons are, for the data protection officers' restrictions and notes (the only
-- list that shows a restricted person): name, date of birth, whether merged into another
-- record, and when disposed of.
CREATE OR REPLACE FUNCTION hw_restricted_persons(p_ids uuid[])
RETURNS TABLE (person_id uuid, given_name text, family_name text, date_of_birth date,
               merged_into uuid, disposed_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'not permitted: restriction is for data protection officers' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.merged_into, p.disposed_at
                   FROM persons p WHERE p.id = ANY (p_ids);
END $$;

REVOKE ALL ON FUNCTION hw_restricted_persons(p_ids uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_restricted_persons(p_ids uuid[]) TO homeward_app;

-- The audit log's entries that created or changed a person's records (theirs and their
-- merged duplicates'): what a rectification note links to. For data protection officers.
CREATE OR REPLACE FUNCTION hw_person_changes(p_person uuid)
RETURNS TABLE (seq bigint, occurred_at timestamptz, actor_id uuid, actor_role text,
               operation text, record_type text, record_ids uuid[], purpose text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ids uuid[];
    records uuid[];
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'not permitted: rectification notes are for data protection officers' USING ERRCODE = '42501';
    END IF;
    ids := hw_person_and_merged(p_person);
    SELECT ids || r.eps || r.trgs || r.refs || r.acts
           || coalesce((SELECT array_agg(x.id) FROM person_markers x WHERE x.person_id = ANY (ids)), '{}')
           || coalesce((SELECT array_agg(x.id) FROM placements x WHERE x.person_id = ANY (ids)), '{}')
           || coalesce((SELECT array_agg(x.id) FROM protocol_profiles x WHERE x.person_id = ANY (ids)), '{}')
      INTO records
      FROM hw_records_of(ids) r;
    RETURN QUERY
    SELECT l.seq, l.occurred_at, l.actor_id, l.actor_role, l.operation, l.record_type, l.record_ids, l.purpose
      FROM audit_log l
     WHERE l.operation IN ('collection', 'alteration', 'combination', 'erasure') AND l.record_ids && records
     ORDER BY l.seq;
END $$;

REVOKE ALL ON FUNCTION hw_person_changes(p_person uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_person_changes(p_person uuid) TO homeward_app;
