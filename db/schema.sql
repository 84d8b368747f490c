CREATE DOMAIN public.hw_audit_operation AS text
	CONSTRAINT hw_audit_operation_check CHECK ((VALUE = ANY (ARRAY['collection'::text, 'alteration'::text, 'consultation'::text, 'disclosure'::text, 'combination'::text, 'erasure'::text])));

ALTER DOMAIN public.hw_audit_operation OWNER TO homeward_owner;

CREATE DOMAIN public.hw_episode_reference AS text
	CONSTRAINT hw_episode_reference_check CHECK ((VALUE ~ '^[A-Z]{3}-[0-9]{4}-[0-9]{6}$'::text));

ALTER DOMAIN public.hw_episode_reference OWNER TO homeward_owner;

CREATE DOMAIN public.hw_episode_status AS text
	CONSTRAINT hw_episode_status_check CHECK ((VALUE = ANY (ARRAY['reported'::text, 'active'::text, 'returned'::text, 'closed'::text, 'cancelled'::text])));

ALTER DOMAIN public.hw_episode_status OWNER TO homeward_owner;

CREATE DOMAIN public.hw_grader_role AS text
	CONSTRAINT hw_grader_role_check CHECK ((VALUE = ANY (ARRAY['officer'::text, 'supervisor'::text, 'mfhc'::text])));

ALTER DOMAIN public.hw_grader_role OWNER TO homeward_owner;

CREATE TYPE public.hw_measure_key AS (
	period_end date,
	age_group text,
	district_id uuid,
	shard smallint
);

ALTER TYPE public.hw_measure_key OWNER TO homeward_owner;

CREATE DOMAIN public.hw_missing_from AS text
	CONSTRAINT hw_missing_from_check CHECK ((VALUE = ANY (ARRAY['home'::text, 'care_placement'::text, 'hospital_or_medical'::text, 'other'::text])));

ALTER DOMAIN public.hw_missing_from OWNER TO homeward_owner;

CREATE DOMAIN public.hw_reported_by AS text
	CONSTRAINT hw_reported_by_check CHECK ((VALUE = ANY (ARRAY['parent'::text, 'carer'::text, 'childrens_home'::text, 'hospital'::text, 'school'::text, 'police'::text, 'self'::text, 'other'::text])));

ALTER DOMAIN public.hw_reported_by OWNER TO homeward_owner;

CREATE DOMAIN public.hw_risk_level AS text
	CONSTRAINT hw_risk_level_check CHECK ((VALUE = ANY (ARRAY['very_low'::text, 'low'::text, 'medium'::text, 'high'::text])));

ALTER DOMAIN public.hw_risk_level OWNER TO homeward_owner;

CREATE DOMAIN public.hw_text_1_to_100 AS text
	CONSTRAINT hw_text_1_to_100_check CHECK (((length(VALUE) >= 1) AND (length(VALUE) <= 100)));

ALTER DOMAIN public.hw_text_1_to_100 OWNER TO homeward_owner;

CREATE DOMAIN public.hw_text_1_to_500 AS text
	CONSTRAINT hw_text_1_to_500_check CHECK (((length(VALUE) >= 1) AND (length(VALUE) <= 500)));

ALTER DOMAIN public.hw_text_1_to_500 OWNER TO homeward_owner;

CREATE DOMAIN public.hw_text_1_to_5000 AS text
	CONSTRAINT hw_text_1_to_5000_check CHECK (((length(VALUE) >= 1) AND (length(VALUE) <= 5000)));

ALTER DOMAIN public.hw_text_1_to_5000 OWNER TO homeward_owner;

CREATE DOMAIN public.hw_text_1_to_60 AS text
	CONSTRAINT hw_text_1_to_60_check CHECK (((length(VALUE) >= 1) AND (length(VALUE) <= 60)));

ALTER DOMAIN public.hw_text_1_to_60 OWNER TO homeward_owner;

CREATE DOMAIN public.hw_text_max_100 AS text
	CONSTRAINT hw_text_max_100_check CHECK ((length(VALUE) <= 100));

ALTER DOMAIN public.hw_text_max_100 OWNER TO homeward_owner;

CREATE DOMAIN public.hw_text_max_10000 AS text
	CONSTRAINT hw_text_max_10000_check CHECK ((length(VALUE) <= 10000));

ALTER DOMAIN public.hw_text_max_10000 OWNER TO homeward_owner;

CREATE DOMAIN public.hw_text_max_2000 AS text
	CONSTRAINT hw_text_max_2000_check CHECK ((length(VALUE) <= 2000));

ALTER DOMAIN public.hw_text_max_2000 OWNER TO homeward_owner;

CREATE DOMAIN public.hw_text_max_500 AS text
	CONSTRAINT hw_text_max_500_check CHECK ((length(VALUE) <= 500));

ALTER DOMAIN public.hw_text_max_500 OWNER TO homeward_owner;

