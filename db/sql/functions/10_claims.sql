-- The caller's claims, as policies and functions read them: set per transaction by the
-- session check (auth_principal), read only through these helpers, false (never NULL) without them.

-- Claims: each request's transaction sets these with set_config(..., true) first.
-- After a transaction ends a custom setting reads as '' rather than NULL, so '' means
-- "not set" and every policy built on these denies.
CREATE OR REPLACE FUNCTION hw_user_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('homeward.user_id', true), '')::uuid $$;

-- Every policy inlines these helpers, and Postgres compiles the inlined expressions on
-- each execution of each statement and evaluates them for each row it filters. The
-- first versions nested a `hw_user_id() IS NULL` guard (a text-to-uuid cast) inside every
-- other claim, so one district check expanded to eight setting lookups and three casts,
-- repeated in every policy a statement reaches through its subqueries: about half of the
-- database's time on a read (the load benchmark, docs/benchmarks.md). The claims are set together in
-- one statement (`Tx::begin_authenticated`, `Tx::assume`) and end together with the transaction,
-- so a role claim implies a user claim; each helper now reads only its own setting.
-- Unset, each still reads as NULL, and every predicate below is still false (never NULL)
-- without a role, so every policy built on them still denies.
CREATE OR REPLACE FUNCTION hw_role() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('homeward.role', true), '') $$;

CREATE OR REPLACE FUNCTION hw_district_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('homeward.district_id', true), '')::uuid $$;

CREATE OR REPLACE FUNCTION hw_agency_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('homeward.agency_id', true), '')::uuid $$;

CREATE OR REPLACE FUNCTION hw_is_authenticated() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT hw_role() IS NOT NULL $$;

CREATE OR REPLACE FUNCTION hw_is_admin() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(hw_role() = 'admin', false) $$;

-- Operational police roles: they report and work missing episodes.
CREATE OR REPLACE FUNCTION hw_is_operational() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(hw_role() IN ('officer', 'supervisor', 'mfhc'), false) $$;

-- Case roles: who works triggers, referrals and actions in a district.
CREATE OR REPLACE FUNCTION hw_is_case_worker() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(hw_role() IN ('supervisor', 'mfhc', 'early_action'), false) $$;

-- Force-wide callers have an empty district claim and cover every district.
CREATE OR REPLACE FUNCTION hw_covers_district(district uuid) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(CASE current_setting('homeward.district_id', true)
                       WHEN '' THEN hw_role() IS NOT NULL
                       ELSE district = current_setting('homeward.district_id', true)::uuid
                   END, false) $$;

-- Whether the caller is force-wide (no district claim): the row-free half of
-- hw_covers_district. A SELECT policy, which Postgres evaluates for every row it filters,
-- writes `district_id = (SELECT hw_district_id()) OR (SELECT hw_covers_every_district())`
-- instead of hw_covers_district(district_id): a claim in a scalar subquery does not depend
-- on the row, so it is read once per statement (an InitPlan) rather than once per row.
-- The load benchmark's episode list spent over half its time reading settings per row.
CREATE OR REPLACE FUNCTION hw_covers_every_district() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT current_setting('homeward.district_id', true) = '' AND hw_role() IS NOT NULL $$;

-- The force's data protection officers: subject access, restriction, retention review.
CREATE OR REPLACE FUNCTION hw_is_dpo() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(hw_role() = 'dpo', false) $$;

-- Who reads aggregate measures: analysts (never names), MFHCs, supervisors, admins.
CREATE OR REPLACE FUNCTION hw_reads_measures() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(hw_role() IN ('analyst', 'mfhc', 'supervisor', 'admin'), false) $$;

-- Background work (the worker and the scheduler) runs with no caller; a request, which
-- always has one, may not use these functions.
CREATE OR REPLACE FUNCTION hw_require_background() RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF hw_user_id() IS NOT NULL THEN
        RAISE EXCEPTION 'not permitted: background work only' USING ERRCODE = '42501';
    END IF;
END $$;

-- The permission check that opens every dataset function for all who read measures:
-- raises 42501 unless the caller is an analyst, MFHC, supervisor or administrator.
CREATE OR REPLACE FUNCTION hw_require_measures_reader() RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT hw_reads_measures() THEN
        RAISE EXCEPTION 'not permitted: datasets are for analysts, coordinators and supervisors'
            USING ERRCODE = '42501';
    END IF;
END $$;

REVOKE ALL ON FUNCTION hw_require_measures_reader() FROM PUBLIC;
