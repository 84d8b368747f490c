SET LOCAL ROLE homeward_owner;

-- Reference data -----------------------------------------------------------------

CREATE TABLE districts (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code       text NOT NULL UNIQUE CHECK (code ~ '^[A-Z]{3}$'),
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agency_types (
    code text PRIMARY KEY CHECK (code ~ '^[a-z_]{2,40}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100)
);

CREATE TABLE agencies (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    agency_type text NOT NULL REFERENCES agency_types (code),
    mailbox     text NOT NULL CHECK (length(mailbox) BETWEEN 3 AND 254),
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agency_districts (
    agency_id   uuid NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    district_id uuid NOT NULL REFERENCES districts (id),
    PRIMARY KEY (agency_id, district_id)
);

-- Accounts -----------------------------------------------------------------------

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role          text NOT NULL CHECK (role IN ('officer', 'supervisor', 'mfhc', 'early_action',
                                                'partner', 'analyst', 'admin')),
    district_id   uuid REFERENCES districts (id),
    agency_id     uuid REFERENCES agencies (id),
    active        boolean NOT NULL DEFAULT true,
    password_hash text NOT NULL,
    -- Bumped whenever the account's access must end at once (deactivation, role,
    -- district or agency change, password reset); access tokens carry it.
    token_version integer NOT NULL DEFAULT 1,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT partner_has_agency CHECK ((role = 'partner') = (agency_id IS NOT NULL))
);
CREATE INDEX users_district_idx ON users (district_id);

-- A login starts a session (a refresh-token family); each refresh rotates the token.
CREATE TABLE sessions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    revoked_reason text
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id uuid NOT NULL REFERENCES sessions (id),
    token_hash bytea NOT NULL UNIQUE,
    issued_at  timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Login-attempt counters, keyed by a hash of the account, the client address or both
-- (and, with failures = 0, the account-and-address pairs that have logged in before).
CREATE TABLE login_throttle (
    key_hash          bytea PRIMARY KEY,
    failures          integer NOT NULL,
    window_started_at timestamptz NOT NULL
);

-- Row-level security ------------------------------------------------------------
-- Every table is RLS-enabled and FORCED, so even the owner is filtered; the owner's
-- own policies exist only for the SECURITY DEFINER functions below.

ALTER TABLE districts ENABLE ROW LEVEL SECURITY;
ALTER TABLE districts FORCE ROW LEVEL SECURITY;
CREATE POLICY districts_read ON districts FOR SELECT TO homeward_app USING (hw_is_authenticated());
CREATE POLICY districts_owner ON districts TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE agency_types ENABLE ROW LEVEL SECURITY;
ALTER TABLE agency_types FORCE ROW LEVEL SECURITY;
CREATE POLICY agency_types_read ON agency_types FOR SELECT TO homeward_app USING (hw_is_authenticated());
CREATE POLICY agency_types_owner ON agency_types TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE agencies ENABLE ROW LEVEL SECURITY;
ALTER TABLE agencies FORCE ROW LEVEL SECURITY;
CREATE POLICY agencies_read ON agencies FOR SELECT TO homeward_app USING (hw_is_authenticated());
CREATE POLICY agencies_admin_insert ON agencies FOR INSERT TO homeward_app WITH CHECK (hw_is_admin());
CREATE POLICY agencies_admin_update ON agencies FOR UPDATE TO homeward_app
    USING (hw_is_admin()) WITH CHECK (hw_is_admin());
CREATE POLICY agencies_owner ON agencies TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE agency_districts ENABLE ROW LEVEL SECURITY;
ALTER TABLE agency_districts FORCE ROW LEVEL SECURITY;
CREATE POLICY agency_districts_read ON agency_districts FOR SELECT TO homeward_app USING (hw_is_authenticated());
CREATE POLICY agency_districts_admin_insert ON agency_districts FOR INSERT TO homeward_app WITH CHECK (hw_is_admin());
CREATE POLICY agency_districts_admin_delete ON agency_districts FOR DELETE TO homeward_app USING (hw_is_admin());
CREATE POLICY agency_districts_owner ON agency_districts TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_self_read ON users FOR SELECT TO homeward_app USING (id = hw_user_id());
CREATE POLICY users_admin_read ON users FOR SELECT TO homeward_app USING (hw_is_admin());
CREATE POLICY users_admin_insert ON users FOR INSERT TO homeward_app WITH CHECK (hw_is_admin());
CREATE POLICY users_admin_update ON users FOR UPDATE TO homeward_app
    USING (hw_is_admin()) WITH CHECK (hw_is_admin());
CREATE POLICY users_owner ON users TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
-- Sessions: a caller starts and ends their own; an administrator may end anyone's. The
-- only change allowed is revocation (column grants and WITH CHECK), so a logout can
-- never be undone from the runtime role.
CREATE POLICY sessions_self_read ON sessions FOR SELECT TO homeward_app USING (user_id = hw_user_id());
CREATE POLICY sessions_self_insert ON sessions FOR INSERT TO homeward_app
    WITH CHECK (user_id = hw_user_id() AND revoked_at IS NULL AND expires_at > now());
CREATE POLICY sessions_revoke ON sessions FOR UPDATE TO homeward_app
    USING (user_id = hw_user_id() OR hw_is_admin()) WITH CHECK (revoked_at IS NOT NULL);
CREATE POLICY sessions_admin_read ON sessions FOR SELECT TO homeward_app USING (hw_is_admin());
CREATE POLICY sessions_owner ON sessions TO homeward_owner USING (true) WITH CHECK (true);

-- Refresh tokens: inserted at login for the caller's own new session; rotation happens
-- only inside auth_rotate_refresh.
ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY refresh_tokens_self_insert ON refresh_tokens FOR INSERT TO homeward_app
    WITH CHECK (used_at IS NULL AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = session_id
                                            AND s.user_id = hw_user_id() AND s.revoked_at IS NULL));
