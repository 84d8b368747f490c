SET LOCAL ROLE homeward_owner;

-- Operational police roles: they report and work missing episodes.
CREATE FUNCTION hw_is_operational() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(hw_role() IN ('officer', 'supervisor', 'mfhc'), false) $$;

-- Whether the caller's district covers `district` (force-wide users cover all).
CREATE FUNCTION hw_covers_district(district uuid) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT hw_is_authenticated() AND (hw_district_id() IS NULL OR hw_district_id() = district) $$;

CREATE TABLE persons (
    id               uuid PRIMARY KEY,
    given_name       text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
    family_name      text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
    aliases          text[] NOT NULL DEFAULT '{}' CHECK (array_position(aliases, NULL) IS NULL),
    -- Names and aliases folded (lower case, accents stripped) by the service, for search.
    search_names     text NOT NULL,
    date_of_birth    date CHECK (date_of_birth > DATE '1900-01-01'),
    sex              text CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    ethnicity        text CHECK (length(ethnicity) <= 100),
    home_district_id uuid REFERENCES districts (id),
    local_authority  text CHECK (length(local_authority) <= 100),
    version          integer NOT NULL DEFAULT 1,
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persons_dob_idx ON persons (date_of_birth);

CREATE TABLE episodes (
    id                  uuid PRIMARY KEY,
    reference           text NOT NULL UNIQUE CHECK (reference ~ '^[A-Z]{3}-[0-9]{4}-[0-9]{6}$'),
    person_id           uuid NOT NULL REFERENCES persons (id),
    district_id         uuid NOT NULL REFERENCES districts (id),
    status              text NOT NULL CHECK (status IN ('reported', 'active', 'returned', 'closed', 'cancelled')),
    reported_at         timestamptz NOT NULL,
    reported_by         text NOT NULL CHECK (reported_by IN ('parent', 'carer', 'childrens_home', 'hospital',
                                                             'school', 'police', 'self', 'other')),
    reporter_details    text NOT NULL DEFAULT '' CHECK (length(reporter_details) <= 500),
    last_seen_at        timestamptz NOT NULL,
    last_seen_location  text NOT NULL CHECK (length(last_seen_location) BETWEEN 1 AND 500),
    missing_from        text NOT NULL CHECK (missing_from IN ('home', 'care_placement', 'hospital_or_medical', 'other')),
    circumstances       text NOT NULL DEFAULT '' CHECK (length(circumstances) <= 10000),
    risk_level          text NOT NULL CHECK (risk_level IN ('very_low', 'low', 'medium', 'high')),
    cancelled_reason    text CHECK (length(cancelled_reason) <= 2000),
    version             integer NOT NULL DEFAULT 1,
    created_by          uuid NOT NULL REFERENCES users (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (last_seen_at <= reported_at),
    CHECK ((status = 'cancelled') = (cancelled_reason IS NOT NULL))
);
CREATE INDEX episodes_person_idx ON episodes (person_id, reported_at);
CREATE INDEX episodes_district_idx ON episodes (district_id, reported_at DESC, id DESC);

-- Risk grading history; the episode's risk_level is always the latest grading's.
CREATE TABLE risk_gradings (
    id          uuid PRIMARY KEY,
    episode_id  uuid NOT NULL REFERENCES episodes (id),
    graded_at   timestamptz NOT NULL DEFAULT now(),
    graded_by   uuid NOT NULL REFERENCES users (id),
    from_level  text CHECK (from_level IN ('very_low', 'low', 'medium', 'high')),
    to_level    text NOT NULL CHECK (to_level IN ('very_low', 'low', 'medium', 'high')),
    rationale   text NOT NULL CHECK (length(rationale) BETWEEN 1 AND 5000),
    information text NOT NULL CHECK (length(information) BETWEEN 1 AND 5000)
);
CREATE INDEX risk_gradings_episode_idx ON risk_gradings (episode_id, graded_at);

-- Reference numbers: one counter per district and year.
CREATE TABLE episode_reference_counters (
    district_id uuid NOT NULL REFERENCES districts (id),
    year        integer NOT NULL,
    last_value  integer NOT NULL,
    PRIMARY KEY (district_id, year)
);

-- Policies -------------------------------------------------------------------------
-- Episodes: operational roles of the episode's district (or force-wide). Partners will
-- see shared episodes through a policy the sharing migration adds; analysts and admins
-- see no case content.
ALTER TABLE episodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE episodes FORCE ROW LEVEL SECURITY;
CREATE POLICY episodes_district_read ON episodes FOR SELECT TO homeward_app
    USING (hw_is_operational() AND hw_covers_district(district_id));
CREATE POLICY episodes_district_insert ON episodes FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND hw_covers_district(district_id) AND created_by = hw_user_id());
CREATE POLICY episodes_district_update ON episodes FOR UPDATE TO homeward_app
    USING (hw_is_operational() AND hw_covers_district(district_id))
    WITH CHECK (hw_is_operational() AND hw_covers_district(district_id));
CREATE POLICY episodes_owner ON episodes TO homeward_owner USING (true) WITH CHECK (true);

-- Persons: operational roles force-wide, so a report can find the existing record of a
-- person from another district instead of creating a duplicate.
ALTER TABLE persons ENABLE ROW LEVEL SECURITY;
ALTER TABLE persons FORCE ROW LEVEL SECURITY;
CREATE POLICY persons_operational_read ON persons FOR SELECT TO homeward_app USING (hw_is_operational());
CREATE POLICY persons_operational_insert ON persons FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND created_by = hw_user_id());
CREATE POLICY persons_operational_update ON persons FOR UPDATE TO homeward_app
    USING (hw_is_operational()) WITH CHECK (hw_is_operational());
CREATE POLICY persons_owner ON persons TO homeward_owner USING (true) WITH CHECK (true);

-- Gradings follow their episode's visibility.
ALTER TABLE risk_gradings ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_gradings FORCE ROW LEVEL SECURITY;
CREATE POLICY risk_gradings_read ON risk_gradings FOR SELECT TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY risk_gradings_insert ON risk_gradings FOR INSERT TO homeward_app
    WITH CHECK (graded_by = hw_user_id() AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY risk_gradings_owner ON risk_gradings TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE episode_reference_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE episode_reference_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY counters_operational ON episode_reference_counters TO homeward_app
    USING (hw_is_operational() AND hw_covers_district(district_id))
    WITH CHECK (hw_is_operational() AND hw_covers_district(district_id));
CREATE POLICY counters_owner ON episode_reference_counters TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE ON persons, episodes, episode_reference_counters TO homeward_app;
GRANT SELECT, INSERT ON risk_gradings TO homeward_app;

RESET ROLE;
