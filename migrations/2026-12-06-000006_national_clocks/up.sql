SET LOCAL ROLE homeward_owner;

-- The national clocks (Statutory Code of Practice, 2009): notified to the UK Missing
-- Persons Unit, recorded on the PNC. When each was done, by whom, and its reference; the
-- deadlines are the report time plus the force's configured hours, computed, so a change
-- of policy moves them.
ALTER TABLE episodes
    ADD COLUMN ukmpu_notified_at timestamptz,
    ADD COLUMN ukmpu_notified_by uuid REFERENCES users (id),
    ADD COLUMN ukmpu_reference text CHECK (length(ukmpu_reference) BETWEEN 1 AND 100),
    ADD COLUMN pnc_recorded_at timestamptz,
    ADD COLUMN pnc_recorded_by uuid REFERENCES users (id),
    ADD COLUMN pnc_reference text CHECK (length(pnc_reference) BETWEEN 1 AND 100),
    ADD CONSTRAINT episodes_ukmpu_whole CHECK (
        (ukmpu_notified_at IS NULL) = (ukmpu_notified_by IS NULL)
        AND (ukmpu_notified_at IS NULL) = (ukmpu_reference IS NULL)),
    ADD CONSTRAINT episodes_pnc_whole CHECK (
        (pnc_recorded_at IS NULL) = (pnc_recorded_by IS NULL)
        AND (pnc_recorded_at IS NULL) = (pnc_reference IS NULL));

-- Open episodes with a national notification outstanding, oldest report first: the
-- worklists' due/overdue filters and the overdue alert read these.
CREATE INDEX episodes_national_due_idx ON episodes (reported_at)
    WHERE status IN ('reported', 'active') AND (ukmpu_notified_at IS NULL OR pnc_recorded_at IS NULL);

-- Which overdue alerts went out, so each goes once (not once a scheduler tick).
CREATE TABLE episode_alerts (
    episode_id uuid NOT NULL REFERENCES episodes (id),
    alert      text NOT NULL CHECK (alert IN ('ukmpu_overdue', 'pnc_overdue')),
    alerted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (episode_id, alert)
);
ALTER TABLE episode_alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE episode_alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY episode_alerts_owner ON episode_alerts TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE outbox DROP CONSTRAINT outbox_event_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_event_check CHECK (event IN (
    'high_risk_episode', 'trigger_fired', 'trigger_escalated', 'return_interview_due',
    'return_interview_overdue', 'record_shared', 'action_assigned', 'action_due_soon',
    'action_overdue', 'review_overdue', 'looked_after_missing_out_of_area',
    'mfhc_digest', 'agency_digest', 'dead_letter', 'national_notification_overdue'));

-- Open episodes whose UKMPU notification or PNC record has just become overdue: each is
-- marked alerted in the same statement (and the caller's transaction), so it is returned
-- once, ever. Background work only.
CREATE FUNCTION hw_national_overdue(p_ukmpu interval, p_pnc interval)
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
    SELECT d.id, d.reference, d.district_id, d.kind, d.due_at
      FROM due d JOIN marked m ON m.episode_id = d.id AND m.alert = d.kind || '_overdue'
     ORDER BY d.due_at, d.id;
END
$$;
REVOKE ALL ON FUNCTION hw_national_overdue(interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_national_overdue(interval, interval) TO homeward_app;

RESET ROLE;