CREATE POLICY refresh_tokens_owner ON refresh_tokens TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE login_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_throttle FORCE ROW LEVEL SECURITY;
CREATE POLICY login_throttle_owner ON login_throttle TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT ON districts, agency_types, agency_districts TO homeward_app;
GRANT SELECT, INSERT, UPDATE ON agencies TO homeward_app;
GRANT INSERT, DELETE ON agency_districts TO homeward_app;
GRANT SELECT, INSERT, UPDATE ON users TO homeward_app;
GRANT SELECT, INSERT ON sessions TO homeward_app;
GRANT UPDATE (revoked_at, revoked_reason) ON sessions TO homeward_app;
GRANT INSERT ON refresh_tokens TO homeward_app;

-- Authentication entry points ---------------------------------------------------
-- Before a caller is known there are no claims, so RLS hides every account. These
-- narrow SECURITY DEFINER functions are the only way in; they run as the owner.

-- The account a login names, if any (the caller compares the password hash).
CREATE FUNCTION auth_login_lookup(p_email text)
RETURNS TABLE (id uuid, password_hash text, active boolean, role text, district_id uuid,
               agency_id uuid, token_version integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT u.id, u.password_hash, u.active, u.role, u.district_id, u.agency_id, u.token_version
     FROM users u WHERE u.email = p_email $$;

-- The caller behind an access token, if the account, its token version and its session
-- are all still valid. This is what makes deactivation and logout take effect at once.
CREATE FUNCTION auth_principal(p_user uuid, p_session uuid, p_token_version integer)
RETURNS TABLE (role text, district_id uuid, agency_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT u.role, u.district_id, u.agency_id
     FROM users u JOIN sessions s ON s.user_id = u.id
    WHERE u.id = p_user AND u.active AND u.token_version = p_token_version
      AND s.id = p_session AND s.revoked_at IS NULL AND s.expires_at > now() $$;

-- Rotates a refresh token. Outcomes: 'rotated' (new token stored), 'reused' (a token
-- already used was presented again: its whole session is revoked), 'invalid'.
CREATE FUNCTION auth_rotate_refresh(p_old_hash bytea, p_new_hash bytea, p_new_expires timestamptz)
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

-- Login throttling. Every attempt is counted *before* the password is checked, in one
-- atomic statement, so concurrent attempts cannot slip past the limit. Returns the
-- seconds to wait (0 = go ahead): a key over its limit waits until its window ends.
-- Windows are fixed, and refused attempts do not extend them, so every block expires.
CREATE FUNCTION auth_throttle_attempt(p_keys bytea[], p_limits integer[], p_window interval)
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

-- After a successful login: forget the account's counters (`p_clear`), take this attempt
-- back off the address's (`p_undo`), and remember the account-and-address pair as known
-- (`p_known`) for 30 days.
CREATE FUNCTION auth_throttle_success(p_clear bytea[], p_undo bytea[], p_known bytea)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DELETE FROM login_throttle WHERE key_hash = ANY (p_clear);
UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key_hash = ANY (p_undo);
INSERT INTO login_throttle (key_hash, failures, window_started_at) VALUES (p_known, 0, now())
ON CONFLICT (key_hash) DO UPDATE SET window_started_at = now();
$$;

-- Whether this account has logged in from this address in the last 30 days.
CREATE FUNCTION auth_throttle_known(p_known bytea)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT EXISTS (SELECT 1 FROM login_throttle WHERE key_hash = p_known
                   AND window_started_at > now() - interval '30 days') $$;

REVOKE ALL ON FUNCTION auth_login_lookup(text), auth_principal(uuid, uuid, integer),
    auth_rotate_refresh(bytea, bytea, timestamptz), auth_throttle_attempt(bytea[], integer[], interval),
    auth_throttle_success(bytea[], bytea[], bytea), auth_throttle_known(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_login_lookup(text), auth_principal(uuid, uuid, integer),
    auth_rotate_refresh(bytea, bytea, timestamptz), auth_throttle_attempt(bytea[], integer[], interval),
    auth_throttle_success(bytea[], bytea[], bytea), auth_throttle_known(bytea) TO homeward_app;

RESET ROLE;