CREATE FUNCTION public.auth_change_own_password(p_session uuid, p_hash text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    ended integer;
BEGIN
    IF hw_user_id() IS NULL THEN
        RAISE EXCEPTION 'a password change needs a signed-in caller' USING ERRCODE = '42501';
    END IF;
    UPDATE users SET password_hash = p_hash, must_change_password = false,
                     version = version + 1, updated_at = now()
     WHERE id = hw_user_id() AND active;
    UPDATE sessions SET revoked_at = now(), revoked_reason = 'password changed'
     WHERE user_id = hw_user_id() AND id <> p_session AND revoked_at IS NULL;
    GET DIAGNOSTICS ended = ROW_COUNT;
    RETURN ended;
END
$$;

ALTER FUNCTION public.auth_change_own_password(p_session uuid, p_hash text) OWNER TO homeward_owner;

CREATE FUNCTION public.auth_login_lookup(p_email text) RETURNS TABLE(id uuid, password_hash text, active boolean, role text, district_id uuid, agency_id uuid, token_version integer)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$ SELECT u.id, u.password_hash, u.active, u.role, u.district_id, u.agency_id, u.token_version
     FROM users u WHERE u.email = p_email $$;

ALTER FUNCTION public.auth_login_lookup(p_email text) OWNER TO homeward_owner;

CREATE FUNCTION public.auth_principal(p_user uuid, p_session uuid, p_token_version integer) RETURNS TABLE(role text, district_id uuid, agency_id uuid, must_change_password boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 1
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN QUERY
    SELECT u.role, u.district_id, u.agency_id, u.must_change_password
      FROM users u JOIN sessions s ON s.user_id = u.id
     WHERE u.id = p_user AND u.active AND u.token_version = p_token_version
       AND s.id = p_session AND s.revoked_at IS NULL AND s.expires_at > now();
END
$$;

ALTER FUNCTION public.auth_principal(p_user uuid, p_session uuid, p_token_version integer) OWNER TO homeward_owner;

CREATE FUNCTION public.auth_rotate_refresh(p_old_hash bytea, p_new_hash bytea, p_new_expires timestamp with time zone) RETURNS TABLE(outcome text, user_id uuid, session_id uuid, token_version integer, expires_at timestamp with time zone)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t refresh_tokens%ROWTYPE;
    s sessions%ROWTYPE;
    u users%ROWTYPE;
BEGIN
    SELECT * INTO t FROM refresh_tokens WHERE token_hash = p_old_hash FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid, NULL::integer, NULL::timestamptz;
        RETURN;
    END IF;
    SELECT * INTO s FROM sessions WHERE id = t.session_id FOR UPDATE;
    SELECT * INTO u FROM users WHERE id = s.user_id;
    IF t.used_at IS NOT NULL THEN
        UPDATE sessions SET revoked_at = coalesce(revoked_at, now()),
                            revoked_reason = coalesce(revoked_reason, 'refresh token reuse')
         WHERE id = s.id;
        RETURN QUERY SELECT 'reused'::text, u.id, s.id, u.token_version, NULL::timestamptz;
        RETURN;
    END IF;
    IF s.revoked_at IS NOT NULL OR s.expires_at <= now() OR t.expires_at <= now() OR NOT u.active THEN
        RETURN QUERY SELECT 'invalid'::text, u.id, s.id, u.token_version, NULL::timestamptz;
        RETURN;
    END IF;
    UPDATE refresh_tokens SET used_at = now() WHERE id = t.id;
    INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
         VALUES (s.id, p_new_hash, least(p_new_expires, s.expires_at));
    RETURN QUERY SELECT 'rotated'::text, u.id, s.id, u.token_version, least(p_new_expires, s.expires_at);
END
$$;

ALTER FUNCTION public.auth_rotate_refresh(p_old_hash bytea, p_new_hash bytea, p_new_expires timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.auth_throttle_attempt(p_keys bytea[], p_limits integer[], p_window interval) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
WITH counted AS (
    INSERT INTO login_throttle AS lt (key_hash, failures, window_started_at)
    SELECT k.key_hash, 1, now() FROM unnest(p_keys) AS k (key_hash)
    ON CONFLICT (key_hash) DO UPDATE SET
        failures = CASE WHEN lt.window_started_at + p_window <= now() THEN 1 ELSE lt.failures + 1 END,
        window_started_at = CASE WHEN lt.window_started_at + p_window <= now() THEN now()
                                 ELSE lt.window_started_at END
    RETURNING lt.key_hash, lt.failures, lt.window_started_at
)
SELECT coalesce(max(ceil(extract(epoch FROM c.window_started_at + p_window - now())))::integer, 0)
  FROM counted c JOIN unnest(p_keys, p_limits) AS k (key_hash, lim) ON k.key_hash = c.key_hash
 WHERE c.failures > k.lim
$$;

ALTER FUNCTION public.auth_throttle_attempt(p_keys bytea[], p_limits integer[], p_window interval) OWNER TO homeward_owner;

CREATE FUNCTION public.auth_throttle_clear(p_keys bytea[]) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$ DELETE FROM login_throttle WHERE key_hash = ANY (p_keys) $$;

ALTER FUNCTION public.auth_throttle_clear(p_keys bytea[]) OWNER TO homeward_owner;

CREATE FUNCTION public.auth_throttle_known(p_known bytea) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$ SELECT EXISTS (SELECT 1 FROM login_throttle WHERE key_hash = p_known
                   AND window_started_at > now() - interval '30 days') $$;

ALTER FUNCTION public.auth_throttle_known(p_known bytea) OWNER TO homeward_owner;

CREATE FUNCTION public.auth_throttle_success(p_clear bytea[], p_undo bytea[], p_known bytea) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DELETE FROM login_throttle WHERE key_hash = ANY (p_clear);
UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key_hash = ANY (p_undo);
INSERT INTO login_throttle (key_hash, failures, window_started_at) VALUES (p_known, 0, now())
ON CONFLICT (key_hash) DO UPDATE SET window_started_at = now();
$$;

ALTER FUNCTION public.auth_throttle_success(p_clear bytea[], p_undo bytea[], p_known bytea) OWNER TO homeward_owner;

CREATE FUNCTION public.auth_web_session(p_hash bytea, p_idle interval) RETURNS TABLE(user_id uuid, session_id uuid, token_version integer, role text, display_name text, must_change_password boolean)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    s sessions%ROWTYPE;
BEGIN
    SELECT * INTO s FROM sessions WHERE web_token_hash = p_hash;
    IF NOT FOUND OR s.revoked_at IS NOT NULL OR s.expires_at <= now() THEN
        RETURN;
    END IF;
    IF s.last_seen_at + p_idle <= now() THEN
        UPDATE sessions SET revoked_at = now(), revoked_reason = 'idle'
         WHERE id = s.id AND revoked_at IS NULL;
        RETURN;
    END IF;
    IF s.last_seen_at < now() - interval '30 seconds' THEN
        UPDATE sessions SET last_seen_at = now() WHERE id = s.id;
    END IF;
    RETURN QUERY SELECT u.id, s.id, u.token_version, u.role, u.display_name,
                        u.must_change_password
                   FROM users u WHERE u.id = s.user_id AND u.active;
END
$$;

ALTER FUNCTION public.auth_web_session(p_hash bytea, p_idle interval) OWNER TO homeward_owner;

CREATE FUNCTION public.auth_write_quota(p_user uuid, p_session uuid, p_token_version integer, p_every interval, p_burst integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t timestamptz := clock_timestamp();
    tolerance interval := p_every * greatest(p_burst - 1, 0);
    held timestamptz;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM auth_principal(p_user, p_session, p_token_version)) THEN
        RETURN -1;
    END IF;
    INSERT INTO write_quota AS q (user_id, tat) VALUES (p_user, t + p_every)
    ON CONFLICT (user_id) DO UPDATE SET tat = greatest(q.tat, t) + p_every
     WHERE greatest(q.tat, t) - t <= tolerance;
    IF FOUND THEN
        RETURN 0;
    END IF;
    SELECT q.tat INTO held FROM write_quota q WHERE q.user_id = p_user;
    RETURN greatest(1, ceil(extract(epoch FROM held - t - tolerance)))::integer;
END
$$;

ALTER FUNCTION public.auth_write_quota(p_user uuid, p_session uuid, p_token_version integer, p_every interval, p_burst integer) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_access_reason() RETURNS text
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('homeward.access_reason', true), '') $$;

ALTER FUNCTION public.hw_access_reason() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_actions_due(p_days integer) RETURNS TABLE(action_id uuid, owner_agency_id uuid, owner_user_id uuid, due_on date, overdue boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT hw_require_background();
    SELECT a.id, a.owner_agency_id, a.owner_user_id, a.due_on, a.due_on < hw_local_date(now())
      FROM actions a
     WHERE a.status IN ('open', 'in_progress') AND a.due_on <= hw_local_date(now()) + p_days
$$;

ALTER FUNCTION public.hw_actions_due(p_days integer) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_admin_emails() RETURNS TABLE(user_id uuid, email text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT hw_require_background();
    SELECT u.id, u.email FROM users u WHERE u.active AND u.role = 'admin' ORDER BY u.email
$$;

ALTER FUNCTION public.hw_admin_emails() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_agency_digests() RETURNS TABLE(agency_id uuid, mailbox text, open_actions bigint, overdue_actions bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT hw_require_background();
    SELECT g.id, g.mailbox, count(*), count(*) FILTER (WHERE a.due_on < hw_local_date(now()))
      FROM actions a JOIN agencies g ON g.id = a.owner_agency_id
     WHERE g.active AND a.status IN ('open', 'in_progress')
     GROUP BY g.id, g.mailbox
$$;

ALTER FUNCTION public.hw_agency_digests() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_agency_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('homeward.agency_id', true), '')::uuid $$;

ALTER FUNCTION public.hw_agency_id() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_agency_mailbox(p_agency uuid) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT a.mailbox FROM agencies a WHERE a.id = p_agency AND a.active
$$;

ALTER FUNCTION public.hw_agency_mailbox(p_agency uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_anonymous_birth_date(p_persons uuid[], p_dob date) RETURNS date
    LANGUAGE sql
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH moments AS (
        SELECT t.at FROM episodes e, LATERAL (VALUES (e.reported_at), (e.last_seen_at)) AS t (at)
         WHERE e.person_id = ANY (p_persons)
    )
    SELECT CASE
        WHEN p_dob IS NULL OR NOT EXISTS (SELECT 1 FROM moments) THEN NULL
        ELSE coalesce(
            (SELECT p_dob + k FROM generate_series(-366, 366) AS k
              WHERE k <> 0 AND p_dob + k > date '1900-01-01'
                AND NOT EXISTS (SELECT 1 FROM moments m
                                 WHERE hw_child_at(p_dob, m.at) <> hw_child_at(p_dob + k, m.at))
              ORDER BY random() LIMIT 1),
            p_dob)
    END
$$;

ALTER FUNCTION public.hw_anonymous_birth_date(p_persons uuid[], p_dob date) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_audit_consultations(p_actor uuid[], p_session uuid[], p_version integer[], p_record_type text[], p_start integer[], p_count integer[], p_ids uuid[], p_purpose text[], p_request_id text[]) RETURNS integer[]
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
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

ALTER FUNCTION public.hw_audit_consultations(p_actor uuid[], p_session uuid[], p_version integer[], p_record_type text[], p_start integer[], p_count integer[], p_ids uuid[], p_purpose text[], p_request_id text[]) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_audit_digest(p_prev bytea, p_seq bigint, p_occurred_at timestamp with time zone, p_actor_id uuid, p_actor_role text, p_operation text, p_record_type text, p_record_ids uuid[], p_purpose text, p_recipients text[], p_request_id text, p_lawful_basis text, p_purpose_digest bytea) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT sha256(p_prev || convert_to((jsonb_build_array(
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

ALTER FUNCTION public.hw_audit_digest(p_prev bytea, p_seq bigint, p_occurred_at timestamp with time zone, p_actor_id uuid, p_actor_role text, p_operation text, p_record_type text, p_record_ids uuid[], p_purpose text, p_recipients text[], p_request_id text, p_lawful_basis text, p_purpose_digest bytea) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_audit_head() RETURNS TABLE(seq bigint, hash bytea)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$ SELECT h.seq, h.hash FROM audit_chain_head h $$;

ALTER FUNCTION public.hw_audit_head() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_audit_redact_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.purpose IS NOT NULL OR NEW.purpose_salt IS NOT NULL OR OLD.purpose_digest IS NULL
       OR (to_jsonb(NEW) - 'purpose' - 'purpose_salt') IS DISTINCT FROM (to_jsonb(OLD) - 'purpose' - 'purpose_salt') THEN
        RAISE EXCEPTION 'the audit log is append-only: only a purpose may be erased, at disposal'
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;

ALTER FUNCTION public.hw_audit_redact_only() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_audit_seal(p_max integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.hw_audit_seal(p_max integer) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_audit_verify() RETURNS TABLE(checked bigint, head_seq bigint, broken_seq bigint, reason text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.hw_audit_verify() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_child_at(dob date, started timestamp with time zone) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT dob > (hw_local_date(started) - interval '18 years')::date $$;

ALTER FUNCTION public.hw_child_at(dob date, started timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_children_by_month(p_from timestamp with time zone, p_to timestamp with time zone) RETURNS TABLE(month date, district_id uuid, children bigint, episodes bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    v_from date := hw_local_date(p_from);
    v_to date := hw_local_date(p_to);
BEGIN
    PERFORM hw_require_measures_reader();
    IF p_from <> v_from::timestamp AT TIME ZONE hw_force_zone() OR extract(day FROM v_from) <> 1
       OR p_to <> v_to::timestamp AT TIME ZONE hw_force_zone() OR extract(day FROM v_to) <> 1 THEN
        RAISE EXCEPTION 'hw_children_by_month takes whole months of the force''s local time'
            USING ERRCODE = '22023';
    END IF;
    PERFORM hw_measure_catch_up(NULL);
    RETURN QUERY
    SELECT c.month, c.district_id, sum(c.children)::bigint, sum(c.episodes)::bigint
      FROM children_month_counts c
     WHERE c.month >= v_from AND c.month < v_to
     GROUP BY c.month, c.district_id
    HAVING sum(c.episodes) > 0;
END $$;

ALTER FUNCTION public.hw_children_by_month(p_from timestamp with time zone, p_to timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_children_month_refresh(p_persons uuid[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $$
DECLARE
    before children_month_state[];
BEGIN
    SELECT array_agg(s) INTO before FROM children_month_state s WHERE s.person_id = ANY (p_persons);
    DELETE FROM children_month_state s WHERE s.person_id = ANY (p_persons);
    INSERT INTO children_month_state (person_id, month, district_id, children, episodes)
    SELECT * FROM hw_children_month_rows(p_persons);
    INSERT INTO children_month_counts AS c (month, district_id, shard, children, episodes)
    SELECT d.month, d.district_id, d.shard, sum(d.children), sum(d.episodes)
      FROM (SELECT b.month, b.district_id, hw_measure_shard(b.person_id) AS shard,
                   -b.children AS children, -b.episodes AS episodes FROM unnest(before) b
            UNION ALL
            SELECT s.month, s.district_id, hw_measure_shard(s.person_id), s.children, s.episodes
              FROM children_month_state s WHERE s.person_id = ANY (p_persons)) d
     GROUP BY d.month, d.district_id, d.shard
    HAVING sum(d.children) <> 0 OR sum(d.episodes) <> 0
     ORDER BY d.month, d.district_id, d.shard
    ON CONFLICT (month, district_id, shard)
    DO UPDATE SET children = c.children + excluded.children, episodes = c.episodes + excluded.episodes;
END $$;

ALTER FUNCTION public.hw_children_month_refresh(p_persons uuid[]) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_children_month_rows(p_persons uuid[]) RETURNS TABLE(person_id uuid, month date, district_id uuid, children integer, episodes integer)
    LANGUAGE sql STABLE
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $$
    WITH c AS (
        SELECT e.person_id,
               coalesce((SELECT t.from_district_id FROM episode_transfers t
                          WHERE t.episode_id = e.id ORDER BY t.transferred_at, t.id LIMIT 1),
                        e.district_id) AS district,
               e.reported_at,
               date_trunc('month', e.reported_at AT TIME ZONE hw_force_zone())::date AS m
          FROM unnest(p_persons) AS x (id)
               CROSS JOIN LATERAL (SELECT * FROM episodes e WHERE e.person_id = x.id) e
               JOIN persons p ON p.id = e.person_id
         WHERE e.status <> 'cancelled'
           AND hw_child_at(p.date_of_birth, e.reported_at)
    ), latest AS (
        SELECT DISTINCT ON (c.person_id, c.m) c.person_id, c.m, c.district
          FROM c ORDER BY c.person_id, c.m, c.reported_at DESC, c.district DESC
    )
    SELECT x.person_id, x.m, x.district, sum(x.children)::integer, sum(x.episodes)::integer
      FROM (SELECT c.person_id, c.m, c.district, 0 AS children, 1 AS episodes FROM c
            UNION ALL
            SELECT l.person_id, l.m, l.district, 1, 0 FROM latest l) x
     GROUP BY x.person_id, x.m, x.district
$$;

ALTER FUNCTION public.hw_children_month_rows(p_persons uuid[]) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_covers_district(district uuid) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(CASE current_setting('homeward.district_id', true)
                       WHEN '' THEN hw_role() IS NOT NULL
                       ELSE district = current_setting('homeward.district_id', true)::uuid
                   END, false) $$;

ALTER FUNCTION public.hw_covers_district(district uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_covers_every_district() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT current_setting('homeward.district_id', true) = '' AND hw_role() IS NOT NULL $$;

ALTER FUNCTION public.hw_covers_every_district() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_dispose_person(p_person uuid) RETURNS uuid[]
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    target persons%ROWTYPE;
    ids uuid[];
    eps uuid[];
    trgs uuid[];
    refs uuid[];
    acts uuid[];
    shs uuid[];
    others uuid[];
    records uuid[];
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'not permitted: disposal is for data protection officers' USING ERRCODE = '42501';
    END IF;
    -- Locked first: a report, referral, merge or restriction waits for this, and what is
    -- checked below stays true until it commits.
    SELECT * INTO target FROM persons WHERE id = p_person FOR UPDATE;
    IF NOT FOUND OR target.merged_into IS NOT NULL THEN
        RAISE EXCEPTION 'not found: no such person' USING ERRCODE = 'P0002';
    END IF;
    IF target.disposed_at IS NOT NULL THEN
        RAISE EXCEPTION 'disposed: the person''s record was disposed of on %', target.disposed_at::date
            USING ERRCODE = '55000';
    END IF;
    IF target.restricted THEN
        RAISE EXCEPTION 'conflict: the person''s records are restricted; lift the restriction before disposal'
            USING ERRCODE = '55000';
    END IF;
    ids := hw_person_and_merged(p_person);
    -- Their episodes, triggers and referrals locked too: a write under one of them (an
    -- action, a share) share-locks it (hw_parent_state), so one in flight finishes first
    -- and is erased with the rest, and one after finds its parent gone or disposed of.
    PERFORM 1 FROM persons WHERE id = ANY (ids) ORDER BY id FOR UPDATE;
    PERFORM 1 FROM episodes WHERE person_id = ANY (ids) ORDER BY id FOR UPDATE;
    PERFORM 1 FROM triggers WHERE person_id = ANY (ids) ORDER BY id FOR UPDATE;
    PERFORM 1 FROM referrals WHERE person_id = ANY (ids) ORDER BY id FOR UPDATE;
    SELECT r.eps, r.trgs, r.refs, r.acts, r.shs INTO eps, trgs, refs, acts, shs
      FROM hw_records_of(ids) r;
    -- Nothing of theirs (or of a record merged into theirs) may still be in use.
    IF EXISTS (SELECT 1 FROM episodes WHERE id = ANY (eps) AND status NOT IN ('closed', 'cancelled'))
       OR EXISTS (SELECT 1 FROM referrals WHERE id = ANY (refs) AND status NOT IN ('closed', 'declined', 'redirected'))
       OR EXISTS (SELECT 1 FROM triggers WHERE id = ANY (trgs) AND closed_at IS NULL AND withdrawn_at IS NULL)
       OR EXISTS (SELECT 1 FROM actions WHERE id = ANY (acts) AND status IN ('open', 'in_progress')) THEN
        RAISE EXCEPTION 'conflict: the person has an episode, referral, trigger or action still open: the record is in use, not under review'
            USING ERRCODE = '55000';
    END IF;
    IF EXISTS (SELECT 1 FROM subject_access_requests WHERE person_ids && ids AND status = 'open') THEN
        RAISE EXCEPTION 'conflict: a subject access request about the person is still open: decide it before disposal'
            USING ERRCODE = '55000';
    END IF;
    SELECT coalesce(array_agg(x.id), '{}') INTO others FROM (
        SELECT id FROM person_markers WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM placements WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM protocol_profiles WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM person_merges WHERE survivor_id = ANY (ids) OR duplicate_id = ANY (ids)
        UNION ALL SELECT id FROM risk_gradings WHERE episode_id = ANY (eps)
        UNION ALL SELECT id FROM supervisor_reviews WHERE episode_id = ANY (eps)
        UNION ALL SELECT id FROM episode_transfers WHERE episode_id = ANY (eps)
        UNION ALL SELECT id FROM triage_meetings WHERE referral_id = ANY (refs)
        UNION ALL SELECT id FROM subject_access_requests WHERE person_ids && ids
        UNION ALL SELECT id FROM restrictions WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM rectification_notes WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM retention_decisions WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM outbox WHERE record_id = ANY (ids || eps || trgs || refs || acts || shs)
    ) x;
    records := ids || eps || trgs || refs || acts || shs || others;

    -- What no measure or dataset counts: deleted, children first.
    DELETE FROM actions WHERE id = ANY (acts);
    DELETE FROM shares WHERE id = ANY (shs);
    DELETE FROM triage_meetings WHERE referral_id = ANY (refs);
    DELETE FROM intervention_plans WHERE referral_id = ANY (refs);
    DELETE FROM referrals WHERE id = ANY (refs);
    DELETE FROM trigger_plans WHERE trigger_id = ANY (trgs);
    DELETE FROM triggers WHERE id = ANY (trgs);
    DELETE FROM risk_gradings WHERE episode_id = ANY (eps);
    DELETE FROM supervisor_reviews WHERE episode_id = ANY (eps);
    DELETE FROM prevention_interviews WHERE episode_id = ANY (eps);
    DELETE FROM return_home_interviews WHERE episode_id = ANY (eps);
    DELETE FROM episode_alerts WHERE episode_id = ANY (eps);
    DELETE FROM protocol_profiles WHERE person_id = ANY (ids);
    DELETE FROM person_merge_moves WHERE merge_id IN
        (SELECT id FROM person_merges WHERE survivor_id = ANY (ids) OR duplicate_id = ANY (ids));
    DELETE FROM person_merges WHERE survivor_id = ANY (ids) OR duplicate_id = ANY (ids);

    -- What the measures and datasets count: kept, with nothing that says who or what.
    UPDATE episodes
       SET reporter_details = '', last_seen_location = '[erased]', circumstances = '',
           cancelled_reason = CASE WHEN cancelled_reason IS NULL THEN NULL ELSE '[erased]' END,
           no_interview_reason = NULL,
           ukmpu_reference = CASE WHEN ukmpu_reference IS NULL THEN NULL ELSE '[erased]' END,
           pnc_reference = CASE WHEN pnc_reference IS NULL THEN NULL ELSE '[erased]' END,
           next_review_due = NULL, disposed_at = now(), updated_at = now()
     WHERE id = ANY (eps);
    UPDATE episode_returns
       SET location = '[erased]', found_by = '', harm_details = ''
     WHERE episode_id = ANY (eps);
    UPDATE episode_transfers SET reason = '[erased]' WHERE episode_id = ANY (eps);
    UPDATE person_markers
       SET source = '[erased]', details = '',
           ended_reason = CASE WHEN ended_reason IS NULL THEN NULL ELSE '[erased]' END
     WHERE person_id = ANY (ids);
    -- The authorities are councils' codes (out_of_area is derived from them), not about
    -- the person; the provider may name a family or carer.
    UPDATE placements SET provider = '' WHERE person_id = ANY (ids);
    UPDATE persons
       SET given_name = '[erased]', family_name = '[erased]', aliases = '{}', search_names = '',
           date_of_birth = hw_anonymous_birth_date(ids, date_of_birth),
           home_district_id = NULL, local_authority = NULL,
           disposed_at = now(), updated_at = now(), version = version + 1
     WHERE id = ANY (ids);

    -- Records about them, kept as what was done and when.
    UPDATE retention_decisions
       SET note = CASE WHEN reason = 'other' THEN '[erased]' ELSE NULL END
     WHERE person_id = ANY (ids);
    UPDATE restrictions
       SET reason = '[erased]', lift_reason = CASE WHEN lift_reason IS NULL THEN NULL ELSE '[erased]' END
     WHERE person_id = ANY (ids);
    UPDATE rectification_notes SET request = '[erased]', outcome = '[erased]' WHERE person_id = ANY (ids);
    -- A decided request about them alone keeps its dates and outcome; one that also named
    -- others keeps those others and loses them (its bundle, a copy of what was released,
    -- goes: the release itself stays on the audit log).
    UPDATE subject_access_requests
       SET requester = '[erased]', reason = '[erased]', bundle = '{}'::jsonb,
           extension_reason = CASE WHEN extension_reason IS NULL THEN NULL ELSE '[erased]' END,
           decision_note = CASE WHEN decision_note IS NULL THEN NULL ELSE '[erased]' END
     WHERE person_ids <@ ids;
    UPDATE subject_access_requests s
       SET person_ids = (SELECT array_agg(x ORDER BY x) FROM unnest(s.person_ids) x WHERE x <> ALL (ids)),
           bundle = '{}'::jsonb
     WHERE s.person_ids && ids AND NOT s.person_ids <@ ids;
    UPDATE outbox
       SET subject = '[erased]', body_text = '', body_html = '',
           status = CASE WHEN status IN ('pending', 'sending') THEN 'dead' ELSE status END,
           dead_at = CASE WHEN status IN ('pending', 'sending') THEN now() ELSE dead_at END,
           locked_by = CASE WHEN status IN ('pending', 'sending') THEN NULL ELSE locked_by END,
           locked_until = CASE WHEN status IN ('pending', 'sending') THEN NULL ELSE locked_until END,
           last_error = CASE WHEN status IN ('pending', 'sending') THEN 'not sent: the record was disposed of'
                             ELSE last_error END
     WHERE record_id = ANY (ids || eps || trgs || refs || acts || shs);
    -- Purposes written about them (a share's, a request's X-Purpose) may name them: erased
    -- from the audit log, whose chain covers their digests (the caller sealed the queue).
    UPDATE audit_log SET purpose = NULL, purpose_salt = NULL
     WHERE record_ids && records AND purpose IS NOT NULL AND purpose_digest IS NOT NULL;
    RETURN records;
END $$;

ALTER FUNCTION public.hw_dispose_person(p_person uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_district_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('homeward.district_id', true), '')::uuid $$;

ALTER FUNCTION public.hw_district_id() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_dpo_emails() RETURNS TABLE(user_id uuid, email text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT hw_require_background();
    SELECT u.id, u.email FROM users u WHERE u.active AND u.role = 'dpo' ORDER BY u.email
$$;

ALTER FUNCTION public.hw_dpo_emails() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_episode_former_districts_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF hw_role() IS NOT NULL AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'not permitted: an episode''s former districts are kept from its transfers'
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;

ALTER FUNCTION public.hw_episode_former_districts_guard() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_episode_reference(p_code text, p_year integer, p_sequence integer) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT p_code || '-'
          || CASE WHEN p_year >= 1000 THEN p_year::text ELSE lpad(p_year::text, 4, '0') END || '-'
          || CASE WHEN p_sequence >= 100000 THEN p_sequence::text ELSE lpad(p_sequence::text, 6, '0') END $$;

ALTER FUNCTION public.hw_episode_reference(p_code text, p_year integer, p_sequence integer) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_episode_reference_required() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM episodes WHERE id = NEW.id AND reference IS NULL) THEN
        RAISE EXCEPTION 'episode % would commit without a reference number', NEW.id
            USING ERRCODE = '23502';
    END IF;
    RETURN NULL;
END
$$;

ALTER FUNCTION public.hw_episode_reference_required() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_episode_take_reference(p_district uuid, p_year integer) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_code text;
    v_sequence integer;
BEGIN
    SELECT d.code INTO STRICT v_code FROM districts d WHERE d.id = p_district;
    INSERT INTO episode_reference_counters AS c (district_id, year, last_value)
    VALUES (p_district, p_year, 1)
    ON CONFLICT (district_id, year) DO UPDATE SET last_value = c.last_value + 1
    RETURNING c.last_value INTO v_sequence;
    RETURN hw_episode_reference(v_code, p_year, v_sequence);
END
$$;

ALTER FUNCTION public.hw_episode_take_reference(p_district uuid, p_year integer) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_episode_touch_by_provider(p_episode uuid, p_version integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    v integer;
BEGIN
    IF NOT (coalesce(hw_role() = 'partner', false)
            AND hw_shared_with_caller('episode', p_episode, 'return_interview')
            AND EXISTS (SELECT 1 FROM return_home_interviews r
                         WHERE r.episode_id = p_episode AND r.provider_agency_id = hw_agency_id())) THEN
        RAISE EXCEPTION 'not permitted: only the interview provider''s partners, with the interview shared' USING ERRCODE = '42501';
    END IF;
    UPDATE episodes SET version = version + 1, updated_at = now()
     WHERE id = p_episode AND version = p_version
    RETURNING version INTO v;
    RETURN v;
END $$;

ALTER FUNCTION public.hw_episode_touch_by_provider(p_episode uuid, p_version integer) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_episode_transfers_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    v_episode uuid := coalesce(NEW.episode_id, OLD.episode_id);
BEGIN
    UPDATE episodes e
       SET former_district_ids = coalesce(
               (SELECT array_agg(DISTINCT t.from_district_id ORDER BY t.from_district_id)
                  FROM episode_transfers t WHERE t.episode_id = v_episode), '{}')
     WHERE e.id = v_episode;
    RETURN NULL;
END $$;

ALTER FUNCTION public.hw_episode_transfers_changed() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_episodes_one_open() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.hw_episodes_one_open() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_first_time_children(p_from timestamp with time zone, p_to timestamp with time zone) RETURNS TABLE(episode_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT coalesce(hw_role() IN ('mfhc', 'supervisor'), false) THEN
        RAISE EXCEPTION 'not permitted: dataset rows are for coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT f.episode_id FROM hw_first_time_children_in(p_from, p_to) f;
END $$;

ALTER FUNCTION public.hw_first_time_children(p_from timestamp with time zone, p_to timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_first_time_children_in(p_from timestamp with time zone, p_to timestamp with time zone) RETURNS TABLE(episode_id uuid, person_id uuid, district_id uuid, looked_after boolean)
    LANGUAGE sql STABLE
    AS $$
    SELECT f.id, f.person_id, f.district_id, f.looked_after
      FROM (SELECT DISTINCT ON (e.person_id) e.id, e.person_id, e.district_id, e.reported_at, e.looked_after
              FROM episodes e
             WHERE e.status <> 'cancelled' AND e.reported_at >= p_from AND e.reported_at < p_to
             ORDER BY e.person_id, e.reported_at, e.id) f
      JOIN persons p ON p.id = f.person_id
     WHERE hw_child_at(p.date_of_birth, f.reported_at)
       AND NOT EXISTS (SELECT 1 FROM episodes x
                        WHERE x.person_id = f.person_id AND x.status <> 'cancelled' AND x.reported_at < p_from)
$$;

ALTER FUNCTION public.hw_first_time_children_in(p_from timestamp with time zone, p_to timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_first_time_children_summary(p_from timestamp with time zone, p_to timestamp with time zone) RETURNS TABLE(district_id uuid, children bigint, looked_after bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM hw_require_measures_reader();
    RETURN QUERY
    SELECT f.district_id, count(*), count(*) FILTER (WHERE f.looked_after)
      FROM hw_first_time_children_in(p_from, p_to) f GROUP BY f.district_id;
END $$;

ALTER FUNCTION public.hw_first_time_children_summary(p_from timestamp with time zone, p_to timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_first_transfers() RETURNS TABLE(episode_id uuid, from_district_id uuid)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT DISTINCT ON (t.episode_id) t.episode_id, t.from_district_id
      FROM episode_transfers t ORDER BY t.episode_id, t.transferred_at, t.id
$$;

ALTER FUNCTION public.hw_first_transfers() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_force_zone() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT 'Europe/London'::text $$;

ALTER FUNCTION public.hw_force_zone() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_hidden_by_restriction(p_table text, p_id uuid) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $_$
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
END $_$;

ALTER FUNCTION public.hw_hidden_by_restriction(p_table text, p_id uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_hospital_summary(p_since timestamp with time zone) RETURNS TABLE(district_id uuid, age_group text, episodes bigint, persons bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM hw_require_measures_reader();
    RETURN QUERY
    SELECT e.district_id,
           CASE WHEN p.date_of_birth IS NULL THEN 'unknown'
                WHEN hw_child_at(p.date_of_birth, e.reported_at) THEN 'child' ELSE 'adult' END,
           count(*), count(DISTINCT e.person_id)
      FROM episodes e JOIN persons p ON p.id = e.person_id
     WHERE e.status <> 'cancelled' AND e.reported_at >= p_since AND e.missing_from = 'hospital_or_medical'
     GROUP BY 1, 2;
END $$;

ALTER FUNCTION public.hw_hospital_summary(p_since timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_is_admin() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(hw_role() = 'admin', false) $$;

ALTER FUNCTION public.hw_is_admin() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_is_authenticated() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT hw_role() IS NOT NULL $$;

ALTER FUNCTION public.hw_is_authenticated() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_is_case_worker() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(hw_role() IN ('supervisor', 'mfhc', 'early_action'), false) $$;

ALTER FUNCTION public.hw_is_case_worker() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_is_dpo() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(hw_role() = 'dpo', false) $$;

ALTER FUNCTION public.hw_is_dpo() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_is_operational() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(hw_role() IN ('officer', 'supervisor', 'mfhc'), false) $$;

ALTER FUNCTION public.hw_is_operational() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_local_date(t timestamp with time zone) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (t AT TIME ZONE hw_force_zone())::date $$;

ALTER FUNCTION public.hw_local_date(t timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_looked_after_summary(p_since timestamp with time zone) RETURNS TABLE(district_id uuid, placement_kind text, out_of_area boolean, episodes bigint, persons bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM hw_require_measures_reader();
    RETURN QUERY
    SELECT e.district_id, coalesce(pl.kind, 'not_recorded'), pl.out_of_area, count(*), count(DISTINCT e.person_id)
      FROM episodes e LEFT JOIN placements pl ON pl.id = e.placement_id
     WHERE e.status <> 'cancelled' AND e.reported_at >= p_since
       AND e.missing_from = 'care_placement' AND e.looked_after
     GROUP BY 1, 2, 3;
END $$;

ALTER FUNCTION public.hw_looked_after_summary(p_since timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_measure_catch_up(p_max integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $$
DECLARE
    taken integer;
    touched uuid[];
BEGIN
    WITH t AS (
        DELETE FROM measure_pending
         WHERE id IN (SELECT p.id FROM measure_pending p ORDER BY p.id LIMIT p_max FOR UPDATE)
        RETURNING person_id
    )
    SELECT count(*), array_agg(DISTINCT t.person_id) INTO taken, touched FROM t;
    IF taken > 0 THEN
        PERFORM hw_measure_refresh(touched);
    END IF;
    RETURN taken;
END
$$;

ALTER FUNCTION public.hw_measure_catch_up(p_max integer) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_measure_definition_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM hw_measure_refresh(NULL);
    RETURN NULL;
END $$;

ALTER FUNCTION public.hw_measure_definition_changed() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_measure_episode_updated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM hw_measure_refresh_later(ARRAY[OLD.person_id, NEW.person_id]);
    RETURN NULL;
END $$;

ALTER FUNCTION public.hw_measure_episode_updated() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_measure_episodes_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    touched uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT n.person_id) INTO touched FROM new_rows n;
    ELSE
        SELECT array_agg(DISTINCT o.person_id) INTO touched FROM old_rows o;
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM hw_measure_refresh_later(touched);
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.hw_measure_episodes_changed() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_measure_persons_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    touched uuid[];
BEGIN
    SELECT array_agg(n.id) INTO touched
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.date_of_birth IS DISTINCT FROM n.date_of_birth;
    IF touched IS NOT NULL THEN
        PERFORM hw_measure_refresh_later(touched);
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.hw_measure_persons_changed() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_measure_rebuild() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $$
BEGIN
    PERFORM hw_measure_refresh(NULL);
    LOCK TABLE children_month_state, children_month_counts IN EXCLUSIVE MODE;
    DELETE FROM children_month_state;
    DELETE FROM children_month_counts;
    INSERT INTO children_month_state (person_id, month, district_id, children, episodes)
    SELECT * FROM hw_children_month_rows(ARRAY(SELECT DISTINCT e.person_id FROM episodes e));
    INSERT INTO children_month_counts (month, district_id, shard, children, episodes)
    SELECT s.month, s.district_id, hw_measure_shard(s.person_id), sum(s.children), sum(s.episodes)
      FROM children_month_state s GROUP BY 1, 2, 3;
END $$;

ALTER FUNCTION public.hw_measure_rebuild() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_measure_refresh(p_persons uuid[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $$
DECLARE
    before hw_measure_key[];
    v_version integer;
BEGIN
    IF p_persons IS NULL THEN
        LOCK TABLE measure_repeat_state, measure_repeat_counts IN EXCLUSIVE MODE;
        DELETE FROM measure_repeat_state;
        DELETE FROM measure_repeat_counts;
        INSERT INTO measure_repeat_state (definition_version, period_end, age_group, person_id, district_id)
        SELECT * FROM hw_measure_state_rows(ARRAY(SELECT DISTINCT e.person_id FROM episodes e));
        INSERT INTO measure_repeat_counts (definition_version, period_end, age_group, district_id, shard, persons)
        SELECT s.definition_version, s.period_end, s.age_group, s.district_id, hw_measure_shard(s.person_id), count(*)
          FROM measure_repeat_state s GROUP BY 1, 2, 3, 4, 5;
        RETURN;
    END IF;
    IF cardinality(p_persons) = 0 THEN
        RETURN;
    END IF;
    LOCK TABLE measure_repeat_state, measure_repeat_counts IN ROW EXCLUSIVE MODE;
    v_version := (SELECT max(d.version) FROM measure_definitions d);
    -- Refreshes of one person take turns (each moves the counts by the difference between
    -- what it finds before and after), taking their locks in one order so that two never
    -- deadlock. Advisory locks, not the persons' rows: writers never wait for a refresh.
    PERFORM pg_advisory_xact_lock(hashtext('hw_measure_refresh'), s.k)
       FROM (SELECT DISTINCT hashtext(x::text) AS k FROM unnest(p_persons) AS x ORDER BY 1) s;
    SELECT array_agg(ROW(s.period_end, s.age_group, s.district_id, hw_measure_shard(s.person_id))::hw_measure_key)
      INTO before FROM measure_repeat_state s WHERE s.person_id = ANY (p_persons);
    DELETE FROM measure_repeat_state s WHERE s.person_id = ANY (p_persons);
    INSERT INTO measure_repeat_state (definition_version, period_end, age_group, person_id, district_id)
    SELECT * FROM hw_measure_state_rows(p_persons);
    INSERT INTO measure_repeat_counts AS c (definition_version, period_end, age_group, district_id, shard, persons)
    SELECT v_version, d.period_end, d.age_group, d.district_id, d.shard, sum(d.n)
      FROM (SELECT b.period_end, b.age_group, b.district_id, b.shard, -1 AS n FROM unnest(before) b
            UNION ALL
            SELECT s.period_end, s.age_group, s.district_id, hw_measure_shard(s.person_id), 1
              FROM measure_repeat_state s WHERE s.person_id = ANY (p_persons)) d
     GROUP BY d.period_end, d.age_group, d.district_id, d.shard
    HAVING sum(d.n) <> 0
     ORDER BY d.period_end, d.age_group, d.district_id, d.shard
    ON CONFLICT (definition_version, period_end, age_group, district_id, shard)
    DO UPDATE SET persons = c.persons + excluded.persons;
    PERFORM hw_children_month_refresh(p_persons);
END $$;

ALTER FUNCTION public.hw_measure_refresh(p_persons uuid[]) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_measure_refresh_later(p_persons uuid[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    INSERT INTO measure_pending (person_id) SELECT DISTINCT x FROM unnest(p_persons) AS x;
END
$$;

ALTER FUNCTION public.hw_measure_refresh_later(p_persons uuid[]) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_measure_shard(p_person uuid) RETURNS smallint
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT (abs(hashtext(p_person::text)) % 16)::smallint $$;

ALTER FUNCTION public.hw_measure_shard(p_person uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_measure_state_rows(p_persons uuid[]) RETURNS TABLE(definition_version integer, period_end date, age_group text, person_id uuid, district_id uuid)
    LANGUAGE sql STABLE
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $$
    WITH def AS (
        SELECT d.version, d.repeat_threshold, d.window_months, d.count_hospital,
               d.episode_start = 'last_seen' AS by_last_seen
          FROM measure_definitions d ORDER BY d.version DESC LIMIT 1
    ), episode AS (
        SELECT e.*, CASE WHEN def.by_last_seen THEN e.last_seen_at ELSE e.reported_at END AS started
          -- Person by person through the index, whatever the planner guesses of the array.
          FROM def, unnest(p_persons) AS x (id)
               CROSS JOIN LATERAL (SELECT * FROM episodes e WHERE e.person_id = x.id) e
         WHERE e.status <> 'cancelled'
           AND (def.count_hospital OR e.missing_from <> 'hospital_or_medical')
    ), counted AS (
        SELECT e.person_id,
               coalesce((SELECT t.from_district_id FROM episode_transfers t
                          WHERE t.episode_id = e.id ORDER BY t.transferred_at, t.id LIMIT 1),
                        e.district_id) AS district,
               e.started,
               date_trunc('month', e.started AT TIME ZONE hw_force_zone()) AS month,
               CASE WHEN hw_child_at(p.date_of_birth, e.started)
                    THEN 'child' ELSE 'adult' END AS grp
          FROM episode e JOIN persons p ON p.id = e.person_id
         WHERE p.date_of_birth IS NOT NULL
    ), enough AS (
        SELECT c.*, count(*) OVER (PARTITION BY c.person_id, c.grp) AS total FROM counted c
    )
    SELECT def.version,
           (c.month + make_interval(months => k + 1) - interval '1 day')::date AS period_end,
           c.grp, c.person_id,
           (array_agg(c.district ORDER BY c.started DESC, c.district DESC))[1]
      FROM def, enough c, generate_series(0, def.window_months - 1) AS k
     WHERE c.total >= def.repeat_threshold
     GROUP BY def.version, def.repeat_threshold, 2, c.grp, c.person_id
    HAVING count(*) >= def.repeat_threshold
$$;

ALTER FUNCTION public.hw_measure_state_rows(p_persons uuid[]) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_measure_transfers_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    touched uuid[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT e.person_id) INTO touched
          FROM old_rows o JOIN episodes e ON e.id = o.episode_id;
    ELSE
        SELECT array_agg(DISTINCT e.person_id) INTO touched
          FROM new_rows n JOIN episodes e ON e.id = n.episode_id;
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM hw_measure_refresh_later(touched);
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.hw_measure_transfers_changed() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_mfhc_digests() RETURNS TABLE(user_id uuid, email text, district_id uuid, open_high_risk bigint, triggers_unacknowledged bigint, interviews_overdue bigint, actions_overdue bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT hw_require_background();
    SELECT u.id, u.email, u.district_id,
           (SELECT count(*) FROM episodes e WHERE e.district_id = u.district_id
               AND e.status IN ('reported', 'active') AND e.risk_level = 'high'),
           (SELECT count(*) FROM triggers t WHERE t.district_id = u.district_id AND t.status = 'open'),
           (SELECT count(*) FROM return_home_interviews r JOIN episodes e ON e.id = r.episode_id
             WHERE e.district_id = u.district_id AND r.status IN ('pending', 'offered', 'accepted')
               AND r.due_at < now()),
           (SELECT count(*) FROM actions a WHERE a.district_id = u.district_id
               AND a.status IN ('open', 'in_progress') AND a.due_on < hw_local_date(now()))
      FROM users u LEFT JOIN notification_preferences np ON np.user_id = u.id
     WHERE u.active AND u.role = 'mfhc' AND u.district_id IS NOT NULL AND coalesce(np.daily_digest, true)
$$;

ALTER FUNCTION public.hw_mfhc_digests() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_missing_persons_summary(p_since timestamp with time zone) RETURNS TABLE(district_id uuid, age_group text, persons bigint, episodes bigint, repeat_persons bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT hw_reads_measures() THEN
        RAISE EXCEPTION 'not permitted: datasets are for analysts, coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH counted AS (
        SELECT e.person_id, e.district_id, e.reported_at,
               CASE WHEN p.date_of_birth IS NULL THEN 'unknown'
                    WHEN hw_child_at(p.date_of_birth, e.reported_at)
                    THEN 'child' ELSE 'adult' END AS grp
          FROM episodes e JOIN persons p ON p.id = e.person_id
         WHERE e.status <> 'cancelled' AND e.reported_at >= p_since
    ), per AS (
        SELECT c.person_id, count(*) AS n,
               (array_agg(c.district_id ORDER BY c.reported_at DESC, c.district_id DESC))[1] AS district,
               (array_agg(c.grp ORDER BY c.reported_at DESC, c.district_id DESC))[1] AS grp
          FROM counted c GROUP BY c.person_id
    )
    SELECT per.district, per.grp, count(*), sum(per.n)::bigint, count(*) FILTER (WHERE per.n >= 2)
      FROM per GROUP BY per.district, per.grp;
END $$;

ALTER FUNCTION public.hw_missing_persons_summary(p_since timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_national_overdue(p_ukmpu interval, p_pnc interval) RETURNS TABLE(episode_id uuid, reference text, district_id uuid, kind text, due_at timestamp with time zone)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM hw_require_background();
    RETURN QUERY
    WITH due AS (
        SELECT e.id, e.reference, e.district_id, 'ukmpu'::text AS kind, e.reported_at + p_ukmpu AS due_at
          FROM episodes e
         WHERE e.status IN ('reported', 'active') AND e.ukmpu_notified_at IS NULL
           AND e.reported_at < now() - p_ukmpu
        UNION ALL
        SELECT e.id, e.reference, e.district_id, 'pnc'::text, e.reported_at + p_pnc
          FROM episodes e
         WHERE e.status IN ('reported', 'active') AND e.pnc_recorded_at IS NULL
           AND e.reported_at < now() - p_pnc
    ), marked AS (
        INSERT INTO episode_alerts (episode_id, alert)
        SELECT d.id, d.kind || '_overdue' FROM due d
        ON CONFLICT DO NOTHING
        RETURNING episode_alerts.episode_id, episode_alerts.alert
    )
    SELECT d.id, d.reference::text, d.district_id, d.kind, d.due_at
      FROM due d JOIN marked m ON m.episode_id = d.id AND m.alert = d.kind || '_overdue'
     ORDER BY d.due_at, d.id;
END
$$;

ALTER FUNCTION public.hw_national_overdue(p_ukmpu interval, p_pnc interval) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_notification_gap(p_event_key text, p_event text) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    INSERT INTO notification_gaps AS g (event_key, event) VALUES (left(p_event_key, 300), p_event)
    ON CONFLICT (event_key) DO UPDATE SET last_seen_at = now(), times = g.times + 1
    RETURNING g.times = 1
$$;

ALTER FUNCTION public.hw_notification_gap(p_event_key text, p_event text) OWNER TO homeward_owner;

CREATE TABLE public.outbox (
    id uuid NOT NULL,
    event text NOT NULL,
    event_key text NOT NULL,
    recipient text NOT NULL,
    recipient_kind text NOT NULL,
    subject text NOT NULL,
    body_text text NOT NULL,
    body_html text NOT NULL,
    record_type text,
    record_id uuid,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    locked_by text,
    locked_until timestamp with time zone,
    last_error text,
    message_id text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    dead_at timestamp with time zone,
    CONSTRAINT outbox_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT outbox_check CHECK (((status = 'sending'::text) = ((locked_by IS NOT NULL) AND (locked_until IS NOT NULL)))),
    CONSTRAINT outbox_check1 CHECK (((status = 'sent'::text) = (sent_at IS NOT NULL))),
    CONSTRAINT outbox_check2 CHECK (((status = 'dead'::text) = (dead_at IS NOT NULL))),
    CONSTRAINT outbox_event_check CHECK ((event = ANY (ARRAY['high_risk_episode'::text, 'trigger_fired'::text, 'trigger_escalated'::text, 'return_interview_due'::text, 'return_interview_overdue'::text, 'record_shared'::text, 'action_assigned'::text, 'action_due_soon'::text, 'action_overdue'::text, 'review_overdue'::text, 'looked_after_missing_out_of_area'::text, 'mfhc_digest'::text, 'agency_digest'::text, 'dead_letter'::text, 'national_notification_overdue'::text, 'security_alert'::text, 'subject_access_due'::text, 'subject_access_overdue'::text]))),
    CONSTRAINT outbox_event_key_check CHECK (((length(event_key) >= 1) AND (length(event_key) <= 300))),
    CONSTRAINT outbox_last_error_check CHECK ((length(last_error) <= 2000)),
    CONSTRAINT outbox_recipient_check CHECK (((length(recipient) >= 3) AND (length(recipient) <= 254))),
    CONSTRAINT outbox_recipient_kind_check CHECK ((recipient_kind = ANY (ARRAY['user'::text, 'agency'::text, 'authority'::text]))),
    CONSTRAINT outbox_record_type_check CHECK (((length(record_type) >= 1) AND (length(record_type) <= 60))),
    CONSTRAINT outbox_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'sending'::text, 'sent'::text, 'dead'::text]))),
    CONSTRAINT outbox_subject_check CHECK (((length(subject) >= 1) AND (length(subject) <= 300)))
);

ALTER TABLE ONLY public.outbox FORCE ROW LEVEL SECURITY;

ALTER TABLE public.outbox OWNER TO homeward_owner;

CREATE FUNCTION public.hw_outbox_claim(p_worker text, p_limit integer, p_lease_secs integer) RETURNS SETOF public.outbox
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT hw_require_background();
    WITH live AS MATERIALIZED (SELECT hw_outbox_live_workers() AS id)
    UPDATE outbox o
       SET status = 'sending', locked_by = p_worker,
           locked_until = now() + make_interval(secs => p_lease_secs), attempts = o.attempts + 1
     WHERE hw_outbox_lock_id(p_worker) IN (SELECT id FROM live)
       AND o.id IN (SELECT c.id FROM outbox c
                     WHERE (c.status = 'pending' AND c.next_attempt_at <= now())
                        OR (c.status = 'sending'
                            AND (c.locked_until < now()
                                 OR hw_outbox_lock_id(c.locked_by) NOT IN (SELECT id FROM live)))
                     ORDER BY c.next_attempt_at, c.id
                     LIMIT p_limit
                     FOR UPDATE SKIP LOCKED)
    RETURNING o.*
$$;

ALTER FUNCTION public.hw_outbox_claim(p_worker text, p_limit integer, p_lease_secs integer) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_outbox_failed(p_id uuid, p_worker text, p_error text, p_retry_at timestamp with time zone) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM hw_require_background();
    UPDATE outbox
       SET status = CASE WHEN p_retry_at IS NULL THEN 'dead' ELSE 'pending' END,
           next_attempt_at = coalesce(p_retry_at, next_attempt_at),
           dead_at = CASE WHEN p_retry_at IS NULL THEN now() END,
           last_error = left(p_error, 2000), locked_by = NULL, locked_until = NULL
     WHERE id = p_id AND status = 'sending' AND locked_by = p_worker;
    RETURN FOUND;
END $$;

ALTER FUNCTION public.hw_outbox_failed(p_id uuid, p_worker text, p_error text, p_retry_at timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_outbox_live_workers() RETURNS SETOF oid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$ SELECT l.objid FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
      AND l.classid = 1213484872::oid $$;

ALTER FUNCTION public.hw_outbox_live_workers() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_outbox_lock_id(p_worker text) RETURNS oid
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT (hashtext(p_worker)::bigint & 4294967295)::oid $$;

ALTER FUNCTION public.hw_outbox_lock_id(p_worker text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_outbox_present(p_worker text) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM hw_require_background();
    IF NOT pg_try_advisory_lock(1213484872, hashtext(p_worker)) THEN
        RAISE EXCEPTION 'worker % is already present in another session', p_worker
            USING ERRCODE = '55P03';
    END IF;
END
$$;

ALTER FUNCTION public.hw_outbox_present(p_worker text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_outbox_release(p_id uuid, p_worker text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM hw_require_background();
    UPDATE outbox SET status = 'pending', locked_by = NULL, locked_until = NULL,
                      attempts = greatest(attempts - 1, 0)
     WHERE id = p_id AND status = 'sending' AND locked_by = p_worker;
    RETURN FOUND;
END $$;

ALTER FUNCTION public.hw_outbox_release(p_id uuid, p_worker text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_outbox_sent(p_ids uuid[], p_worker text) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT hw_require_background();
    WITH done AS (
        UPDATE outbox SET status = 'sent', sent_at = now(), locked_by = NULL, locked_until = NULL, last_error = NULL
         WHERE id = ANY (p_ids) AND status = 'sending' AND locked_by = p_worker
        RETURNING 1)
    SELECT count(*)::integer FROM done
$$;

ALTER FUNCTION public.hw_outbox_sent(p_ids uuid[], p_worker text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_outbox_worker_alive(p_worker text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$ SELECT hw_outbox_lock_id(p_worker) IN (SELECT hw_outbox_live_workers()) $$;

ALTER FUNCTION public.hw_outbox_worker_alive(p_worker text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_overdue_return_interviews() RETURNS TABLE(episode_id uuid, reference text, district_id uuid, due_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT hw_require_background();
    SELECT e.id, e.reference, e.district_id, r.due_at
      FROM return_home_interviews r JOIN episodes e ON e.id = r.episode_id
     WHERE r.status IN ('pending', 'offered', 'accepted') AND r.due_at < now()
$$;

ALTER FUNCTION public.hw_overdue_return_interviews() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_overdue_reviews() RETURNS TABLE(episode_id uuid, reference text, district_id uuid, next_review_due timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT hw_require_background();
    SELECT e.id, e.reference, e.district_id, e.next_review_due
      FROM episodes e
     WHERE e.next_review_due IS NOT NULL AND e.next_review_due < now()
$$;

ALTER FUNCTION public.hw_overdue_reviews() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_parent_state(p_table text, p_id uuid) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.hw_parent_state(p_table text, p_id uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_person_and_merged(p_person uuid) RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH RECURSIVE family (id) AS (
        SELECT p.id FROM persons p WHERE p.id = p_person
        UNION
        SELECT p.id FROM persons p JOIN family f ON p.merged_into = f.id
    )
    SELECT coalesce(array_agg(f.id ORDER BY f.id), '{}') FROM family f
$$;

ALTER FUNCTION public.hw_person_and_merged(p_person uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_person_changes(p_person uuid) RETURNS TABLE(seq bigint, occurred_at timestamp with time zone, actor_id uuid, actor_role text, operation text, record_type text, record_ids uuid[], purpose text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.hw_person_changes(p_person uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_person_disposed_at(p_person uuid) RETURNS timestamp with time zone
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT p.disposed_at FROM persons p
     WHERE p.id = p_person
       AND coalesce(hw_role() IN ('officer', 'supervisor', 'mfhc', 'early_action', 'dpo'), false)
$$;

ALTER FUNCTION public.hw_person_disposed_at(p_person uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_person_episode_spans(p_person uuid) RETURNS TABLE(id uuid, reference text, district_id uuid, status text, last_seen_at timestamp with time zone, returned_at timestamp with time zone)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT hw_is_operational() THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT e.id, e.reference::text, e.district_id, e.status::text, e.last_seen_at, r.returned_at
          FROM episodes e
          LEFT JOIN episode_returns r ON r.episode_id = e.id
         WHERE e.person_id = p_person AND e.status <> 'cancelled'
         ORDER BY e.last_seen_at, e.id;
END
$$;

ALTER FUNCTION public.hw_person_episode_spans(p_person uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_person_merge_apply(p_merge uuid, p_undo boolean) RETURNS TABLE(record_type text, record_id uuid)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
#variable_conflict use_column
DECLARE
    m person_merges;
BEGIN
    IF NOT coalesce(hw_role() IN ('mfhc', 'supervisor'), false) THEN
        RAISE EXCEPTION 'only MFHCs and supervisors merge person records' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO m FROM person_merges WHERE id = p_merge FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such merge' USING ERRCODE = '42501';
    END IF;
    IF NOT p_undo THEN
        IF m.merged_by <> hw_user_id() OR m.undone_at IS NOT NULL
           OR EXISTS (SELECT 1 FROM person_merge_moves mv WHERE mv.merge_id = p_merge) THEN
            RAISE EXCEPTION 'merge % is not being recorded by this user', p_merge USING ERRCODE = '42501';
        END IF;
        RETURN QUERY
        WITH e AS (UPDATE episodes SET person_id = m.survivor_id, version = version + 1, updated_at = now()
                    WHERE person_id = m.duplicate_id RETURNING 'episode'::text AS t, id),
             k AS (UPDATE person_markers SET person_id = m.survivor_id, version = version + 1, updated_at = now()
                    WHERE person_id = m.duplicate_id RETURNING 'marker'::text AS t, id),
             p AS (UPDATE placements SET person_id = m.survivor_id, version = version + 1, updated_at = now()
                    WHERE person_id = m.duplicate_id RETURNING 'placement'::text AS t, id),
             -- A protocol the survivor already has stays with the duplicate's record.
             f AS (UPDATE protocol_profiles pp SET person_id = m.survivor_id, version = pp.version + 1, updated_at = now()
                    WHERE pp.person_id = m.duplicate_id
                      AND NOT EXISTS (SELECT 1 FROM protocol_profiles s
                                       WHERE s.person_id = m.survivor_id AND s.protocol = pp.protocol)
                    RETURNING 'protocol_profile'::text AS t, pp.id),
             moved AS (SELECT * FROM e UNION ALL SELECT * FROM k UNION ALL SELECT * FROM p UNION ALL SELECT * FROM f),
             ins AS (INSERT INTO person_merge_moves (merge_id, record_type, record_id)
                     SELECT p_merge, moved.t, moved.id FROM moved
                     RETURNING person_merge_moves.record_type, person_merge_moves.record_id)
        SELECT ins.record_type, ins.record_id FROM ins;
    ELSE
        IF m.undone_by IS DISTINCT FROM hw_user_id() THEN
            RAISE EXCEPTION 'merge % is not being undone by this user', p_merge USING ERRCODE = '42501';
        END IF;
        -- Only what is still with the survivor goes back.
        RETURN QUERY
        WITH mv AS (SELECT x.record_type AS t, x.record_id AS rid FROM person_merge_moves x WHERE x.merge_id = p_merge),
             e AS (UPDATE episodes SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'episode' AND episodes.id = mv.rid AND episodes.person_id = m.survivor_id
                    RETURNING 'episode'::text AS t, episodes.id),
             k AS (UPDATE person_markers SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'marker' AND person_markers.id = mv.rid AND person_markers.person_id = m.survivor_id
                    RETURNING 'marker'::text AS t, person_markers.id),
             p AS (UPDATE placements SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'placement' AND placements.id = mv.rid AND placements.person_id = m.survivor_id
                    RETURNING 'placement'::text AS t, placements.id),
             f AS (UPDATE protocol_profiles SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'protocol_profile' AND protocol_profiles.id = mv.rid
                      AND protocol_profiles.person_id = m.survivor_id
                    RETURNING 'protocol_profile'::text AS t, protocol_profiles.id)
        SELECT * FROM e UNION ALL SELECT * FROM k UNION ALL SELECT * FROM p UNION ALL SELECT * FROM f;
    END IF;
END $$;

ALTER FUNCTION public.hw_person_merge_apply(p_merge uuid, p_undo boolean) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_person_shared_with_caller(p_person uuid, p_part text) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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
               END)
       AND (hw_access_reason() IS NOT NULL OR NOT hw_record_restricted('persons', p_person));
END
$$;

ALTER FUNCTION public.hw_person_shared_with_caller(p_person uuid, p_part text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_quarterly_breakdown(p_from timestamp with time zone, p_to timestamp with time zone) RETURNS TABLE(district_id uuid, age_group text, sex text, ethnicity text, cse boolean, mental_health boolean, looked_after boolean, episodes bigint, persons bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $$
BEGIN
    PERFORM hw_require_measures_reader();
    RETURN QUERY
    WITH counted AS (
        SELECT e.person_id, coalesce(ft.from_district_id, e.district_id) AS district,
               CASE WHEN p.date_of_birth IS NULL THEN 'unknown'
                    WHEN hw_child_at(p.date_of_birth, e.reported_at) THEN 'child' ELSE 'adult' END AS grp,
               p.sex, p.ethnicity, e.looked_after AS lac,
               (EXISTS (SELECT 1 FROM person_markers m
                         WHERE m.person_id = e.person_id AND m.kind = 'cse_risk' AND m.recorded_at <= e.reported_at
                           AND (m.ended_on IS NULL OR m.ended_on > hw_local_date(e.reported_at)))
                OR coalesce('cse' = ANY (r.markers_seen), false)) AS cse,
               (EXISTS (SELECT 1 FROM person_markers m
                         WHERE m.person_id = e.person_id AND m.kind = 'mental_health' AND m.recorded_at <= e.reported_at
                           AND (m.ended_on IS NULL OR m.ended_on > hw_local_date(e.reported_at)))
                OR coalesce('mental_health' = ANY (r.markers_seen), false)) AS mh
          FROM episodes e
          CROSS JOIN LATERAL (SELECT p.date_of_birth, p.sex, p.ethnicity FROM persons p
                               WHERE p.id = e.person_id OFFSET 0) p
          LEFT JOIN hw_first_transfers() ft ON ft.episode_id = e.id
          LEFT JOIN episode_returns r ON r.episode_id = e.id
         WHERE e.status <> 'cancelled' AND e.reported_at >= p_from AND e.reported_at < p_to
    )
    SELECT c.district, c.grp, c.sex, c.ethnicity, c.cse, c.mh, c.lac, count(*), count(DISTINCT c.person_id)
      FROM counted c
     GROUP BY GROUPING SETS ((c.district, c.grp, c.sex, c.ethnicity, c.cse, c.mh, c.lac),
                             (c.grp, c.sex, c.ethnicity, c.cse, c.mh, c.lac));
END $$;

ALTER FUNCTION public.hw_quarterly_breakdown(p_from timestamp with time zone, p_to timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_reads_measures() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(hw_role() IN ('analyst', 'mfhc', 'supervisor', 'admin'), false) $$;

ALTER FUNCTION public.hw_reads_measures() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_record_exists(p_table text, p_id uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN CASE p_table
        WHEN 'persons' THEN EXISTS (SELECT 1 FROM persons WHERE id = p_id AND disposed_at IS NULL)
        WHEN 'episodes' THEN EXISTS (SELECT 1 FROM episodes WHERE id = p_id AND disposed_at IS NULL)
        WHEN 'referrals' THEN EXISTS (SELECT 1 FROM referrals WHERE id = p_id)
        WHEN 'actions' THEN EXISTS (SELECT 1 FROM actions WHERE id = p_id)
        WHEN 'triggers' THEN EXISTS (SELECT 1 FROM triggers WHERE id = p_id)
        WHEN 'shares' THEN EXISTS (SELECT 1 FROM shares WHERE id = p_id)
        WHEN 'users' THEN EXISTS (SELECT 1 FROM users WHERE id = p_id)
        WHEN 'agencies' THEN EXISTS (SELECT 1 FROM agencies WHERE id = p_id)
        WHEN 'trigger_rules' THEN EXISTS (SELECT 1 FROM trigger_rules WHERE id = p_id)
        WHEN 'person_merges' THEN EXISTS (SELECT 1 FROM person_merges WHERE id = p_id)
        WHEN 'outbox' THEN EXISTS (SELECT 1 FROM outbox WHERE id = p_id)
        WHEN 'subject_access_requests' THEN EXISTS (SELECT 1 FROM subject_access_requests WHERE id = p_id)
        ELSE false
    END;
END
$$;

ALTER FUNCTION public.hw_record_exists(p_table text, p_id uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_record_restricted(p_table text, p_id uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.hw_record_restricted(p_table text, p_id uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_records_of(p_ids uuid[], OUT eps uuid[], OUT trgs uuid[], OUT refs uuid[], OUT acts uuid[], OUT shs uuid[]) RETURNS record
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    SELECT coalesce(array_agg(e.id), '{}') INTO eps FROM episodes e WHERE e.person_id = ANY (p_ids);
    SELECT coalesce(array_agg(t.id), '{}') INTO trgs FROM triggers t WHERE t.person_id = ANY (p_ids);
    SELECT coalesce(array_agg(r.id), '{}') INTO refs FROM referrals r WHERE r.person_id = ANY (p_ids);
    SELECT coalesce(array_agg(a.id), '{}') INTO acts FROM actions a
     WHERE a.episode_id = ANY (eps) OR a.trigger_id = ANY (trgs) OR a.referral_id = ANY (refs);
    SELECT coalesce(array_agg(s.id), '{}') INTO shs FROM shares s
     WHERE s.record_id = ANY (eps || trgs || refs);
END $$;

ALTER FUNCTION public.hw_records_of(p_ids uuid[], OUT eps uuid[], OUT trgs uuid[], OUT refs uuid[], OUT acts uuid[], OUT shs uuid[]) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_refuse_restricted_write() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.hw_refuse_restricted_write() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_repeat_missing(p_start timestamp with time zone, p_end timestamp with time zone, p_threshold integer, p_count_hospital boolean, p_episode_start text) RETURNS TABLE(district_id uuid, age_group text, persons bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    by_last_seen boolean := p_episode_start = 'last_seen';
BEGIN
    IF NOT hw_reads_measures() THEN
        RAISE EXCEPTION 'not permitted: measures are for analysts, coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH episode AS (
        SELECT e.*, CASE WHEN by_last_seen THEN e.last_seen_at ELSE e.reported_at END AS started
          FROM episodes e
         WHERE e.status <> 'cancelled' AND e.reported_at >= p_start
           AND (by_last_seen OR e.reported_at < p_end)
           AND (p_count_hospital OR e.missing_from <> 'hospital_or_medical')
    ), counted AS (
        SELECT e.person_id,
               coalesce((SELECT t.from_district_id FROM episode_transfers t
                          WHERE t.episode_id = e.id ORDER BY t.transferred_at, t.id LIMIT 1),
                        e.district_id) AS district,
               e.started,
               CASE WHEN p.date_of_birth IS NULL THEN NULL
                    WHEN hw_child_at(p.date_of_birth, e.started)
                    THEN 'child' ELSE 'adult' END AS grp
          FROM episode e JOIN persons p ON p.id = e.person_id
         WHERE e.started >= p_start AND e.started < p_end
    ), per AS (
        SELECT c.person_id, c.grp, count(*) AS n,
               (array_agg(c.district ORDER BY c.started DESC, c.district DESC))[1] AS district
          FROM counted c WHERE c.grp IS NOT NULL
         GROUP BY c.person_id, c.grp
    )
    SELECT per.district, per.grp, count(*)
      FROM per WHERE per.n >= p_threshold
     GROUP BY per.district, per.grp;
END $$;

ALTER FUNCTION public.hw_repeat_missing(p_start timestamp with time zone, p_end timestamp with time zone, p_threshold integer, p_count_hospital boolean, p_episode_start text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_repeat_missing_at(p_version integer, p_period_ends date[]) RETURNS TABLE(period_end date, district_id uuid, age_group text, persons bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT hw_reads_measures() THEN
        RAISE EXCEPTION 'not permitted: measures are for analysts, coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
    PERFORM hw_measure_catch_up(NULL);
    IF p_version IS DISTINCT FROM (SELECT max(d.version) FROM measure_definitions d) THEN
        RAISE EXCEPTION 'the measure definition changed while the report was read'
            USING ERRCODE = '40001';
    END IF;
    RETURN QUERY
    SELECT c.period_end, c.district_id, c.age_group, sum(c.persons)::bigint
      FROM measure_repeat_counts c
     WHERE c.definition_version = p_version AND c.period_end = ANY (p_period_ends)
     GROUP BY c.period_end, c.district_id, c.age_group
    HAVING sum(c.persons) > 0;
END $$;

ALTER FUNCTION public.hw_repeat_missing_at(p_version integer, p_period_ends date[]) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_require_background() RETURNS void
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    IF hw_user_id() IS NOT NULL THEN
        RAISE EXCEPTION 'not permitted: background work only' USING ERRCODE = '42501';
    END IF;
END $$;

ALTER FUNCTION public.hw_require_background() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_require_measures_reader() RETURNS void
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    IF NOT hw_reads_measures() THEN
        RAISE EXCEPTION 'not permitted: datasets are for analysts, coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
END $$;

ALTER FUNCTION public.hw_require_measures_reader() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_restricted_persons(p_ids uuid[]) RETURNS TABLE(person_id uuid, given_name text, family_name text, date_of_birth date, merged_into uuid, disposed_at timestamp with time zone)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'not permitted: restriction is for data protection officers' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.merged_into, p.disposed_at
                   FROM persons p WHERE p.id = ANY (p_ids);
END $$;

ALTER FUNCTION public.hw_restricted_persons(p_ids uuid[]) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_retention_reviews(p_due_before date, p_years integer, p_pp_years integer, p_person uuid, p_after uuid, p_limit integer) RETURNS TABLE(person_id uuid, given_name text, family_name text, date_of_birth date, last_activity_on date, active boolean, public_protection boolean, next_review_on date, last_decision text, last_decided_at timestamp with time zone)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
#variable_conflict use_column
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'retention review is for data protection officers' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH RECURSIVE people AS (
        SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.created_at
          FROM persons p
         WHERE p.merged_into IS NULL AND p.disposed_at IS NULL
           AND (p_person IS NULL OR p.id = p_person)
           AND (p_after IS NULL OR p.id > p_after)
    ), family (root, id) AS (
        -- Each person with every record merged into theirs, however deep: what the
        -- duplicates did (and still have open) is the person's.
        SELECT pe.id, pe.id FROM people pe
        UNION ALL
        SELECT f.root, p.id FROM family f JOIN persons p ON p.merged_into = f.id
    ), eps AS (
        SELECT f.root, e.id,
               CASE WHEN e.status IN ('closed', 'cancelled') THEN coalesce(e.closed_at, e.updated_at) END AS done_at,
               e.status NOT IN ('closed', 'cancelled') AS open
          FROM family f JOIN episodes e ON e.person_id = f.id
    ), refs AS (
        SELECT f.root, r.id,
               CASE WHEN r.status IN ('closed', 'declined', 'redirected') THEN coalesce(r.closed_at, r.updated_at) END AS done_at,
               r.status NOT IN ('closed', 'declined', 'redirected') AS open
          FROM family f JOIN referrals r ON r.person_id = f.id
    ), trgs AS (
        SELECT f.root, t.id, coalesce(t.closed_at, t.withdrawn_at) AS done_at,
               t.closed_at IS NULL AND t.withdrawn_at IS NULL AS open
          FROM family f JOIN triggers t ON t.person_id = f.id
    ), acts AS (
        SELECT x.root, a.completed_at AS done_at, a.status IN ('open', 'in_progress') AS open
          FROM eps x JOIN actions a ON a.episode_id = x.id
        UNION ALL
        SELECT x.root, a.completed_at, a.status IN ('open', 'in_progress')
          FROM trgs x JOIN actions a ON a.trigger_id = x.id
        UNION ALL
        SELECT x.root, a.completed_at, a.status IN ('open', 'in_progress')
          FROM refs x JOIN actions a ON a.referral_id = x.id
    ), done AS (
        SELECT u.root, max(u.done_at) AS last_at, bool_or(u.open) AS open
          FROM (SELECT root, done_at, open FROM eps
                UNION ALL SELECT root, done_at, open FROM refs
                UNION ALL SELECT root, done_at, open FROM trgs
                UNION ALL SELECT root, done_at, open FROM acts) u
         GROUP BY u.root
    ), marked AS (
        SELECT DISTINCT f.root FROM family f JOIN person_markers m ON m.person_id = f.id
         WHERE m.kind IN ('cse_risk', 'cce_risk')
    ), activity AS (
        SELECT pe.id, greatest(pe.created_at, d.last_at) AS last_at,
               coalesce(d.open, false) AS active, mk.root IS NOT NULL AS pp
          FROM people pe
          LEFT JOIN done d ON d.root = pe.id
          LEFT JOIN marked mk ON mk.root = pe.id
    ), decided AS (
        SELECT DISTINCT ON (d.person_id) d.person_id, d.decision, d.decided_at, d.next_review_on
          FROM retention_decisions d
         WHERE d.person_id IN (SELECT id FROM people)
         ORDER BY d.person_id, d.decided_at DESC
    ), reviewed AS (
        -- The last decision's date, unless there has been activity since it: then the
        -- policy's date from that activity.
        SELECT pe.id, a.last_at, a.active, a.pp, d.decision, d.decided_at,
               CASE WHEN a.active THEN NULL
                    WHEN d.decided_at IS NOT NULL AND a.last_at <= d.decided_at THEN d.next_review_on
                    ELSE (hw_local_date(a.last_at)
                          + make_interval(years => CASE WHEN a.pp THEN p_pp_years
                                                        ELSE p_years END))::date
               END AS next_on
          FROM people pe
          JOIN activity a ON a.id = pe.id
          LEFT JOIN decided d ON d.person_id = pe.id
    )
    SELECT pe.id, pe.given_name, pe.family_name, pe.date_of_birth,
           hw_local_date(r.last_at), r.active, r.pp, r.next_on, r.decision, r.decided_at
      FROM people pe
      JOIN reviewed r ON r.id = pe.id
     WHERE p_person IS NOT NULL OR (NOT r.active AND r.next_on < p_due_before)
     ORDER BY pe.id
     LIMIT p_limit;
END
$$;

ALTER FUNCTION public.hw_retention_reviews(p_due_before date, p_years integer, p_pp_years integer, p_person uuid, p_after uuid, p_limit integer) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_role() RETURNS text
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('homeward.role', true), '') $$;

ALTER FUNCTION public.hw_role() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_scheduler_claim(p_every interval, p_holder text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM hw_require_background();
    UPDATE scheduler_lease
       SET last_tick_at = now(), holder = left(p_holder, 200), ticks = ticks + 1
     WHERE singleton AND last_tick_at <= now() - p_every * 0.9;
    RETURN FOUND;
END
$$;

ALTER FUNCTION public.hw_scheduler_claim(p_every interval, p_holder text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_security_email_hash(p_email text) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT sha256(convert_to('homeward-security-email:' || lower(p_email), 'UTF8')) $$;

ALTER FUNCTION public.hw_security_email_hash(p_email text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_security_event(p_kind text, p_account uuid, p_email text, p_address text, p_method text, p_route text, p_table text, p_record_id uuid, p_request_id text, p_status integer, p_threshold integer, p_window interval) RETURNS TABLE(recorded boolean, alert_events integer, account_id uuid)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
#variable_conflict use_column
DECLARE
    account uuid := p_account;
    n integer;
BEGIN
    IF p_kind = 'hidden_record'
       AND (p_record_id IS NULL OR NOT hw_record_exists(p_table, p_record_id)) THEN
        RETURN QUERY SELECT false, NULL::integer, NULL::uuid;
        RETURN;
    END IF;
    IF p_kind = 'login_throttled' AND EXISTS (
        SELECT 1 FROM security_events e
         WHERE e.occurred_at > now() - p_window AND e.kind = 'login_throttled'
           AND e.address = left(p_address, 64)) THEN
        RETURN QUERY SELECT false, NULL::integer, NULL::uuid;
        RETURN;
    END IF;
    IF account IS NULL AND p_email IS NOT NULL THEN
        SELECT u.id INTO account FROM users u WHERE u.email = lower(p_email);
    END IF;
    INSERT INTO security_events (kind, account_id, email_hash, address, method, route,
                                 record_id, request_id, status)
    VALUES (p_kind, account,
            CASE WHEN p_email IS NULL THEN NULL ELSE hw_security_email_hash(p_email) END,
            left(p_address, 64), left(p_method, 16), left(p_route, 200), p_record_id,
            left(p_request_id, 100), p_status);
    IF account IS NULL OR p_kind = 'login_throttled' THEN
        RETURN QUERY SELECT true, NULL::integer, account;
        RETURN;
    END IF;
    SELECT count(*) INTO n FROM security_events e
     WHERE e.account_id = account AND e.occurred_at > now() - p_window
       AND e.kind <> 'login_throttled';
    IF n < p_threshold THEN
        RETURN QUERY SELECT true, NULL::integer, account;
        RETURN;
    END IF;
    INSERT INTO security_alerts (account_id, window_start, events)
    VALUES (account, date_bin(p_window, now(), timestamptz '2000-01-01 00:00:00+00'), n)
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
        RETURN QUERY SELECT true, n, account;
    ELSE
        RETURN QUERY SELECT true, NULL::integer, account;
    END IF;
END
$$;

ALTER FUNCTION public.hw_security_event(p_kind text, p_account uuid, p_email text, p_address text, p_method text, p_route text, p_table text, p_record_id uuid, p_request_id text, p_status integer, p_threshold integer, p_window interval) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_set_force_zone(p_zone text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_zone) THEN
        RAISE EXCEPTION 'unknown time zone %', p_zone USING ERRCODE = '22023';
    END IF;
    IF p_zone = hw_force_zone() THEN
        RETURN false;
    END IF;
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION hw_force_zone() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
        format('SELECT %L::text', p_zone));
    PERFORM hw_measure_rebuild();
    RETURN true;
END $$;

ALTER FUNCTION public.hw_set_force_zone(p_zone text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_set_restricted(p_person uuid, p_on boolean) RETURNS uuid[]
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.hw_set_restricted(p_person uuid, p_on boolean) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN coalesce(hw_role() = 'partner', false) AND EXISTS (
        SELECT 1 FROM shares s JOIN agencies a ON a.id = s.agency_id
         WHERE s.record_type = p_record_type AND s.record_id = p_record_id
           AND s.agency_id = hw_agency_id() AND a.active
           AND p_part = ANY (s.parts) AND s.revoked_at IS NULL
           AND (s.expires_at IS NULL OR s.expires_at > now()))
       -- A restricted record is read only with a stated reason (77_restriction.sql).
       AND (hw_access_reason() IS NOT NULL
            OR NOT hw_record_restricted(CASE p_record_type WHEN 'episode' THEN 'episodes'
                                                           WHEN 'trigger' THEN 'triggers'
                                                           ELSE 'referrals' END, p_record_id));
END
$$;

ALTER FUNCTION public.hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_staff_emails(p_district uuid, p_role text) RETURNS TABLE(user_id uuid, email text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT u.id, u.email FROM users u
     WHERE u.active AND u.role = p_role AND (u.district_id = p_district OR u.district_id IS NULL)
     ORDER BY u.email
$$;

ALTER FUNCTION public.hw_staff_emails(p_district uuid, p_role text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_subject_access_alerts(p_days integer) RETURNS TABLE(id uuid, kind text, due_on date)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM hw_require_background();
    RETURN QUERY
    WITH overdue AS (
        UPDATE subject_access_requests s SET overdue_alerted_at = now()
         WHERE s.status = 'open' AND s.overdue_alerted_at IS NULL
           AND s.due_on < hw_local_date(now())
        RETURNING s.id, 'overdue'::text AS kind, s.due_on
    ), due AS (
        UPDATE subject_access_requests s SET due_alerted_at = now()
         WHERE s.status = 'open' AND s.due_alerted_at IS NULL
           AND s.due_on >= hw_local_date(now()) AND s.due_on <= hw_local_date(now()) + p_days
        RETURNING s.id, 'due'::text AS kind, s.due_on
    )
    SELECT * FROM overdue UNION ALL SELECT * FROM due;
END
$$;

ALTER FUNCTION public.hw_subject_access_alerts(p_days integer) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_subject_access_bundle(p_persons uuid[]) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    ids uuid[];
    eps uuid[];
    trgs uuid[];
    refs uuid[];
    acts uuid[];
    shs uuid[];
    records uuid[];
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'subject access is for data protection officers' USING ERRCODE = '42501';
    END IF;
    SELECT coalesce(array_agg(DISTINCT x.id ORDER BY x.id), '{}') INTO ids
      FROM unnest(p_persons) AS q (id), unnest(hw_person_and_merged(q.id)) AS x (id);
    SELECT r.eps, r.trgs, r.refs, r.acts, r.shs INTO eps, trgs, refs, acts, shs
      FROM hw_records_of(ids) r;
    records := ids || eps || trgs || refs || acts || shs;
    RETURN jsonb_build_object(
        'missing', (SELECT coalesce(jsonb_agg(m), '[]') FROM unnest(p_persons) m WHERE m <> ALL (ids)),
        'persons', (SELECT coalesce(jsonb_agg(to_jsonb(x) - 'search_names' ORDER BY x.created_at), '[]')
                      FROM persons x WHERE x.id = ANY (ids)),
        'person_merges', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.merged_at), '[]')
                            FROM person_merges x WHERE x.survivor_id = ANY (ids) OR x.duplicate_id = ANY (ids)),
        'markers', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.recorded_at), '[]')
                      FROM person_markers x WHERE x.person_id = ANY (ids)),
        'placements', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.starts_on), '[]')
                         FROM placements x WHERE x.person_id = ANY (ids)),
        'protocol_profiles', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.recorded_at), '[]')
                                FROM protocol_profiles x WHERE x.person_id = ANY (ids)),
        'episodes', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.reported_at), '[]')
                       FROM episodes x WHERE x.id = ANY (eps)),
        'risk_gradings', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.graded_at), '[]')
                            FROM risk_gradings x WHERE x.episode_id = ANY (eps)),
        'supervisor_reviews', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.reviewed_at), '[]')
                                 FROM supervisor_reviews x WHERE x.episode_id = ANY (eps)),
        'episode_transfers', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.transferred_at), '[]')
                                FROM episode_transfers x WHERE x.episode_id = ANY (eps)),
        'returns', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.returned_at), '[]')
                      FROM episode_returns x WHERE x.episode_id = ANY (eps)),
        'prevention_interviews', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.conducted_at), '[]')
                                    FROM prevention_interviews x WHERE x.episode_id = ANY (eps)),
        'return_home_interviews', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.due_at), '[]')
                                     FROM return_home_interviews x WHERE x.episode_id = ANY (eps)),
        'triggers', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.fired_at), '[]')
                       FROM triggers x WHERE x.id = ANY (trgs)),
        'trigger_plans', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]')
                            FROM trigger_plans x WHERE x.trigger_id = ANY (trgs)),
        'referrals', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.created_at), '[]')
                        FROM referrals x WHERE x.id = ANY (refs)),
        'triage_meetings', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.held_on), '[]')
                              FROM triage_meetings x WHERE x.referral_id = ANY (refs)),
        'intervention_plans', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]')
                                 FROM intervention_plans x WHERE x.referral_id = ANY (refs)),
        'actions', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.created_at), '[]')
                      FROM actions x WHERE x.id = ANY (acts)),
        'national_alerts', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.alerted_at), '[]')
                              FROM episode_alerts x WHERE x.episode_id = ANY (eps)),
        'merge_moves', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]')
                          FROM person_merge_moves x JOIN person_merges m ON m.id = x.merge_id
                         WHERE m.survivor_id = ANY (ids) OR m.duplicate_id = ANY (ids)),
        'retention_decisions', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.decided_at), '[]')
                                  FROM retention_decisions x WHERE x.person_id = ANY (ids)),
        'restrictions', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.placed_at), '[]')
                           FROM restrictions x WHERE x.person_id = ANY (ids)),
        'rectification_notes', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.recorded_at), '[]')
                                  FROM rectification_notes x WHERE x.person_id = ANY (ids)),
        -- Earlier requests about them (what was asked and decided, not their content).
        'subject_access_requests', (SELECT coalesce(jsonb_agg(to_jsonb(x) - 'bundle' ORDER BY x.created_at), '[]')
                                      FROM subject_access_requests x WHERE x.person_ids && ids),
        'shares', (SELECT coalesce(jsonb_agg(to_jsonb(x) || jsonb_build_object('agency', g.name)
                                             ORDER BY x.shared_at), '[]')
                     FROM shares x JOIN agencies g ON g.id = x.agency_id WHERE x.id = ANY (shs)),
        -- Emails about these records: to whom, what, when (the bodies carry no names).
        'emails', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                              'id', o.id, 'event', o.event, 'recipient', o.recipient,
                              'recipient_kind', o.recipient_kind, 'subject', o.subject,
                              'record_type', o.record_type, 'record_id', o.record_id,
                              'status', o.status, 'created_at', o.created_at, 'sent_at', o.sent_at)
                              ORDER BY o.created_at), '[]')
                     FROM outbox o WHERE o.record_id = ANY (records)),
        -- Every disclosure the audit log holds of these records: who received what, when,
        -- why and on which basis.
        'disclosures', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                   'seq', l.seq, 'occurred_at', l.occurred_at, 'actor_id', l.actor_id,
                                   'actor_role', l.actor_role, 'record_type', l.record_type,
                                   'record_ids', l.record_ids, 'recipients', l.recipients,
                                   'purpose', l.purpose, 'lawful_basis', l.lawful_basis)
                                   ORDER BY l.seq), '[]')
                          FROM audit_log l
                         WHERE l.operation = 'disclosure' AND l.record_ids && records)
    );
