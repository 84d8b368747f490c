-- Before anyone is known: login, refresh and throttling, through narrow SECURITY DEFINER
-- functions (the runtime role cannot read users, sessions or refresh tokens otherwise).

-- The account a login names, if any (the caller compares the password hash).
CREATE OR REPLACE FUNCTION auth_login_lookup(p_email text)
RETURNS TABLE (id uuid, password_hash text, active boolean, role text, district_id uuid,
               agency_id uuid, token_version integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT u.id, u.password_hash, u.active, u.role, u.district_id, u.agency_id, u.token_version
     FROM users u WHERE u.email = p_email $$;

REVOKE ALL ON FUNCTION auth_login_lookup(p_email text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_login_lookup(p_email text) TO homeward_app;

-- SECURITY DEFINER functions written in SQL are never inlined, and Postgres parses and
-- plans their bodies again for every statement that calls them; in PL/pgSQL the plans
-- are kept for the session. Same queries as before.
CREATE OR REPLACE FUNCTION auth_principal(p_user uuid, p_session uuid, p_token_version integer)
RETURNS TABLE (role text, district_id uuid, agency_id uuid, must_change_password boolean)
-- One row at most. Told so, the planner keeps one plan of every request's first statement
-- (which calls this in FROM): estimated at the default 1,000 rows, the plan with the
-- parameters folded in looked cheaper and it planned the statement afresh on each request.
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 1 SET search_path = public, pg_temp AS
$$
BEGIN
    RETURN QUERY
    SELECT u.role, u.district_id, u.agency_id, u.must_change_password
      FROM users u JOIN sessions s ON s.user_id = u.id
     WHERE u.id = p_user AND u.active AND u.token_version = p_token_version
       AND s.id = p_session AND s.revoked_at IS NULL AND s.expires_at > now();
END
$$;

REVOKE ALL ON FUNCTION auth_principal(p_user uuid, p_session uuid, p_token_version integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_principal(p_user uuid, p_session uuid, p_token_version integer) TO homeward_app;

-- Rotates a refresh token. Outcomes: 'rotated' (new token stored), 'reused' (a token
-- already used was presented again: its whole session is revoked), 'invalid'.
CREATE OR REPLACE FUNCTION auth_rotate_refresh(p_old_hash bytea, p_new_hash bytea, p_new_expires timestamptz)
RETURNS TABLE (outcome text, user_id uuid, session_id uuid, token_version integer,
               expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
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

REVOKE ALL ON FUNCTION auth_rotate_refresh(p_old_hash bytea, p_new_hash bytea, p_new_expires timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_rotate_refresh(p_old_hash bytea, p_new_hash bytea, p_new_expires timestamp with time zone) TO homeward_app;

-- Login throttling. Every attempt is counted *before* the password is checked, in one
-- atomic statement, so concurrent attempts cannot slip past the limit. Returns the
-- seconds to wait (0 = go ahead): a key over its limit waits until its window ends.
-- Windows are fixed, and refused attempts do not extend them, so every block expires.
CREATE OR REPLACE FUNCTION auth_throttle_attempt(p_keys bytea[], p_limits integer[], p_window interval)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
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

REVOKE ALL ON FUNCTION auth_throttle_attempt(p_keys bytea[], p_limits integer[], p_window interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_throttle_attempt(p_keys bytea[], p_limits integer[], p_window interval) TO homeward_app;

-- Whether this account has logged in from this address in the last 30 days.
CREATE OR REPLACE FUNCTION auth_throttle_known(p_known bytea)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT EXISTS (SELECT 1 FROM login_throttle WHERE key_hash = p_known
                   AND window_started_at > now() - interval '30 days') $$;

REVOKE ALL ON FUNCTION auth_throttle_known(p_known bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_throttle_known(p_known bytea) TO homeward_app;

-- After a successful login: forget the account's counters (`p_clear`), take this attempt
-- back off the address's (`p_undo`), and remember the account-and-address pair as known
-- (`p_known`) for 30 days.
CREATE OR REPLACE FUNCTION auth_throttle_success(p_clear bytea[], p_undo bytea[], p_known bytea)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DELETE FROM login_throttle WHERE key_hash = ANY (p_clear);
UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key_hash = ANY (p_undo);
INSERT INTO login_throttle (key_hash, failures, window_started_at) VALUES (p_known, 0, now())
ON CONFLICT (key_hash) DO UPDATE SET window_started_at = now();
$$;

REVOKE ALL ON FUNCTION auth_throttle_success(p_clear bytea[], p_undo bytea[], p_known bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_throttle_success(p_clear bytea[], p_undo bytea[], p_known bytea) TO homeward_app;

-- A browser's session from its cookie (the secret's digest): the account, session and
-- token version to begin the request with (with the role and name the page header shows) (auth_principal then checks them as for any
-- token), and whether an administrator's reset waits to be acted on; or nothing. A session left idle longer than p_idle is ended here, with the
-- reason; the last-seen time moves at most every 30 seconds, so pages do not each write.
CREATE OR REPLACE FUNCTION auth_web_session(p_hash bytea, p_idle interval)
RETURNS TABLE (user_id uuid, session_id uuid, token_version integer, role text,
               display_name text, must_change_password boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
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

REVOKE ALL ON FUNCTION auth_web_session(p_hash bytea, p_idle interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_web_session(p_hash bytea, p_idle interval) TO homeward_app;

-- A caller's own password change (the service has checked the current one): the new
-- hash, the forced-reset flag cleared, and every other session of the account ended, so
-- whoever else held it is signed out. Only for the caller's own account.
CREATE OR REPLACE FUNCTION auth_change_own_password(p_session uuid, p_hash text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
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

REVOKE ALL ON FUNCTION auth_change_own_password(p_session uuid, p_hash text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_change_own_password(p_session uuid, p_hash text) TO homeward_app;

-- Forgets the counters of p_keys (a password change succeeded: its guesses are over).
CREATE OR REPLACE FUNCTION auth_throttle_clear(p_keys bytea[])
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ DELETE FROM login_throttle WHERE key_hash = ANY (p_keys) $$;

REVOKE ALL ON FUNCTION auth_throttle_clear(p_keys bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_throttle_clear(p_keys bytea[]) TO homeward_app;

-- Charges one write to an account's quota, shared by every instance (GCRA): p_every
-- apart on average, p_burst at once. Only a live session's writes count (a token revoked
-- a moment ago is refused as unauthenticated by its transaction, and spends nothing).
-- Returns -1 when the session is not live, 0 when the write may go ahead, else the
-- seconds until it may.
CREATE OR REPLACE FUNCTION auth_write_quota(p_user uuid, p_session uuid, p_token_version integer,
                                            p_every interval, p_burst integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
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

REVOKE ALL ON FUNCTION auth_write_quota(p_user uuid, p_session uuid, p_token_version integer, p_every interval, p_burst integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_write_quota(p_user uuid, p_session uuid, p_token_version integer, p_every interval, p_burst integer) TO homeward_app;
