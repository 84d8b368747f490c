SET LOCAL ROLE homeward_owner;

-- Seal what is queued, then put the per-insert chain back.
SELECT hw_audit_seal(2147483647);
DROP FUNCTION hw_audit_seal(integer);
DROP POLICY audit_log_sealer ON audit_log;
DROP TABLE audit_queue;

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
CREATE POLICY audit_log_insert ON audit_log FOR INSERT TO homeward_app
    WITH CHECK (actor_id IS NOT DISTINCT FROM hw_user_id());
GRANT INSERT (actor_id, actor_role, operation, record_type, record_ids, purpose, recipients, request_id)
    ON audit_log TO homeward_app;

RESET ROLE;