END
$$;

ALTER FUNCTION public.hw_subject_access_bundle(p_persons uuid[]) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_subject_access_candidates(p_words text[], p_dob date) RETURNS SETOF uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'subject access is for data protection officers' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT p.id FROM persons p
     WHERE p.date_of_birth = p_dob AND p.merged_into IS NULL AND p.disposed_at IS NULL
       AND p_words <@ regexp_split_to_array(p.search_names, '[[:space:]|]+')
     ORDER BY p.id
     LIMIT 21;
END
$$;

ALTER FUNCTION public.hw_subject_access_candidates(p_words text[], p_dob date) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_trigger_escalate_due() RETURNS TABLE(id uuid, district_id uuid)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT hw_require_background();
    UPDATE triggers t SET escalated_at = now(), updated_at = now()
     WHERE t.status = 'open' AND t.escalated_at IS NULL AND t.escalation_due_at <= now()
    RETURNING t.id, t.district_id
$$;

ALTER FUNCTION public.hw_trigger_escalate_due() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_trigger_fire(p_id uuid, p_person uuid, p_rule uuid, p_anchor uuid, p_basis uuid[], p_window_start timestamp with time zone, p_window_end timestamp with time zone) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    r trigger_rules;
    anchor_district uuid;
BEGIN
    IF NOT hw_is_operational() THEN
        RAISE EXCEPTION 'not permitted: only operational roles evaluate triggers' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO r FROM trigger_rules WHERE id = p_rule AND enabled;
    IF NOT FOUND THEN
        RETURN false;  -- disabled since the evaluation read it: nothing fires
    END IF;
    IF NOT p_anchor = ANY (p_basis) OR EXISTS (
           SELECT 1 FROM unnest(p_basis) b LEFT JOIN episodes e ON e.id = b
            WHERE e.id IS NULL OR e.person_id <> p_person OR e.status = 'cancelled') THEN
        RAISE EXCEPTION 'not permitted: the basis is not the person''s counted episodes' USING ERRCODE = '42501';
    END IF;
    SELECT e.district_id INTO anchor_district FROM episodes e WHERE e.id = p_anchor;
    IF r.district_id IS NOT NULL AND r.district_id <> anchor_district THEN
        RAISE EXCEPTION 'not permitted: the rule does not cover the episode''s district' USING ERRCODE = '42501';
    END IF;
    INSERT INTO triggers (id, person_id, rule_id, rule_version, kind, district_id, anchor_episode_id,
                          basis_episode_ids, window_start, window_end, assigned_to, escalation_due_at)
    VALUES (p_id, p_person, p_rule, r.version, r.kind, anchor_district, p_anchor, p_basis,
            p_window_start, p_window_end,
            (SELECT u.id FROM users u WHERE u.role = 'mfhc' AND u.active AND u.district_id = anchor_district
              ORDER BY u.created_at, u.id LIMIT 1),
            now() + make_interval(hours => r.escalate_after_hours))
    ON CONFLICT (rule_id, anchor_episode_id) WHERE status <> 'withdrawn' DO NOTHING;
    RETURN FOUND;
