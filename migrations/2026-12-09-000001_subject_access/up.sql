SET LOCAL ROLE homeward_owner;

-- Issue 19: the data protection officer's role and subject access requests (DPA 2018
-- s.45). The dpo is force-wide, reads what a request needs through one function
-- (hw_subject_access_bundle) and never edits case content.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN (
    'officer', 'supervisor', 'mfhc', 'early_action', 'partner', 'analyst', 'admin', 'dpo'));

CREATE TABLE subject_access_requests (
    id                 uuid PRIMARY KEY,
    -- The persons the request is about (with any duplicates merged into them).
    person_ids         uuid[] NOT NULL CHECK (cardinality(person_ids) BETWEEN 1 AND 20
                                              AND array_position(person_ids, NULL) IS NULL),
    -- Who asked: the data subject, or who acts for them.
    requester          text NOT NULL CHECK (length(requester) BETWEEN 1 AND 500),
    reason             text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    received_on        date NOT NULL,
    due_on             date NOT NULL CHECK (due_on > received_on),
    extension_reason   text CHECK (length(extension_reason) BETWEEN 1 AND 2000),
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'released', 'refused')),
    decided_at         timestamptz,
    decided_by         uuid REFERENCES users (id),
    decision_note      text CHECK (length(decision_note) BETWEEN 1 AND 2000),
    -- What was assembled (and, once released, what was released): kept as the record of
    -- the disclosure.
    bundle             jsonb NOT NULL,
    assembled_at       timestamptz NOT NULL,
    due_alerted_at     timestamptz,
    overdue_alerted_at timestamptz,
    created_by         uuid NOT NULL REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            integer NOT NULL DEFAULT 1,
    CHECK ((status = 'open') = (decided_at IS NULL)),
    CHECK ((decided_at IS NULL) = (decided_by IS NULL)),
    CHECK (status <> 'refused' OR decision_note IS NOT NULL)
);
CREATE INDEX subject_access_requests_open_idx ON subject_access_requests (due_on)
    WHERE status = 'open';

ALTER TABLE outbox DROP CONSTRAINT outbox_event_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_event_check CHECK (event IN (
    'high_risk_episode', 'trigger_fired', 'trigger_escalated', 'return_interview_due',
    'return_interview_overdue', 'record_shared', 'action_assigned', 'action_due_soon',
    'action_overdue', 'review_overdue', 'looked_after_missing_out_of_area',
    'mfhc_digest', 'agency_digest', 'dead_letter', 'national_notification_overdue',
    'security_alert', 'subject_access_due', 'subject_access_overdue'));

RESET ROLE;
