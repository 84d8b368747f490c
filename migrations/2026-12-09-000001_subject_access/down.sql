SET LOCAL ROLE homeward_owner;

DELETE FROM outbox WHERE event IN ('subject_access_due', 'subject_access_overdue');
ALTER TABLE outbox DROP CONSTRAINT outbox_event_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_event_check CHECK (event IN (
    'high_risk_episode', 'trigger_fired', 'trigger_escalated', 'return_interview_due',
    'return_interview_overdue', 'record_shared', 'action_assigned', 'action_due_soon',
    'action_overdue', 'review_overdue', 'looked_after_missing_out_of_area',
    'mfhc_digest', 'agency_digest', 'dead_letter', 'national_notification_overdue',
    'security_alert'));
DROP TABLE IF EXISTS subject_access_requests;
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN (
    'officer', 'supervisor', 'mfhc', 'early_action', 'partner', 'analyst', 'admin'));

RESET ROLE;