END $$;

ALTER FUNCTION public.hw_trigger_fire(p_id uuid, p_person uuid, p_rule uuid, p_anchor uuid, p_basis uuid[], p_window_start timestamp with time zone, p_window_end timestamp with time zone) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_trigger_inputs(p_person uuid) RETURNS TABLE(episode_id uuid, district_id uuid, reported_at timestamp with time zone, date_of_birth date, out_of_area boolean, ever_high boolean)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT hw_is_operational() THEN
        RAISE EXCEPTION 'not permitted: only operational roles evaluate triggers' USING ERRCODE = '42501';
    END IF;
    PERFORM 1 FROM persons p WHERE p.id = p_person FOR UPDATE;
    RETURN QUERY
    -- A person has few episodes: each one's gradings are probed through their index
    -- (LIMIT 1 keeps the planner from hashing every high grading there is instead).
    SELECT e.id, e.district_id, e.reported_at, p.date_of_birth,
           coalesce((SELECT pl.out_of_area FROM placements pl WHERE pl.id = e.placement_id), false),
           e.risk_level = 'high' OR h.high IS NOT NULL
      FROM episodes e JOIN persons p ON p.id = e.person_id
      LEFT JOIN LATERAL (SELECT true AS high FROM risk_gradings g
                          WHERE g.episode_id = e.id AND g.to_level = 'high' LIMIT 1) h ON true
     WHERE e.person_id = p_person AND e.status <> 'cancelled'
     ORDER BY e.reported_at, e.id;
END $$;

ALTER FUNCTION public.hw_trigger_inputs(p_person uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_trigger_live(p_person uuid) RETURNS TABLE(id uuid, rule_id uuid, kind text, status text, anchor_episode_id uuid, basis_episode_ids uuid[])
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT hw_is_operational() THEN
        RAISE EXCEPTION 'not permitted: only operational roles evaluate triggers' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT t.id, t.rule_id, t.kind, t.status, t.anchor_episode_id, t.basis_episode_ids
      FROM triggers t WHERE t.person_id = p_person AND t.status <> 'withdrawn'
     ORDER BY t.fired_at, t.id;
END $$;

ALTER FUNCTION public.hw_trigger_live(p_person uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_trigger_rule_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    INSERT INTO trigger_rule_versions (rule_id, version, content, changed_by)
    VALUES (NEW.id, NEW.version, to_jsonb(NEW) - 'created_at' - 'updated_at', hw_user_id());
    RETURN NULL;
END $$;

ALTER FUNCTION public.hw_trigger_rule_version() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_trigger_withdraw(p_id uuid, p_reason text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT hw_is_operational() THEN
        RAISE EXCEPTION 'not permitted: only operational roles evaluate triggers' USING ERRCODE = '42501';
    END IF;
    UPDATE triggers t
       SET status = 'withdrawn', withdrawn_at = now(), withdrawn_reason = p_reason,
           version = t.version + 1, updated_at = now()
     WHERE t.id = p_id AND t.status IN ('open', 'acknowledged', 'plan_recorded')
       AND (EXISTS (SELECT 1 FROM unnest(t.basis_episode_ids) b LEFT JOIN episodes e ON e.id = b
                     WHERE e.id IS NULL OR e.person_id <> t.person_id OR e.status = 'cancelled')
            OR (t.kind = 'first_time_child' AND EXISTS (
                    SELECT 1 FROM episodes a JOIN episodes e ON e.id = t.anchor_episode_id
                     WHERE a.person_id = t.person_id AND a.status <> 'cancelled'
                       AND (a.reported_at, a.id) < (e.reported_at, e.id)))
            -- the date of birth was corrected: not a child when it started
            OR (t.kind = 'first_time_child' AND NOT EXISTS (
                    SELECT 1 FROM episodes e JOIN persons p ON p.id = e.person_id
                     WHERE e.id = t.anchor_episode_id AND p.date_of_birth IS NOT NULL
                       AND hw_child_at(p.date_of_birth, e.reported_at)))
            -- the placement is no longer out of area
            OR (t.kind = 'out_of_area_placement' AND NOT EXISTS (
                    SELECT 1 FROM episodes e JOIN placements pl ON pl.id = e.placement_id
                     WHERE e.id = t.anchor_episode_id AND pl.out_of_area)));
    RETURN FOUND;
END $$;

ALTER FUNCTION public.hw_trigger_withdraw(p_id uuid, p_reason text) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_user_email(p_user uuid) RETURNS TABLE(user_id uuid, email text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT u.id, u.email FROM users u WHERE u.id = p_user AND u.active
$$;

ALTER FUNCTION public.hw_user_email(p_user uuid) OWNER TO homeward_owner;

CREATE FUNCTION public.hw_user_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('homeward.user_id', true), '')::uuid $$;

ALTER FUNCTION public.hw_user_id() OWNER TO homeward_owner;

CREATE FUNCTION public.hw_user_in_agency(p_user uuid, p_agency uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT (hw_is_case_worker() OR (hw_role() = 'partner' AND p_agency = hw_agency_id())) AND EXISTS (
        SELECT 1 FROM users u WHERE u.id = p_user AND u.agency_id = p_agency AND u.active)
$$;

ALTER FUNCTION public.hw_user_in_agency(p_user uuid, p_agency uuid) OWNER TO homeward_owner;

CREATE TABLE public.__diesel_schema_migrations (
    version character varying(50) NOT NULL,
    run_on timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);

ALTER TABLE public.__diesel_schema_migrations OWNER TO postgres;

CREATE TABLE public.actions (
    id uuid NOT NULL,
    episode_id uuid,
    trigger_id uuid,
    referral_id uuid,
    district_id uuid NOT NULL,
    owner_agency_id uuid NOT NULL,
    owner_user_id uuid,
    description text NOT NULL,
    due_on date NOT NULL,
    status text DEFAULT 'open'::text NOT NULL,
    outcome text,
    completed_at timestamp with time zone,
    version integer DEFAULT 1 NOT NULL,
    created_by uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by uuid NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    restricted boolean DEFAULT false NOT NULL,
    CONSTRAINT actions_check CHECK ((num_nonnulls(episode_id, trigger_id, referral_id) = 1)),
    CONSTRAINT actions_check1 CHECK (((status = ANY (ARRAY['done'::text, 'cancelled'::text])) = ((outcome IS NOT NULL) AND (completed_at IS NOT NULL)))),
    CONSTRAINT actions_description_check CHECK (((length(description) >= 1) AND (length(description) <= 2000))),
    CONSTRAINT actions_outcome_check CHECK (((length(outcome) >= 1) AND (length(outcome) <= 5000))),
    CONSTRAINT actions_status_check CHECK ((status = ANY (ARRAY['open'::text, 'in_progress'::text, 'done'::text, 'cancelled'::text])))
);

ALTER TABLE ONLY public.actions FORCE ROW LEVEL SECURITY;

ALTER TABLE public.actions OWNER TO homeward_owner;

CREATE TABLE public.agencies (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    agency_type text NOT NULL,
    mailbox text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agencies_mailbox_check CHECK (((length(mailbox) >= 3) AND (length(mailbox) <= 254))),
    CONSTRAINT agencies_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200)))
);

ALTER TABLE ONLY public.agencies FORCE ROW LEVEL SECURITY;

ALTER TABLE public.agencies OWNER TO homeward_owner;

CREATE TABLE public.agency_districts (
    agency_id uuid NOT NULL,
    district_id uuid NOT NULL
);

ALTER TABLE ONLY public.agency_districts FORCE ROW LEVEL SECURITY;

ALTER TABLE public.agency_districts OWNER TO homeward_owner;

CREATE TABLE public.agency_types (
    code text NOT NULL,
    name text NOT NULL,
    CONSTRAINT agency_types_code_check CHECK ((code ~ '^[a-z_]{2,40}$'::text)),
    CONSTRAINT agency_types_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100)))
);

ALTER TABLE ONLY public.agency_types FORCE ROW LEVEL SECURITY;

ALTER TABLE public.agency_types OWNER TO homeward_owner;

CREATE TABLE public.audit_chain_head (
    singleton boolean DEFAULT true NOT NULL,
    seq bigint NOT NULL,
    hash bytea NOT NULL,
    CONSTRAINT audit_chain_head_singleton_check CHECK (singleton)
);

ALTER TABLE public.audit_chain_head OWNER TO homeward_owner;

CREATE TABLE public.audit_log (
    seq bigint NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    actor_id uuid,
    actor_role text,
    operation text NOT NULL,
    record_type text NOT NULL,
    record_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    purpose text,
    recipients text[] DEFAULT '{}'::text[] NOT NULL,
    request_id text,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL,
    lawful_basis text,
    purpose_digest bytea,
    purpose_salt bytea,
    CONSTRAINT audit_log_operation_check CHECK ((operation = ANY (ARRAY['collection'::text, 'alteration'::text, 'consultation'::text, 'disclosure'::text, 'combination'::text, 'erasure'::text]))),
    CONSTRAINT audit_log_purpose_check CHECK ((length(purpose) <= 500)),
    CONSTRAINT audit_log_recipients_check CHECK ((array_position(recipients, NULL::text) IS NULL)),
    CONSTRAINT audit_log_record_ids_check CHECK ((array_position(record_ids, NULL::uuid) IS NULL)),
    CONSTRAINT audit_log_record_type_check CHECK (((length(record_type) >= 1) AND (length(record_type) <= 60))),
    CONSTRAINT audit_log_request_id_check CHECK ((length(request_id) <= 100))
);

ALTER TABLE ONLY public.audit_log FORCE ROW LEVEL SECURITY;

ALTER TABLE public.audit_log OWNER TO homeward_owner;

CREATE TABLE public.audit_queue (
    id bigint NOT NULL,
    occurred_at timestamp with time zone DEFAULT date_trunc('microseconds'::text, clock_timestamp()) NOT NULL,
    actor_id uuid,
    actor_role text,
    operation public.hw_audit_operation NOT NULL,
    record_type public.hw_text_1_to_60 NOT NULL,
    record_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    purpose public.hw_text_max_500,
    recipients text[] DEFAULT '{}'::text[] NOT NULL,
    request_id public.hw_text_max_100,
    lawful_basis public.hw_text_max_500,
    CONSTRAINT audit_queue_recipients_check CHECK ((array_position(recipients, NULL::text) IS NULL)),
    CONSTRAINT audit_queue_record_ids_check CHECK ((array_position(record_ids, NULL::uuid) IS NULL))
);

ALTER TABLE ONLY public.audit_queue FORCE ROW LEVEL SECURITY;

ALTER TABLE public.audit_queue OWNER TO homeward_owner;

ALTER TABLE public.audit_queue ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audit_queue_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.baselines (
    id uuid NOT NULL,
    district_id uuid,
    age_group text NOT NULL,
    version integer NOT NULL,
    period_end date NOT NULL,
    value bigint NOT NULL,
    source text NOT NULL,
    source_note text,
    definition_version integer NOT NULL,
    created_by uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT baselines_age_group_check CHECK ((age_group = ANY (ARRAY['child'::text, 'adult'::text]))),
    CONSTRAINT baselines_check CHECK (((source = 'computed'::text) OR (source_note IS NOT NULL))),
    CONSTRAINT baselines_source_check CHECK ((source = ANY (ARRAY['computed'::text, 'official'::text]))),
    CONSTRAINT baselines_source_note_check CHECK (((length(source_note) >= 1) AND (length(source_note) <= 1000))),
    CONSTRAINT baselines_value_check CHECK ((value >= 0)),
    CONSTRAINT baselines_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.baselines FORCE ROW LEVEL SECURITY;

ALTER TABLE public.baselines OWNER TO homeward_owner;

CREATE TABLE public.children_month_counts (
    month date NOT NULL,
    district_id uuid NOT NULL,
    shard smallint NOT NULL,
    children bigint NOT NULL,
    episodes bigint NOT NULL
)
WITH (fillfactor='50');

ALTER TABLE ONLY public.children_month_counts FORCE ROW LEVEL SECURITY;

ALTER TABLE public.children_month_counts OWNER TO homeward_owner;

CREATE TABLE public.children_month_state (
    person_id uuid NOT NULL,
    month date NOT NULL,
    district_id uuid NOT NULL,
    children integer NOT NULL,
    episodes integer NOT NULL
);

ALTER TABLE ONLY public.children_month_state FORCE ROW LEVEL SECURITY;

ALTER TABLE public.children_month_state OWNER TO homeward_owner;

CREATE TABLE public.districts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT districts_code_check CHECK ((code ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT districts_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100)))
);

ALTER TABLE ONLY public.districts FORCE ROW LEVEL SECURITY;

ALTER TABLE public.districts OWNER TO homeward_owner;

CREATE TABLE public.episode_alerts (
    episode_id uuid NOT NULL,
    alert text NOT NULL,
    alerted_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT episode_alerts_alert_check CHECK ((alert = ANY (ARRAY['ukmpu_overdue'::text, 'pnc_overdue'::text])))
);

ALTER TABLE ONLY public.episode_alerts FORCE ROW LEVEL SECURITY;

ALTER TABLE public.episode_alerts OWNER TO homeward_owner;

CREATE TABLE public.episode_reference_counters (
    district_id uuid NOT NULL,
    year integer NOT NULL,
    last_value integer NOT NULL
);

ALTER TABLE ONLY public.episode_reference_counters FORCE ROW LEVEL SECURITY;

ALTER TABLE public.episode_reference_counters OWNER TO homeward_owner;

CREATE TABLE public.episode_returns (
    episode_id uuid NOT NULL,
    returned_at timestamp with time zone NOT NULL,
    location text NOT NULL,
    how text NOT NULL,
    found_by text DEFAULT ''::text NOT NULL,
    harm_suffered boolean NOT NULL,
    harm_details text DEFAULT ''::text NOT NULL,
    markers_seen text[] DEFAULT '{}'::text[] NOT NULL,
    recorded_by uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT episode_returns_found_by_check CHECK ((length(found_by) <= 500)),
    CONSTRAINT episode_returns_harm_details_check CHECK ((length(harm_details) <= 5000)),
    CONSTRAINT episode_returns_how_check CHECK ((how = ANY (ARRAY['self_returned'::text, 'found_by_police'::text, 'found_by_other'::text]))),
    CONSTRAINT episode_returns_location_check CHECK (((length(location) >= 1) AND (length(location) <= 500))),
    CONSTRAINT episode_returns_markers_seen_check CHECK ((markers_seen <@ ARRAY['cse'::text, 'cce'::text, 'mental_health'::text, 'crime_victim'::text, 'crime_suspect'::text]))
);

ALTER TABLE ONLY public.episode_returns FORCE ROW LEVEL SECURITY;

ALTER TABLE public.episode_returns OWNER TO homeward_owner;

CREATE TABLE public.episode_transfers (
    id uuid NOT NULL,
    episode_id uuid NOT NULL,
    from_district_id uuid NOT NULL,
    to_district_id uuid NOT NULL,
    reason text NOT NULL,
    transferred_by uuid NOT NULL,
    transferred_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT episode_transfers_check CHECK ((from_district_id <> to_district_id)),
    CONSTRAINT episode_transfers_reason_check CHECK (((length(reason) >= 1) AND (length(reason) <= 2000)))
);

ALTER TABLE ONLY public.episode_transfers FORCE ROW LEVEL SECURITY;

ALTER TABLE public.episode_transfers OWNER TO homeward_owner;

CREATE TABLE public.episodes (
    id uuid NOT NULL,
    reference public.hw_episode_reference,
    person_id uuid NOT NULL,
    district_id uuid NOT NULL,
    status public.hw_episode_status NOT NULL,
    reported_at timestamp with time zone NOT NULL,
    reported_by public.hw_reported_by NOT NULL,
    reporter_details public.hw_text_max_500 DEFAULT ''::text NOT NULL,
    last_seen_at timestamp with time zone NOT NULL,
    last_seen_location public.hw_text_1_to_500 NOT NULL,
    missing_from public.hw_missing_from NOT NULL,
    circumstances public.hw_text_max_10000 DEFAULT ''::text NOT NULL,
    risk_level public.hw_risk_level NOT NULL,
    cancelled_reason public.hw_text_max_2000,
    version integer DEFAULT 1 NOT NULL,
    created_by uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    closed_at timestamp with time zone,
    closed_by uuid,
    no_interview_reason public.hw_text_max_2000,
    next_review_due timestamp with time zone,
    placement_id uuid,
    looked_after boolean DEFAULT false NOT NULL,
    ukmpu_notified_at timestamp with time zone,
    ukmpu_notified_by uuid,
    ukmpu_reference public.hw_text_1_to_100,
    pnc_recorded_at timestamp with time zone,
    pnc_recorded_by uuid,
    pnc_reference public.hw_text_1_to_100,
    restricted boolean DEFAULT false NOT NULL,
    disposed_at timestamp with time zone,
    former_district_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    CONSTRAINT episodes_check CHECK ((last_seen_at <= reported_at)),
    CONSTRAINT episodes_check1 CHECK ((((status)::text = 'cancelled'::text) = (cancelled_reason IS NOT NULL))),
    CONSTRAINT episodes_check2 CHECK (((placement_id IS NULL) OR ((missing_from)::text = 'care_placement'::text))),
    CONSTRAINT episodes_closed_has_closer CHECK ((((status)::text = 'closed'::text) = ((closed_at IS NOT NULL) AND (closed_by IS NOT NULL)))),
    CONSTRAINT episodes_pnc_whole CHECK ((((pnc_recorded_at IS NULL) = (pnc_recorded_by IS NULL)) AND ((pnc_recorded_at IS NULL) = (pnc_reference IS NULL)))),
    CONSTRAINT episodes_ukmpu_whole CHECK ((((ukmpu_notified_at IS NULL) = (ukmpu_notified_by IS NULL)) AND ((ukmpu_notified_at IS NULL) = (ukmpu_reference IS NULL))))
);

ALTER TABLE ONLY public.episodes FORCE ROW LEVEL SECURITY;

ALTER TABLE public.episodes OWNER TO homeward_owner;

CREATE TABLE public.hw_rules_applied (
    singleton boolean DEFAULT true NOT NULL,
    digest text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT hw_rules_applied_singleton_check CHECK (singleton)
);

ALTER TABLE ONLY public.hw_rules_applied FORCE ROW LEVEL SECURITY;

ALTER TABLE public.hw_rules_applied OWNER TO homeward_owner;

CREATE TABLE public.intervention_plans (
    referral_id uuid NOT NULL,
    lead_practitioner text NOT NULL,
    lead_agency_id uuid NOT NULL,
    goals text NOT NULL,
    review_dates date[] NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    recorded_by uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT intervention_plans_goals_check CHECK (((length(goals) >= 1) AND (length(goals) <= 10000))),
    CONSTRAINT intervention_plans_lead_practitioner_check CHECK (((length(lead_practitioner) >= 1) AND (length(lead_practitioner) <= 200))),
    CONSTRAINT intervention_plans_review_dates_check CHECK (((cardinality(review_dates) >= 1) AND (array_position(review_dates, NULL::date) IS NULL)))
);

ALTER TABLE ONLY public.intervention_plans FORCE ROW LEVEL SECURITY;

ALTER TABLE public.intervention_plans OWNER TO homeward_owner;

CREATE TABLE public.local_authorities (
    code text NOT NULL,
    name text NOT NULL,
    mailbox text,
    CONSTRAINT local_authorities_code_check CHECK ((code ~ '^[A-Z][0-9]{8}$'::text)),
    CONSTRAINT local_authorities_mailbox_check CHECK (((length(mailbox) >= 3) AND (length(mailbox) <= 254))),
    CONSTRAINT local_authorities_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100)))
);

ALTER TABLE ONLY public.local_authorities FORCE ROW LEVEL SECURITY;

ALTER TABLE public.local_authorities OWNER TO homeward_owner;

