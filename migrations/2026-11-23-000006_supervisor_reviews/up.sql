SET LOCAL ROLE homeward_owner;

-- When the next supervisor review is due; NULL once the episode is no longer open.
ALTER TABLE episodes ADD COLUMN next_review_due timestamptz;
CREATE INDEX episodes_review_due_idx ON episodes (next_review_due) WHERE next_review_due IS NOT NULL;

CREATE TABLE supervisor_reviews (
    id            uuid PRIMARY KEY,
    episode_id    uuid NOT NULL REFERENCES episodes (id),
    reviewed_at   timestamptz NOT NULL DEFAULT now(),
    reviewed_by   uuid NOT NULL REFERENCES users (id),
    risk_level    text NOT NULL CHECK (risk_level IN ('very_low', 'low', 'medium', 'high')),
    outcome       text NOT NULL CHECK (length(outcome) BETWEEN 1 AND 5000),
    next_due_at   timestamptz NOT NULL
);
CREATE INDEX supervisor_reviews_episode_idx ON supervisor_reviews (episode_id, reviewed_at);

ALTER TABLE supervisor_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervisor_reviews FORCE ROW LEVEL SECURITY;
CREATE POLICY supervisor_reviews_read ON supervisor_reviews FOR SELECT TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
-- Only supervisors record reviews (the domain checks this too).
CREATE POLICY supervisor_reviews_insert ON supervisor_reviews FOR INSERT TO homeward_app
    WITH CHECK (reviewed_by = hw_user_id() AND hw_role() = 'supervisor'
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
CREATE POLICY supervisor_reviews_owner ON supervisor_reviews TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT, INSERT ON supervisor_reviews TO homeward_app;

RESET ROLE;
