SET LOCAL ROLE homeward_owner;

-- The definitions this migration replaced, as they were.
CREATE OR REPLACE FUNCTION hw_role() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN hw_user_id() IS NULL THEN NULL
               ELSE NULLIF(current_setting('homeward.role', true), '') END $$;

CREATE OR REPLACE FUNCTION hw_district_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN hw_user_id() IS NULL THEN NULL
               ELSE NULLIF(current_setting('homeward.district_id', true), '')::uuid END $$;

CREATE OR REPLACE FUNCTION hw_agency_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN hw_user_id() IS NULL THEN NULL
               ELSE NULLIF(current_setting('homeward.agency_id', true), '')::uuid END $$;

CREATE OR REPLACE FUNCTION hw_is_authenticated() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT hw_user_id() IS NOT NULL AND hw_role() IS NOT NULL $$;

CREATE OR REPLACE FUNCTION hw_covers_district(district uuid) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT hw_is_authenticated() AND (hw_district_id() IS NULL OR hw_district_id() = district) $$;

CREATE OR REPLACE FUNCTION auth_principal(p_user uuid, p_session uuid, p_token_version integer)
RETURNS TABLE (role text, district_id uuid, agency_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT u.role, u.district_id, u.agency_id
     FROM users u JOIN sessions s ON s.user_id = u.id
    WHERE u.id = p_user AND u.active AND u.token_version = p_token_version
      AND s.id = p_session AND s.revoked_at IS NULL AND s.expires_at > now() $$;

CREATE OR REPLACE FUNCTION hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(hw_role() = 'partner', false) AND EXISTS (
        SELECT 1 FROM shares s JOIN agencies a ON a.id = s.agency_id
         WHERE s.record_type = p_record_type AND s.record_id = p_record_id
           AND s.agency_id = hw_agency_id() AND a.active
           AND p_part = ANY (s.parts) AND s.revoked_at IS NULL
           AND (s.expires_at IS NULL OR s.expires_at > now()))
$$;

CREATE OR REPLACE FUNCTION hw_person_shared_with_caller(p_person uuid, p_part text)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(hw_role() = 'partner', false) AND EXISTS (
        SELECT 1 FROM shares s JOIN agencies a ON a.id = s.agency_id
         WHERE s.agency_id = hw_agency_id() AND a.active
           AND p_part = ANY (s.parts) AND s.revoked_at IS NULL
           AND (s.expires_at IS NULL OR s.expires_at > now())
           AND CASE s.record_type
                 WHEN 'episode' THEN EXISTS (SELECT 1 FROM episodes e WHERE e.id = s.record_id AND e.person_id = p_person)
                 WHEN 'trigger' THEN EXISTS (SELECT 1 FROM triggers t WHERE t.id = s.record_id AND t.person_id = p_person)
                 ELSE EXISTS (SELECT 1 FROM referrals r WHERE r.id = s.record_id AND r.person_id = p_person)
               END)
$$;

CREATE OR REPLACE FUNCTION hw_audit_seal(p_max integer) RETURNS integer
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

RESET ROLE;