CREATE TABLE public.login_throttle (
    key_hash bytea NOT NULL,
    failures integer NOT NULL,
    window_started_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY public.login_throttle FORCE ROW LEVEL SECURITY;

ALTER TABLE public.login_throttle OWNER TO homeward_owner;

CREATE TABLE public.measure_definitions (
    version integer NOT NULL,
    repeat_threshold integer NOT NULL,
    window_months integer NOT NULL,
    count_hospital boolean NOT NULL,
    note text NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    episode_start text DEFAULT 'reported'::text NOT NULL,
    CONSTRAINT measure_definitions_episode_start_check CHECK ((episode_start = ANY (ARRAY['reported'::text, 'last_seen'::text]))),
    CONSTRAINT measure_definitions_note_check CHECK (((length(note) >= 1) AND (length(note) <= 1000))),
    CONSTRAINT measure_definitions_repeat_threshold_check CHECK (((repeat_threshold >= 2) AND (repeat_threshold <= 50))),
    CONSTRAINT measure_definitions_version_check CHECK ((version >= 1)),
    CONSTRAINT measure_definitions_window_months_check CHECK (((window_months >= 1) AND (window_months <= 36)))
);

ALTER TABLE ONLY public.measure_definitions FORCE ROW LEVEL SECURITY;

ALTER TABLE public.measure_definitions OWNER TO homeward_owner;

CREATE TABLE public.measure_pending (
    id bigint NOT NULL,
    person_id uuid NOT NULL
);

ALTER TABLE ONLY public.measure_pending FORCE ROW LEVEL SECURITY;

ALTER TABLE public.measure_pending OWNER TO homeward_owner;

ALTER TABLE public.measure_pending ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.measure_pending_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.measure_repeat_counts (
    definition_version integer NOT NULL,
    period_end date NOT NULL,
    age_group text NOT NULL,
    district_id uuid NOT NULL,
    shard smallint NOT NULL,
    persons bigint NOT NULL
)
WITH (fillfactor='50');

ALTER TABLE ONLY public.measure_repeat_counts FORCE ROW LEVEL SECURITY;

ALTER TABLE public.measure_repeat_counts OWNER TO homeward_owner;

CREATE TABLE public.measure_repeat_state (
    definition_version integer NOT NULL,
    period_end date NOT NULL,
    age_group text NOT NULL,
    person_id uuid NOT NULL,
    district_id uuid NOT NULL,
    CONSTRAINT measure_repeat_state_age_group_check CHECK ((age_group = ANY (ARRAY['child'::text, 'adult'::text])))
);

ALTER TABLE ONLY public.measure_repeat_state FORCE ROW LEVEL SECURITY;

ALTER TABLE public.measure_repeat_state OWNER TO homeward_owner;

CREATE TABLE public.notification_gaps (
    event_key text NOT NULL,
    event text NOT NULL,
    first_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    times integer DEFAULT 1 NOT NULL,
    CONSTRAINT notification_gaps_event_key_check CHECK (((length(event_key) >= 1) AND (length(event_key) <= 300)))
);

ALTER TABLE ONLY public.notification_gaps FORCE ROW LEVEL SECURITY;

ALTER TABLE public.notification_gaps OWNER TO homeward_owner;

CREATE TABLE public.notification_preferences (
    user_id uuid NOT NULL,
    daily_digest boolean DEFAULT true NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.notification_preferences FORCE ROW LEVEL SECURITY;

ALTER TABLE public.notification_preferences OWNER TO homeward_owner;

CREATE TABLE public.person_markers (
    id uuid NOT NULL,
    person_id uuid NOT NULL,
    kind text NOT NULL,
    source text NOT NULL,
    details text DEFAULT ''::text NOT NULL,
    review_on date NOT NULL,
    ended_on date,
    ended_reason text,
    version integer DEFAULT 1 NOT NULL,
    recorded_by uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    restricted boolean DEFAULT false NOT NULL,
    CONSTRAINT person_markers_check CHECK (((ended_on IS NULL) = (ended_reason IS NULL))),
    CONSTRAINT person_markers_details_check CHECK ((length(details) <= 2000)),
    CONSTRAINT person_markers_ended_reason_check CHECK (((length(ended_reason) >= 1) AND (length(ended_reason) <= 2000))),
    CONSTRAINT person_markers_kind_check CHECK ((kind = ANY (ARRAY['cse_risk'::text, 'cce_risk'::text, 'mental_health'::text, 'self_harm'::text, 'dementia'::text]))),
    CONSTRAINT person_markers_source_check CHECK (((length(source) >= 1) AND (length(source) <= 200)))
);

ALTER TABLE ONLY public.person_markers FORCE ROW LEVEL SECURITY;

ALTER TABLE public.person_markers OWNER TO homeward_owner;

CREATE TABLE public.person_merge_moves (
    merge_id uuid NOT NULL,
    record_type text NOT NULL,
    record_id uuid NOT NULL,
    CONSTRAINT person_merge_moves_record_type_check CHECK ((record_type = ANY (ARRAY['episode'::text, 'marker'::text, 'placement'::text, 'protocol_profile'::text])))
);

ALTER TABLE ONLY public.person_merge_moves FORCE ROW LEVEL SECURITY;

ALTER TABLE public.person_merge_moves OWNER TO homeward_owner;

CREATE TABLE public.person_merges (
    id uuid NOT NULL,
    survivor_id uuid NOT NULL,
    duplicate_id uuid NOT NULL,
    reason text NOT NULL,
    added_aliases text[] DEFAULT '{}'::text[] NOT NULL,
    merged_by uuid NOT NULL,
    merged_at timestamp with time zone DEFAULT now() NOT NULL,
    undone_by uuid,
    undone_at timestamp with time zone,
    undo_reason text,
    CONSTRAINT person_merges_added_aliases_check CHECK ((array_position(added_aliases, NULL::text) IS NULL)),
    CONSTRAINT person_merges_check CHECK ((survivor_id <> duplicate_id)),
    CONSTRAINT person_merges_check1 CHECK ((((undone_at IS NULL) = (undone_by IS NULL)) AND ((undone_at IS NULL) = (undo_reason IS NULL)))),
    CONSTRAINT person_merges_reason_check CHECK (((length(reason) >= 1) AND (length(reason) <= 2000))),
    CONSTRAINT person_merges_undo_reason_check CHECK (((length(undo_reason) >= 1) AND (length(undo_reason) <= 2000)))
);

ALTER TABLE ONLY public.person_merges FORCE ROW LEVEL SECURITY;

ALTER TABLE public.person_merges OWNER TO homeward_owner;

CREATE TABLE public.persons (
    id uuid NOT NULL,
    given_name text NOT NULL,
    family_name text NOT NULL,
    aliases text[] DEFAULT '{}'::text[] NOT NULL,
    search_names text NOT NULL,
    date_of_birth date,
    sex text,
    ethnicity text,
    home_district_id uuid,
    local_authority text,
    version integer DEFAULT 1 NOT NULL,
    created_by uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    looked_after boolean DEFAULT false NOT NULL,
    merged_into uuid,
    restricted boolean DEFAULT false NOT NULL,
    disposed_at timestamp with time zone,
    CONSTRAINT persons_aliases_check CHECK ((array_position(aliases, NULL::text) IS NULL)),
    CONSTRAINT persons_check CHECK ((merged_into <> id)),
    CONSTRAINT persons_date_of_birth_check CHECK ((date_of_birth > '1900-01-01'::date)),
    CONSTRAINT persons_ethnicity_check CHECK ((length(ethnicity) <= 100)),
    CONSTRAINT persons_family_name_check CHECK (((length(family_name) >= 1) AND (length(family_name) <= 100))),
    CONSTRAINT persons_given_name_check CHECK (((length(given_name) >= 1) AND (length(given_name) <= 100))),
    CONSTRAINT persons_local_authority_check CHECK ((length(local_authority) <= 100)),
    CONSTRAINT persons_sex_check CHECK ((sex = ANY (ARRAY['female'::text, 'male'::text, 'other'::text, 'unknown'::text])))
);

ALTER TABLE ONLY public.persons FORCE ROW LEVEL SECURITY;

ALTER TABLE public.persons OWNER TO homeward_owner;

CREATE TABLE public.placements (
    id uuid NOT NULL,
    person_id uuid NOT NULL,
    kind text NOT NULL,
    provider text DEFAULT ''::text NOT NULL,
    placing_authority text NOT NULL,
    host_authority text NOT NULL,
    out_of_area boolean GENERATED ALWAYS AS ((placing_authority <> host_authority)) STORED NOT NULL,
    starts_on date NOT NULL,
    ends_on date,
    version integer DEFAULT 1 NOT NULL,
    recorded_by uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    restricted boolean DEFAULT false NOT NULL,
    CONSTRAINT placements_check CHECK (((ends_on IS NULL) OR (ends_on >= starts_on))),
    CONSTRAINT placements_kind_check CHECK ((kind = ANY (ARRAY['regulated_childrens_home'::text, 'unregulated_childrens_home'::text, 'foster'::text, 'family'::text]))),
    CONSTRAINT placements_provider_check CHECK ((length(provider) <= 200))
);

ALTER TABLE ONLY public.placements FORCE ROW LEVEL SECURITY;

ALTER TABLE public.placements OWNER TO homeward_owner;

CREATE TABLE public.prevention_interviews (
    episode_id uuid NOT NULL,
    conducted_at timestamp with time zone NOT NULL,
    conducted_by text NOT NULL,
    mode text NOT NULL,
    disclosures text DEFAULT ''::text NOT NULL,
    referrals_made text DEFAULT ''::text NOT NULL,
    recorded_by uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT prevention_interviews_conducted_by_check CHECK (((length(conducted_by) >= 1) AND (length(conducted_by) <= 200))),
    CONSTRAINT prevention_interviews_disclosures_check CHECK ((length(disclosures) <= 10000)),
    CONSTRAINT prevention_interviews_mode_check CHECK ((mode = ANY (ARRAY['in_person'::text, 'phone'::text, 'video'::text]))),
    CONSTRAINT prevention_interviews_referrals_made_check CHECK ((length(referrals_made) <= 5000))
);

ALTER TABLE ONLY public.prevention_interviews FORCE ROW LEVEL SECURITY;

ALTER TABLE public.prevention_interviews OWNER TO homeward_owner;

CREATE TABLE public.protocol_profiles (
    id uuid NOT NULL,
    person_id uuid NOT NULL,
    protocol text NOT NULL,
    owning_organisation text NOT NULL,
    description text NOT NULL,
    photo_reference text DEFAULT ''::text NOT NULL,
    places text DEFAULT ''::text NOT NULL,
    associates text,
    contact_details text,
    missing_history text,
    medication text,
    routine text,
    last_reviewed_on date NOT NULL,
    review_due_on date NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    recorded_by uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    restricted boolean DEFAULT false NOT NULL,
    CONSTRAINT protocol_profiles_associates_check CHECK ((length(associates) <= 5000)),
    CONSTRAINT protocol_profiles_check CHECK ((review_due_on > last_reviewed_on)),
    CONSTRAINT protocol_profiles_check1 CHECK (((protocol = 'philomena'::text) OR ((associates IS NULL) AND (contact_details IS NULL) AND (missing_history IS NULL)))),
    CONSTRAINT protocol_profiles_check2 CHECK (((protocol = 'herbert'::text) OR ((medication IS NULL) AND (routine IS NULL)))),
    CONSTRAINT protocol_profiles_contact_details_check CHECK ((length(contact_details) <= 2000)),
    CONSTRAINT protocol_profiles_description_check CHECK (((length(description) >= 1) AND (length(description) <= 5000))),
    CONSTRAINT protocol_profiles_medication_check CHECK ((length(medication) <= 2000)),
    CONSTRAINT protocol_profiles_missing_history_check CHECK ((length(missing_history) <= 5000)),
    CONSTRAINT protocol_profiles_owning_organisation_check CHECK (((length(owning_organisation) >= 1) AND (length(owning_organisation) <= 200))),
    CONSTRAINT protocol_profiles_photo_reference_check CHECK ((length(photo_reference) <= 500)),
    CONSTRAINT protocol_profiles_places_check CHECK ((length(places) <= 5000)),
    CONSTRAINT protocol_profiles_protocol_check CHECK ((protocol = ANY (ARRAY['philomena'::text, 'herbert'::text]))),
    CONSTRAINT protocol_profiles_routine_check CHECK ((length(routine) <= 5000))
);

ALTER TABLE ONLY public.protocol_profiles FORCE ROW LEVEL SECURITY;

ALTER TABLE public.protocol_profiles OWNER TO homeward_owner;

CREATE TABLE public.rectification_notes (
    id uuid NOT NULL,
    person_id uuid NOT NULL,
    request text NOT NULL,
    outcome text NOT NULL,
    audit_seqs bigint[] NOT NULL,
    recorded_by uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT rectification_notes_audit_seqs_check CHECK ((array_position(audit_seqs, NULL::bigint) IS NULL)),
    CONSTRAINT rectification_notes_outcome_check CHECK (((length(outcome) >= 1) AND (length(outcome) <= 2000))),
    CONSTRAINT rectification_notes_request_check CHECK (((length(request) >= 1) AND (length(request) <= 2000)))
);

ALTER TABLE ONLY public.rectification_notes FORCE ROW LEVEL SECURITY;

ALTER TABLE public.rectification_notes OWNER TO homeward_owner;

CREATE TABLE public.referrals (
    id uuid NOT NULL,
    person_id uuid NOT NULL,
    district_id uuid NOT NULL,
    source text NOT NULL,
    source_agency_id uuid,
    trigger_id uuid,
    reasons text[] NOT NULL,
    summary text NOT NULL,
    lawful_basis text NOT NULL,
    status text DEFAULT 'received'::text NOT NULL,
    decision_reason text,
    redirected_to text,
    closure_reason text,
    closed_at timestamp with time zone,
    consent text DEFAULT 'not_sought'::text NOT NULL,
    consent_by text,
    consent_at timestamp with time zone,
    version integer DEFAULT 1 NOT NULL,
    created_by uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    restricted boolean DEFAULT false NOT NULL,
    CONSTRAINT referrals_check CHECK (((source = 'partner'::text) = (source_agency_id IS NOT NULL))),
    CONSTRAINT referrals_check1 CHECK (((source = 'missing_trigger'::text) = (trigger_id IS NOT NULL))),
    CONSTRAINT referrals_check2 CHECK (((status = 'closed'::text) = ((closure_reason IS NOT NULL) AND (closed_at IS NOT NULL)))),
    CONSTRAINT referrals_check3 CHECK (((status <> 'redirected'::text) OR (redirected_to IS NOT NULL))),
    CONSTRAINT referrals_check4 CHECK (((consent = 'not_sought'::text) = ((consent_by IS NULL) AND (consent_at IS NULL)))),
    CONSTRAINT referrals_closure_reason_check CHECK ((closure_reason = ANY (ARRAY['outcomes_met'::text, 'declined_or_withdrew'::text, 'escalated_to_statutory'::text, 'moved_out_of_area'::text, 'turned_18'::text, 'no_engagement'::text]))),
    CONSTRAINT referrals_consent_by_check CHECK ((consent_by = ANY (ARRAY['young_person'::text, 'parent_or_carer'::text, 'both'::text]))),
    CONSTRAINT referrals_consent_check CHECK ((consent = ANY (ARRAY['not_sought'::text, 'given'::text, 'refused'::text, 'withdrawn'::text]))),
    CONSTRAINT referrals_decision_reason_check CHECK (((length(decision_reason) >= 1) AND (length(decision_reason) <= 2000))),
    CONSTRAINT referrals_lawful_basis_check CHECK (((length(lawful_basis) >= 1) AND (length(lawful_basis) <= 500))),
    CONSTRAINT referrals_reasons_check CHECK (((cardinality(reasons) >= 1) AND (reasons <@ ARRAY['first_time_missing'::text, 'sudden_multiple_missing'::text, 'repeat_missing'::text, 'adolescent_to_parent_violence'::text, 'domestic_abuse'::text, 'first_time_offence'::text, 'linked_to_multiple_crimes'::text, 'exploitation_risk'::text, 'other'::text]))),
    CONSTRAINT referrals_redirected_to_check CHECK (((length(redirected_to) >= 1) AND (length(redirected_to) <= 200))),
    CONSTRAINT referrals_source_check CHECK ((source = ANY (ARRAY['frontline_officer'::text, 'daily_search'::text, 'missing_trigger'::text, 'mash'::text, 'partner'::text]))),
    CONSTRAINT referrals_status_check CHECK ((status = ANY (ARRAY['received'::text, 'triage'::text, 'accepted'::text, 'declined'::text, 'redirected'::text, 'active'::text, 'closed'::text]))),
    CONSTRAINT referrals_summary_check CHECK (((length(summary) >= 1) AND (length(summary) <= 10000)))
);

ALTER TABLE ONLY public.referrals FORCE ROW LEVEL SECURITY;

ALTER TABLE public.referrals OWNER TO homeward_owner;

CREATE TABLE public.refresh_tokens (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    session_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    issued_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone
);

ALTER TABLE ONLY public.refresh_tokens FORCE ROW LEVEL SECURITY;

ALTER TABLE public.refresh_tokens OWNER TO homeward_owner;

CREATE TABLE public.restrictions (
    id uuid NOT NULL,
    person_id uuid NOT NULL,
    reason text NOT NULL,
    placed_by uuid NOT NULL,
    placed_at timestamp with time zone DEFAULT now() NOT NULL,
    lifted_by uuid,
    lifted_at timestamp with time zone,
    lift_reason text,
    CONSTRAINT restrictions_check CHECK ((((lifted_at IS NULL) = (lifted_by IS NULL)) AND ((lifted_at IS NULL) = (lift_reason IS NULL)))),
    CONSTRAINT restrictions_lift_reason_check CHECK (((length(lift_reason) >= 1) AND (length(lift_reason) <= 2000))),
    CONSTRAINT restrictions_reason_check CHECK (((length(reason) >= 1) AND (length(reason) <= 2000)))
);

ALTER TABLE ONLY public.restrictions FORCE ROW LEVEL SECURITY;

ALTER TABLE public.restrictions OWNER TO homeward_owner;

CREATE TABLE public.retention_decisions (
    id uuid NOT NULL,
    person_id uuid NOT NULL,
    decision text NOT NULL,
    reason text NOT NULL,
    note text,
    next_review_on date,
    decided_by uuid NOT NULL,
    decided_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT retention_decisions_check CHECK (((decision = 'retain'::text) = (next_review_on IS NOT NULL))),
    CONSTRAINT retention_decisions_check1 CHECK (((reason <> 'other'::text) OR (note IS NOT NULL))),
    CONSTRAINT retention_decisions_check2 CHECK (((decision = 'dispose'::text) = (reason = 'no_policing_purpose'::text))),
    CONSTRAINT retention_decisions_decision_check CHECK ((decision = ANY (ARRAY['retain'::text, 'dispose'::text]))),
    CONSTRAINT retention_decisions_note_check CHECK (((length(note) >= 1) AND (length(note) <= 2000))),
    CONSTRAINT retention_decisions_reason_check CHECK ((reason = ANY (ARRAY['concern_for_child_or_vulnerable_adult'::text, 'risk_of_serious_harm'::text, 'pattern_of_behaviour'::text, 'public_protection_arrangements'::text, 'ongoing_investigation_or_proceedings'::text, 'legal_hold'::text, 'no_policing_purpose'::text, 'other'::text])))
);

ALTER TABLE ONLY public.retention_decisions FORCE ROW LEVEL SECURITY;

ALTER TABLE public.retention_decisions OWNER TO homeward_owner;

CREATE TABLE public.return_home_interviews (
    episode_id uuid NOT NULL,
    due_at timestamp with time zone NOT NULL,
    provider_agency_id uuid,
    status text DEFAULT 'pending'::text NOT NULL,
    status_reason text,
    completed_at timestamp with time zone,
    updated_by uuid NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT return_home_interviews_check CHECK (((status = 'completed'::text) = (completed_at IS NOT NULL))),
    CONSTRAINT return_home_interviews_check1 CHECK (((status <> ALL (ARRAY['declined'::text, 'unable_to_contact'::text, 'not_completed'::text])) OR (status_reason IS NOT NULL))),
    CONSTRAINT return_home_interviews_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'offered'::text, 'accepted'::text, 'declined'::text, 'unable_to_contact'::text, 'completed'::text, 'not_completed'::text]))),
    CONSTRAINT return_home_interviews_status_reason_check CHECK ((length(status_reason) <= 2000))
);

ALTER TABLE ONLY public.return_home_interviews FORCE ROW LEVEL SECURITY;

ALTER TABLE public.return_home_interviews OWNER TO homeward_owner;

CREATE TABLE public.risk_gradings (
    id uuid NOT NULL,
    episode_id uuid NOT NULL,
    graded_at timestamp with time zone DEFAULT now() NOT NULL,
    graded_by uuid NOT NULL,
    from_level public.hw_risk_level,
    to_level public.hw_risk_level NOT NULL,
    rationale public.hw_text_1_to_5000 NOT NULL,
    information public.hw_text_1_to_5000 NOT NULL,
    grader_role public.hw_grader_role
);

ALTER TABLE ONLY public.risk_gradings FORCE ROW LEVEL SECURITY;

ALTER TABLE public.risk_gradings OWNER TO homeward_owner;

CREATE TABLE public.scheduler_lease (
    singleton boolean DEFAULT true NOT NULL,
    last_tick_at timestamp with time zone DEFAULT '-infinity'::timestamp with time zone NOT NULL,
    holder text DEFAULT ''::text NOT NULL,
    ticks bigint DEFAULT 0 NOT NULL,
    CONSTRAINT scheduler_lease_holder_check CHECK ((length(holder) <= 200)),
    CONSTRAINT scheduler_lease_singleton_check CHECK (singleton)
);

ALTER TABLE ONLY public.scheduler_lease FORCE ROW LEVEL SECURITY;

ALTER TABLE public.scheduler_lease OWNER TO homeward_owner;

CREATE TABLE public.security_alerts (
    account_id uuid NOT NULL,
    window_start timestamp with time zone NOT NULL,
    events integer NOT NULL
);

ALTER TABLE ONLY public.security_alerts FORCE ROW LEVEL SECURITY;

ALTER TABLE public.security_alerts OWNER TO homeward_owner;

CREATE TABLE public.security_events (
    id bigint NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    kind text NOT NULL,
    account_id uuid,
    email_hash bytea,
    address text NOT NULL,
    method text NOT NULL,
    route text NOT NULL,
    record_id uuid,
    request_id text,
    status smallint NOT NULL,
    CONSTRAINT security_events_address_check CHECK ((length(address) <= 64)),
    CONSTRAINT security_events_kind_check CHECK ((kind = ANY (ARRAY['login_failed'::text, 'login_throttled'::text, 'forbidden'::text, 'hidden_record'::text]))),
    CONSTRAINT security_events_method_check CHECK ((length(method) <= 16)),
    CONSTRAINT security_events_request_id_check CHECK ((length(request_id) <= 100)),
    CONSTRAINT security_events_route_check CHECK ((length(route) <= 200)),
    CONSTRAINT security_events_status_check CHECK (((status >= 400) AND (status <= 499)))
);

ALTER TABLE ONLY public.security_events FORCE ROW LEVEL SECURITY;

ALTER TABLE public.security_events OWNER TO homeward_owner;

ALTER TABLE public.security_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.security_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoked_reason text,
    web_token_hash bytea,
    last_seen_at timestamp with time zone
);

ALTER TABLE ONLY public.sessions FORCE ROW LEVEL SECURITY;

ALTER TABLE public.sessions OWNER TO homeward_owner;

CREATE TABLE public.shares (
    id uuid NOT NULL,
    record_type text NOT NULL,
    record_id uuid NOT NULL,
    district_id uuid NOT NULL,
    agency_id uuid NOT NULL,
    parts text[] NOT NULL,
    purpose text NOT NULL,
    lawful_basis text NOT NULL,
    shared_by uuid NOT NULL,
    shared_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    revoked_by uuid,
    revoke_reason text,
    CONSTRAINT shares_check CHECK (((cardinality(parts) >= 1) AND (parts <@
CASE record_type
    WHEN 'episode'::text THEN ARRAY['summary'::text, 'risk'::text, 'return'::text, 'return_interview'::text, 'markers'::text]
    WHEN 'trigger'::text THEN ARRAY['summary'::text, 'plan'::text, 'markers'::text]
    ELSE ARRAY['summary'::text, 'triage'::text, 'plan'::text, 'markers'::text]
END) AND ('summary'::text = ANY (parts)))),
    CONSTRAINT shares_check1 CHECK ((expires_at > shared_at)),
    CONSTRAINT shares_check2 CHECK ((((revoked_at IS NULL) = (revoked_by IS NULL)) AND ((revoked_at IS NULL) = (revoke_reason IS NULL)))),
    CONSTRAINT shares_lawful_basis_check CHECK (((length(lawful_basis) >= 1) AND (length(lawful_basis) <= 500))),
    CONSTRAINT shares_purpose_check CHECK (((length(purpose) >= 1) AND (length(purpose) <= 1000))),
    CONSTRAINT shares_record_type_check CHECK ((record_type = ANY (ARRAY['episode'::text, 'trigger'::text, 'referral'::text]))),
    CONSTRAINT shares_revoke_reason_check CHECK (((length(revoke_reason) >= 1) AND (length(revoke_reason) <= 2000)))
);

ALTER TABLE ONLY public.shares FORCE ROW LEVEL SECURITY;

ALTER TABLE public.shares OWNER TO homeward_owner;

CREATE TABLE public.subject_access_requests (
    id uuid NOT NULL,
    person_ids uuid[] NOT NULL,
    requester text NOT NULL,
    reason text NOT NULL,
    received_on date NOT NULL,
    due_on date NOT NULL,
    extension_reason text,
    status text DEFAULT 'open'::text NOT NULL,
    decided_at timestamp with time zone,
    decided_by uuid,
    decision_note text,
    bundle jsonb NOT NULL,
    assembled_at timestamp with time zone NOT NULL,
    due_alerted_at timestamp with time zone,
    overdue_alerted_at timestamp with time zone,
    created_by uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT subject_access_requests_check CHECK ((due_on > received_on)),
    CONSTRAINT subject_access_requests_check1 CHECK (((status = 'open'::text) = (decided_at IS NULL))),
    CONSTRAINT subject_access_requests_check2 CHECK (((decided_at IS NULL) = (decided_by IS NULL))),
    CONSTRAINT subject_access_requests_check3 CHECK (((status <> 'refused'::text) OR (decision_note IS NOT NULL))),
    CONSTRAINT subject_access_requests_decision_note_check CHECK (((length(decision_note) >= 1) AND (length(decision_note) <= 2000))),
    CONSTRAINT subject_access_requests_extension_reason_check CHECK (((length(extension_reason) >= 1) AND (length(extension_reason) <= 2000))),
    CONSTRAINT subject_access_requests_person_ids_check CHECK ((((cardinality(person_ids) >= 1) AND (cardinality(person_ids) <= 20)) AND (array_position(person_ids, NULL::uuid) IS NULL))),
    CONSTRAINT subject_access_requests_reason_check CHECK (((length(reason) >= 1) AND (length(reason) <= 2000))),
    CONSTRAINT subject_access_requests_requester_check CHECK (((length(requester) >= 1) AND (length(requester) <= 500))),
    CONSTRAINT subject_access_requests_status_check CHECK ((status = ANY (ARRAY['open'::text, 'released'::text, 'refused'::text])))
);

ALTER TABLE ONLY public.subject_access_requests FORCE ROW LEVEL SECURITY;

ALTER TABLE public.subject_access_requests OWNER TO homeward_owner;

CREATE TABLE public.supervisor_reviews (
    id uuid NOT NULL,
    episode_id uuid NOT NULL,
    reviewed_at timestamp with time zone DEFAULT now() NOT NULL,
    reviewed_by uuid NOT NULL,
    risk_level text NOT NULL,
    outcome text NOT NULL,
    next_due_at timestamp with time zone NOT NULL,
    CONSTRAINT supervisor_reviews_outcome_check CHECK (((length(outcome) >= 1) AND (length(outcome) <= 5000))),
    CONSTRAINT supervisor_reviews_risk_level_check CHECK ((risk_level = ANY (ARRAY['very_low'::text, 'low'::text, 'medium'::text, 'high'::text])))
);

ALTER TABLE ONLY public.supervisor_reviews FORCE ROW LEVEL SECURITY;

ALTER TABLE public.supervisor_reviews OWNER TO homeward_owner;

CREATE TABLE public.triage_meetings (
    id uuid NOT NULL,
    referral_id uuid NOT NULL,
    held_on date NOT NULL,
    attendee_agency_ids uuid[] NOT NULL,
    decisions text NOT NULL,
    next_meeting_on date,
    recorded_by uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT triage_meetings_attendee_agency_ids_check CHECK (((cardinality(attendee_agency_ids) >= 1) AND (array_position(attendee_agency_ids, NULL::uuid) IS NULL))),
    CONSTRAINT triage_meetings_check CHECK ((next_meeting_on > held_on)),
    CONSTRAINT triage_meetings_decisions_check CHECK (((length(decisions) >= 1) AND (length(decisions) <= 10000)))
);

ALTER TABLE ONLY public.triage_meetings FORCE ROW LEVEL SECURITY;

ALTER TABLE public.triage_meetings OWNER TO homeward_owner;

CREATE TABLE public.trigger_plans (
    trigger_id uuid NOT NULL,
    summary text NOT NULL,
    agency_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    review_on date NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    recorded_by uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT trigger_plans_agency_ids_check CHECK ((array_position(agency_ids, NULL::uuid) IS NULL)),
    CONSTRAINT trigger_plans_summary_check CHECK (((length(summary) >= 1) AND (length(summary) <= 10000)))
);

ALTER TABLE ONLY public.trigger_plans FORCE ROW LEVEL SECURITY;

ALTER TABLE public.trigger_plans OWNER TO homeward_owner;

