SET LOCAL ROLE homeward_owner;

-- Every request used to extend the hash chain itself, holding the chain's head row from
-- its audit insert to its commit: one request at a time, force-wide, reads included.
-- Requests now append to audit_queue (no shared row, no hashing), in the same
-- transaction as what they record, so a change still never commits without its audit
-- row; hw_audit_seal() moves committed rows into the chain in batches, in queue order.
-- The service seals continuously, and reading or verifying the log seals first.
CREATE TABLE audit_queue (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT date_trunc('microseconds', clock_timestamp()),
    actor_id    uuid,
    actor_role  text,
    operation   text NOT NULL CHECK (operation IN ('collection', 'alteration', 'consultation',
                                                   'disclosure', 'combination', 'erasure')),
    record_type text NOT NULL CHECK (length(record_type) BETWEEN 1 AND 60),
    record_ids  uuid[] NOT NULL DEFAULT '{}',
    purpose     text CHECK (length(purpose) <= 500),
    recipients  text[] NOT NULL DEFAULT '{}',
    request_id  text CHECK (length(request_id) <= 100),
    CHECK (array_position(record_ids, NULL) IS NULL),
    CHECK (array_position(recipients, NULL) IS NULL)
);

ALTER TABLE audit_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_queue FORCE ROW LEVEL SECURITY;
-- As before: anyone acting records what they did, only as themselves. No one but the
-- sealer reads, moves or deletes a queued row; the time is the database's.
CREATE POLICY audit_queue_insert ON audit_queue FOR INSERT TO homeward_app
    WITH CHECK (actor_id IS NOT DISTINCT FROM hw_user_id());
CREATE POLICY audit_queue_sealer ON audit_queue FOR ALL TO homeward_owner USING (true);
GRANT INSERT (actor_id, actor_role, operation, record_type, record_ids, purpose, recipients, request_id)
    ON audit_queue TO homeward_app;

-- The chain is written only by the sealer now.
DROP TRIGGER audit_log_chain ON audit_log;
DROP FUNCTION hw_audit_chain();
DROP POLICY audit_log_insert ON audit_log;
REVOKE INSERT ON audit_log FROM homeward_app;
CREATE POLICY audit_log_sealer ON audit_log FOR INSERT TO homeward_owner WITH CHECK (true);

-- Moves up to p_max committed queue rows, oldest first, onto the chain and returns how
-- many it moved. The head row's lock makes sealers take turns.
CREATE FUNCTION hw_audit_seal(p_max integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    head audit_chain_head%ROWTYPE;
    batch audit_queue[];
    r audit_queue;
    h bytea;
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
    FOREACH r IN ARRAY batch LOOP
        head.seq := head.seq + 1;
        h := hw_audit_digest(head.hash, head.seq, r.occurred_at, r.actor_id, r.actor_role,
                             r.operation, r.record_type, r.record_ids, r.purpose,
                             r.recipients, r.request_id);
        INSERT INTO audit_log (seq, occurred_at, actor_id, actor_role, operation, record_type,
                               record_ids, purpose, recipients, request_id, prev_hash, hash)
        VALUES (head.seq, r.occurred_at, r.actor_id, r.actor_role, r.operation, r.record_type,
                r.record_ids, r.purpose, r.recipients, r.request_id, head.hash, h);
        head.hash := h;
    END LOOP;
    UPDATE audit_chain_head SET seq = head.seq, hash = head.hash;
    RETURN cardinality(batch);
END
$$;
REVOKE ALL ON FUNCTION hw_audit_seal(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_audit_seal(integer) TO homeward_app;

RESET ROLE;
