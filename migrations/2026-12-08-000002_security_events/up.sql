SET LOCAL ROLE homeward_owner;

-- Security events (issue 20): failed logins and refused access to records that exist,
-- so insider probing leaves a trace. Not personal-data processing, so kept apart from
-- the audit chain. Attempted emails are kept only as a digest.
CREATE TABLE security_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    kind        text NOT NULL CHECK (kind IN ('login_failed', 'login_throttled',
                                              'forbidden', 'hidden_record')),
    -- The account concerned: the caller refused, or the account a failed login named.
    account_id  uuid REFERENCES users (id),
    email_hash  bytea,
    address     text NOT NULL CHECK (length(address) <= 64),
    method      text NOT NULL CHECK (length(method) <= 16),
    route       text NOT NULL CHECK (length(route) <= 200),
    record_id   uuid,
    request_id  text CHECK (length(request_id) <= 100),
    status      smallint NOT NULL CHECK (status BETWEEN 400 AND 499)
);
CREATE INDEX security_events_account_idx ON security_events (account_id, occurred_at);
CREATE INDEX security_events_time_idx ON security_events (occurred_at);

-- One alert per account per window (the window's start, binned).
CREATE TABLE security_alerts (
    account_id   uuid NOT NULL REFERENCES users (id),
    window_start timestamptz NOT NULL,
    events       integer NOT NULL,
    PRIMARY KEY (account_id, window_start)
);

ALTER TABLE outbox DROP CONSTRAINT outbox_event_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_event_check CHECK (event IN (
    'high_risk_episode', 'trigger_fired', 'trigger_escalated', 'return_interview_due',
    'return_interview_overdue', 'record_shared', 'action_assigned', 'action_due_soon',
    'action_overdue', 'review_overdue', 'looked_after_missing_out_of_area',
    'mfhc_digest', 'agency_digest', 'dead_letter', 'national_notification_overdue',
    'security_alert'));

RESET ROLE;
