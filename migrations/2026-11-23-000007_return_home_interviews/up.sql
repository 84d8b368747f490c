SET LOCAL ROLE homeward_owner;

-- The return home interview of a child, created when the return is recorded.
CREATE TABLE return_home_interviews (
    episode_id         uuid PRIMARY KEY REFERENCES episodes (id),
    due_at             timestamptz NOT NULL,
    provider_agency_id uuid REFERENCES agencies (id),
    status             text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'offered', 'accepted', 'declined', 'unable_to_contact',
                          'completed', 'not_completed')),
    status_reason      text CHECK (length(status_reason) <= 2000),
    completed_at       timestamptz,
    updated_by         uuid NOT NULL REFERENCES users (id),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
    CHECK (status NOT IN ('declined', 'unable_to_contact', 'not_completed') OR status_reason IS NOT NULL)
);
CREATE INDEX return_home_interviews_due_idx ON return_home_interviews (due_at)
    WHERE status NOT IN ('declined', 'unable_to_contact', 'completed', 'not_completed');

ALTER TABLE return_home_interviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE return_home_interviews FORCE ROW LEVEL SECURITY;
-- Follows the episode's visibility; the RHI provider's access arrives with sharing.
CREATE POLICY rhi_read ON return_home_interviews FOR SELECT TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY rhi_insert ON return_home_interviews FOR INSERT TO homeward_app
    WITH CHECK (updated_by = hw_user_id() AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY rhi_update ON return_home_interviews FOR UPDATE TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
    WITH CHECK (updated_by = hw_user_id());
CREATE POLICY rhi_owner ON return_home_interviews TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT, INSERT ON return_home_interviews TO homeward_app;
GRANT UPDATE (provider_agency_id, status, status_reason, completed_at, updated_by, updated_at)
    ON return_home_interviews TO homeward_app;

RESET ROLE;
