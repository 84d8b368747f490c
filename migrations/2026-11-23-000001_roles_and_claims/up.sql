-- Roles: an owner that owns every object, and a runtime role the service logs in as.
-- The runtime role is not a superuser, cannot bypass RLS and owns nothing, so every
-- row it sees has passed a policy. Roles are cluster-wide, hence IF NOT EXISTS.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'homeward_owner') THEN
        CREATE ROLE homeward_owner NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'homeward_app') THEN
        CREATE ROLE homeward_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
END
$$;

-- The migrating user must be able to act as the owner (a superuser already can).
GRANT homeward_owner TO CURRENT_USER;
GRANT USAGE, CREATE ON SCHEMA public TO homeward_owner;
GRANT USAGE ON SCHEMA public TO homeward_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

SET LOCAL ROLE homeward_owner;

-- Claims: each request's transaction sets these with set_config(..., true) first.
-- After a transaction ends a custom setting reads as '' rather than NULL, so '' means
-- "not set" and every policy built on these denies.
CREATE FUNCTION hw_user_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('homeward.user_id', true), '')::uuid $$;

CREATE FUNCTION hw_role() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN hw_user_id() IS NULL THEN NULL
               ELSE NULLIF(current_setting('homeward.role', true), '') END $$;

CREATE FUNCTION hw_district_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN hw_user_id() IS NULL THEN NULL
               ELSE NULLIF(current_setting('homeward.district_id', true), '')::uuid END $$;

CREATE FUNCTION hw_agency_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN hw_user_id() IS NULL THEN NULL
               ELSE NULLIF(current_setting('homeward.agency_id', true), '')::uuid END $$;

CREATE FUNCTION hw_is_admin() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(hw_role() = 'admin', false) $$;

CREATE FUNCTION hw_is_authenticated() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT hw_user_id() IS NOT NULL AND hw_role() IS NOT NULL $$;

RESET ROLE;
