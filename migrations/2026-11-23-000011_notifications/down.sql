SET LOCAL ROLE homeward_owner;
DROP FUNCTION hw_trigger_escalate_due();
CREATE FUNCTION hw_trigger_escalate_due()
RETURNS TABLE (id uuid) LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE triggers t SET escalated_at = now(), updated_at = now()
     WHERE t.status = 'open' AND t.escalated_at IS NULL AND t.escalation_due_at <= now()
    RETURNING t.id
$$;
REVOKE ALL ON FUNCTION hw_trigger_escalate_due() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_trigger_escalate_due() TO homeward_app;
DROP FUNCTION hw_agency_digests();
DROP FUNCTION hw_mfhc_digests();
DROP FUNCTION hw_overdue_reviews();
DROP FUNCTION hw_actions_due(integer);
DROP FUNCTION hw_overdue_return_interviews();
DROP FUNCTION hw_outbox_release(uuid, text);
DROP FUNCTION hw_outbox_failed(uuid, text, text, timestamptz);
DROP FUNCTION hw_outbox_sent(uuid[], text);
DROP FUNCTION hw_outbox_claim(text, integer, integer);
DROP FUNCTION hw_admin_emails();
DROP FUNCTION hw_agency_mailbox(uuid);
DROP FUNCTION hw_user_email(uuid);
DROP FUNCTION hw_staff_emails(uuid, text);
DROP TABLE outbox, notification_preferences;
DROP FUNCTION hw_require_background();
ALTER TABLE local_authorities DROP COLUMN mailbox;
RESET ROLE;
