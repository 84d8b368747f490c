SET LOCAL ROLE homeward_owner;

-- The return: when, where, by whom and how the person was found, and what they suffered.
CREATE TABLE episode_returns (
    episode_id     uuid PRIMARY KEY REFERENCES episodes (id),
    returned_at    timestamptz NOT NULL,
    location       text NOT NULL CHECK (length(location) BETWEEN 1 AND 500),
    how            text NOT NULL CHECK (how IN ('self_returned', 'found_by_police', 'found_by_other')),
    found_by       text NOT NULL DEFAULT '' CHECK (length(found_by) <= 500),
    harm_suffered  boolean NOT NULL,
    harm_details   text NOT NULL DEFAULT '' CHECK (length(harm_details) <= 5000),
    markers_seen   text[] NOT NULL DEFAULT '{}'
        CHECK (markers_seen <@ ARRAY['cse', 'cce', 'mental_health', 'crime_victim', 'crime_suspect']::text[]),
    recorded_by    uuid NOT NULL REFERENCES users (id),
    recorded_at    timestamptz NOT NULL DEFAULT now()
);

-- The prevention interview (safe and well check), for every returned person.
CREATE TABLE prevention_interviews (
    episode_id     uuid PRIMARY KEY REFERENCES episodes (id),
    conducted_at   timestamptz NOT NULL,
    conducted_by   text NOT NULL CHECK (length(conducted_by) BETWEEN 1 AND 200),
    mode           text NOT NULL CHECK (mode IN ('in_person', 'phone', 'video')),
    disclosures    text NOT NULL DEFAULT '' CHECK (length(disclosures) <= 10000),
    referrals_made text NOT NULL DEFAULT '' CHECK (length(referrals_made) <= 5000),
    recorded_by    uuid NOT NULL REFERENCES users (id),
    recorded_at    timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE episodes
    ADD COLUMN closed_at timestamptz,
    ADD COLUMN closed_by uuid REFERENCES users (id),
    ADD COLUMN no_interview_reason text CHECK (length(no_interview_reason) <= 2000),
    ADD CONSTRAINT episodes_closed_has_closer CHECK ((status = 'closed') = (closed_at IS NOT NULL AND closed_by IS NOT NULL));

-- Only a supervisor may leave an episode closed (the domain checks this too).
DROP POLICY episodes_district_update ON episodes;
CREATE POLICY episodes_district_update ON episodes FOR UPDATE TO homeward_app
    USING (hw_is_operational() AND hw_covers_district(district_id))
    WITH CHECK (hw_is_operational() AND hw_covers_district(district_id)
                AND (status <> 'closed' OR hw_role() = 'supervisor'));

ALTER TABLE episode_returns ENABLE ROW LEVEL SECURITY;
ALTER TABLE episode_returns FORCE ROW LEVEL SECURITY;
CREATE POLICY episode_returns_read ON episode_returns FOR SELECT TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY episode_returns_insert ON episode_returns FOR INSERT TO homeward_app
    WITH CHECK (recorded_by = hw_user_id() AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY episode_returns_owner ON episode_returns TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE prevention_interviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE prevention_interviews FORCE ROW LEVEL SECURITY;
CREATE POLICY prevention_interviews_read ON prevention_interviews FOR SELECT TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY prevention_interviews_insert ON prevention_interviews FOR INSERT TO homeward_app
    WITH CHECK (recorded_by = hw_user_id() AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY prevention_interviews_owner ON prevention_interviews TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT, INSERT ON episode_returns, prevention_interviews TO homeward_app;

RESET ROLE;
