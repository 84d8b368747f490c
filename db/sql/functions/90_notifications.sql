-- Notifications: recipients, the outbox worker's claims, and the scheduler's timers.

CREATE OR REPLACE FUNCTION hw_user_email(p_user uuid)
RETURNS TABLE (user_id uuid, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email FROM users u WHERE u.id = p_user AND u.active
$$;

REVOKE ALL ON FUNCTION hw_user_email(p_user uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_user_email(p_user uuid) TO homeward_app;

-- Active users with `p_role` in the district, and force-wide ones (who cover it).
CREATE OR REPLACE FUNCTION hw_staff_emails(p_district uuid, p_role text)
RETURNS TABLE (user_id uuid, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email FROM users u
     WHERE u.active AND u.role = p_role AND (u.district_id = p_district OR u.district_id IS NULL)
     ORDER BY u.email
$$;

REVOKE ALL ON FUNCTION hw_staff_emails(p_district uuid, p_role text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_staff_emails(p_district uuid, p_role text) TO homeward_app;

-- An active agency's mailbox.
CREATE OR REPLACE FUNCTION hw_agency_mailbox(p_agency uuid)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.mailbox FROM agencies a WHERE a.id = p_agency AND a.active
$$;

REVOKE ALL ON FUNCTION hw_agency_mailbox(p_agency uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_agency_mailbox(p_agency uuid) TO homeward_app;

CREATE OR REPLACE FUNCTION hw_admin_emails()
RETURNS TABLE (user_id uuid, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT u.id, u.email FROM users u WHERE u.active AND u.role = 'admin' ORDER BY u.email
$$;

REVOKE ALL ON FUNCTION hw_admin_emails() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_admin_emails() TO homeward_app;

-- The delivery worker ---------------------------------------------------------------------
-- The worker runs with no caller; these are its only way in. Claims skip rows other
-- workers hold, and take back rows whose lease ran out (a worker that died mid-send).
-- A worker's presence: a session-level advisory lock on its own connection, held while it
-- lives. When its process dies the connection closes and the lock goes with it, so the
-- rows it held are free at once, not when their lease runs out. Background work only; a
-- worker id another session already holds is refused (two workers may not share one).
CREATE OR REPLACE FUNCTION hw_outbox_present(p_worker text) RETURNS void
LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM hw_require_background();
    IF NOT pg_try_advisory_lock(1213484872, hashtext(p_worker)) THEN
        RAISE EXCEPTION 'worker % is already present in another session', p_worker
            USING ERRCODE = '55P03';
    END IF;
END
$$;

REVOKE ALL ON FUNCTION hw_outbox_present(p_worker text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_outbox_present(p_worker text) TO homeward_app;

-- The presence locks held in this database, as the lock's object id (see hw_outbox_lock_id).
CREATE OR REPLACE FUNCTION hw_outbox_live_workers() RETURNS SETOF oid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT l.objid FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
      AND l.classid = 1213484872::oid $$;

REVOKE ALL ON FUNCTION hw_outbox_live_workers() FROM PUBLIC;

-- A worker id as its presence lock's object id.
CREATE OR REPLACE FUNCTION hw_outbox_lock_id(p_worker text) RETURNS oid
LANGUAGE sql IMMUTABLE AS
$$ SELECT (hashtext(p_worker)::bigint & 4294967295)::oid $$;

-- Whether worker p_worker is alive: some session of this database holds its presence lock.
CREATE OR REPLACE FUNCTION hw_outbox_worker_alive(p_worker text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT hw_outbox_lock_id(p_worker) IN (SELECT hw_outbox_live_workers()) $$;

REVOKE ALL ON FUNCTION hw_outbox_worker_alive(p_worker text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_outbox_worker_alive(p_worker text) TO homeward_app;

-- Claims due rows, and rows whose holder is gone (its lease ran out, or its presence lock
-- went with its process). A worker that is not present itself claims nothing: it could
-- not tell others it is alive.
CREATE OR REPLACE FUNCTION hw_outbox_claim(p_worker text, p_limit integer, p_lease_secs integer)
RETURNS SETOF outbox LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    WITH live AS MATERIALIZED (SELECT hw_outbox_live_workers() AS id)
    UPDATE outbox o
       SET status = 'sending', locked_by = p_worker,
           locked_until = now() + make_interval(secs => p_lease_secs), attempts = o.attempts + 1
     WHERE hw_outbox_lock_id(p_worker) IN (SELECT id FROM live)
       AND o.id IN (SELECT c.id FROM outbox c
                     WHERE (c.status = 'pending' AND c.next_attempt_at <= now())
                        OR (c.status = 'sending'
                            AND (c.locked_until < now()
                                 OR hw_outbox_lock_id(c.locked_by) NOT IN (SELECT id FROM live)))
                     ORDER BY c.next_attempt_at, c.id
                     LIMIT p_limit
                     FOR UPDATE SKIP LOCKED)
    RETURNING o.*
$$;

REVOKE ALL ON FUNCTION hw_outbox_claim(p_worker text, p_limit integer, p_lease_secs integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_outbox_claim(p_worker text, p_limit integer, p_lease_secs integer) TO homeward_app;

-- Marks messages sent: each as soon as the server has taken it, so a worker that dies
-- repeats at most the message in flight (with the same Message-ID). Returns how many it
-- still held.
CREATE OR REPLACE FUNCTION hw_outbox_sent(p_ids uuid[], p_worker text)
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    WITH done AS (
        UPDATE outbox SET status = 'sent', sent_at = now(), locked_by = NULL, locked_until = NULL, last_error = NULL
         WHERE id = ANY (p_ids) AND status = 'sending' AND locked_by = p_worker
        RETURNING 1)
    SELECT count(*)::integer FROM done
$$;

REVOKE ALL ON FUNCTION hw_outbox_sent(p_ids uuid[], p_worker text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_outbox_sent(p_ids uuid[], p_worker text) TO homeward_app;

-- A failed attempt: back to pending at p_retry_at, or dead (p_retry_at NULL).
CREATE OR REPLACE FUNCTION hw_outbox_failed(p_id uuid, p_worker text, p_error text, p_retry_at timestamptz)
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

REVOKE ALL ON FUNCTION hw_outbox_failed(p_id uuid, p_worker text, p_error text, p_retry_at timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_outbox_failed(p_id uuid, p_worker text, p_error text, p_retry_at timestamp with time zone) TO homeward_app;

-- A stopping worker hands back what it claimed but has not tried (the attempt is not
-- counted).
CREATE OR REPLACE FUNCTION hw_outbox_release(p_id uuid, p_worker text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM hw_require_background();
    UPDATE outbox SET status = 'pending', locked_by = NULL, locked_until = NULL,
                      attempts = greatest(attempts - 1, 0)
     WHERE id = p_id AND status = 'sending' AND locked_by = p_worker;
    RETURN FOUND;
END $$;

REVOKE ALL ON FUNCTION hw_outbox_release(p_id uuid, p_worker text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_outbox_release(p_id uuid, p_worker text) TO homeward_app;

-- Return home interviews past their deadline and not finished.
CREATE OR REPLACE FUNCTION hw_overdue_return_interviews()
RETURNS TABLE (episode_id uuid, reference text, district_id uuid, due_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT e.id, e.reference, e.district_id, r.due_at
      FROM return_home_interviews r JOIN episodes e ON e.id = r.episode_id
     WHERE r.status IN ('pending', 'offered', 'accepted') AND r.due_at < now()
$$;

REVOKE ALL ON FUNCTION hw_overdue_return_interviews() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_overdue_return_interviews() TO homeward_app;

-- Actions are due on local days: "today" is the force's, not the session's.
CREATE OR REPLACE FUNCTION hw_actions_due(p_days integer)
RETURNS TABLE (action_id uuid, owner_agency_id uuid, owner_user_id uuid, due_on date, overdue boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT a.id, a.owner_agency_id, a.owner_user_id, a.due_on, a.due_on < hw_local_date(now())
      FROM actions a
     WHERE a.status IN ('open', 'in_progress') AND a.due_on <= hw_local_date(now()) + p_days
$$;

REVOKE ALL ON FUNCTION hw_actions_due(p_days integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_actions_due(p_days integer) TO homeward_app;

-- Open episodes whose supervisor review is overdue.
CREATE OR REPLACE FUNCTION hw_overdue_reviews()
RETURNS TABLE (episode_id uuid, reference text, district_id uuid, next_review_due timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT e.id, e.reference, e.district_id, e.next_review_due
      FROM episodes e
     WHERE e.next_review_due IS NOT NULL AND e.next_review_due < now()
$$;

REVOKE ALL ON FUNCTION hw_overdue_reviews() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_overdue_reviews() TO homeward_app;

CREATE OR REPLACE FUNCTION hw_mfhc_digests()
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
               AND a.status IN ('open', 'in_progress') AND a.due_on < hw_local_date(now()))
      FROM users u LEFT JOIN notification_preferences np ON np.user_id = u.id
     WHERE u.active AND u.role = 'mfhc' AND u.district_id IS NOT NULL AND coalesce(np.daily_digest, true)
$$;

REVOKE ALL ON FUNCTION hw_mfhc_digests() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_mfhc_digests() TO homeward_app;

CREATE OR REPLACE FUNCTION hw_agency_digests()
RETURNS TABLE (agency_id uuid, mailbox text, open_actions bigint, overdue_actions bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT g.id, g.mailbox, count(*), count(*) FILTER (WHERE a.due_on < hw_local_date(now()))
      FROM actions a JOIN agencies g ON g.id = a.owner_agency_id
     WHERE g.active AND a.status IN ('open', 'in_progress')
     GROUP BY g.id, g.mailbox
$$;

REVOKE ALL ON FUNCTION hw_agency_digests() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_agency_digests() TO homeward_app;

-- Open episodes whose UKMPU notification or PNC record has just become overdue: each is
-- marked alerted in the same statement (and the caller's transaction), so it is returned
-- once, ever. Background work only.
CREATE OR REPLACE FUNCTION hw_national_overdue(p_ukmpu interval, p_pnc interval)
RETURNS TABLE (episode_id uuid, reference text, district_id uuid, kind text, due_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    PERFORM hw_require_background();
    RETURN QUERY
    WITH due AS (
        SELECT e.id, e.reference, e.district_id, 'ukmpu'::text AS kind, e.reported_at + p_ukmpu AS due_at
          FROM episodes e
         WHERE e.status IN ('reported', 'active') AND e.ukmpu_notified_at IS NULL
           AND e.reported_at < now() - p_ukmpu
        UNION ALL
        SELECT e.id, e.reference, e.district_id, 'pnc'::text, e.reported_at + p_pnc
          FROM episodes e
         WHERE e.status IN ('reported', 'active') AND e.pnc_recorded_at IS NULL
           AND e.reported_at < now() - p_pnc
    ), marked AS (
        INSERT INTO episode_alerts (episode_id, alert)
        SELECT d.id, d.kind || '_overdue' FROM due d
        ON CONFLICT DO NOTHING
        RETURNING episode_alerts.episode_id, episode_alerts.alert
    )
    SELECT d.id, d.reference::text, d.district_id, d.kind, d.due_at
      FROM due d JOIN marked m ON m.episode_id = d.id AND m.alert = d.kind || '_overdue'
     ORDER BY d.due_at, d.id;
END
$$;

REVOKE ALL ON FUNCTION hw_national_overdue(p_ukmpu interval, p_pnc interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_national_overdue(p_ukmpu interval, p_pnc interval) TO homeward_app;

-- The scheduler's lease: true for the one instance that takes this interval's tick (the
-- last tick was at least p_every ago, less a tenth for timer jitter), false for the rest.
-- A holder that dies mid-tick loses nothing: each timer's work is idempotent and the next
-- interval's holder finds it still due. Background work only.
CREATE OR REPLACE FUNCTION hw_scheduler_claim(p_every interval, p_holder text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    PERFORM hw_require_background();
    UPDATE scheduler_lease
       SET last_tick_at = now(), holder = left(p_holder, 200), ticks = ticks + 1
     WHERE singleton AND last_tick_at <= now() - p_every * 0.9;
    RETURN FOUND;
END
$$;

REVOKE ALL ON FUNCTION hw_scheduler_claim(p_every interval, p_holder text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_scheduler_claim(p_every interval, p_holder text) TO homeward_app;

-- A notification with no recipient: counted against its event key; true only the first
-- time, so the log warns once however many ticks and instances find it.
CREATE OR REPLACE FUNCTION hw_notification_gap(p_event_key text, p_event text)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
    INSERT INTO notification_gaps AS g (event_key, event) VALUES (left(p_event_key, 300), p_event)
    ON CONFLICT (event_key) DO UPDATE SET last_seen_at = now(), times = g.times + 1
    RETURNING g.times = 1
$$;

REVOKE ALL ON FUNCTION hw_notification_gap(p_event_key text, p_event text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_notification_gap(p_event_key text, p_event text) TO homeward_app;