CREATE TABLE public.trigger_rule_versions (
    rule_id uuid NOT NULL,
    version integer NOT NULL,
    content jsonb NOT NULL,
    changed_by uuid,
    changed_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.trigger_rule_versions FORCE ROW LEVEL SECURITY;

ALTER TABLE public.trigger_rule_versions OWNER TO homeward_owner;

CREATE TABLE public.trigger_rules (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    min_episodes integer,
    within_days integer,
    district_id uuid,
    enabled boolean DEFAULT true NOT NULL,
    escalate_after_hours integer DEFAULT 24 NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT trigger_rules_check CHECK (((kind = 'episodes_within'::text) = ((min_episodes IS NOT NULL) AND (within_days IS NOT NULL)))),
    CONSTRAINT trigger_rules_check1 CHECK (((kind = 'episodes_within'::text) OR ((min_episodes IS NULL) AND (within_days IS NULL)))),
    CONSTRAINT trigger_rules_escalate_after_hours_check CHECK (((escalate_after_hours >= 1) AND (escalate_after_hours <= 720))),
    CONSTRAINT trigger_rules_kind_check CHECK ((kind = ANY (ARRAY['first_time_child'::text, 'episodes_within'::text, 'out_of_area_placement'::text, 'high_risk'::text]))),
    CONSTRAINT trigger_rules_min_episodes_check CHECK (((min_episodes >= 2) AND (min_episodes <= 100))),
    CONSTRAINT trigger_rules_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT trigger_rules_within_days_check CHECK (((within_days >= 1) AND (within_days <= 3660)))
);

ALTER TABLE ONLY public.trigger_rules FORCE ROW LEVEL SECURITY;

ALTER TABLE public.trigger_rules OWNER TO homeward_owner;

CREATE TABLE public.triggers (
    id uuid NOT NULL,
    person_id uuid NOT NULL,
    rule_id uuid NOT NULL,
    rule_version integer NOT NULL,
    kind text NOT NULL,
    district_id uuid NOT NULL,
    anchor_episode_id uuid NOT NULL,
    basis_episode_ids uuid[] NOT NULL,
    window_start timestamp with time zone NOT NULL,
    window_end timestamp with time zone NOT NULL,
    status text DEFAULT 'open'::text NOT NULL,
    assigned_to uuid,
    fired_at timestamp with time zone DEFAULT now() NOT NULL,
    escalation_due_at timestamp with time zone NOT NULL,
    escalated_at timestamp with time zone,
    acknowledged_at timestamp with time zone,
    acknowledged_by uuid,
    closed_at timestamp with time zone,
    closed_by uuid,
    closure_note text,
    withdrawn_at timestamp with time zone,
    withdrawn_reason text,
    version integer DEFAULT 1 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    restricted boolean DEFAULT false NOT NULL,
    CONSTRAINT triggers_basis_episode_ids_check CHECK (((cardinality(basis_episode_ids) >= 1) AND (array_position(basis_episode_ids, NULL::uuid) IS NULL))),
    CONSTRAINT triggers_check CHECK ((window_start <= window_end)),
    CONSTRAINT triggers_check1 CHECK ((anchor_episode_id = ANY (basis_episode_ids))),
    CONSTRAINT triggers_check2 CHECK (((acknowledged_at IS NULL) = (acknowledged_by IS NULL))),
    CONSTRAINT triggers_check3 CHECK (((status = ANY (ARRAY['open'::text, 'withdrawn'::text])) OR (acknowledged_at IS NOT NULL))),
    CONSTRAINT triggers_check4 CHECK (((status = 'closed'::text) = ((closed_at IS NOT NULL) AND (closed_by IS NOT NULL) AND (closure_note IS NOT NULL)))),
    CONSTRAINT triggers_check5 CHECK (((status = 'withdrawn'::text) = ((withdrawn_at IS NOT NULL) AND (withdrawn_reason IS NOT NULL)))),
    CONSTRAINT triggers_closure_note_check CHECK (((length(closure_note) >= 1) AND (length(closure_note) <= 5000))),
    CONSTRAINT triggers_kind_check CHECK ((kind = ANY (ARRAY['first_time_child'::text, 'episodes_within'::text, 'out_of_area_placement'::text, 'high_risk'::text]))),
    CONSTRAINT triggers_status_check CHECK ((status = ANY (ARRAY['open'::text, 'acknowledged'::text, 'plan_recorded'::text, 'closed'::text, 'withdrawn'::text]))),
    CONSTRAINT triggers_withdrawn_reason_check CHECK (((length(withdrawn_reason) >= 1) AND (length(withdrawn_reason) <= 2000)))
);

ALTER TABLE ONLY public.triggers FORCE ROW LEVEL SECURITY;

ALTER TABLE public.triggers OWNER TO homeward_owner;

CREATE TABLE public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    role text NOT NULL,
    district_id uuid,
    agency_id uuid,
    active boolean DEFAULT true NOT NULL,
    password_hash text NOT NULL,
    token_version integer DEFAULT 1 NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    must_change_password boolean DEFAULT false NOT NULL,
    CONSTRAINT partner_has_agency CHECK (((role = 'partner'::text) = (agency_id IS NOT NULL))),
    CONSTRAINT users_display_name_check CHECK (((length(display_name) >= 1) AND (length(display_name) <= 200))),
    CONSTRAINT users_email_check CHECK (((email = lower(email)) AND ((length(email) >= 3) AND (length(email) <= 254)))),
    CONSTRAINT users_role_check CHECK ((role = ANY (ARRAY['officer'::text, 'supervisor'::text, 'mfhc'::text, 'early_action'::text, 'partner'::text, 'analyst'::text, 'admin'::text, 'dpo'::text])))
);

ALTER TABLE ONLY public.users FORCE ROW LEVEL SECURITY;

ALTER TABLE public.users OWNER TO homeward_owner;

CREATE UNLOGGED TABLE public.write_quota (
    user_id uuid NOT NULL,
    tat timestamp with time zone NOT NULL
);

ALTER TABLE ONLY public.write_quota FORCE ROW LEVEL SECURITY;

ALTER TABLE public.write_quota OWNER TO homeward_owner;

ALTER TABLE ONLY public.__diesel_schema_migrations
    ADD CONSTRAINT __diesel_schema_migrations_pkey PRIMARY KEY (version);

ALTER TABLE ONLY public.actions
    ADD CONSTRAINT actions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.agencies
    ADD CONSTRAINT agencies_name_key UNIQUE (name);

ALTER TABLE ONLY public.agencies
    ADD CONSTRAINT agencies_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.agency_districts
    ADD CONSTRAINT agency_districts_pkey PRIMARY KEY (agency_id, district_id);

ALTER TABLE ONLY public.agency_types
    ADD CONSTRAINT agency_types_pkey PRIMARY KEY (code);

ALTER TABLE ONLY public.audit_chain_head
    ADD CONSTRAINT audit_chain_head_pkey PRIMARY KEY (singleton);

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (seq);

ALTER TABLE ONLY public.audit_queue
    ADD CONSTRAINT audit_queue_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.baselines
    ADD CONSTRAINT baselines_district_id_age_group_version_key UNIQUE NULLS NOT DISTINCT (district_id, age_group, version);

ALTER TABLE ONLY public.baselines
    ADD CONSTRAINT baselines_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.children_month_counts
    ADD CONSTRAINT children_month_counts_pkey PRIMARY KEY (month, district_id, shard) INCLUDE (children, episodes);

ALTER TABLE ONLY public.children_month_state
    ADD CONSTRAINT children_month_state_pkey PRIMARY KEY (person_id, month, district_id);

ALTER TABLE ONLY public.districts
    ADD CONSTRAINT districts_code_key UNIQUE (code);

ALTER TABLE ONLY public.districts
    ADD CONSTRAINT districts_name_key UNIQUE (name);

ALTER TABLE ONLY public.districts
    ADD CONSTRAINT districts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.episode_alerts
    ADD CONSTRAINT episode_alerts_pkey PRIMARY KEY (episode_id, alert);

ALTER TABLE ONLY public.episode_reference_counters
    ADD CONSTRAINT episode_reference_counters_pkey PRIMARY KEY (district_id, year);

ALTER TABLE ONLY public.episode_returns
    ADD CONSTRAINT episode_returns_pkey PRIMARY KEY (episode_id);

ALTER TABLE ONLY public.episode_transfers
    ADD CONSTRAINT episode_transfers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.episodes
    ADD CONSTRAINT episodes_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.episodes
    ADD CONSTRAINT episodes_reference_key UNIQUE (reference);

ALTER TABLE ONLY public.hw_rules_applied
    ADD CONSTRAINT hw_rules_applied_pkey PRIMARY KEY (singleton);

ALTER TABLE ONLY public.intervention_plans
    ADD CONSTRAINT intervention_plans_pkey PRIMARY KEY (referral_id);

ALTER TABLE ONLY public.local_authorities
    ADD CONSTRAINT local_authorities_name_key UNIQUE (name);

ALTER TABLE ONLY public.local_authorities
    ADD CONSTRAINT local_authorities_pkey PRIMARY KEY (code);

ALTER TABLE ONLY public.login_throttle
    ADD CONSTRAINT login_throttle_pkey PRIMARY KEY (key_hash);

ALTER TABLE ONLY public.measure_definitions
    ADD CONSTRAINT measure_definitions_pkey PRIMARY KEY (version);

ALTER TABLE ONLY public.measure_pending
    ADD CONSTRAINT measure_pending_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.measure_repeat_counts
    ADD CONSTRAINT measure_repeat_counts_pkey PRIMARY KEY (definition_version, period_end, age_group, district_id, shard) INCLUDE (persons);

ALTER TABLE ONLY public.measure_repeat_state
    ADD CONSTRAINT measure_repeat_state_pkey PRIMARY KEY (definition_version, period_end, age_group, person_id) INCLUDE (district_id);

ALTER TABLE ONLY public.notification_gaps
    ADD CONSTRAINT notification_gaps_pkey PRIMARY KEY (event_key);

ALTER TABLE ONLY public.notification_preferences
    ADD CONSTRAINT notification_preferences_pkey PRIMARY KEY (user_id);

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_event_key_recipient_key UNIQUE (event_key, recipient);

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_message_id_key UNIQUE (message_id);

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.person_markers
    ADD CONSTRAINT person_markers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.person_merge_moves
    ADD CONSTRAINT person_merge_moves_pkey PRIMARY KEY (merge_id, record_type, record_id);

ALTER TABLE ONLY public.person_merges
    ADD CONSTRAINT person_merges_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.placements
    ADD CONSTRAINT placements_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.prevention_interviews
    ADD CONSTRAINT prevention_interviews_pkey PRIMARY KEY (episode_id);

ALTER TABLE ONLY public.protocol_profiles
    ADD CONSTRAINT protocol_profiles_person_id_protocol_key UNIQUE (person_id, protocol);

ALTER TABLE ONLY public.protocol_profiles
    ADD CONSTRAINT protocol_profiles_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.rectification_notes
    ADD CONSTRAINT rectification_notes_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.referrals
    ADD CONSTRAINT referrals_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.restrictions
    ADD CONSTRAINT restrictions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.retention_decisions
    ADD CONSTRAINT retention_decisions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.return_home_interviews
    ADD CONSTRAINT return_home_interviews_pkey PRIMARY KEY (episode_id);

ALTER TABLE ONLY public.risk_gradings
    ADD CONSTRAINT risk_gradings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.scheduler_lease
    ADD CONSTRAINT scheduler_lease_pkey PRIMARY KEY (singleton);

ALTER TABLE ONLY public.security_alerts
    ADD CONSTRAINT security_alerts_pkey PRIMARY KEY (account_id, window_start);

ALTER TABLE ONLY public.security_events
    ADD CONSTRAINT security_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.shares
    ADD CONSTRAINT shares_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.subject_access_requests
    ADD CONSTRAINT subject_access_requests_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.supervisor_reviews
    ADD CONSTRAINT supervisor_reviews_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.triage_meetings
    ADD CONSTRAINT triage_meetings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.trigger_plans
    ADD CONSTRAINT trigger_plans_pkey PRIMARY KEY (trigger_id);

ALTER TABLE ONLY public.trigger_rule_versions
    ADD CONSTRAINT trigger_rule_versions_pkey PRIMARY KEY (rule_id, version);

ALTER TABLE ONLY public.trigger_rules
    ADD CONSTRAINT trigger_rules_name_key UNIQUE (name);

ALTER TABLE ONLY public.trigger_rules
    ADD CONSTRAINT trigger_rules_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.triggers
    ADD CONSTRAINT triggers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.write_quota
    ADD CONSTRAINT write_quota_pkey PRIMARY KEY (user_id);

CREATE INDEX actions_agency_idx ON public.actions USING btree (owner_agency_id, due_on, id);

CREATE INDEX actions_district_idx ON public.actions USING btree (district_id, due_on, id);

CREATE INDEX actions_episode_idx ON public.actions USING btree (episode_id) WHERE (episode_id IS NOT NULL);

CREATE INDEX actions_referral_idx ON public.actions USING btree (referral_id) WHERE (referral_id IS NOT NULL);

CREATE INDEX actions_short_ref_idx ON public.actions USING btree ("right"((id)::text, 8));

CREATE INDEX actions_trigger_idx ON public.actions USING btree (trigger_id) WHERE (trigger_id IS NOT NULL);

CREATE INDEX audit_log_actor_idx ON public.audit_log USING btree (actor_id, seq);

CREATE INDEX audit_log_occurred_idx ON public.audit_log USING btree (occurred_at);

CREATE INDEX audit_log_record_ids_idx ON public.audit_log USING gin (record_ids);

CREATE INDEX episode_transfers_episode_idx ON public.episode_transfers USING btree (episode_id, transferred_at);

CREATE INDEX episode_transfers_from_idx ON public.episode_transfers USING btree (from_district_id);

CREATE INDEX episodes_counted_reported_idx ON public.episodes USING btree (reported_at) INCLUDE (id, person_id, district_id, looked_after, missing_from) WHERE ((status)::text <> 'cancelled'::text);

CREATE INDEX episodes_district_idx ON public.episodes USING btree (district_id, reported_at DESC, id DESC);

CREATE INDEX episodes_national_due_idx ON public.episodes USING btree (reported_at) WHERE (((status)::text = ANY (ARRAY['reported'::text, 'active'::text])) AND ((ukmpu_notified_at IS NULL) OR (pnc_recorded_at IS NULL)));

CREATE INDEX episodes_person_counted_idx ON public.episodes USING btree (person_id, reported_at) WHERE ((status)::text <> 'cancelled'::text);

CREATE INDEX episodes_person_idx ON public.episodes USING btree (person_id, reported_at);

CREATE INDEX episodes_reported_idx ON public.episodes USING btree (reported_at, id) INCLUDE (person_id, district_id, status, missing_from);

CREATE INDEX episodes_review_due_idx ON public.episodes USING btree (next_review_due) WHERE (next_review_due IS NOT NULL);

CREATE INDEX measure_repeat_state_person_idx ON public.measure_repeat_state USING btree (person_id);

CREATE INDEX outbox_created_idx ON public.outbox USING btree (created_at DESC, id DESC);

CREATE INDEX outbox_due_idx ON public.outbox USING btree (next_attempt_at) WHERE (status = 'pending'::text);

CREATE INDEX outbox_lease_idx ON public.outbox USING btree (locked_until) WHERE (status = 'sending'::text);

CREATE INDEX outbox_short_ref_idx ON public.outbox USING btree ("right"((id)::text, 8));

CREATE INDEX outbox_status_idx ON public.outbox USING btree (status, created_at DESC);

CREATE INDEX person_markers_person_idx ON public.person_markers USING btree (person_id);

CREATE INDEX person_merges_duplicate_idx ON public.person_merges USING btree (duplicate_id);

CREATE INDEX person_merges_survivor_idx ON public.person_merges USING btree (survivor_id);

CREATE INDEX persons_dob_id_idx ON public.persons USING btree (date_of_birth) INCLUDE (id);

CREATE INDEX persons_dob_idx ON public.persons USING btree (date_of_birth);

CREATE INDEX persons_merged_into_idx ON public.persons USING btree (merged_into) WHERE (merged_into IS NOT NULL);

CREATE UNIQUE INDEX placements_one_open_idx ON public.placements USING btree (person_id) WHERE (ends_on IS NULL);

CREATE INDEX placements_person_idx ON public.placements USING btree (person_id, starts_on);

CREATE INDEX rectification_notes_person_idx ON public.rectification_notes USING btree (person_id, recorded_at);

CREATE INDEX referrals_district_idx ON public.referrals USING btree (district_id, created_at DESC, id DESC);

CREATE UNIQUE INDEX referrals_one_per_trigger_idx ON public.referrals USING btree (trigger_id) WHERE (trigger_id IS NOT NULL);

CREATE INDEX referrals_person_idx ON public.referrals USING btree (person_id);

CREATE INDEX referrals_short_ref_idx ON public.referrals USING btree ("right"((id)::text, 8));

CREATE INDEX refresh_tokens_session_idx ON public.refresh_tokens USING btree (session_id);

CREATE UNIQUE INDEX restrictions_one_in_force ON public.restrictions USING btree (person_id) WHERE (lifted_at IS NULL);

CREATE INDEX retention_decisions_person_idx ON public.retention_decisions USING btree (person_id, decided_at);

CREATE INDEX return_home_interviews_due_idx ON public.return_home_interviews USING btree (due_at) WHERE (status <> ALL (ARRAY['declined'::text, 'unable_to_contact'::text, 'completed'::text, 'not_completed'::text]));

CREATE INDEX risk_gradings_episode_idx ON public.risk_gradings USING btree (episode_id, graded_at);

CREATE INDEX security_events_account_idx ON public.security_events USING btree (account_id, occurred_at);

CREATE INDEX security_events_time_idx ON public.security_events USING btree (occurred_at);

CREATE INDEX sessions_user_idx ON public.sessions USING btree (user_id) WHERE (revoked_at IS NULL);

CREATE UNIQUE INDEX sessions_web_token_idx ON public.sessions USING btree (web_token_hash) WHERE (web_token_hash IS NOT NULL);

CREATE INDEX shares_agency_idx ON public.shares USING btree (agency_id, shared_at DESC, id DESC);

CREATE INDEX shares_district_idx ON public.shares USING btree (district_id, shared_at DESC, id DESC);

CREATE INDEX shares_record_idx ON public.shares USING btree (record_type, record_id, agency_id);

CREATE INDEX subject_access_requests_open_idx ON public.subject_access_requests USING btree (due_on) WHERE (status = 'open'::text);

CREATE INDEX supervisor_reviews_episode_idx ON public.supervisor_reviews USING btree (episode_id, reviewed_at);

CREATE INDEX triage_meetings_referral_idx ON public.triage_meetings USING btree (referral_id, held_on);

CREATE INDEX triggers_district_idx ON public.triggers USING btree (district_id, fired_at DESC, id DESC);

CREATE INDEX triggers_escalation_idx ON public.triggers USING btree (escalation_due_at) WHERE ((status = 'open'::text) AND (escalated_at IS NULL));

CREATE UNIQUE INDEX triggers_once_idx ON public.triggers USING btree (rule_id, anchor_episode_id) WHERE (status <> 'withdrawn'::text);

CREATE INDEX triggers_person_idx ON public.triggers USING btree (person_id);

CREATE INDEX triggers_short_ref_idx ON public.triggers USING btree ("right"((id)::text, 8));

CREATE INDEX users_district_idx ON public.users USING btree (district_id);

CREATE TRIGGER actions_restricted BEFORE UPDATE ON public.actions FOR EACH ROW WHEN ((old.restricted OR new.restricted OR (old.episode_id IS DISTINCT FROM new.episode_id) OR (old.trigger_id IS DISTINCT FROM new.trigger_id) OR (old.referral_id IS DISTINCT FROM new.referral_id))) EXECUTE FUNCTION public.hw_refuse_restricted_write('episode_id', 'episodes', 'trigger_id', 'triggers', 'referral_id', 'referrals');

CREATE TRIGGER actions_restricted_delete BEFORE DELETE ON public.actions FOR EACH ROW WHEN (old.restricted) EXECUTE FUNCTION public.hw_refuse_restricted_write();

CREATE TRIGGER actions_restricted_insert BEFORE INSERT ON public.actions FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('episode_id', 'episodes', 'trigger_id', 'triggers', 'referral_id', 'referrals');

CREATE TRIGGER audit_log_redact_only BEFORE UPDATE ON public.audit_log FOR EACH ROW EXECUTE FUNCTION public.hw_audit_redact_only();

CREATE TRIGGER episode_returns_restricted BEFORE INSERT OR DELETE OR UPDATE ON public.episode_returns FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('episode_id', 'episodes');

CREATE TRIGGER episode_transfers_former_districts AFTER INSERT OR DELETE ON public.episode_transfers FOR EACH ROW EXECUTE FUNCTION public.hw_episode_transfers_changed();

CREATE TRIGGER episode_transfers_restricted BEFORE INSERT OR DELETE OR UPDATE ON public.episode_transfers FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('episode_id', 'episodes');

CREATE TRIGGER episodes_former_districts_kept BEFORE UPDATE OF former_district_ids ON public.episodes FOR EACH ROW WHEN ((old.former_district_ids IS DISTINCT FROM new.former_district_ids)) EXECUTE FUNCTION public.hw_episode_former_districts_guard();

CREATE TRIGGER episodes_former_districts_new BEFORE INSERT ON public.episodes FOR EACH ROW WHEN ((new.former_district_ids <> '{}'::uuid[])) EXECUTE FUNCTION public.hw_episode_former_districts_guard();

CREATE TRIGGER episodes_one_open_insert AFTER INSERT ON public.episodes FOR EACH ROW WHEN (((new.status)::text = ANY (ARRAY['reported'::text, 'active'::text]))) EXECUTE FUNCTION public.hw_episodes_one_open();

CREATE TRIGGER episodes_one_open_move AFTER UPDATE OF person_id ON public.episodes FOR EACH ROW WHEN ((((new.status)::text = ANY (ARRAY['reported'::text, 'active'::text])) AND (old.person_id <> new.person_id))) EXECUTE FUNCTION public.hw_episodes_one_open();

CREATE CONSTRAINT TRIGGER episodes_reference_required AFTER INSERT OR UPDATE OF reference ON public.episodes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((new.reference IS NULL)) EXECUTE FUNCTION public.hw_episode_reference_required();

CREATE TRIGGER episodes_restricted BEFORE UPDATE ON public.episodes FOR EACH ROW WHEN ((old.restricted OR new.restricted OR (old.person_id IS DISTINCT FROM new.person_id))) EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

CREATE TRIGGER episodes_restricted_delete BEFORE DELETE ON public.episodes FOR EACH ROW WHEN (old.restricted) EXECUTE FUNCTION public.hw_refuse_restricted_write();

CREATE TRIGGER episodes_restricted_insert BEFORE INSERT ON public.episodes FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

CREATE TRIGGER intervention_plans_restricted BEFORE INSERT OR DELETE OR UPDATE ON public.intervention_plans FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('referral_id', 'referrals');

CREATE TRIGGER measure_definitions_insert AFTER INSERT ON public.measure_definitions FOR EACH STATEMENT EXECUTE FUNCTION public.hw_measure_definition_changed();

CREATE TRIGGER measure_episodes_delete AFTER DELETE ON public.episodes REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.hw_measure_episodes_changed();

CREATE TRIGGER measure_episodes_insert AFTER INSERT ON public.episodes REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.hw_measure_episodes_changed();

CREATE TRIGGER measure_episodes_update AFTER UPDATE OF person_id, reported_at, last_seen_at, status, missing_from, district_id ON public.episodes FOR EACH ROW WHEN (((old.person_id <> new.person_id) OR (old.reported_at <> new.reported_at) OR (old.last_seen_at <> new.last_seen_at) OR (((old.status)::text = 'cancelled'::text) <> ((new.status)::text = 'cancelled'::text)) OR ((old.missing_from)::text <> (new.missing_from)::text) OR (old.district_id <> new.district_id))) EXECUTE FUNCTION public.hw_measure_episode_updated();

CREATE TRIGGER measure_persons_update AFTER UPDATE ON public.persons REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.hw_measure_persons_changed();

CREATE TRIGGER measure_transfers_delete AFTER DELETE ON public.episode_transfers REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.hw_measure_transfers_changed();

CREATE TRIGGER measure_transfers_insert AFTER INSERT ON public.episode_transfers REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.hw_measure_transfers_changed();

CREATE TRIGGER person_markers_restricted BEFORE UPDATE ON public.person_markers FOR EACH ROW WHEN ((old.restricted OR new.restricted OR (old.person_id IS DISTINCT FROM new.person_id))) EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

CREATE TRIGGER person_markers_restricted_delete BEFORE DELETE ON public.person_markers FOR EACH ROW WHEN (old.restricted) EXECUTE FUNCTION public.hw_refuse_restricted_write();

CREATE TRIGGER person_markers_restricted_insert BEFORE INSERT ON public.person_markers FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

CREATE TRIGGER persons_restricted BEFORE UPDATE ON public.persons FOR EACH ROW WHEN ((old.restricted OR new.restricted)) EXECUTE FUNCTION public.hw_refuse_restricted_write();

CREATE TRIGGER persons_restricted_delete BEFORE DELETE ON public.persons FOR EACH ROW WHEN (old.restricted) EXECUTE FUNCTION public.hw_refuse_restricted_write();

CREATE TRIGGER placements_restricted BEFORE UPDATE ON public.placements FOR EACH ROW WHEN ((old.restricted OR new.restricted OR (old.person_id IS DISTINCT FROM new.person_id))) EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

CREATE TRIGGER placements_restricted_delete BEFORE DELETE ON public.placements FOR EACH ROW WHEN (old.restricted) EXECUTE FUNCTION public.hw_refuse_restricted_write();

CREATE TRIGGER placements_restricted_insert BEFORE INSERT ON public.placements FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

CREATE TRIGGER prevention_interviews_restricted BEFORE INSERT OR DELETE OR UPDATE ON public.prevention_interviews FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('episode_id', 'episodes');

CREATE TRIGGER protocol_profiles_restricted BEFORE UPDATE ON public.protocol_profiles FOR EACH ROW WHEN ((old.restricted OR new.restricted OR (old.person_id IS DISTINCT FROM new.person_id))) EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

CREATE TRIGGER protocol_profiles_restricted_delete BEFORE DELETE ON public.protocol_profiles FOR EACH ROW WHEN (old.restricted) EXECUTE FUNCTION public.hw_refuse_restricted_write();

CREATE TRIGGER protocol_profiles_restricted_insert BEFORE INSERT ON public.protocol_profiles FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

CREATE TRIGGER referrals_restricted BEFORE UPDATE ON public.referrals FOR EACH ROW WHEN ((old.restricted OR new.restricted OR (old.person_id IS DISTINCT FROM new.person_id))) EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

CREATE TRIGGER referrals_restricted_delete BEFORE DELETE ON public.referrals FOR EACH ROW WHEN (old.restricted) EXECUTE FUNCTION public.hw_refuse_restricted_write();

CREATE TRIGGER referrals_restricted_insert BEFORE INSERT ON public.referrals FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

CREATE TRIGGER return_home_interviews_restricted BEFORE INSERT OR DELETE OR UPDATE ON public.return_home_interviews FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('episode_id', 'episodes');

CREATE TRIGGER risk_gradings_restricted BEFORE INSERT OR DELETE OR UPDATE ON public.risk_gradings FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('episode_id', 'episodes');

CREATE TRIGGER shares_restricted BEFORE INSERT ON public.shares FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('record_id', 'episodes', 'record_id', 'triggers', 'record_id', 'referrals');

CREATE TRIGGER supervisor_reviews_restricted BEFORE INSERT OR DELETE OR UPDATE ON public.supervisor_reviews FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('episode_id', 'episodes');

CREATE TRIGGER triage_meetings_restricted BEFORE INSERT OR DELETE OR UPDATE ON public.triage_meetings FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('referral_id', 'referrals');

CREATE TRIGGER trigger_plans_restricted BEFORE INSERT OR DELETE OR UPDATE ON public.trigger_plans FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('trigger_id', 'triggers');

CREATE TRIGGER trigger_rules_versions AFTER INSERT OR UPDATE ON public.trigger_rules FOR EACH ROW EXECUTE FUNCTION public.hw_trigger_rule_version();

CREATE TRIGGER triggers_restricted BEFORE UPDATE ON public.triggers FOR EACH ROW WHEN ((old.restricted OR new.restricted OR (old.person_id IS DISTINCT FROM new.person_id))) EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

CREATE TRIGGER triggers_restricted_delete BEFORE DELETE ON public.triggers FOR EACH ROW WHEN (old.restricted) EXECUTE FUNCTION public.hw_refuse_restricted_write();

CREATE TRIGGER triggers_restricted_insert BEFORE INSERT ON public.triggers FOR EACH ROW EXECUTE FUNCTION public.hw_refuse_restricted_write('person_id', 'persons');

