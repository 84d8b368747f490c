SET LOCAL ROLE homeward_owner;

-- Issue 19: MoPI review and retention. Each person's next review falls a number of years
-- (force policy) after their last activity; a data protection officer decides at the
-- review to retain (with a reason modelled on the National Retention Assessment Criteria
-- and the next review date) or to dispose. Every decision is kept.
CREATE TABLE retention_decisions (
    id             uuid PRIMARY KEY,
    person_id      uuid NOT NULL REFERENCES persons (id),
    decision       text NOT NULL CHECK (decision IN ('retain', 'dispose')),
    reason         text NOT NULL CHECK (reason IN (
                       'concern_for_child_or_vulnerable_adult', 'risk_of_serious_harm',
                       'pattern_of_behaviour', 'public_protection_arrangements',
                       'ongoing_investigation_or_proceedings', 'legal_hold',
                       'no_policing_purpose', 'other')),
    note           text CHECK (length(note) BETWEEN 1 AND 2000),
    next_review_on date,
    decided_by     uuid NOT NULL REFERENCES users (id),
    decided_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((decision = 'retain') = (next_review_on IS NOT NULL)),
    CHECK (reason <> 'other' OR note IS NOT NULL),
    CHECK ((decision = 'dispose') = (reason = 'no_policing_purpose'))
);
CREATE INDEX retention_decisions_person_idx ON retention_decisions (person_id, decided_at);

RESET ROLE;
