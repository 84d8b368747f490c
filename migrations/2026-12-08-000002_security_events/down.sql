SET LOCAL ROLE homeward_owner;

DELETE FROM outbox WHERE event = 'security_alert';
ALTER TABLE outbox DROP CONSTRAINT outbox_event_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_event_check CHECK (event IN (
    'high_risk_episode', 'trigger_fired', 'trigger_escalated', 'return_interview_due',
    'return_interview_overdue', 'record_shared', 'action_assigned', 'action_due_soon',
    'action_overdue', 'review_overdue', 'looked_after_missing_out_of_area',
    'mfhc_digest', 'agency_digest', 'dead_letter', 'national_notification_overdue'));
DROP FUNCTION IF EXISTS hw_security_event(text, uuid, text, text, text, text, uuid, text, integer, integer, interval);
DROP TABLE IF EXISTS security_alerts;
DROP TABLE IF EXISTS security_events;

RESET ROLE;
