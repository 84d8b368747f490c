SET LOCAL ROLE homeward_owner;

-- Background work (the worker and the scheduler) runs with no caller; a request, which
-- always has one, may not use these functions.
CREATE FUNCTION hw_require_background() RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF hw_user_id() IS NOT NULL THEN
        RAISE EXCEPTION 'not permitted: background work only' USING ERRCODE = '42501';
    END IF;
END $$;


-- Where a placing authority is told that its looked-after child is missing.
ALTER TABLE local_authorities ADD COLUMN mailbox text CHECK (length(mailbox) BETWEEN 3 AND 254);

-- Users may opt out of digests (never of alerts).
CREATE TABLE notification_preferences (
    user_id      uuid PRIMARY KEY REFERENCES users (id),
    daily_digest boolean NOT NULL DEFAULT true,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- The transactional outbox: a row per (event, recipient), written in the transaction of
-- the event that causes it, rendered then (no personal details), delivered later.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY,
    event           text NOT NULL CHECK (event IN (
                        'high_risk_episode', 'trigger_fired', 'trigger_escalated', 'return_interview_due',
                        'return_interview_overdue', 'record_shared', 'action_assigned', 'action_due_soon',
                        'action_overdue', 'review_overdue', 'looked_after_missing_out_of_area',
                        'mfhc_digest', 'agency_digest', 'dead_letter')),
    -- Names the event instance; with the recipient it can never be enqueued twice.
    event_key       text NOT NULL CHECK (length(event_key) BETWEEN 1 AND 300),
    recipient       text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    recipient_kind  text NOT NULL CHECK (recipient_kind IN ('user', 'agency', 'authority')),
    subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    record_type     text CHECK (length(record_type) BETWEEN 1 AND 60),
    record_id       uuid,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_by       text,
    locked_until    timestamptz,
    last_error      text CHECK (length(last_error) <= 2000),
    message_id      text NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    dead_at         timestamptz,
    UNIQUE (event_key, recipient),
    CHECK ((status = 'sending') = (locked_by IS NOT NULL AND locked_until IS NOT NULL)),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    CHECK ((status = 'dead') = (dead_at IS NOT NULL))
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_lease_idx ON outbox (locked_until) WHERE status = 'sending';
CREATE INDEX outbox_created_idx ON outbox (created_at DESC, id DESC);
CREATE INDEX outbox_status_idx ON outbox (status, created_at DESC);

-- Recipients ------------------------------------------------------------------------------
-- Staff addresses are not case data, but users are admin-only: these give exactly the
-- addresses a notification needs, to any caller (the scheduler has none).

-- Active users with `p_role` in the district, and force-wide ones (who cover it).
CREATE FUNCTION hw_staff_emails(p_district uuid, p_role text)
RETURNS TABLE (user_id uuid, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email FROM users u
     WHERE u.active AND u.role = p_role AND (u.district_id = p_district OR u.district_id IS NULL)
     ORDER BY u.email
$$;

CREATE FUNCTION hw_user_email(p_user uuid)
RETURNS TABLE (user_id uuid, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email FROM users u WHERE u.id = p_user AND u.active
$$;

-- An active agency's mailbox.
CREATE FUNCTION hw_agency_mailbox(p_agency uuid)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.mailbox FROM agencies a WHERE a.id = p_agency AND a.active
$$;

CREATE FUNCTION hw_admin_emails()
RETURNS TABLE (user_id uuid, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT u.id, u.email FROM users u WHERE u.active AND u.role = 'admin' ORDER BY u.email
$$;

-- The delivery worker ---------------------------------------------------------------------
-- The worker runs with no caller; these are its only way in. Claims skip rows other
-- workers hold, and take back rows whose lease ran out (a worker that died mid-send).
CREATE FUNCTION hw_outbox_claim(p_worker text, p_limit integer, p_lease_secs integer)
RETURNS SETOF outbox LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    UPDATE outbox o
       SET status = 'sending', locked_by = p_worker,
           locked_until = now() + make_interval(secs => p_lease_secs), attempts = o.attempts + 1
     WHERE o.id IN (SELECT c.id FROM outbox c
                     WHERE (c.status = 'pending' AND c.next_attempt_at <= now())
                        OR (c.status = 'sending' AND c.locked_until < now())
                     ORDER BY c.next_attempt_at, c.id
                     LIMIT p_limit
                     FOR UPDATE SKIP LOCKED)
    RETURNING o.*
$$;

-- Marks a batch sent at once (one commit for the batch; a worker that dies before it
-- leaves the rows to be redelivered, with the same Message-ID). Returns how many it
-- still held.
CREATE FUNCTION hw_outbox_sent(p_ids uuid[], p_worker text)
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    WITH done AS (
        UPDATE outbox SET status = 'sent', sent_at = now(), locked_by = NULL, locked_until = NULL, last_error = NULL
         WHERE id = ANY (p_ids) AND status = 'sending' AND locked_by = p_worker
        RETURNING 1)
    SELECT count(*)::integer FROM done
$$;

-- A failed attempt: back to pending at p_retry_at, or dead (p_retry_at NULL).
CREATE FUNCTION hw_outbox_failed(p_id uuid, p_worker text, p_error text, p_retry_at timestamptz)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM hw_require_background();
    UPDATE outbox
       SET status = CASE WHEN p_retry_at IS NULL THEN 'dead' ELSE 'pending' END,
           next_attempt_at = coalesce(p_retry_at, next_attempt_at),
           dead_at = CASE WHEN p_retry_at IS NULL THEN now() END,
           last_error = left(p_error, 2000), locked_by = NULL, locked_until = NULL
     WHERE id = p_id AND status = 'sending' AND locked_by = p_worker;
    RETURN FOUND;
END $$;

-- A stopping worker hands back what it claimed but has not tried (the attempt is not
-- counted).
CREATE FUNCTION hw_outbox_release(p_id uuid, p_worker text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM hw_require_background();
    UPDATE outbox SET status = 'pending', locked_by = NULL, locked_until = NULL,
                      attempts = greatest(attempts - 1, 0)
     WHERE id = p_id AND status = 'sending' AND locked_by = p_worker;
    RETURN FOUND;
END $$;

REVOKE ALL ON FUNCTION hw_staff_emails(uuid, text), hw_user_email(uuid), hw_admin_emails(), hw_agency_mailbox(uuid),
    hw_outbox_claim(text, integer, integer), hw_outbox_sent(uuid[], text),
    hw_outbox_failed(uuid, text, text, timestamptz), hw_outbox_release(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_staff_emails(uuid, text), hw_user_email(uuid), hw_admin_emails(), hw_agency_mailbox(uuid),
    hw_outbox_claim(text, integer, integer), hw_outbox_sent(uuid[], text),
    hw_outbox_failed(uuid, text, text, timestamptz), hw_outbox_release(uuid, text) TO homeward_app;

-- The scheduler ---------------------------------------------------------------------------
-- What has become due, force-wide, for the scheduler (which has no caller): ids,
-- references, times and counts only.

-- Return home interviews past their deadline and not finished.
CREATE FUNCTION hw_overdue_return_interviews()
RETURNS TABLE (episode_id uuid, reference text, district_id uuid, due_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT e.id, e.reference, e.district_id, r.due_at
      FROM return_home_interviews r JOIN episodes e ON e.id = r.episode_id
     WHERE r.status IN ('pending', 'offered', 'accepted') AND r.due_at < now()
$$;

-- Unfinished actions due within `p_days` days (or already overdue).
CREATE FUNCTION hw_actions_due(p_days integer)
RETURNS TABLE (action_id uuid, owner_agency_id uuid, owner_user_id uuid, due_on date, overdue boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT a.id, a.owner_agency_id, a.owner_user_id, a.due_on, a.due_on < current_date
      FROM actions a
     WHERE a.status IN ('open', 'in_progress') AND a.due_on <= current_date + p_days
$$;

-- Open episodes whose supervisor review is overdue.
CREATE FUNCTION hw_overdue_reviews()
RETURNS TABLE (episode_id uuid, reference text, district_id uuid, next_review_due timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT e.id, e.reference, e.district_id, e.next_review_due
      FROM episodes e
     WHERE e.next_review_due IS NOT NULL AND e.next_review_due < now()
$$;

-- Each district MFHC who takes the digest, with their district's counts.
CREATE FUNCTION hw_mfhc_digests()
RETURNS TABLE (user_id uuid, email text, district_id uuid, open_high_risk bigint,
               triggers_unacknowledged bigint, interviews_overdue bigint, actions_overdue bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT u.id, u.email, u.district_id,
           (SELECT count(*) FROM episodes e WHERE e.district_id = u.district_id
               AND e.status IN ('reported', 'active') AND e.risk_level = 'high'),
           (SELECT count(*) FROM triggers t WHERE t.district_id = u.district_id AND t.status = 'open'),
           (SELECT count(*) FROM return_home_interviews r JOIN episodes e ON e.id = r.episode_id
             WHERE e.district_id = u.district_id AND r.status IN ('pending', 'offered', 'accepted')
               AND r.due_at < now()),
           (SELECT count(*) FROM actions a WHERE a.district_id = u.district_id
               AND a.status IN ('open', 'in_progress') AND a.due_on < current_date)
      FROM users u LEFT JOIN notification_preferences np ON np.user_id = u.id
     WHERE u.active AND u.role = 'mfhc' AND u.district_id IS NOT NULL AND coalesce(np.daily_digest, true)
$$;

-- Each active agency with unfinished actions: how many, and how many overdue.
CREATE FUNCTION hw_agency_digests()
RETURNS TABLE (agency_id uuid, mailbox text, open_actions bigint, overdue_actions bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT g.id, g.mailbox, count(*), count(*) FILTER (WHERE a.due_on < current_date)
      FROM actions a JOIN agencies g ON g.id = a.owner_agency_id
     WHERE g.active AND a.status IN ('open', 'in_progress')
     GROUP BY g.id, g.mailbox
$$;

-- Trigger escalation now also says where each escalated trigger belongs.
DROP FUNCTION hw_trigger_escalate_due();
CREATE FUNCTION hw_trigger_escalate_due()
RETURNS TABLE (id uuid, district_id uuid) LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    UPDATE triggers t SET escalated_at = now(), updated_at = now()
     WHERE t.status = 'open' AND t.escalated_at IS NULL AND t.escalation_due_at <= now()
    RETURNING t.id, t.district_id
$$;

REVOKE ALL ON FUNCTION hw_overdue_return_interviews(), hw_actions_due(integer), hw_overdue_reviews(),
    hw_mfhc_digests(), hw_agency_digests(), hw_trigger_escalate_due() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_overdue_return_interviews(), hw_actions_due(integer), hw_overdue_reviews(),
    hw_mfhc_digests(), hw_agency_digests(), hw_trigger_escalate_due() TO homeward_app;

-- Policies ----------------------------------------------------------------------------------
-- Anyone's transaction may enqueue (an event by a user, or the scheduler's with none):
-- rows are only ever added this way. Only admins read them, and retry dead letters.
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY outbox_enqueue ON outbox FOR INSERT TO homeward_app
    WITH CHECK (status = 'pending' AND attempts = 0 AND locked_by IS NULL);
CREATE POLICY outbox_admin_read ON outbox FOR SELECT TO homeward_app USING (hw_is_admin());
CREATE POLICY outbox_admin_retry ON outbox FOR UPDATE TO homeward_app
    USING (hw_is_admin() AND status = 'dead') WITH CHECK (hw_is_admin() AND status = 'pending');
CREATE POLICY outbox_owner ON outbox TO homeward_owner USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON outbox TO homeward_app;
GRANT UPDATE (status, attempts, next_attempt_at, dead_at, last_error) ON outbox TO homeward_app;

ALTER TABLE notification_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_preferences FORCE ROW LEVEL SECURITY;
CREATE POLICY notification_preferences_self ON notification_preferences TO homeward_app
    USING (user_id = hw_user_id()) WITH CHECK (user_id = hw_user_id());
CREATE POLICY notification_preferences_owner ON notification_preferences TO homeward_owner USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON notification_preferences TO homeward_app;

RESET ROLE;
