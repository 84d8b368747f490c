-- Security events (issue 20): failed logins and refused access to records that exist.
-- Written only through hw_security_event (the runtime role cannot write the table, so
-- a caller cannot erase the trace of their own refusals); read by administrators.

-- The digest an attempted login email is kept as (lower-cased; the address is not kept).
CREATE OR REPLACE FUNCTION hw_security_email_hash(p_email text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS
$$ SELECT sha256(convert_to('homeward-security-email:' || lower(p_email), 'UTF8')) $$;

-- Whether a record with this id exists, whoever may see it: a 404 for a record that does
-- exist means it is outside the caller's policies, which is worth knowing about.
CREATE OR REPLACE FUNCTION hw_record_exists(p_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT EXISTS (SELECT 1 FROM persons WHERE id = p_id)
       OR EXISTS (SELECT 1 FROM episodes WHERE id = p_id)
       OR EXISTS (SELECT 1 FROM referrals WHERE id = p_id)
       OR EXISTS (SELECT 1 FROM actions WHERE id = p_id)
       OR EXISTS (SELECT 1 FROM triggers WHERE id = p_id)
       OR EXISTS (SELECT 1 FROM shares WHERE id = p_id)
       OR EXISTS (SELECT 1 FROM users WHERE id = p_id)
       OR EXISTS (SELECT 1 FROM agencies WHERE id = p_id)
       OR EXISTS (SELECT 1 FROM trigger_rules WHERE id = p_id)
       OR EXISTS (SELECT 1 FROM person_merges WHERE id = p_id)
       OR EXISTS (SELECT 1 FROM outbox WHERE id = p_id) $$;

REVOKE ALL ON FUNCTION hw_record_exists(p_id uuid) FROM PUBLIC;

-- Records one event. A `hidden_record` refusal (a 404) is recorded only when the record
-- exists. Counts the account's events in the last p_window; when they reach p_threshold
-- and the account has had no alert in this window, returns that count (the caller then
-- alerts the administrators), else NULL. `recorded` says whether a row was written;
-- `account_id` is the account concerned.
CREATE OR REPLACE FUNCTION hw_security_event(
    p_kind text, p_account uuid, p_email text, p_address text, p_method text, p_route text,
    p_record_id uuid, p_request_id text, p_status integer, p_threshold integer,
    p_window interval)
RETURNS TABLE (recorded boolean, alert_events integer, account_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    account uuid := p_account;
    n integer;
BEGIN
    IF p_kind = 'hidden_record' AND (p_record_id IS NULL OR NOT hw_record_exists(p_record_id)) THEN
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
    IF account IS NULL THEN
        RETURN QUERY SELECT true, NULL::integer, account;
        RETURN;
    END IF;
    SELECT count(*) INTO n FROM security_events e
     WHERE e.account_id = account AND e.occurred_at > now() - p_window;
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

REVOKE ALL ON FUNCTION hw_security_event(p_kind text, p_account uuid, p_email text, p_address text, p_method text, p_route text, p_record_id uuid, p_request_id text, p_status integer, p_threshold integer, p_window interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_security_event(p_kind text, p_account uuid, p_email text, p_address text, p_method text, p_route text, p_record_id uuid, p_request_id text, p_status integer, p_threshold integer, p_window interval) TO homeward_app;
