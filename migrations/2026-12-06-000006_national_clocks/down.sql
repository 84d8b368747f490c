SET LOCAL ROLE homeward_owner;
DROP FUNCTION hw_national_overdue(interval, interval);
DELETE FROM outbox WHERE event = 'national_notification_overdue';
ALTER TABLE outbox DROP CONSTRAINT outbox_event_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_event_check CHECK (event IN (
    'high_risk_episode', 'trigger_fired', 'trigger_escalated', 'return_interview_due',
    'return_interview_overdue', 'record_shared', 'action_assigned', 'action_due_soon',
    'action_overdue', 'review_overdue', 'looked_after_missing_out_of_area',
    'mfhc_digest', 'agency_digest', 'dead_letter'));
DROP TABLE episode_alerts;
DROP INDEX episodes_national_due_idx;
ALTER TABLE episodes
    DROP COLUMN ukmpu_notified_at, DROP COLUMN ukmpu_notified_by, DROP COLUMN ukmpu_reference,
    DROP COLUMN pnc_recorded_at, DROP COLUMN pnc_recorded_by, DROP COLUMN pnc_reference;
RESET ROLE;