ALTER TABLE ONLY public.actions
    ADD CONSTRAINT actions_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.actions
    ADD CONSTRAINT actions_district_id_fkey FOREIGN KEY (district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.actions
    ADD CONSTRAINT actions_episode_id_fkey FOREIGN KEY (episode_id) REFERENCES public.episodes(id);

ALTER TABLE ONLY public.actions
    ADD CONSTRAINT actions_owner_agency_id_fkey FOREIGN KEY (owner_agency_id) REFERENCES public.agencies(id);

ALTER TABLE ONLY public.actions
    ADD CONSTRAINT actions_owner_user_id_fkey FOREIGN KEY (owner_user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.actions
    ADD CONSTRAINT actions_referral_id_fkey FOREIGN KEY (referral_id) REFERENCES public.referrals(id);

ALTER TABLE ONLY public.actions
    ADD CONSTRAINT actions_trigger_id_fkey FOREIGN KEY (trigger_id) REFERENCES public.triggers(id);

ALTER TABLE ONLY public.actions
    ADD CONSTRAINT actions_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.agencies
    ADD CONSTRAINT agencies_agency_type_fkey FOREIGN KEY (agency_type) REFERENCES public.agency_types(code);

ALTER TABLE ONLY public.agency_districts
    ADD CONSTRAINT agency_districts_agency_id_fkey FOREIGN KEY (agency_id) REFERENCES public.agencies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.agency_districts
    ADD CONSTRAINT agency_districts_district_id_fkey FOREIGN KEY (district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.baselines
    ADD CONSTRAINT baselines_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.baselines
    ADD CONSTRAINT baselines_definition_version_fkey FOREIGN KEY (definition_version) REFERENCES public.measure_definitions(version);

ALTER TABLE ONLY public.baselines
    ADD CONSTRAINT baselines_district_id_fkey FOREIGN KEY (district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.episode_alerts
    ADD CONSTRAINT episode_alerts_episode_id_fkey FOREIGN KEY (episode_id) REFERENCES public.episodes(id);

ALTER TABLE ONLY public.episode_reference_counters
    ADD CONSTRAINT episode_reference_counters_district_id_fkey FOREIGN KEY (district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.episode_returns
    ADD CONSTRAINT episode_returns_episode_id_fkey FOREIGN KEY (episode_id) REFERENCES public.episodes(id);

ALTER TABLE ONLY public.episode_returns
    ADD CONSTRAINT episode_returns_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.episode_transfers
    ADD CONSTRAINT episode_transfers_episode_id_fkey FOREIGN KEY (episode_id) REFERENCES public.episodes(id);

ALTER TABLE ONLY public.episode_transfers
    ADD CONSTRAINT episode_transfers_from_district_id_fkey FOREIGN KEY (from_district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.episode_transfers
    ADD CONSTRAINT episode_transfers_to_district_id_fkey FOREIGN KEY (to_district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.episode_transfers
    ADD CONSTRAINT episode_transfers_transferred_by_fkey FOREIGN KEY (transferred_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.episodes
    ADD CONSTRAINT episodes_closed_by_fkey FOREIGN KEY (closed_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.episodes
    ADD CONSTRAINT episodes_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.episodes
    ADD CONSTRAINT episodes_district_id_fkey FOREIGN KEY (district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.episodes
    ADD CONSTRAINT episodes_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.episodes
    ADD CONSTRAINT episodes_placement_id_fkey FOREIGN KEY (placement_id) REFERENCES public.placements(id);

ALTER TABLE ONLY public.episodes
    ADD CONSTRAINT episodes_pnc_recorded_by_fkey FOREIGN KEY (pnc_recorded_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.episodes
    ADD CONSTRAINT episodes_ukmpu_notified_by_fkey FOREIGN KEY (ukmpu_notified_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.intervention_plans
    ADD CONSTRAINT intervention_plans_lead_agency_id_fkey FOREIGN KEY (lead_agency_id) REFERENCES public.agencies(id);

ALTER TABLE ONLY public.intervention_plans
    ADD CONSTRAINT intervention_plans_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.intervention_plans
    ADD CONSTRAINT intervention_plans_referral_id_fkey FOREIGN KEY (referral_id) REFERENCES public.referrals(id);

ALTER TABLE ONLY public.measure_definitions
    ADD CONSTRAINT measure_definitions_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.notification_preferences
    ADD CONSTRAINT notification_preferences_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.person_markers
    ADD CONSTRAINT person_markers_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.person_markers
    ADD CONSTRAINT person_markers_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.person_merge_moves
    ADD CONSTRAINT person_merge_moves_merge_id_fkey FOREIGN KEY (merge_id) REFERENCES public.person_merges(id);

ALTER TABLE ONLY public.person_merges
    ADD CONSTRAINT person_merges_duplicate_id_fkey FOREIGN KEY (duplicate_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.person_merges
    ADD CONSTRAINT person_merges_merged_by_fkey FOREIGN KEY (merged_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.person_merges
    ADD CONSTRAINT person_merges_survivor_id_fkey FOREIGN KEY (survivor_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.person_merges
    ADD CONSTRAINT person_merges_undone_by_fkey FOREIGN KEY (undone_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_home_district_id_fkey FOREIGN KEY (home_district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_merged_into_fkey FOREIGN KEY (merged_into) REFERENCES public.persons(id);

ALTER TABLE ONLY public.placements
    ADD CONSTRAINT placements_host_authority_fkey FOREIGN KEY (host_authority) REFERENCES public.local_authorities(code);

ALTER TABLE ONLY public.placements
    ADD CONSTRAINT placements_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.placements
    ADD CONSTRAINT placements_placing_authority_fkey FOREIGN KEY (placing_authority) REFERENCES public.local_authorities(code);

ALTER TABLE ONLY public.placements
    ADD CONSTRAINT placements_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.prevention_interviews
    ADD CONSTRAINT prevention_interviews_episode_id_fkey FOREIGN KEY (episode_id) REFERENCES public.episodes(id);

ALTER TABLE ONLY public.prevention_interviews
    ADD CONSTRAINT prevention_interviews_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.protocol_profiles
    ADD CONSTRAINT protocol_profiles_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.protocol_profiles
    ADD CONSTRAINT protocol_profiles_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.rectification_notes
    ADD CONSTRAINT rectification_notes_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.rectification_notes
    ADD CONSTRAINT rectification_notes_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.referrals
    ADD CONSTRAINT referrals_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.referrals
    ADD CONSTRAINT referrals_district_id_fkey FOREIGN KEY (district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.referrals
    ADD CONSTRAINT referrals_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.referrals
    ADD CONSTRAINT referrals_source_agency_id_fkey FOREIGN KEY (source_agency_id) REFERENCES public.agencies(id);

ALTER TABLE ONLY public.referrals
    ADD CONSTRAINT referrals_trigger_id_fkey FOREIGN KEY (trigger_id) REFERENCES public.triggers(id);

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.sessions(id);

ALTER TABLE ONLY public.restrictions
    ADD CONSTRAINT restrictions_lifted_by_fkey FOREIGN KEY (lifted_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.restrictions
    ADD CONSTRAINT restrictions_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.restrictions
    ADD CONSTRAINT restrictions_placed_by_fkey FOREIGN KEY (placed_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.retention_decisions
    ADD CONSTRAINT retention_decisions_decided_by_fkey FOREIGN KEY (decided_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.retention_decisions
    ADD CONSTRAINT retention_decisions_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.return_home_interviews
    ADD CONSTRAINT return_home_interviews_episode_id_fkey FOREIGN KEY (episode_id) REFERENCES public.episodes(id);

ALTER TABLE ONLY public.return_home_interviews
    ADD CONSTRAINT return_home_interviews_provider_agency_id_fkey FOREIGN KEY (provider_agency_id) REFERENCES public.agencies(id);

ALTER TABLE ONLY public.return_home_interviews
    ADD CONSTRAINT return_home_interviews_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.risk_gradings
    ADD CONSTRAINT risk_gradings_episode_id_fkey FOREIGN KEY (episode_id) REFERENCES public.episodes(id);

ALTER TABLE ONLY public.risk_gradings
    ADD CONSTRAINT risk_gradings_graded_by_fkey FOREIGN KEY (graded_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.security_alerts
    ADD CONSTRAINT security_alerts_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.security_events
    ADD CONSTRAINT security_events_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.shares
    ADD CONSTRAINT shares_agency_id_fkey FOREIGN KEY (agency_id) REFERENCES public.agencies(id);

ALTER TABLE ONLY public.shares
    ADD CONSTRAINT shares_district_id_fkey FOREIGN KEY (district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.shares
    ADD CONSTRAINT shares_revoked_by_fkey FOREIGN KEY (revoked_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.shares
    ADD CONSTRAINT shares_shared_by_fkey FOREIGN KEY (shared_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.subject_access_requests
    ADD CONSTRAINT subject_access_requests_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.subject_access_requests
    ADD CONSTRAINT subject_access_requests_decided_by_fkey FOREIGN KEY (decided_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.supervisor_reviews
    ADD CONSTRAINT supervisor_reviews_episode_id_fkey FOREIGN KEY (episode_id) REFERENCES public.episodes(id);

ALTER TABLE ONLY public.supervisor_reviews
    ADD CONSTRAINT supervisor_reviews_reviewed_by_fkey FOREIGN KEY (reviewed_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.triage_meetings
    ADD CONSTRAINT triage_meetings_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.triage_meetings
    ADD CONSTRAINT triage_meetings_referral_id_fkey FOREIGN KEY (referral_id) REFERENCES public.referrals(id);

ALTER TABLE ONLY public.trigger_plans
    ADD CONSTRAINT trigger_plans_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.trigger_plans
    ADD CONSTRAINT trigger_plans_trigger_id_fkey FOREIGN KEY (trigger_id) REFERENCES public.triggers(id);

ALTER TABLE ONLY public.trigger_rule_versions
    ADD CONSTRAINT trigger_rule_versions_changed_by_fkey FOREIGN KEY (changed_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.trigger_rule_versions
    ADD CONSTRAINT trigger_rule_versions_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES public.trigger_rules(id);

ALTER TABLE ONLY public.trigger_rules
    ADD CONSTRAINT trigger_rules_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.trigger_rules
    ADD CONSTRAINT trigger_rules_district_id_fkey FOREIGN KEY (district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.triggers
    ADD CONSTRAINT triggers_acknowledged_by_fkey FOREIGN KEY (acknowledged_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.triggers
    ADD CONSTRAINT triggers_anchor_episode_id_fkey FOREIGN KEY (anchor_episode_id) REFERENCES public.episodes(id);

ALTER TABLE ONLY public.triggers
    ADD CONSTRAINT triggers_assigned_to_fkey FOREIGN KEY (assigned_to) REFERENCES public.users(id);

ALTER TABLE ONLY public.triggers
    ADD CONSTRAINT triggers_closed_by_fkey FOREIGN KEY (closed_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.triggers
    ADD CONSTRAINT triggers_district_id_fkey FOREIGN KEY (district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.triggers
    ADD CONSTRAINT triggers_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id);

ALTER TABLE ONLY public.triggers
    ADD CONSTRAINT triggers_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES public.trigger_rules(id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_agency_id_fkey FOREIGN KEY (agency_id) REFERENCES public.agencies(id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_district_id_fkey FOREIGN KEY (district_id) REFERENCES public.districts(id);

ALTER TABLE ONLY public.write_quota
    ADD CONSTRAINT write_quota_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE public.actions ENABLE ROW LEVEL SECURITY;

CREATE POLICY actions_in_view ON public.actions AS RESTRICTIVE FOR SELECT TO homeward_app USING (((NOT restricted) OR ( SELECT (public.hw_access_reason() IS NOT NULL))));

CREATE POLICY actions_insert ON public.actions FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_case_worker() AND public.hw_covers_district(district_id) AND (created_by = public.hw_user_id()) AND (updated_by = public.hw_user_id())));

CREATE POLICY actions_owner ON public.actions TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY actions_read ON public.actions FOR SELECT TO homeward_app USING (((( SELECT public.hw_is_case_worker() AS hw_is_case_worker) AND ((district_id = ( SELECT public.hw_district_id() AS hw_district_id)) OR ( SELECT public.hw_covers_every_district() AS hw_covers_every_district))) OR (( SELECT (public.hw_role() = 'partner'::text)) AND (owner_agency_id = ( SELECT public.hw_agency_id() AS hw_agency_id)))));

CREATE POLICY actions_update ON public.actions FOR UPDATE TO homeward_app USING (((public.hw_is_case_worker() AND public.hw_covers_district(district_id)) OR ((public.hw_role() = 'partner'::text) AND (owner_agency_id = public.hw_agency_id())))) WITH CHECK (((updated_by = public.hw_user_id()) AND ((public.hw_is_case_worker() AND public.hw_covers_district(district_id)) OR ((public.hw_role() = 'partner'::text) AND (owner_agency_id = public.hw_agency_id())))));

CREATE POLICY actions_written_in_view ON public.actions AS RESTRICTIVE FOR INSERT TO homeward_app WITH CHECK ((NOT restricted));

ALTER TABLE public.agencies ENABLE ROW LEVEL SECURITY;

CREATE POLICY agencies_admin_insert ON public.agencies FOR INSERT TO homeward_app WITH CHECK (public.hw_is_admin());

CREATE POLICY agencies_admin_update ON public.agencies FOR UPDATE TO homeward_app USING (public.hw_is_admin()) WITH CHECK (public.hw_is_admin());

CREATE POLICY agencies_owner ON public.agencies TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY agencies_read ON public.agencies FOR SELECT TO homeward_app USING (public.hw_is_authenticated());

ALTER TABLE public.agency_districts ENABLE ROW LEVEL SECURITY;

CREATE POLICY agency_districts_admin_delete ON public.agency_districts FOR DELETE TO homeward_app USING (public.hw_is_admin());

CREATE POLICY agency_districts_admin_insert ON public.agency_districts FOR INSERT TO homeward_app WITH CHECK (public.hw_is_admin());

CREATE POLICY agency_districts_owner ON public.agency_districts TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY agency_districts_read ON public.agency_districts FOR SELECT TO homeward_app USING (public.hw_is_authenticated());

ALTER TABLE public.agency_types ENABLE ROW LEVEL SECURITY;

CREATE POLICY agency_types_owner ON public.agency_types TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY agency_types_read ON public.agency_types FOR SELECT TO homeward_app USING (public.hw_is_authenticated());

ALTER TABLE public.audit_log ENABLE ROW LEVEL SECURITY;

CREATE POLICY audit_log_admin_read ON public.audit_log FOR SELECT TO homeward_app USING (public.hw_is_admin());

CREATE POLICY audit_log_owner_read ON public.audit_log FOR SELECT TO homeward_owner USING (true);

CREATE POLICY audit_log_redact ON public.audit_log FOR UPDATE TO homeward_owner USING ((purpose_digest IS NOT NULL)) WITH CHECK (((purpose IS NULL) AND (purpose_salt IS NULL) AND (purpose_digest IS NOT NULL)));

CREATE POLICY audit_log_sealer ON public.audit_log FOR INSERT TO homeward_owner WITH CHECK (true);

ALTER TABLE public.audit_queue ENABLE ROW LEVEL SECURITY;

CREATE POLICY audit_queue_insert ON public.audit_queue FOR INSERT TO homeward_app WITH CHECK ((NOT (actor_id IS DISTINCT FROM public.hw_user_id())));

CREATE POLICY audit_queue_sealer ON public.audit_queue TO homeward_owner USING (true);

ALTER TABLE public.baselines ENABLE ROW LEVEL SECURITY;

CREATE POLICY baselines_admin ON public.baselines FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_admin() AND (created_by = public.hw_user_id())));

CREATE POLICY baselines_owner ON public.baselines TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY baselines_read ON public.baselines FOR SELECT TO homeward_app USING (public.hw_reads_measures());

ALTER TABLE public.children_month_counts ENABLE ROW LEVEL SECURITY;

CREATE POLICY children_month_counts_owner ON public.children_month_counts TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.children_month_state ENABLE ROW LEVEL SECURITY;

CREATE POLICY children_month_state_owner ON public.children_month_state TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY counters_operational ON public.episode_reference_counters TO homeward_app USING ((public.hw_is_operational() AND public.hw_covers_district(district_id))) WITH CHECK ((public.hw_is_operational() AND public.hw_covers_district(district_id)));

CREATE POLICY counters_owner ON public.episode_reference_counters TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.districts ENABLE ROW LEVEL SECURITY;

CREATE POLICY districts_owner ON public.districts TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY districts_read ON public.districts FOR SELECT TO homeward_app USING (public.hw_is_authenticated());

ALTER TABLE public.episode_alerts ENABLE ROW LEVEL SECURITY;

CREATE POLICY episode_alerts_owner ON public.episode_alerts TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.episode_reference_counters ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.episode_returns ENABLE ROW LEVEL SECURITY;

CREATE POLICY episode_returns_insert ON public.episode_returns FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_operational() AND (recorded_by = public.hw_user_id()) AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE (e.id = episode_returns.episode_id)))));

CREATE POLICY episode_returns_owner ON public.episode_returns TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY episode_returns_read ON public.episode_returns FOR SELECT TO homeward_app USING ((((public.hw_role() <> 'partner'::text) AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE (e.id = episode_returns.episode_id)))) OR ((public.hw_role() = 'partner'::text) AND public.hw_shared_with_caller('episode'::text, episode_id, 'return'::text))));

ALTER TABLE public.episode_transfers ENABLE ROW LEVEL SECURITY;

CREATE POLICY episode_transfers_insert ON public.episode_transfers FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_operational() AND (transferred_by = public.hw_user_id()) AND public.hw_covers_district(from_district_id)));

CREATE POLICY episode_transfers_owner ON public.episode_transfers TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY episode_transfers_read ON public.episode_transfers FOR SELECT TO homeward_app USING ((public.hw_is_operational() AND (public.hw_covers_district(from_district_id) OR public.hw_covers_district(to_district_id))));

ALTER TABLE public.episodes ENABLE ROW LEVEL SECURITY;

CREATE POLICY episodes_district_insert ON public.episodes FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_operational() AND public.hw_covers_district(district_id) AND (created_by = public.hw_user_id())));

CREATE POLICY episodes_district_read ON public.episodes FOR SELECT TO homeward_app USING ((( SELECT public.hw_is_operational() AS hw_is_operational) AND ((district_id = ( SELECT public.hw_district_id() AS hw_district_id)) OR ( SELECT public.hw_covers_every_district() AS hw_covers_every_district) OR (( SELECT public.hw_district_id() AS hw_district_id) = ANY (former_district_ids)))));

CREATE POLICY episodes_district_update ON public.episodes FOR UPDATE TO homeward_app USING ((public.hw_is_operational() AND public.hw_covers_district(district_id))) WITH CHECK ((public.hw_is_operational() AND (((status)::text <> 'closed'::text) OR (public.hw_role() = 'supervisor'::text)) AND (public.hw_covers_district(district_id) OR (EXISTS ( SELECT 1
   FROM public.episode_transfers t
  WHERE ((t.episode_id = episodes.id) AND (t.to_district_id = episodes.district_id) AND (t.transferred_by = public.hw_user_id()) AND public.hw_covers_district(t.from_district_id)))))));

CREATE POLICY episodes_in_view ON public.episodes AS RESTRICTIVE FOR SELECT TO homeward_app USING (((disposed_at IS NULL) AND ((NOT restricted) OR ( SELECT (public.hw_access_reason() IS NOT NULL)))));

CREATE POLICY episodes_not_disposed ON public.episodes AS RESTRICTIVE FOR UPDATE TO homeward_app USING ((disposed_at IS NULL)) WITH CHECK ((disposed_at IS NULL));

CREATE POLICY episodes_owner ON public.episodes TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY episodes_partner_read ON public.episodes FOR SELECT TO homeward_app USING ((( SELECT (public.hw_role() = 'partner'::text)) AND public.hw_shared_with_caller('episode'::text, id, 'summary'::text)));

CREATE POLICY episodes_written_in_view ON public.episodes AS RESTRICTIVE FOR INSERT TO homeward_app WITH CHECK (((NOT restricted) AND (disposed_at IS NULL)));

ALTER TABLE public.hw_rules_applied ENABLE ROW LEVEL SECURITY;

CREATE POLICY hw_rules_applied_owner ON public.hw_rules_applied TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.intervention_plans ENABLE ROW LEVEL SECURITY;

CREATE POLICY intervention_plans_insert ON public.intervention_plans FOR INSERT TO homeward_app WITH CHECK (((public.hw_role() = ANY (ARRAY['mfhc'::text, 'early_action'::text])) AND (recorded_by = public.hw_user_id()) AND (EXISTS ( SELECT 1
   FROM public.referrals r
  WHERE ((r.id = intervention_plans.referral_id) AND public.hw_covers_district(r.district_id))))));

CREATE POLICY intervention_plans_owner ON public.intervention_plans TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY intervention_plans_read ON public.intervention_plans FOR SELECT TO homeward_app USING (((public.hw_is_case_worker() AND (EXISTS ( SELECT 1
   FROM public.referrals r
  WHERE ((r.id = intervention_plans.referral_id) AND public.hw_covers_district(r.district_id))))) OR ((public.hw_role() = 'partner'::text) AND public.hw_shared_with_caller('referral'::text, referral_id, 'plan'::text))));

CREATE POLICY intervention_plans_update ON public.intervention_plans FOR UPDATE TO homeward_app USING (((public.hw_role() = ANY (ARRAY['mfhc'::text, 'early_action'::text])) AND (EXISTS ( SELECT 1
   FROM public.referrals r
  WHERE ((r.id = intervention_plans.referral_id) AND public.hw_covers_district(r.district_id)))))) WITH CHECK (((public.hw_role() = ANY (ARRAY['mfhc'::text, 'early_action'::text])) AND (recorded_by = public.hw_user_id())));

ALTER TABLE public.local_authorities ENABLE ROW LEVEL SECURITY;

CREATE POLICY local_authorities_owner ON public.local_authorities TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY local_authorities_read ON public.local_authorities FOR SELECT TO homeward_app USING (public.hw_is_authenticated());

ALTER TABLE public.login_throttle ENABLE ROW LEVEL SECURITY;

CREATE POLICY login_throttle_owner ON public.login_throttle TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.measure_definitions ENABLE ROW LEVEL SECURITY;

CREATE POLICY measure_definitions_admin ON public.measure_definitions FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_admin() AND (created_by = public.hw_user_id())));

CREATE POLICY measure_definitions_owner ON public.measure_definitions TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY measure_definitions_read ON public.measure_definitions FOR SELECT TO homeward_app USING (public.hw_reads_measures());

ALTER TABLE public.measure_pending ENABLE ROW LEVEL SECURITY;

CREATE POLICY measure_pending_owner ON public.measure_pending TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.measure_repeat_counts ENABLE ROW LEVEL SECURITY;

CREATE POLICY measure_repeat_counts_owner ON public.measure_repeat_counts TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.measure_repeat_state ENABLE ROW LEVEL SECURITY;

CREATE POLICY measure_repeat_state_owner ON public.measure_repeat_state TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.notification_gaps ENABLE ROW LEVEL SECURITY;

CREATE POLICY notification_gaps_admin_read ON public.notification_gaps FOR SELECT TO homeward_app USING (public.hw_is_admin());

CREATE POLICY notification_gaps_owner ON public.notification_gaps TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.notification_preferences ENABLE ROW LEVEL SECURITY;

CREATE POLICY notification_preferences_owner ON public.notification_preferences TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY notification_preferences_self ON public.notification_preferences TO homeward_app USING ((user_id = public.hw_user_id())) WITH CHECK ((user_id = public.hw_user_id()));

ALTER TABLE public.outbox ENABLE ROW LEVEL SECURITY;

CREATE POLICY outbox_admin_read ON public.outbox FOR SELECT TO homeward_app USING (public.hw_is_admin());

CREATE POLICY outbox_admin_retry ON public.outbox FOR UPDATE TO homeward_app USING ((public.hw_is_admin() AND (status = 'dead'::text))) WITH CHECK ((public.hw_is_admin() AND (status = 'pending'::text)));

CREATE POLICY outbox_enqueue ON public.outbox FOR INSERT TO homeward_app WITH CHECK (((status = 'pending'::text) AND (attempts = 0) AND (locked_by IS NULL)));

CREATE POLICY outbox_owner ON public.outbox TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.person_markers ENABLE ROW LEVEL SECURITY;

CREATE POLICY person_markers_in_view ON public.person_markers AS RESTRICTIVE FOR SELECT TO homeward_app USING (((NOT restricted) OR (public.hw_access_reason() IS NOT NULL)));

CREATE POLICY person_markers_insert ON public.person_markers FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_operational() AND (recorded_by = public.hw_user_id())));

CREATE POLICY person_markers_owner ON public.person_markers TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY person_markers_partner_read ON public.person_markers FOR SELECT TO homeward_app USING (((public.hw_role() = 'partner'::text) AND public.hw_person_shared_with_caller(person_id, 'markers'::text)));

CREATE POLICY person_markers_read ON public.person_markers FOR SELECT TO homeward_app USING (public.hw_is_operational());

CREATE POLICY person_markers_update ON public.person_markers FOR UPDATE TO homeward_app USING (public.hw_is_operational()) WITH CHECK (public.hw_is_operational());

CREATE POLICY person_markers_written_in_view ON public.person_markers AS RESTRICTIVE FOR INSERT TO homeward_app WITH CHECK ((NOT restricted));

ALTER TABLE public.person_merge_moves ENABLE ROW LEVEL SECURITY;

CREATE POLICY person_merge_moves_owner ON public.person_merge_moves TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY person_merge_moves_read ON public.person_merge_moves FOR SELECT TO homeward_app USING (public.hw_is_operational());

ALTER TABLE public.person_merges ENABLE ROW LEVEL SECURITY;

CREATE POLICY person_merges_insert ON public.person_merges FOR INSERT TO homeward_app WITH CHECK (((public.hw_role() = ANY (ARRAY['mfhc'::text, 'supervisor'::text])) AND (merged_by = public.hw_user_id()) AND (undone_at IS NULL)));

CREATE POLICY person_merges_owner ON public.person_merges TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY person_merges_read ON public.person_merges FOR SELECT TO homeward_app USING (public.hw_is_operational());

CREATE POLICY person_merges_undo ON public.person_merges FOR UPDATE TO homeward_app USING (((public.hw_role() = ANY (ARRAY['mfhc'::text, 'supervisor'::text])) AND (undone_at IS NULL))) WITH CHECK (((public.hw_role() = ANY (ARRAY['mfhc'::text, 'supervisor'::text])) AND (undone_by = public.hw_user_id())));

ALTER TABLE public.persons ENABLE ROW LEVEL SECURITY;

CREATE POLICY persons_early_action_insert ON public.persons FOR INSERT TO homeward_app WITH CHECK (((public.hw_role() = 'early_action'::text) AND (created_by = public.hw_user_id())));

CREATE POLICY persons_early_action_lock ON public.persons FOR UPDATE TO homeward_app USING ((public.hw_role() = 'early_action'::text)) WITH CHECK (false);

CREATE POLICY persons_early_action_read ON public.persons FOR SELECT TO homeward_app USING (( SELECT (public.hw_role() = 'early_action'::text)));

CREATE POLICY persons_in_view ON public.persons AS RESTRICTIVE FOR SELECT TO homeward_app USING (((disposed_at IS NULL) AND ((NOT restricted) OR ( SELECT (public.hw_access_reason() IS NOT NULL)))));

CREATE POLICY persons_not_disposed ON public.persons AS RESTRICTIVE FOR UPDATE TO homeward_app USING ((disposed_at IS NULL)) WITH CHECK ((disposed_at IS NULL));

CREATE POLICY persons_operational_insert ON public.persons FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_operational() AND (created_by = public.hw_user_id())));

CREATE POLICY persons_operational_read ON public.persons FOR SELECT TO homeward_app USING (( SELECT public.hw_is_operational() AS hw_is_operational));

CREATE POLICY persons_operational_update ON public.persons FOR UPDATE TO homeward_app USING (public.hw_is_operational()) WITH CHECK (public.hw_is_operational());

CREATE POLICY persons_owner ON public.persons TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY persons_partner_read ON public.persons FOR SELECT TO homeward_app USING ((( SELECT (public.hw_role() = 'partner'::text)) AND public.hw_person_shared_with_caller(id, 'summary'::text)));

CREATE POLICY persons_written_in_view ON public.persons AS RESTRICTIVE FOR INSERT TO homeward_app WITH CHECK (((NOT restricted) AND (disposed_at IS NULL)));

ALTER TABLE public.placements ENABLE ROW LEVEL SECURITY;

CREATE POLICY placements_in_view ON public.placements AS RESTRICTIVE FOR SELECT TO homeward_app USING (((NOT restricted) OR (public.hw_access_reason() IS NOT NULL)));

CREATE POLICY placements_insert ON public.placements FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_operational() AND (recorded_by = public.hw_user_id())));

CREATE POLICY placements_owner ON public.placements TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY placements_read ON public.placements FOR SELECT TO homeward_app USING (public.hw_is_operational());

CREATE POLICY placements_update ON public.placements FOR UPDATE TO homeward_app USING (public.hw_is_operational()) WITH CHECK (public.hw_is_operational());

CREATE POLICY placements_written_in_view ON public.placements AS RESTRICTIVE FOR INSERT TO homeward_app WITH CHECK ((NOT restricted));

ALTER TABLE public.prevention_interviews ENABLE ROW LEVEL SECURITY;

CREATE POLICY prevention_interviews_insert ON public.prevention_interviews FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_operational() AND (recorded_by = public.hw_user_id()) AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE (e.id = prevention_interviews.episode_id)))));

CREATE POLICY prevention_interviews_owner ON public.prevention_interviews TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY prevention_interviews_read ON public.prevention_interviews FOR SELECT TO homeward_app USING ((((public.hw_role() <> 'partner'::text) AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE (e.id = prevention_interviews.episode_id)))) OR ((public.hw_role() = 'partner'::text) AND public.hw_shared_with_caller('episode'::text, episode_id, 'return'::text))));

ALTER TABLE public.protocol_profiles ENABLE ROW LEVEL SECURITY;

CREATE POLICY protocol_profiles_in_view ON public.protocol_profiles AS RESTRICTIVE FOR SELECT TO homeward_app USING (((NOT restricted) OR (public.hw_access_reason() IS NOT NULL)));

CREATE POLICY protocol_profiles_insert ON public.protocol_profiles FOR INSERT TO homeward_app WITH CHECK (((public.hw_role() = 'mfhc'::text) AND (recorded_by = public.hw_user_id())));

CREATE POLICY protocol_profiles_owner ON public.protocol_profiles TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY protocol_profiles_read ON public.protocol_profiles FOR SELECT TO homeward_app USING (((public.hw_role() = 'mfhc'::text) OR (public.hw_is_operational() AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE ((e.person_id = protocol_profiles.person_id) AND ((e.status)::text = ANY (ARRAY['reported'::text, 'active'::text]))))))));

CREATE POLICY protocol_profiles_update ON public.protocol_profiles FOR UPDATE TO homeward_app USING ((public.hw_role() = 'mfhc'::text)) WITH CHECK ((public.hw_role() = 'mfhc'::text));

CREATE POLICY protocol_profiles_written_in_view ON public.protocol_profiles AS RESTRICTIVE FOR INSERT TO homeward_app WITH CHECK ((NOT restricted));

ALTER TABLE public.rectification_notes ENABLE ROW LEVEL SECURITY;

CREATE POLICY rectification_notes_dpo_insert ON public.rectification_notes FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_dpo() AND (recorded_by = public.hw_user_id())));

CREATE POLICY rectification_notes_dpo_read ON public.rectification_notes FOR SELECT TO homeward_app USING (public.hw_is_dpo());

CREATE POLICY rectification_notes_owner ON public.rectification_notes TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.referrals ENABLE ROW LEVEL SECURITY;

CREATE POLICY referrals_in_view ON public.referrals AS RESTRICTIVE FOR SELECT TO homeward_app USING (((NOT restricted) OR ( SELECT (public.hw_access_reason() IS NOT NULL))));

CREATE POLICY referrals_insert ON public.referrals FOR INSERT TO homeward_app WITH CHECK (((public.hw_role() = ANY (ARRAY['officer'::text, 'supervisor'::text, 'mfhc'::text, 'early_action'::text])) AND public.hw_covers_district(district_id) AND (created_by = public.hw_user_id())));

CREATE POLICY referrals_owner ON public.referrals TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY referrals_read ON public.referrals FOR SELECT TO homeward_app USING (((( SELECT public.hw_is_case_worker() AS hw_is_case_worker) AND ((district_id = ( SELECT public.hw_district_id() AS hw_district_id)) OR ( SELECT public.hw_covers_every_district() AS hw_covers_every_district))) OR (( SELECT (public.hw_role() <> 'partner'::text)) AND (created_by = ( SELECT public.hw_user_id() AS hw_user_id))) OR (( SELECT (public.hw_role() = 'partner'::text)) AND public.hw_shared_with_caller('referral'::text, id, 'summary'::text))));

CREATE POLICY referrals_update ON public.referrals FOR UPDATE TO homeward_app USING (((public.hw_role() = ANY (ARRAY['mfhc'::text, 'early_action'::text])) AND public.hw_covers_district(district_id))) WITH CHECK (((public.hw_role() = ANY (ARRAY['mfhc'::text, 'early_action'::text])) AND public.hw_covers_district(district_id)));

CREATE POLICY referrals_written_in_view ON public.referrals AS RESTRICTIVE FOR INSERT TO homeward_app WITH CHECK ((NOT restricted));

ALTER TABLE public.refresh_tokens ENABLE ROW LEVEL SECURITY;

CREATE POLICY refresh_tokens_owner ON public.refresh_tokens TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY refresh_tokens_self_insert ON public.refresh_tokens FOR INSERT TO homeward_app WITH CHECK (((used_at IS NULL) AND (EXISTS ( SELECT 1
   FROM public.sessions s
  WHERE ((s.id = refresh_tokens.session_id) AND (s.user_id = public.hw_user_id()) AND (s.revoked_at IS NULL))))));

ALTER TABLE public.restrictions ENABLE ROW LEVEL SECURITY;

CREATE POLICY restrictions_dpo_insert ON public.restrictions FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_dpo() AND (placed_by = public.hw_user_id()) AND (lifted_at IS NULL)));

