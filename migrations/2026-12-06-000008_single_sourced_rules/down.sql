SET LOCAL ROLE homeward_owner;
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
DROP TABLE hw_rules_applied;
RESET ROLE;
