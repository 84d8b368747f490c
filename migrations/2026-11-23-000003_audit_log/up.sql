SET LOCAL ROLE homeward_owner;

-- DPA 2018 s.62 logging: one append-only, hash-chained table. Each row's hash covers
-- the previous row's hash and its own content, so editing, deleting or reordering any
-- row breaks the chain from that point on.
CREATE TABLE audit_log (
    seq         bigint PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    actor_id    uuid,
    actor_role  text,
    operation   text NOT NULL CHECK (operation IN ('collection', 'alteration', 'consultation',
                                                   'disclosure', 'combination', 'erasure')),
    record_type text NOT NULL CHECK (length(record_type) BETWEEN 1 AND 60),
    record_ids  uuid[] NOT NULL DEFAULT '{}',
    purpose     text CHECK (length(purpose) <= 500),
    recipients  text[] NOT NULL DEFAULT '{}',
    request_id  text CHECK (length(request_id) <= 100),
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL,
    CHECK (array_position(record_ids, NULL) IS NULL),
    CHECK (array_position(recipients, NULL) IS NULL)
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, seq);
CREATE INDEX audit_log_record_ids_idx ON audit_log USING gin (record_ids);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at);

-- The head of the chain: one row, locked by each insert so the chain is a single line.
CREATE TABLE audit_chain_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seq       bigint NOT NULL,
    hash      bytea NOT NULL
);
INSERT INTO audit_chain_head (seq, hash) VALUES (0, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION hw_audit_digest(
    p_prev bytea, p_seq bigint, p_occurred_at timestamptz, p_actor_id uuid, p_actor_role text,
    p_operation text, p_record_type text, p_record_ids uuid[], p_purpose text,
    p_recipients text[], p_request_id text)
RETURNS bytea LANGUAGE sql IMMUTABLE AS
$$ SELECT sha256(p_prev || convert_to(jsonb_build_array(
       p_seq,
       to_char(p_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       p_actor_id, p_actor_role, p_operation, p_record_type, to_jsonb(p_record_ids),
       p_purpose, to_jsonb(p_recipients), p_request_id)::text, 'UTF8')) $$;

-- Assigns the sequence number, time and hashes; callers cannot choose them.
CREATE FUNCTION hw_audit_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    head audit_chain_head%ROWTYPE;
BEGIN
    SELECT * INTO head FROM audit_chain_head FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.occurred_at := date_trunc('microseconds', clock_timestamp());
    NEW.prev_hash := head.hash;
    NEW.hash := hw_audit_digest(NEW.prev_hash, NEW.seq, NEW.occurred_at, NEW.actor_id,
                                NEW.actor_role, NEW.operation, NEW.record_type, NEW.record_ids,
                                NEW.purpose, NEW.recipients, NEW.request_id);
    UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION hw_audit_chain();

-- Walks the chain in order; reports how many rows were checked and the first broken
-- link (the row whose stored prev_hash, sequence or hash is not what the chain says).
CREATE FUNCTION hw_audit_verify()
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
        IF r.hash <> hw_audit_digest(r.prev_hash, r.seq, r.occurred_at, r.actor_id, r.actor_role,
                                     r.operation, r.record_type, r.record_ids, r.purpose,
                                     r.recipients, r.request_id) THEN
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

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
-- Anyone acting may record what they did, only as themselves (or anonymously before
-- login); only administrators may read. There is no UPDATE or DELETE grant at all.
CREATE POLICY audit_log_insert ON audit_log FOR INSERT TO homeward_app
    WITH CHECK (actor_id IS NOT DISTINCT FROM hw_user_id());
CREATE POLICY audit_log_admin_read ON audit_log FOR SELECT TO homeward_app USING (hw_is_admin());
CREATE POLICY audit_log_owner_read ON audit_log FOR SELECT TO homeward_owner USING (true);

GRANT INSERT (actor_id, actor_role, operation, record_type, record_ids, purpose, recipients, request_id)
    ON audit_log TO homeward_app;
GRANT SELECT ON audit_log TO homeward_app;
REVOKE ALL ON FUNCTION hw_audit_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_audit_verify() TO homeward_app;

RESET ROLE;
