SET LOCAL ROLE homeward_owner;

-- Every policy inlines these helpers, and Postgres compiles the inlined expressions on
-- each execution of each statement and evaluates them for each row it filters. The
-- first versions nested a `hw_user_id() IS NULL` guard (a text-to-uuid cast) inside every
-- other claim, so one district check expanded to eight setting lookups and three casts,
-- repeated in every policy a statement reaches through its subqueries: about half of the
-- database's time on a read (the load benchmark, README). The claims are set together in
-- one statement (`Tx::begin_authenticated`, `Tx::assume`) and end together with the transaction,
-- so a role claim implies a user claim; each helper now reads only its own setting.
-- Unset, each still reads as NULL, and every predicate below is still false (never NULL)
-- without a role, so every policy built on them still denies.
CREATE OR REPLACE FUNCTION hw_role() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('homeward.role', true), '') $$;

CREATE OR REPLACE FUNCTION hw_district_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('homeward.district_id', true), '')::uuid $$;

CREATE OR REPLACE FUNCTION hw_agency_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('homeward.agency_id', true), '')::uuid $$;

CREATE OR REPLACE FUNCTION hw_is_authenticated() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT hw_role() IS NOT NULL $$;

-- Force-wide callers have an empty district claim and cover every district.
CREATE OR REPLACE FUNCTION hw_covers_district(district uuid) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(CASE current_setting('homeward.district_id', true)
                       WHEN '' THEN hw_role() IS NOT NULL
                       ELSE district = current_setting('homeward.district_id', true)::uuid
                   END, false) $$;

-- SECURITY DEFINER functions written in SQL are never inlined, and Postgres parses and
-- plans their bodies again for every statement that calls them; in PL/pgSQL the plans
-- are kept for the session. Same queries as before.
CREATE OR REPLACE FUNCTION auth_principal(p_user uuid, p_session uuid, p_token_version integer)
RETURNS TABLE (role text, district_id uuid, agency_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    RETURN QUERY
    SELECT u.role, u.district_id, u.agency_id
      FROM users u JOIN sessions s ON s.user_id = u.id
     WHERE u.id = p_user AND u.active AND u.token_version = p_token_version
       AND s.id = p_session AND s.revoked_at IS NULL AND s.expires_at > now();
END
$$;

CREATE OR REPLACE FUNCTION hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text)
RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    RETURN coalesce(hw_role() = 'partner', false) AND EXISTS (
        SELECT 1 FROM shares s JOIN agencies a ON a.id = s.agency_id
         WHERE s.record_type = p_record_type AND s.record_id = p_record_id
           AND s.agency_id = hw_agency_id() AND a.active
           AND p_part = ANY (s.parts) AND s.revoked_at IS NULL
           AND (s.expires_at IS NULL OR s.expires_at > now()));
END
$$;

CREATE OR REPLACE FUNCTION hw_person_shared_with_caller(p_person uuid, p_part text)
RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    RETURN coalesce(hw_role() = 'partner', false) AND EXISTS (
        SELECT 1 FROM shares s JOIN agencies a ON a.id = s.agency_id
         WHERE s.agency_id = hw_agency_id() AND a.active
           AND p_part = ANY (s.parts) AND s.revoked_at IS NULL
           AND (s.expires_at IS NULL OR s.expires_at > now())
           AND CASE s.record_type
                 WHEN 'episode' THEN EXISTS (SELECT 1 FROM episodes e WHERE e.id = s.record_id AND e.person_id = p_person)
                 WHEN 'trigger' THEN EXISTS (SELECT 1 FROM triggers t WHERE t.id = s.record_id AND t.person_id = p_person)
                 ELSE EXISTS (SELECT 1 FROM referrals r WHERE r.id = s.record_id AND r.person_id = p_person)
               END);
END
$$;

-- The sealer hashed and inserted one row at a time (about 70 µs a row, a tenth of the
-- database's time under load). It now hashes the batch in order, then inserts it in one
-- statement (about 30 µs a row). The chain is the same, link for link.
CREATE OR REPLACE FUNCTION hw_audit_seal(p_max integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    head audit_chain_head%ROWTYPE;
    batch audit_queue[];
    n integer;
    seqs bigint[];
    prevs bytea[];
    hashes bytea[];
    r audit_queue;
    i integer := 0;
BEGIN
    SELECT * INTO head FROM audit_chain_head FOR UPDATE;
    WITH moved AS (
        DELETE FROM audit_queue
         WHERE id IN (SELECT id FROM audit_queue ORDER BY id LIMIT p_max)
        RETURNING *
    )
    SELECT array_agg(moved ORDER BY moved.id) INTO batch FROM moved;
    IF batch IS NULL THEN
        RETURN 0;
    END IF;
    n := cardinality(batch);
    seqs := array_fill(NULL::bigint, ARRAY[n]);
    prevs := array_fill(NULL::bytea, ARRAY[n]);
    hashes := array_fill(NULL::bytea, ARRAY[n]);
    FOREACH r IN ARRAY batch LOOP
        i := i + 1;
        seqs[i] := head.seq + i;
        prevs[i] := head.hash;
        head.hash := hw_audit_digest(head.hash, seqs[i], r.occurred_at, r.actor_id, r.actor_role,
                                     r.operation, r.record_type, r.record_ids, r.purpose,
                                     r.recipients, r.request_id);
        hashes[i] := head.hash;
    END LOOP;
    INSERT INTO audit_log (seq, occurred_at, actor_id, actor_role, operation, record_type,
                           record_ids, purpose, recipients, request_id, prev_hash, hash)
    SELECT s.seq, s.occurred_at, s.actor_id, s.actor_role, s.operation, s.record_type,
           s.record_ids, s.purpose, s.recipients, s.request_id, s.prev, s.hash
      FROM ROWS FROM (unnest(batch), unnest(seqs), unnest(prevs), unnest(hashes))
           AS s (id, occurred_at, actor_id, actor_role, operation, record_type, record_ids,
                 purpose, recipients, request_id, seq, prev, hash)
     ORDER BY s.seq;
    UPDATE audit_chain_head SET seq = head.seq + n, hash = head.hash;
    RETURN n;
END
$$;

RESET ROLE;
