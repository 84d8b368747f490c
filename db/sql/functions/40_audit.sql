-- The audit log (DPA 2018 s.62): the hash chain, its sealer and its verification.

-- The digest covers the basis when there is one; a row without one hashes exactly as
-- before, so every link already on the chain still verifies. From issue 19 a purpose is
-- covered through its salted digest (p_purpose_digest): the purpose's own slot is then
-- empty and the digest is a last element of its own shape, so no row of the older form
-- can hash the same. A row without a purpose hashes as before.
CREATE OR REPLACE FUNCTION hw_audit_digest(
    p_prev bytea, p_seq bigint, p_occurred_at timestamptz, p_actor_id uuid, p_actor_role text,
    p_operation text, p_record_type text, p_record_ids uuid[], p_purpose text,
    p_recipients text[], p_request_id text, p_lawful_basis text, p_purpose_digest bytea)
RETURNS bytea LANGUAGE sql IMMUTABLE AS
$$ SELECT sha256(p_prev || convert_to((jsonb_build_array(
       p_seq,
       to_char(p_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       p_actor_id, p_actor_role, p_operation, p_record_type, to_jsonb(p_record_ids),
       CASE WHEN p_purpose_digest IS NULL THEN p_purpose END,
       to_jsonb(p_recipients), p_request_id)
       || CASE WHEN p_lawful_basis IS NULL THEN '[]'::jsonb
               ELSE jsonb_build_array(p_lawful_basis) END
       || CASE WHEN p_purpose_digest IS NULL THEN '[]'::jsonb
               ELSE jsonb_build_array(jsonb_build_object('purpose_sha256', encode(p_purpose_digest, 'hex'))) END
       )::text, 'UTF8')) $$;

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
    digests bytea[];
    salts bytea[];
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
    digests := array_fill(NULL::bytea, ARRAY[n]);
    salts := array_fill(NULL::bytea, ARRAY[n]);
    FOREACH r IN ARRAY batch LOOP
        i := i + 1;
        seqs[i] := head.seq + i;
        prevs[i] := head.hash;
        IF r.purpose IS NOT NULL THEN
            salts[i] := uuid_send(gen_random_uuid());
            digests[i] := sha256(salts[i] || convert_to(r.purpose, 'UTF8'));
        END IF;
        head.hash := hw_audit_digest(head.hash, seqs[i], r.occurred_at, r.actor_id, r.actor_role,
                                     r.operation, r.record_type, r.record_ids, r.purpose,
                                     r.recipients, r.request_id, r.lawful_basis, digests[i]);
        hashes[i] := head.hash;
    END LOOP;
    INSERT INTO audit_log (seq, occurred_at, actor_id, actor_role, operation, record_type,
                           record_ids, purpose, purpose_digest, purpose_salt, recipients,
                           request_id, lawful_basis, prev_hash, hash)
    SELECT s.seq, s.occurred_at, s.actor_id, s.actor_role, s.operation, s.record_type,
           s.record_ids, s.purpose, s.digest, s.salt, s.recipients, s.request_id, s.lawful_basis,
           s.prev, s.hash
      FROM ROWS FROM (unnest(batch), unnest(seqs), unnest(prevs), unnest(hashes), unnest(digests),
                      unnest(salts))
           AS s (id, occurred_at, actor_id, actor_role, operation, record_type, record_ids,
                 purpose, recipients, request_id, lawful_basis, seq, prev, hash, digest, salt)
     ORDER BY s.seq;
    UPDATE audit_chain_head SET seq = head.seq + n, hash = head.hash;
    RETURN n;
END
$$;

REVOKE ALL ON FUNCTION hw_audit_seal(p_max integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_audit_seal(p_max integer) TO homeward_app;

CREATE OR REPLACE FUNCTION hw_audit_verify()
RETURNS TABLE (checked bigint, head_seq bigint, broken_seq bigint, reason text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    r audit_log%ROWTYPE;
    expected_prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
    expected_seq bigint := 1;
    n bigint := 0;
    head audit_chain_head%ROWTYPE;
BEGIN
    IF NOT hw_is_admin() THEN
        RAISE EXCEPTION 'audit verification is for administrators' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO head FROM audit_chain_head;
    FOR r IN SELECT * FROM audit_log ORDER BY seq LOOP
        IF r.seq <> expected_seq THEN
            RETURN QUERY SELECT n, head.seq, expected_seq, 'row missing from the chain'::text;
            RETURN;
        END IF;
        IF r.prev_hash <> expected_prev THEN
            RETURN QUERY SELECT n, head.seq, r.seq, 'previous-hash link does not match'::text;
            RETURN;
        END IF;
        IF r.purpose IS NOT NULL AND r.purpose_digest IS NOT NULL
           AND sha256(coalesce(r.purpose_salt, ''::bytea) || convert_to(r.purpose, 'UTF8')) <> r.purpose_digest THEN
            RETURN QUERY SELECT n, head.seq, r.seq, 'purpose does not match its digest'::text;
            RETURN;
        END IF;
        -- A purpose is erased only by a disposal, whose erasure entry names the records.
        IF r.purpose IS NULL AND r.purpose_digest IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM audit_log x
                            WHERE x.operation = 'erasure' AND x.seq > r.seq
                              AND x.record_ids && r.record_ids) THEN
            RETURN QUERY SELECT n, head.seq, r.seq, 'purpose erased without an erasure of its records'::text;
            RETURN;
        END IF;
        IF r.hash <> hw_audit_digest(r.prev_hash, r.seq, r.occurred_at, r.actor_id, r.actor_role,
                                     r.operation, r.record_type, r.record_ids, r.purpose,
                                     r.recipients, r.request_id, r.lawful_basis, r.purpose_digest) THEN
            RETURN QUERY SELECT n, head.seq, r.seq, 'row content does not match its hash'::text;
            RETURN;
        END IF;
        n := n + 1;
        expected_prev := r.hash;
        expected_seq := r.seq + 1;
    END LOOP;
    IF head.seq <> n OR head.hash <> expected_prev THEN
        RETURN QUERY SELECT n, head.seq, n + 1, 'rows missing from the end of the chain'::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT n, head.seq, NULL::bigint, NULL::text;
END
$$;

REVOKE ALL ON FUNCTION hw_audit_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_audit_verify() TO homeward_app;

-- The chain's head, for a signed checkpoint (a count and a digest: nothing personal).
CREATE OR REPLACE FUNCTION hw_audit_head()
RETURNS TABLE (seq bigint, hash bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT h.seq, h.hash FROM audit_chain_head h $$;

REVOKE ALL ON FUNCTION hw_audit_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_audit_head() TO homeward_app;

-- The one change the audit log allows (disposal, as its owner): a purpose erased with its
-- salt, where its digest is kept. Anything else is refused, whoever tries.
CREATE OR REPLACE FUNCTION hw_audit_redact_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.purpose IS NOT NULL OR NEW.purpose_salt IS NOT NULL OR OLD.purpose_digest IS NULL
       OR (to_jsonb(NEW) - 'purpose' - 'purpose_salt') IS DISTINCT FROM (to_jsonb(OLD) - 'purpose' - 'purpose_salt') THEN
        RAISE EXCEPTION 'the audit log is append-only: only a purpose may be erased, at disposal'
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;

-- Group commit for reads (issue 21): records the consultations of many read-only requests
-- in one transaction, each as the account whose live session made it. Row i is the i-th
-- element of every array; its record ids are p_ids[p_start[i] + 1 .. p_start[i] + p_count[i]].
-- Each session is checked once (auth_principal, as a request's own transaction checks it);
-- a row whose session is not live (revoked, expired, deactivated, a role change) is not
-- recorded, and its request is refused. The role recorded is the account's own. Only
-- consultations: a request that changes or discloses anything records it in its own
-- transaction. Returns the ordinals of the rows not recorded (usually none).
CREATE OR REPLACE FUNCTION hw_audit_consultations(
    p_actor uuid[], p_session uuid[], p_version integer[], p_record_type text[],
    p_start integer[], p_count integer[], p_ids uuid[], p_purpose text[], p_request_id text[])
RETURNS integer[]
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
-- Its statement is planned once per connection: planned for each group's arrays, it
-- spent as long planning as running (0.17 of 0.34 ms a group in the load benchmark).
SET plan_cache_mode = force_generic_plan AS
$$
DECLARE
    ended integer[];
BEGIN
    WITH r AS (
        SELECT *
          FROM unnest(p_actor, p_session, p_version, p_record_type, p_start, p_count, p_purpose,
                      p_request_id)
               WITH ORDINALITY AS r (actor, session, version, record_type, start, n, purpose,
                                     request_id, i)
    ), live AS MATERIALIZED (
        SELECT s.actor, s.session, s.version, p.role
          FROM (SELECT DISTINCT actor, session, version FROM r) s
               CROSS JOIN LATERAL auth_principal(s.actor, s.session, s.version) p
    ), recorded AS (
        INSERT INTO audit_queue (actor_id, actor_role, operation, record_type, record_ids,
                                 purpose, request_id)
        SELECT r.actor, live.role, 'consultation', r.record_type,
               coalesce(p_ids[r.start + 1 : r.start + r.n], '{}'), r.purpose, r.request_id
          FROM r JOIN live USING (actor, session, version)
         ORDER BY r.i
        RETURNING 1
    )
    SELECT coalesce(array_agg(r.i::integer), '{}') INTO ended
      FROM r
     WHERE NOT EXISTS (SELECT 1 FROM live l
                        WHERE (l.actor, l.session, l.version) = (r.actor, r.session, r.version));
    RETURN ended;
END
$$;

REVOKE ALL ON FUNCTION hw_audit_consultations(uuid[], uuid[], integer[], text[], integer[], integer[], uuid[], text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_audit_consultations(uuid[], uuid[], integer[], text[], integer[], integer[], uuid[], text[], text[]) TO homeward_app;