CREATE POLICY restrictions_dpo_lift ON public.restrictions FOR UPDATE TO homeward_app USING ((public.hw_is_dpo() AND (lifted_at IS NULL))) WITH CHECK ((public.hw_is_dpo() AND (lifted_by = public.hw_user_id())));

CREATE POLICY restrictions_dpo_read ON public.restrictions FOR SELECT TO homeward_app USING (public.hw_is_dpo());

CREATE POLICY restrictions_owner ON public.restrictions TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.retention_decisions ENABLE ROW LEVEL SECURITY;

CREATE POLICY retention_decisions_dpo_insert ON public.retention_decisions FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_dpo() AND (decided_by = public.hw_user_id())));

CREATE POLICY retention_decisions_dpo_read ON public.retention_decisions FOR SELECT TO homeward_app USING (public.hw_is_dpo());

CREATE POLICY retention_decisions_owner ON public.retention_decisions TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.return_home_interviews ENABLE ROW LEVEL SECURITY;

CREATE POLICY rhi_insert ON public.return_home_interviews FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_operational() AND (updated_by = public.hw_user_id()) AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE (e.id = return_home_interviews.episode_id)))));

CREATE POLICY rhi_owner ON public.return_home_interviews TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY rhi_read ON public.return_home_interviews FOR SELECT TO homeward_app USING ((((public.hw_role() <> 'partner'::text) AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE (e.id = return_home_interviews.episode_id)))) OR ((public.hw_role() = 'partner'::text) AND public.hw_shared_with_caller('episode'::text, episode_id, 'return_interview'::text))));

CREATE POLICY rhi_update ON public.return_home_interviews FOR UPDATE TO homeward_app USING (((public.hw_is_operational() AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE (e.id = return_home_interviews.episode_id)))) OR ((public.hw_role() = 'partner'::text) AND (provider_agency_id = public.hw_agency_id()) AND public.hw_shared_with_caller('episode'::text, episode_id, 'return_interview'::text)))) WITH CHECK (((updated_by = public.hw_user_id()) AND (public.hw_is_operational() OR (provider_agency_id = public.hw_agency_id()))));

ALTER TABLE public.risk_gradings ENABLE ROW LEVEL SECURITY;

CREATE POLICY risk_gradings_insert ON public.risk_gradings FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_operational() AND (graded_by = public.hw_user_id()) AND ((grader_role)::text = public.hw_role()) AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE (e.id = risk_gradings.episode_id)))));

CREATE POLICY risk_gradings_owner ON public.risk_gradings TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY risk_gradings_read ON public.risk_gradings FOR SELECT TO homeward_app USING ((((public.hw_role() <> 'partner'::text) AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE (e.id = risk_gradings.episode_id)))) OR ((public.hw_role() = 'partner'::text) AND public.hw_shared_with_caller('episode'::text, episode_id, 'risk'::text))));

ALTER TABLE public.scheduler_lease ENABLE ROW LEVEL SECURITY;

CREATE POLICY scheduler_lease_owner ON public.scheduler_lease TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.security_alerts ENABLE ROW LEVEL SECURITY;

CREATE POLICY security_alerts_owner ON public.security_alerts TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.security_events ENABLE ROW LEVEL SECURITY;

CREATE POLICY security_events_admin_read ON public.security_events FOR SELECT TO homeward_app USING (public.hw_is_admin());

CREATE POLICY security_events_owner ON public.security_events TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.sessions ENABLE ROW LEVEL SECURITY;

CREATE POLICY sessions_admin_read ON public.sessions FOR SELECT TO homeward_app USING (public.hw_is_admin());

CREATE POLICY sessions_owner ON public.sessions TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY sessions_revoke ON public.sessions FOR UPDATE TO homeward_app USING (((user_id = public.hw_user_id()) OR public.hw_is_admin())) WITH CHECK ((revoked_at IS NOT NULL));

CREATE POLICY sessions_self_insert ON public.sessions FOR INSERT TO homeward_app WITH CHECK (((user_id = public.hw_user_id()) AND (revoked_at IS NULL) AND (expires_at > now())));

CREATE POLICY sessions_self_read ON public.sessions FOR SELECT TO homeward_app USING ((user_id = public.hw_user_id()));

ALTER TABLE public.shares ENABLE ROW LEVEL SECURITY;

CREATE POLICY shares_in_view ON public.shares AS RESTRICTIVE FOR SELECT TO homeward_app USING (((public.hw_access_reason() IS NOT NULL) OR (NOT public.hw_record_restricted(
CASE record_type
    WHEN 'episode'::text THEN 'episodes'::text
    WHEN 'trigger'::text THEN 'triggers'::text
    ELSE 'referrals'::text
END, record_id))));

CREATE POLICY shares_insert ON public.shares FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_case_worker() AND public.hw_covers_district(district_id) AND (shared_by = public.hw_user_id()) AND (revoked_at IS NULL)));

CREATE POLICY shares_owner ON public.shares TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY shares_read ON public.shares FOR SELECT TO homeward_app USING (((public.hw_is_case_worker() AND public.hw_covers_district(district_id)) OR ((public.hw_role() = 'partner'::text) AND (agency_id = public.hw_agency_id()))));

CREATE POLICY shares_revoke ON public.shares FOR UPDATE TO homeward_app USING ((public.hw_is_case_worker() AND public.hw_covers_district(district_id) AND (revoked_at IS NULL))) WITH CHECK ((public.hw_is_case_worker() AND public.hw_covers_district(district_id) AND (revoked_by = public.hw_user_id())));

ALTER TABLE public.subject_access_requests ENABLE ROW LEVEL SECURITY;

CREATE POLICY subject_access_requests_dpo_insert ON public.subject_access_requests FOR INSERT TO homeward_app WITH CHECK ((public.hw_is_dpo() AND (created_by = public.hw_user_id()) AND (status = 'open'::text)));

CREATE POLICY subject_access_requests_dpo_read ON public.subject_access_requests FOR SELECT TO homeward_app USING (public.hw_is_dpo());

CREATE POLICY subject_access_requests_dpo_update ON public.subject_access_requests FOR UPDATE TO homeward_app USING ((public.hw_is_dpo() AND (status = 'open'::text))) WITH CHECK (public.hw_is_dpo());

CREATE POLICY subject_access_requests_owner ON public.subject_access_requests TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE public.supervisor_reviews ENABLE ROW LEVEL SECURITY;

CREATE POLICY supervisor_reviews_insert ON public.supervisor_reviews FOR INSERT TO homeward_app WITH CHECK (((reviewed_by = public.hw_user_id()) AND (public.hw_role() = 'supervisor'::text) AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE (e.id = supervisor_reviews.episode_id)))));

CREATE POLICY supervisor_reviews_owner ON public.supervisor_reviews TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY supervisor_reviews_read ON public.supervisor_reviews FOR SELECT TO homeward_app USING ((((public.hw_role() <> 'partner'::text) AND (EXISTS ( SELECT 1
   FROM public.episodes e
  WHERE (e.id = supervisor_reviews.episode_id)))) OR ((public.hw_role() = 'partner'::text) AND public.hw_shared_with_caller('episode'::text, episode_id, 'risk'::text))));

ALTER TABLE public.triage_meetings ENABLE ROW LEVEL SECURITY;

CREATE POLICY triage_meetings_insert ON public.triage_meetings FOR INSERT TO homeward_app WITH CHECK (((public.hw_role() = ANY (ARRAY['mfhc'::text, 'early_action'::text])) AND (recorded_by = public.hw_user_id()) AND (EXISTS ( SELECT 1
   FROM public.referrals r
  WHERE ((r.id = triage_meetings.referral_id) AND public.hw_covers_district(r.district_id))))));

CREATE POLICY triage_meetings_owner ON public.triage_meetings TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY triage_meetings_read ON public.triage_meetings FOR SELECT TO homeward_app USING (((public.hw_is_case_worker() AND (EXISTS ( SELECT 1
   FROM public.referrals r
  WHERE ((r.id = triage_meetings.referral_id) AND public.hw_covers_district(r.district_id))))) OR ((public.hw_role() = 'partner'::text) AND public.hw_shared_with_caller('referral'::text, referral_id, 'triage'::text))));

ALTER TABLE public.trigger_plans ENABLE ROW LEVEL SECURITY;

CREATE POLICY trigger_plans_insert ON public.trigger_plans FOR INSERT TO homeward_app WITH CHECK (((public.hw_role() = 'mfhc'::text) AND (recorded_by = public.hw_user_id()) AND (EXISTS ( SELECT 1
   FROM public.triggers t
  WHERE ((t.id = trigger_plans.trigger_id) AND public.hw_covers_district(t.district_id))))));

CREATE POLICY trigger_plans_owner ON public.trigger_plans TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY trigger_plans_read ON public.trigger_plans FOR SELECT TO homeward_app USING (((public.hw_is_case_worker() AND (EXISTS ( SELECT 1
   FROM public.triggers t
  WHERE (t.id = trigger_plans.trigger_id)))) OR ((public.hw_role() = 'partner'::text) AND public.hw_shared_with_caller('trigger'::text, trigger_id, 'plan'::text))));

CREATE POLICY trigger_plans_update ON public.trigger_plans FOR UPDATE TO homeward_app USING (((public.hw_role() = 'mfhc'::text) AND (EXISTS ( SELECT 1
   FROM public.triggers t
  WHERE ((t.id = trigger_plans.trigger_id) AND public.hw_covers_district(t.district_id)))))) WITH CHECK (((public.hw_role() = 'mfhc'::text) AND (recorded_by = public.hw_user_id())));

ALTER TABLE public.trigger_rule_versions ENABLE ROW LEVEL SECURITY;

CREATE POLICY trigger_rule_versions_owner ON public.trigger_rule_versions TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY trigger_rule_versions_read ON public.trigger_rule_versions FOR SELECT TO homeward_app USING (public.hw_is_authenticated());

ALTER TABLE public.trigger_rules ENABLE ROW LEVEL SECURITY;

CREATE POLICY trigger_rules_insert ON public.trigger_rules FOR INSERT TO homeward_app WITH CHECK (((created_by = public.hw_user_id()) AND (public.hw_is_admin() OR ((public.hw_role() = 'mfhc'::text) AND ((public.hw_district_id() IS NULL) OR (district_id = public.hw_district_id()))))));

CREATE POLICY trigger_rules_owner ON public.trigger_rules TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY trigger_rules_read ON public.trigger_rules FOR SELECT TO homeward_app USING (public.hw_is_authenticated());

CREATE POLICY trigger_rules_update ON public.trigger_rules FOR UPDATE TO homeward_app USING ((public.hw_is_admin() OR ((public.hw_role() = 'mfhc'::text) AND ((public.hw_district_id() IS NULL) OR (district_id = public.hw_district_id()))))) WITH CHECK ((public.hw_is_admin() OR ((public.hw_role() = 'mfhc'::text) AND ((public.hw_district_id() IS NULL) OR (district_id = public.hw_district_id())))));

ALTER TABLE public.triggers ENABLE ROW LEVEL SECURITY;

CREATE POLICY triggers_in_view ON public.triggers AS RESTRICTIVE FOR SELECT TO homeward_app USING (((NOT restricted) OR ( SELECT (public.hw_access_reason() IS NOT NULL))));

CREATE POLICY triggers_owner ON public.triggers TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY triggers_read ON public.triggers FOR SELECT TO homeward_app USING (((( SELECT public.hw_is_case_worker() AS hw_is_case_worker) AND ((district_id = ( SELECT public.hw_district_id() AS hw_district_id)) OR ( SELECT public.hw_covers_every_district() AS hw_covers_every_district))) OR (( SELECT (public.hw_role() = 'partner'::text)) AND public.hw_shared_with_caller('trigger'::text, id, 'summary'::text))));

CREATE POLICY triggers_update ON public.triggers FOR UPDATE TO homeward_app USING (((public.hw_role() = 'mfhc'::text) AND public.hw_covers_district(district_id))) WITH CHECK (((public.hw_role() = 'mfhc'::text) AND public.hw_covers_district(district_id) AND (status <> 'withdrawn'::text)));

CREATE POLICY triggers_written_in_view ON public.triggers AS RESTRICTIVE FOR INSERT TO homeward_app WITH CHECK ((NOT restricted));

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

CREATE POLICY users_admin_insert ON public.users FOR INSERT TO homeward_app WITH CHECK (public.hw_is_admin());

CREATE POLICY users_admin_read ON public.users FOR SELECT TO homeward_app USING (public.hw_is_admin());

CREATE POLICY users_admin_update ON public.users FOR UPDATE TO homeward_app USING (public.hw_is_admin()) WITH CHECK (public.hw_is_admin());

CREATE POLICY users_owner ON public.users TO homeward_owner USING (true) WITH CHECK (true);

CREATE POLICY users_self_read ON public.users FOR SELECT TO homeward_app USING ((id = public.hw_user_id()));

ALTER TABLE public.write_quota ENABLE ROW LEVEL SECURITY;

CREATE POLICY write_quota_owner ON public.write_quota TO homeward_owner USING (true) WITH CHECK (true);

GRANT ALL ON SCHEMA public TO homeward_owner;
GRANT USAGE ON SCHEMA public TO homeward_app;

REVOKE ALL ON FUNCTION public.auth_change_own_password(p_session uuid, p_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_change_own_password(p_session uuid, p_hash text) TO homeward_app;

REVOKE ALL ON FUNCTION public.auth_login_lookup(p_email text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_login_lookup(p_email text) TO homeward_app;

REVOKE ALL ON FUNCTION public.auth_principal(p_user uuid, p_session uuid, p_token_version integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_principal(p_user uuid, p_session uuid, p_token_version integer) TO homeward_app;

REVOKE ALL ON FUNCTION public.auth_rotate_refresh(p_old_hash bytea, p_new_hash bytea, p_new_expires timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_rotate_refresh(p_old_hash bytea, p_new_hash bytea, p_new_expires timestamp with time zone) TO homeward_app;

REVOKE ALL ON FUNCTION public.auth_throttle_attempt(p_keys bytea[], p_limits integer[], p_window interval) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_throttle_attempt(p_keys bytea[], p_limits integer[], p_window interval) TO homeward_app;

REVOKE ALL ON FUNCTION public.auth_throttle_clear(p_keys bytea[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_throttle_clear(p_keys bytea[]) TO homeward_app;

REVOKE ALL ON FUNCTION public.auth_throttle_known(p_known bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_throttle_known(p_known bytea) TO homeward_app;

REVOKE ALL ON FUNCTION public.auth_throttle_success(p_clear bytea[], p_undo bytea[], p_known bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_throttle_success(p_clear bytea[], p_undo bytea[], p_known bytea) TO homeward_app;

REVOKE ALL ON FUNCTION public.auth_web_session(p_hash bytea, p_idle interval) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_web_session(p_hash bytea, p_idle interval) TO homeward_app;

REVOKE ALL ON FUNCTION public.auth_write_quota(p_user uuid, p_session uuid, p_token_version integer, p_every interval, p_burst integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_write_quota(p_user uuid, p_session uuid, p_token_version integer, p_every interval, p_burst integer) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_actions_due(p_days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_actions_due(p_days integer) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_admin_emails() FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_admin_emails() TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_agency_digests() FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_agency_digests() TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_agency_mailbox(p_agency uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_agency_mailbox(p_agency uuid) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_anonymous_birth_date(p_persons uuid[], p_dob date) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_audit_consultations(p_actor uuid[], p_session uuid[], p_version integer[], p_record_type text[], p_start integer[], p_count integer[], p_ids uuid[], p_purpose text[], p_request_id text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_audit_consultations(p_actor uuid[], p_session uuid[], p_version integer[], p_record_type text[], p_start integer[], p_count integer[], p_ids uuid[], p_purpose text[], p_request_id text[]) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_audit_head() FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_audit_head() TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_audit_seal(p_max integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_audit_seal(p_max integer) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_audit_verify() FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_audit_verify() TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_child_at(dob date, started timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_children_by_month(p_from timestamp with time zone, p_to timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_children_by_month(p_from timestamp with time zone, p_to timestamp with time zone) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_children_month_refresh(p_persons uuid[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_children_month_rows(p_persons uuid[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_dispose_person(p_person uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_dispose_person(p_person uuid) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_dpo_emails() FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_dpo_emails() TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_episode_touch_by_provider(p_episode uuid, p_version integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_episode_touch_by_provider(p_episode uuid, p_version integer) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_first_time_children(p_from timestamp with time zone, p_to timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_first_time_children(p_from timestamp with time zone, p_to timestamp with time zone) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_first_time_children_in(p_from timestamp with time zone, p_to timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_first_time_children_summary(p_from timestamp with time zone, p_to timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_first_time_children_summary(p_from timestamp with time zone, p_to timestamp with time zone) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_first_transfers() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_hidden_by_restriction(p_table text, p_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_hidden_by_restriction(p_table text, p_id uuid) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_hospital_summary(p_since timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_hospital_summary(p_since timestamp with time zone) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_looked_after_summary(p_since timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_looked_after_summary(p_since timestamp with time zone) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_measure_catch_up(p_max integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_measure_catch_up(p_max integer) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_measure_rebuild() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_measure_refresh(p_persons uuid[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_measure_refresh_later(p_persons uuid[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_measure_state_rows(p_persons uuid[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_mfhc_digests() FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_mfhc_digests() TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_missing_persons_summary(p_since timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_missing_persons_summary(p_since timestamp with time zone) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_national_overdue(p_ukmpu interval, p_pnc interval) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_national_overdue(p_ukmpu interval, p_pnc interval) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_notification_gap(p_event_key text, p_event text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_notification_gap(p_event_key text, p_event text) TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.outbox TO homeward_app;

GRANT UPDATE(status) ON TABLE public.outbox TO homeward_app;

GRANT UPDATE(attempts) ON TABLE public.outbox TO homeward_app;

GRANT UPDATE(next_attempt_at) ON TABLE public.outbox TO homeward_app;

GRANT UPDATE(last_error) ON TABLE public.outbox TO homeward_app;

GRANT UPDATE(dead_at) ON TABLE public.outbox TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_outbox_claim(p_worker text, p_limit integer, p_lease_secs integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_outbox_claim(p_worker text, p_limit integer, p_lease_secs integer) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_outbox_failed(p_id uuid, p_worker text, p_error text, p_retry_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_outbox_failed(p_id uuid, p_worker text, p_error text, p_retry_at timestamp with time zone) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_outbox_live_workers() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_outbox_present(p_worker text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_outbox_present(p_worker text) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_outbox_release(p_id uuid, p_worker text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_outbox_release(p_id uuid, p_worker text) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_outbox_sent(p_ids uuid[], p_worker text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_outbox_sent(p_ids uuid[], p_worker text) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_outbox_worker_alive(p_worker text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_outbox_worker_alive(p_worker text) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_overdue_return_interviews() FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_overdue_return_interviews() TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_overdue_reviews() FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_overdue_reviews() TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_person_and_merged(p_person uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_person_changes(p_person uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_person_changes(p_person uuid) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_person_disposed_at(p_person uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_person_disposed_at(p_person uuid) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_person_episode_spans(p_person uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_person_episode_spans(p_person uuid) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_person_merge_apply(p_merge uuid, p_undo boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_person_merge_apply(p_merge uuid, p_undo boolean) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_person_shared_with_caller(p_person uuid, p_part text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_person_shared_with_caller(p_person uuid, p_part text) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_quarterly_breakdown(p_from timestamp with time zone, p_to timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_quarterly_breakdown(p_from timestamp with time zone, p_to timestamp with time zone) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_record_exists(p_table text, p_id uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_record_restricted(p_table text, p_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_record_restricted(p_table text, p_id uuid) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_records_of(p_ids uuid[], OUT eps uuid[], OUT trgs uuid[], OUT refs uuid[], OUT acts uuid[], OUT shs uuid[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_repeat_missing(p_start timestamp with time zone, p_end timestamp with time zone, p_threshold integer, p_count_hospital boolean, p_episode_start text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_repeat_missing(p_start timestamp with time zone, p_end timestamp with time zone, p_threshold integer, p_count_hospital boolean, p_episode_start text) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_repeat_missing_at(p_version integer, p_period_ends date[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_repeat_missing_at(p_version integer, p_period_ends date[]) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_require_measures_reader() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_restricted_persons(p_ids uuid[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_restricted_persons(p_ids uuid[]) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_retention_reviews(p_due_before date, p_years integer, p_pp_years integer, p_person uuid, p_after uuid, p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_retention_reviews(p_due_before date, p_years integer, p_pp_years integer, p_person uuid, p_after uuid, p_limit integer) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_scheduler_claim(p_every interval, p_holder text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_scheduler_claim(p_every interval, p_holder text) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_security_event(p_kind text, p_account uuid, p_email text, p_address text, p_method text, p_route text, p_table text, p_record_id uuid, p_request_id text, p_status integer, p_threshold integer, p_window interval) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_security_event(p_kind text, p_account uuid, p_email text, p_address text, p_method text, p_route text, p_table text, p_record_id uuid, p_request_id text, p_status integer, p_threshold integer, p_window interval) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_set_force_zone(p_zone text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.hw_set_restricted(p_person uuid, p_on boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_set_restricted(p_person uuid, p_on boolean) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_staff_emails(p_district uuid, p_role text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_staff_emails(p_district uuid, p_role text) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_subject_access_alerts(p_days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_subject_access_alerts(p_days integer) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_subject_access_bundle(p_persons uuid[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_subject_access_bundle(p_persons uuid[]) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_subject_access_candidates(p_words text[], p_dob date) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_subject_access_candidates(p_words text[], p_dob date) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_trigger_escalate_due() FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_trigger_escalate_due() TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_trigger_fire(p_id uuid, p_person uuid, p_rule uuid, p_anchor uuid, p_basis uuid[], p_window_start timestamp with time zone, p_window_end timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_trigger_fire(p_id uuid, p_person uuid, p_rule uuid, p_anchor uuid, p_basis uuid[], p_window_start timestamp with time zone, p_window_end timestamp with time zone) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_trigger_inputs(p_person uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_trigger_inputs(p_person uuid) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_trigger_live(p_person uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_trigger_live(p_person uuid) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_trigger_withdraw(p_id uuid, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_trigger_withdraw(p_id uuid, p_reason text) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_user_email(p_user uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_user_email(p_user uuid) TO homeward_app;

REVOKE ALL ON FUNCTION public.hw_user_in_agency(p_user uuid, p_agency uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hw_user_in_agency(p_user uuid, p_agency uuid) TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.actions TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.agencies TO homeward_app;

GRANT SELECT,INSERT,DELETE ON TABLE public.agency_districts TO homeward_app;

GRANT SELECT ON TABLE public.agency_types TO homeward_app;

GRANT SELECT ON TABLE public.audit_log TO homeward_app;

GRANT INSERT(actor_id) ON TABLE public.audit_queue TO homeward_app;

GRANT INSERT(actor_role) ON TABLE public.audit_queue TO homeward_app;

GRANT INSERT(operation) ON TABLE public.audit_queue TO homeward_app;

GRANT INSERT(record_type) ON TABLE public.audit_queue TO homeward_app;

GRANT INSERT(record_ids) ON TABLE public.audit_queue TO homeward_app;

GRANT INSERT(purpose) ON TABLE public.audit_queue TO homeward_app;

GRANT INSERT(recipients) ON TABLE public.audit_queue TO homeward_app;

GRANT INSERT(request_id) ON TABLE public.audit_queue TO homeward_app;

GRANT INSERT(lawful_basis) ON TABLE public.audit_queue TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.baselines TO homeward_app;

GRANT SELECT ON TABLE public.districts TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.episode_reference_counters TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.episode_returns TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.episode_transfers TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.episodes TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.intervention_plans TO homeward_app;

GRANT SELECT ON TABLE public.local_authorities TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.measure_definitions TO homeward_app;

GRANT SELECT ON TABLE public.notification_gaps TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.notification_preferences TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.person_markers TO homeward_app;

GRANT SELECT ON TABLE public.person_merge_moves TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.person_merges TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.persons TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.placements TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.prevention_interviews TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.protocol_profiles TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.rectification_notes TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.referrals TO homeward_app;

GRANT INSERT ON TABLE public.refresh_tokens TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.restrictions TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.retention_decisions TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.return_home_interviews TO homeward_app;

GRANT UPDATE(provider_agency_id) ON TABLE public.return_home_interviews TO homeward_app;

GRANT UPDATE(status) ON TABLE public.return_home_interviews TO homeward_app;

GRANT UPDATE(status_reason) ON TABLE public.return_home_interviews TO homeward_app;

GRANT UPDATE(completed_at) ON TABLE public.return_home_interviews TO homeward_app;

GRANT UPDATE(updated_by) ON TABLE public.return_home_interviews TO homeward_app;

GRANT UPDATE(updated_at) ON TABLE public.return_home_interviews TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.risk_gradings TO homeward_app;

GRANT SELECT ON TABLE public.security_events TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.sessions TO homeward_app;

GRANT UPDATE(revoked_at) ON TABLE public.sessions TO homeward_app;

GRANT UPDATE(revoked_reason) ON TABLE public.sessions TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.shares TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(due_on) ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(extension_reason) ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(status) ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(decided_at) ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(decided_by) ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(decision_note) ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(bundle) ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(assembled_at) ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(due_alerted_at) ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(overdue_alerted_at) ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(updated_at) ON TABLE public.subject_access_requests TO homeward_app;

GRANT UPDATE(version) ON TABLE public.subject_access_requests TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.supervisor_reviews TO homeward_app;

GRANT SELECT,INSERT ON TABLE public.triage_meetings TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.trigger_plans TO homeward_app;

GRANT SELECT ON TABLE public.trigger_rule_versions TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.trigger_rules TO homeward_app;

GRANT SELECT ON TABLE public.triggers TO homeward_app;

GRANT UPDATE(status) ON TABLE public.triggers TO homeward_app;

GRANT UPDATE(assigned_to) ON TABLE public.triggers TO homeward_app;

GRANT UPDATE(acknowledged_at) ON TABLE public.triggers TO homeward_app;

GRANT UPDATE(acknowledged_by) ON TABLE public.triggers TO homeward_app;

GRANT UPDATE(closed_at) ON TABLE public.triggers TO homeward_app;

GRANT UPDATE(closed_by) ON TABLE public.triggers TO homeward_app;

GRANT UPDATE(closure_note) ON TABLE public.triggers TO homeward_app;

GRANT UPDATE(version) ON TABLE public.triggers TO homeward_app;

GRANT UPDATE(updated_at) ON TABLE public.triggers TO homeward_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.users TO homeward_app;

