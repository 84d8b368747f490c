-- Security events (issue 20): failed logins and refused access to records that exist.
-- Written only through hw_security_event (the runtime role cannot write the table, so
-- a caller cannot erase the trace of their own refusals); read by administrators.

-- The digest an attempted login email is kept as (lower-cased; the address is not kept).
CREATE OR REPLACE FUNCTION hw_security_email_hash(p_email text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS
$$ SELECT sha256(convert_to('homeward-security-email:' || lower(p_email), 'UTF8')) $$;

-- Whether the record a route names exists, whoever may see it: a 404 for a record that
-- does exist (and that the caller cannot see) means it is outside the caller's policies.
-- Only the tables routes name; any other is no record.
CREATE OR REPLACE FUNCTION hw_record_exists(p_table text, p_id uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
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

REVOKE ALL ON FUNCTION hw_record_exists(p_table text, p_id uuid) FROM PUBLIC;

-- Records one event. A `hidden_record` refusal (a 404) is recorded only when the record
-- exists in the table its route names (the caller has checked that it cannot see it). A
-- throttled sign-in is recorded once per address per window, and does not count towards
-- an alert: it costs an attacker nothing, and the failed sign-ins before it are counted.
-- Counts the account's other events in the last p_window; when they reach p_threshold
-- and the account has had no alert in this window, returns that count (the caller then
-- alerts the administrators), else NULL. `recorded` says whether a row was written;
-- `account_id` is the account concerned.
CREATE OR REPLACE FUNCTION hw_security_event(
    p_kind text, p_account uuid, p_email text, p_address text, p_method text, p_route text,
    p_table text, p_record_id uuid, p_request_id text, p_status integer, p_threshold integer,
    p_window interval)
RETURNS TABLE (recorded boolean, alert_events integer, account_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
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

REVOKE ALL ON FUNCTION hw_security_event(p_kind text, p_account uuid, p_email text, p_address text, p_method text, p_route text, p_table text, p_record_id uuid, p_request_id text, p_status integer, p_threshold integer, p_window interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_security_event(p_kind text, p_account uuid, p_email text, p_address text, p_method text, p_route text, p_table text, p_record_id uuid, p_request_id text, p_status integer, p_threshold integer, p_window interval) TO homeward_app;
