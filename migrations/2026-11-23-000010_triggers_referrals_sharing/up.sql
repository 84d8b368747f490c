SET LOCAL ROLE homeward_owner;

-- Trigger rules: data, not code. Scoped force-wide (district_id NULL) or to a district;
-- every change bumps the version, and a trigger records the version that fired it.
CREATE TABLE trigger_rules (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                 text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    kind                 text NOT NULL CHECK (kind IN ('first_time_child', 'episodes_within',
                                                       'out_of_area_placement', 'high_risk')),
    min_episodes         integer CHECK (min_episodes BETWEEN 2 AND 100),
    within_days          integer CHECK (within_days BETWEEN 1 AND 3660),
    district_id          uuid REFERENCES districts (id),
    enabled              boolean NOT NULL DEFAULT true,
    -- An open (unacknowledged) trigger escalates this long after it fired.
    escalate_after_hours integer NOT NULL DEFAULT 24 CHECK (escalate_after_hours BETWEEN 1 AND 720),
    version              integer NOT NULL DEFAULT 1,
    created_by           uuid REFERENCES users (id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'episodes_within') = (min_episodes IS NOT NULL AND within_days IS NOT NULL)),
    CHECK (kind = 'episodes_within' OR (min_episodes IS NULL AND within_days IS NULL))
);

-- Each version of a rule as it was, written by the database on every insert and update.
CREATE TABLE trigger_rule_versions (
    rule_id    uuid NOT NULL REFERENCES trigger_rules (id),
    version    integer NOT NULL,
    content    jsonb NOT NULL,
    changed_by uuid REFERENCES users (id),
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rule_id, version)
);
CREATE FUNCTION hw_trigger_rule_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO trigger_rule_versions (rule_id, version, content, changed_by)
    VALUES (NEW.id, NEW.version, to_jsonb(NEW) - 'created_at' - 'updated_at', hw_user_id());
    RETURN NULL;
END $$;
CREATE TRIGGER trigger_rules_versions AFTER INSERT OR UPDATE ON trigger_rules
    FOR EACH ROW EXECUTE FUNCTION hw_trigger_rule_version();

-- Triggers: a rule satisfied by a person's episodes. `basis_episode_ids` names the
-- episodes that caused it; at most one live trigger per rule and anchor episode.
CREATE TABLE triggers (
    id                 uuid PRIMARY KEY,
    person_id          uuid NOT NULL REFERENCES persons (id),
    rule_id            uuid NOT NULL REFERENCES trigger_rules (id),
    rule_version       integer NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('first_time_child', 'episodes_within',
                                                     'out_of_area_placement', 'high_risk')),
    district_id        uuid NOT NULL REFERENCES districts (id),
    anchor_episode_id  uuid NOT NULL REFERENCES episodes (id),
    basis_episode_ids  uuid[] NOT NULL CHECK (cardinality(basis_episode_ids) >= 1
                                              AND array_position(basis_episode_ids, NULL) IS NULL),
    window_start       timestamptz NOT NULL,
    window_end         timestamptz NOT NULL,
    status             text NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'acknowledged', 'plan_recorded', 'closed', 'withdrawn')),
    assigned_to        uuid REFERENCES users (id),
    fired_at           timestamptz NOT NULL DEFAULT now(),
    escalation_due_at  timestamptz NOT NULL,
    escalated_at       timestamptz,
    acknowledged_at    timestamptz,
    acknowledged_by    uuid REFERENCES users (id),
    closed_at          timestamptz,
    closed_by          uuid REFERENCES users (id),
    closure_note       text CHECK (length(closure_note) BETWEEN 1 AND 5000),
    withdrawn_at       timestamptz,
    withdrawn_reason   text CHECK (length(withdrawn_reason) BETWEEN 1 AND 2000),
    version            integer NOT NULL DEFAULT 1,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (window_start <= window_end),
    CHECK (anchor_episode_id = ANY (basis_episode_ids)),
    CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL)),
    CHECK ((status IN ('open', 'withdrawn')) OR acknowledged_at IS NOT NULL),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL AND closed_by IS NOT NULL AND closure_note IS NOT NULL)),
    CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL AND withdrawn_reason IS NOT NULL))
);
CREATE UNIQUE INDEX triggers_once_idx ON triggers (rule_id, anchor_episode_id) WHERE status <> 'withdrawn';
CREATE INDEX triggers_person_idx ON triggers (person_id);
CREATE INDEX triggers_district_idx ON triggers (district_id, fired_at DESC, id DESC);
CREATE INDEX triggers_escalation_idx ON triggers (escalation_due_at) WHERE status = 'open' AND escalated_at IS NULL;

-- The trigger plan: what will be done, with which agencies, reviewed when.
CREATE TABLE trigger_plans (
    trigger_id  uuid PRIMARY KEY REFERENCES triggers (id),
    summary     text NOT NULL CHECK (length(summary) BETWEEN 1 AND 10000),
    agency_ids  uuid[] NOT NULL DEFAULT '{}' CHECK (array_position(agency_ids, NULL) IS NULL),
    review_on   date NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Early Action referrals. Consent to the service is recorded apart from the lawful
-- basis for sharing information, which is not usually consent.
CREATE TABLE referrals (
    id               uuid PRIMARY KEY,
    person_id        uuid NOT NULL REFERENCES persons (id),
    district_id      uuid NOT NULL REFERENCES districts (id),
    source           text NOT NULL CHECK (source IN ('frontline_officer', 'daily_search', 'missing_trigger',
                                                     'mash', 'partner')),
    source_agency_id uuid REFERENCES agencies (id),
    trigger_id       uuid REFERENCES triggers (id),
    reasons          text[] NOT NULL CHECK (cardinality(reasons) >= 1 AND reasons <@ ARRAY[
                         'first_time_missing', 'sudden_multiple_missing', 'repeat_missing',
                         'adolescent_to_parent_violence', 'domestic_abuse', 'first_time_offence',
                         'linked_to_multiple_crimes', 'exploitation_risk', 'other']::text[]),
    summary          text NOT NULL CHECK (length(summary) BETWEEN 1 AND 10000),
    lawful_basis     text NOT NULL CHECK (length(lawful_basis) BETWEEN 1 AND 500),
    status           text NOT NULL DEFAULT 'received'
        CHECK (status IN ('received', 'triage', 'accepted', 'declined', 'redirected', 'active', 'closed')),
    decision_reason  text CHECK (length(decision_reason) BETWEEN 1 AND 2000),
    redirected_to    text CHECK (length(redirected_to) BETWEEN 1 AND 200),
    closure_reason   text CHECK (closure_reason IN ('outcomes_met', 'declined_or_withdrew',
                                                    'escalated_to_statutory', 'moved_out_of_area',
                                                    'turned_18', 'no_engagement')),
    closed_at        timestamptz,
    consent          text NOT NULL DEFAULT 'not_sought'
        CHECK (consent IN ('not_sought', 'given', 'refused', 'withdrawn')),
    consent_by       text CHECK (consent_by IN ('young_person', 'parent_or_carer', 'both')),
    consent_at       timestamptz,
    version          integer NOT NULL DEFAULT 1,
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((source = 'partner') = (source_agency_id IS NOT NULL)),
    CHECK ((source = 'missing_trigger') = (trigger_id IS NOT NULL)),
    CHECK ((status = 'closed') = (closure_reason IS NOT NULL AND closed_at IS NOT NULL)),
    CHECK (status <> 'redirected' OR redirected_to IS NOT NULL),
    CHECK ((consent = 'not_sought') = (consent_by IS NULL AND consent_at IS NULL))
);
CREATE UNIQUE INDEX referrals_one_per_trigger_idx ON referrals (trigger_id) WHERE trigger_id IS NOT NULL;
CREATE INDEX referrals_district_idx ON referrals (district_id, created_at DESC, id DESC);
CREATE INDEX referrals_person_idx ON referrals (person_id);

-- Triage meetings: police, YJS, L&D and CSC around one referral.
CREATE TABLE triage_meetings (
    id                  uuid PRIMARY KEY,
    referral_id         uuid NOT NULL REFERENCES referrals (id),
    held_on             date NOT NULL,
    attendee_agency_ids uuid[] NOT NULL CHECK (cardinality(attendee_agency_ids) >= 1
                                               AND array_position(attendee_agency_ids, NULL) IS NULL),
    decisions           text NOT NULL CHECK (length(decisions) BETWEEN 1 AND 10000),
    next_meeting_on     date CHECK (next_meeting_on > held_on),
    recorded_by         uuid NOT NULL REFERENCES users (id),
    recorded_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX triage_meetings_referral_idx ON triage_meetings (referral_id, held_on);

-- The intervention plan of an accepted referral.
CREATE TABLE intervention_plans (
    referral_id       uuid PRIMARY KEY REFERENCES referrals (id),
    lead_practitioner text NOT NULL CHECK (length(lead_practitioner) BETWEEN 1 AND 200),
    lead_agency_id    uuid NOT NULL REFERENCES agencies (id),
    goals             text NOT NULL CHECK (length(goals) BETWEEN 1 AND 10000),
    review_dates      date[] NOT NULL CHECK (cardinality(review_dates) >= 1
                                             AND array_position(review_dates, NULL) IS NULL),
    version           integer NOT NULL DEFAULT 1,
    recorded_by       uuid NOT NULL REFERENCES users (id),
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Partner actions: on exactly one of an episode, a trigger (its plan) or a referral;
-- `district_id` is the parent's district when the action was set.
CREATE TABLE actions (
    id              uuid PRIMARY KEY,
    episode_id      uuid REFERENCES episodes (id),
    trigger_id      uuid REFERENCES triggers (id),
    referral_id     uuid REFERENCES referrals (id),
    district_id     uuid NOT NULL REFERENCES districts (id),
    owner_agency_id uuid NOT NULL REFERENCES agencies (id),
    owner_user_id   uuid REFERENCES users (id),
    description     text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    due_on          date NOT NULL,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    outcome         text CHECK (length(outcome) BETWEEN 1 AND 5000),
    completed_at    timestamptz,
    version         integer NOT NULL DEFAULT 1,
    created_by      uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      uuid NOT NULL REFERENCES users (id),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(episode_id, trigger_id, referral_id) = 1),
    CHECK ((status IN ('done', 'cancelled')) = (outcome IS NOT NULL AND completed_at IS NOT NULL))
);
CREATE INDEX actions_agency_idx ON actions (owner_agency_id, due_on, id);
CREATE INDEX actions_district_idx ON actions (district_id, due_on, id);
CREATE INDEX actions_episode_idx ON actions (episode_id) WHERE episode_id IS NOT NULL;
CREATE INDEX actions_trigger_idx ON actions (trigger_id) WHERE trigger_id IS NOT NULL;
CREATE INDEX actions_referral_idx ON actions (referral_id) WHERE referral_id IS NOT NULL;

-- Shares: each is a disclosure of some parts of one record to one agency.
CREATE TABLE shares (
    id            uuid PRIMARY KEY,
    record_type   text NOT NULL CHECK (record_type IN ('episode', 'trigger', 'referral')),
    record_id     uuid NOT NULL,
    district_id   uuid NOT NULL REFERENCES districts (id),
    agency_id     uuid NOT NULL REFERENCES agencies (id),
    parts         text[] NOT NULL CHECK (cardinality(parts) >= 1 AND parts <@ CASE record_type
                      WHEN 'episode' THEN ARRAY['summary', 'risk', 'return', 'return_interview', 'markers']
                      WHEN 'trigger' THEN ARRAY['summary', 'plan', 'markers']
                      ELSE ARRAY['summary', 'triage', 'plan', 'markers'] END::text[]
                      AND 'summary' = ANY (parts)),
    purpose       text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 1000),
    lawful_basis  text NOT NULL CHECK (length(lawful_basis) BETWEEN 1 AND 500),
    shared_by     uuid NOT NULL REFERENCES users (id),
    shared_at     timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz CHECK (expires_at > shared_at),
    revoked_at    timestamptz,
    revoked_by    uuid REFERENCES users (id),
    revoke_reason text CHECK (length(revoke_reason) BETWEEN 1 AND 2000),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL) AND (revoked_at IS NULL) = (revoke_reason IS NULL))
);
CREATE INDEX shares_record_idx ON shares (record_type, record_id, agency_id);
CREATE INDEX shares_agency_idx ON shares (agency_id, shared_at DESC, id DESC);
CREATE INDEX shares_district_idx ON shares (district_id, shared_at DESC, id DESC);

-- Sharing -----------------------------------------------------------------------------
-- Whether `part` of the record is shared with the caller's (active) agency now: not
-- revoked, not expired. SECURITY DEFINER so policies can consult shares whatever the
-- caller may read of them.
CREATE OR REPLACE FUNCTION hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(hw_role() = 'partner', false) AND EXISTS (
        SELECT 1 FROM shares s JOIN agencies a ON a.id = s.agency_id
         WHERE s.record_type = p_record_type AND s.record_id = p_record_id
           AND s.agency_id = hw_agency_id() AND a.active
           AND p_part = ANY (s.parts) AND s.revoked_at IS NULL
           AND (s.expires_at IS NULL OR s.expires_at > now()))
$$;

-- Whether `part` of any record about the person is shared with the caller's agency now
-- (the person's identity with `summary`, their markers with `markers`).
CREATE FUNCTION hw_person_shared_with_caller(p_person uuid, p_part text)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(hw_role() = 'partner', false) AND EXISTS (
        SELECT 1 FROM shares s JOIN agencies a ON a.id = s.agency_id
         WHERE s.agency_id = hw_agency_id() AND a.active
           AND p_part = ANY (s.parts) AND s.revoked_at IS NULL
           AND (s.expires_at IS NULL OR s.expires_at > now())
           AND CASE s.record_type
                 WHEN 'episode' THEN EXISTS (SELECT 1 FROM episodes e WHERE e.id = s.record_id AND e.person_id = p_person)
                 WHEN 'trigger' THEN EXISTS (SELECT 1 FROM triggers t WHERE t.id = s.record_id AND t.person_id = p_person)
                 ELSE EXISTS (SELECT 1 FROM referrals r WHERE r.id = s.record_id AND r.person_id = p_person)
               END)
$$;

-- Case roles: who works triggers, referrals and actions in a district.
CREATE FUNCTION hw_is_case_worker() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(hw_role() IN ('supervisor', 'mfhc', 'early_action'), false) $$;

-- Trigger evaluation ------------------------------------------------------------------
-- A person's episodes span districts the caller may not see, and a trigger must count
-- them all; these SECURITY DEFINER functions give evaluation exactly what it needs
-- (ids, times, flags: no case content) and make only the writes it may make.

-- The counted (not cancelled) episodes of a person, locking the person so evaluations
-- of one person run one at a time.
CREATE FUNCTION hw_trigger_inputs(p_person uuid)
RETURNS TABLE (episode_id uuid, district_id uuid, reported_at timestamptz, date_of_birth date,
               out_of_area boolean, ever_high boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT hw_is_operational() THEN
        RAISE EXCEPTION 'not permitted: only operational roles evaluate triggers' USING ERRCODE = '42501';
    END IF;
    PERFORM 1 FROM persons p WHERE p.id = p_person FOR UPDATE;
    RETURN QUERY
    SELECT e.id, e.district_id, e.reported_at, p.date_of_birth,
           coalesce((SELECT pl.out_of_area FROM placements pl WHERE pl.id = e.placement_id), false),
           e.risk_level = 'high' OR EXISTS (SELECT 1 FROM risk_gradings g WHERE g.episode_id = e.id AND g.to_level = 'high')
      FROM episodes e JOIN persons p ON p.id = e.person_id
     WHERE e.person_id = p_person AND e.status <> 'cancelled'
     ORDER BY e.reported_at, e.id;
END $$;

-- The person's triggers that are not withdrawn.
CREATE FUNCTION hw_trigger_live(p_person uuid)
RETURNS TABLE (id uuid, rule_id uuid, kind text, status text, anchor_episode_id uuid, basis_episode_ids uuid[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT hw_is_operational() THEN
        RAISE EXCEPTION 'not permitted: only operational roles evaluate triggers' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT t.id, t.rule_id, t.kind, t.status, t.anchor_episode_id, t.basis_episode_ids
      FROM triggers t WHERE t.person_id = p_person AND t.status <> 'withdrawn'
     ORDER BY t.fired_at, t.id;
END $$;

-- Fires a trigger, unless a live one for the rule and anchor exists (then false). The
-- basis must be the person's counted episodes; it is assigned to the district's MFHC.
CREATE FUNCTION hw_trigger_fire(p_id uuid, p_person uuid, p_rule uuid, p_anchor uuid, p_basis uuid[],
                                p_window_start timestamptz, p_window_end timestamptz)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r trigger_rules;
    anchor_district uuid;
BEGIN
    IF NOT hw_is_operational() THEN
        RAISE EXCEPTION 'not permitted: only operational roles evaluate triggers' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO r FROM trigger_rules WHERE id = p_rule AND enabled;
    IF NOT FOUND THEN
        RETURN false;  -- disabled since the evaluation read it: nothing fires
    END IF;
    IF NOT p_anchor = ANY (p_basis) OR EXISTS (
           SELECT 1 FROM unnest(p_basis) b LEFT JOIN episodes e ON e.id = b
            WHERE e.id IS NULL OR e.person_id <> p_person OR e.status = 'cancelled') THEN
        RAISE EXCEPTION 'not permitted: the basis is not the person''s counted episodes' USING ERRCODE = '42501';
    END IF;
    SELECT e.district_id INTO anchor_district FROM episodes e WHERE e.id = p_anchor;
    IF r.district_id IS NOT NULL AND r.district_id <> anchor_district THEN
        RAISE EXCEPTION 'not permitted: the rule does not cover the episode''s district' USING ERRCODE = '42501';
    END IF;
    INSERT INTO triggers (id, person_id, rule_id, rule_version, kind, district_id, anchor_episode_id,
                          basis_episode_ids, window_start, window_end, assigned_to, escalation_due_at)
    VALUES (p_id, p_person, p_rule, r.version, r.kind, anchor_district, p_anchor, p_basis,
            p_window_start, p_window_end,
            (SELECT u.id FROM users u WHERE u.role = 'mfhc' AND u.active AND u.district_id = anchor_district
              ORDER BY u.created_at, u.id LIMIT 1),
            now() + make_interval(hours => r.escalate_after_hours))
    ON CONFLICT (rule_id, anchor_episode_id) WHERE status <> 'withdrawn' DO NOTHING;
    RETURN FOUND;
END $$;

-- Withdraws a live, unclosed trigger whose basis has gone: an episode cancelled or
-- moved to another person, (first-time) an earlier episode now recorded or a corrected
-- date of birth, (out of area) a corrected placement.
CREATE FUNCTION hw_trigger_withdraw(p_id uuid, p_reason text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT hw_is_operational() THEN
        RAISE EXCEPTION 'not permitted: only operational roles evaluate triggers' USING ERRCODE = '42501';
    END IF;
    UPDATE triggers t
       SET status = 'withdrawn', withdrawn_at = now(), withdrawn_reason = p_reason,
           version = t.version + 1, updated_at = now()
     WHERE t.id = p_id AND t.status IN ('open', 'acknowledged', 'plan_recorded')
       AND (EXISTS (SELECT 1 FROM unnest(t.basis_episode_ids) b LEFT JOIN episodes e ON e.id = b
                     WHERE e.id IS NULL OR e.person_id <> t.person_id OR e.status = 'cancelled')
            OR (t.kind = 'first_time_child' AND EXISTS (
                    SELECT 1 FROM episodes a JOIN episodes e ON e.id = t.anchor_episode_id
                     WHERE a.person_id = t.person_id AND a.status <> 'cancelled'
                       AND (a.reported_at, a.id) < (e.reported_at, e.id)))
            -- the date of birth was corrected: not a child when it started
            OR (t.kind = 'first_time_child' AND NOT EXISTS (
                    SELECT 1 FROM episodes e JOIN persons p ON p.id = e.person_id
                     WHERE e.id = t.anchor_episode_id AND p.date_of_birth IS NOT NULL
                       AND age((e.reported_at AT TIME ZONE 'UTC')::date, p.date_of_birth) < interval '18 years'))
            -- the placement is no longer out of area
            OR (t.kind = 'out_of_area_placement' AND NOT EXISTS (
                    SELECT 1 FROM episodes e JOIN placements pl ON pl.id = e.placement_id
                     WHERE e.id = t.anchor_episode_id AND pl.out_of_area)));
    RETURN FOUND;
END $$;

-- Marks open triggers past their escalation time as escalated; returns them. Run by the
-- service's scheduler (no caller needed: it reveals nothing and changes only this).
CREATE FUNCTION hw_trigger_escalate_due()
RETURNS TABLE (id uuid) LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE triggers t SET escalated_at = now(), updated_at = now()
     WHERE t.status = 'open' AND t.escalated_at IS NULL AND t.escalation_due_at <= now()
    RETURNING t.id
$$;

-- Whether `user` is an active user of `agency` (the users table is admin-only).
CREATE FUNCTION hw_user_in_agency(p_user uuid, p_agency uuid)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT (hw_is_case_worker() OR (hw_role() = 'partner' AND p_agency = hw_agency_id())) AND EXISTS (
        SELECT 1 FROM users u WHERE u.id = p_user AND u.agency_id = p_agency AND u.active)
$$;

REVOKE ALL ON FUNCTION hw_trigger_inputs(uuid), hw_trigger_live(uuid),
    hw_trigger_fire(uuid, uuid, uuid, uuid, uuid[], timestamptz, timestamptz),
    hw_trigger_withdraw(uuid, text), hw_trigger_escalate_due(), hw_user_in_agency(uuid, uuid),
    hw_person_shared_with_caller(uuid, text), hw_shared_with_caller(text, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_trigger_inputs(uuid), hw_trigger_live(uuid),
    hw_trigger_fire(uuid, uuid, uuid, uuid, uuid[], timestamptz, timestamptz),
    hw_trigger_withdraw(uuid, text), hw_trigger_escalate_due(), hw_user_in_agency(uuid, uuid),
    hw_person_shared_with_caller(uuid, text), hw_shared_with_caller(text, uuid, text) TO homeward_app;

-- Policies -----------------------------------------------------------------------------
ALTER TABLE trigger_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE trigger_rules FORCE ROW LEVEL SECURITY;
-- Rules hold no personal data: every signed-in user may read them. Admins manage all;
-- MFHCs manage the rules their district covers (force-wide MFHCs: all).
CREATE POLICY trigger_rules_read ON trigger_rules FOR SELECT TO homeward_app USING (hw_is_authenticated());
CREATE POLICY trigger_rules_insert ON trigger_rules FOR INSERT TO homeward_app
    WITH CHECK (created_by = hw_user_id() AND (hw_is_admin() OR (hw_role() = 'mfhc'
                AND (hw_district_id() IS NULL OR district_id = hw_district_id()))));
CREATE POLICY trigger_rules_update ON trigger_rules FOR UPDATE TO homeward_app
    USING (hw_is_admin() OR (hw_role() = 'mfhc' AND (hw_district_id() IS NULL OR district_id = hw_district_id())))
    WITH CHECK (hw_is_admin() OR (hw_role() = 'mfhc' AND (hw_district_id() IS NULL OR district_id = hw_district_id())));
CREATE POLICY trigger_rules_owner ON trigger_rules TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE trigger_rule_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE trigger_rule_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY trigger_rule_versions_read ON trigger_rule_versions FOR SELECT TO homeward_app USING (hw_is_authenticated());
CREATE POLICY trigger_rule_versions_owner ON trigger_rule_versions TO homeward_owner USING (true) WITH CHECK (true);

-- Triggers: case workers of the district; partners what is shared. Written by the
-- evaluation functions above; MFHCs move them through their lifecycle.
ALTER TABLE triggers ENABLE ROW LEVEL SECURITY;
ALTER TABLE triggers FORCE ROW LEVEL SECURITY;
CREATE POLICY triggers_read ON triggers FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND hw_covers_district(district_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('trigger', id, 'summary')));
CREATE POLICY triggers_update ON triggers FOR UPDATE TO homeward_app
    USING (hw_role() = 'mfhc' AND hw_covers_district(district_id))
    WITH CHECK (hw_role() = 'mfhc' AND hw_covers_district(district_id) AND status <> 'withdrawn');
CREATE POLICY triggers_owner ON triggers TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE trigger_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE trigger_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY trigger_plans_read ON trigger_plans FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND EXISTS (SELECT 1 FROM triggers t WHERE t.id = trigger_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('trigger', trigger_id, 'plan')));
CREATE POLICY trigger_plans_insert ON trigger_plans FOR INSERT TO homeward_app
    WITH CHECK (hw_role() = 'mfhc' AND recorded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM triggers t WHERE t.id = trigger_id AND hw_covers_district(t.district_id)));
CREATE POLICY trigger_plans_update ON trigger_plans FOR UPDATE TO homeward_app
    USING (hw_role() = 'mfhc' AND EXISTS (SELECT 1 FROM triggers t WHERE t.id = trigger_id AND hw_covers_district(t.district_id)))
    WITH CHECK (hw_role() = 'mfhc' AND recorded_by = hw_user_id());
CREATE POLICY trigger_plans_owner ON trigger_plans TO homeward_owner USING (true) WITH CHECK (true);

-- Referrals: Early Action and MFHCs (and supervisors, read) of the district; whoever
-- made one may read it; partners what is shared.
ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE referrals FORCE ROW LEVEL SECURITY;
CREATE POLICY referrals_read ON referrals FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND hw_covers_district(district_id))
           OR (hw_role() <> 'partner' AND created_by = hw_user_id())
           OR (hw_role() = 'partner' AND hw_shared_with_caller('referral', id, 'summary')));
CREATE POLICY referrals_insert ON referrals FOR INSERT TO homeward_app
    WITH CHECK (hw_role() IN ('officer', 'supervisor', 'mfhc', 'early_action')
                AND hw_covers_district(district_id) AND created_by = hw_user_id());
CREATE POLICY referrals_update ON referrals FOR UPDATE TO homeward_app
    USING (hw_role() IN ('mfhc', 'early_action') AND hw_covers_district(district_id))
    WITH CHECK (hw_role() IN ('mfhc', 'early_action') AND hw_covers_district(district_id));
CREATE POLICY referrals_owner ON referrals TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE triage_meetings ENABLE ROW LEVEL SECURITY;
ALTER TABLE triage_meetings FORCE ROW LEVEL SECURITY;
CREATE POLICY triage_meetings_read ON triage_meetings FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND EXISTS (SELECT 1 FROM referrals r
                                             WHERE r.id = referral_id AND hw_covers_district(r.district_id)))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('referral', referral_id, 'triage')));
CREATE POLICY triage_meetings_insert ON triage_meetings FOR INSERT TO homeward_app
    WITH CHECK (hw_role() IN ('mfhc', 'early_action') AND recorded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id AND hw_covers_district(r.district_id)));
CREATE POLICY triage_meetings_owner ON triage_meetings TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE intervention_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE intervention_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY intervention_plans_read ON intervention_plans FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND EXISTS (SELECT 1 FROM referrals r
                                             WHERE r.id = referral_id AND hw_covers_district(r.district_id)))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('referral', referral_id, 'plan')));
CREATE POLICY intervention_plans_insert ON intervention_plans FOR INSERT TO homeward_app
    WITH CHECK (hw_role() IN ('mfhc', 'early_action') AND recorded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id AND hw_covers_district(r.district_id)));
CREATE POLICY intervention_plans_update ON intervention_plans FOR UPDATE TO homeward_app
    USING (hw_role() IN ('mfhc', 'early_action')
           AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id AND hw_covers_district(r.district_id)))
    WITH CHECK (hw_role() IN ('mfhc', 'early_action') AND recorded_by = hw_user_id());
CREATE POLICY intervention_plans_owner ON intervention_plans TO homeward_owner USING (true) WITH CHECK (true);

-- Actions: case workers of the district; a partner only its own agency's, and it can
-- never hand one to another agency.
ALTER TABLE actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE actions FORCE ROW LEVEL SECURITY;
CREATE POLICY actions_read ON actions FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND hw_covers_district(district_id))
           OR (hw_role() = 'partner' AND owner_agency_id = hw_agency_id()));
CREATE POLICY actions_insert ON actions FOR INSERT TO homeward_app
    WITH CHECK (hw_is_case_worker() AND hw_covers_district(district_id)
                AND created_by = hw_user_id() AND updated_by = hw_user_id());
CREATE POLICY actions_update ON actions FOR UPDATE TO homeward_app
    USING ((hw_is_case_worker() AND hw_covers_district(district_id))
           OR (hw_role() = 'partner' AND owner_agency_id = hw_agency_id()))
    WITH CHECK (updated_by = hw_user_id()
                AND ((hw_is_case_worker() AND hw_covers_district(district_id))
                     OR (hw_role() = 'partner' AND owner_agency_id = hw_agency_id())));
CREATE POLICY actions_owner ON actions TO homeward_owner USING (true) WITH CHECK (true);

-- Shares: case workers of the record's district; a partner the shares to its agency.
ALTER TABLE shares ENABLE ROW LEVEL SECURITY;
ALTER TABLE shares FORCE ROW LEVEL SECURITY;
CREATE POLICY shares_read ON shares FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND hw_covers_district(district_id))
           OR (hw_role() = 'partner' AND agency_id = hw_agency_id()));
CREATE POLICY shares_insert ON shares FOR INSERT TO homeward_app
    WITH CHECK (hw_is_case_worker() AND hw_covers_district(district_id) AND shared_by = hw_user_id()
                AND revoked_at IS NULL);
CREATE POLICY shares_revoke ON shares FOR UPDATE TO homeward_app
    USING (hw_is_case_worker() AND hw_covers_district(district_id) AND revoked_at IS NULL)
    WITH CHECK (hw_is_case_worker() AND hw_covers_district(district_id) AND revoked_by = hw_user_id());
CREATE POLICY shares_owner ON shares TO homeward_owner USING (true) WITH CHECK (true);

-- Early Action finds and records the young people it works with (force-wide, as the
-- operational roles do); it sees no episodes.
CREATE POLICY persons_early_action_read ON persons FOR SELECT TO homeward_app
    USING (hw_role() = 'early_action');
CREATE POLICY persons_early_action_insert ON persons FOR INSERT TO homeward_app
    WITH CHECK (hw_role() = 'early_action' AND created_by = hw_user_id());

-- Partners: the person behind a shared record, and only the shared parts of an episode.
CREATE POLICY persons_partner_read ON persons FOR SELECT TO homeward_app
    USING (hw_role() = 'partner' AND hw_person_shared_with_caller(id, 'summary'));
CREATE POLICY person_markers_partner_read ON person_markers FOR SELECT TO homeward_app
    USING (hw_role() = 'partner' AND hw_person_shared_with_caller(person_id, 'markers'));

DROP POLICY risk_gradings_read ON risk_gradings;
CREATE POLICY risk_gradings_read ON risk_gradings FOR SELECT TO homeward_app
    USING ((hw_role() <> 'partner' AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('episode', episode_id, 'risk')));
DROP POLICY supervisor_reviews_read ON supervisor_reviews;
CREATE POLICY supervisor_reviews_read ON supervisor_reviews FOR SELECT TO homeward_app
    USING ((hw_role() <> 'partner' AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('episode', episode_id, 'risk')));
DROP POLICY episode_returns_read ON episode_returns;
CREATE POLICY episode_returns_read ON episode_returns FOR SELECT TO homeward_app
    USING ((hw_role() <> 'partner' AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('episode', episode_id, 'return')));
DROP POLICY prevention_interviews_read ON prevention_interviews;
CREATE POLICY prevention_interviews_read ON prevention_interviews FOR SELECT TO homeward_app
    USING ((hw_role() <> 'partner' AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('episode', episode_id, 'return')));
DROP POLICY rhi_read ON return_home_interviews;
CREATE POLICY rhi_read ON return_home_interviews FOR SELECT TO homeward_app
    USING ((hw_role() <> 'partner' AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('episode', episode_id, 'return_interview')));

-- Partners now see shared episodes, so "the episode is visible" no longer means "an
-- operational user": writes to an episode's records say so explicitly. The one write a
-- partner makes is its own return home interview (as the provider, when shared).
DROP POLICY risk_gradings_insert ON risk_gradings;
CREATE POLICY risk_gradings_insert ON risk_gradings FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND graded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY episode_returns_insert ON episode_returns;
CREATE POLICY episode_returns_insert ON episode_returns FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND recorded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY prevention_interviews_insert ON prevention_interviews;
CREATE POLICY prevention_interviews_insert ON prevention_interviews FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND recorded_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY rhi_insert ON return_home_interviews;
CREATE POLICY rhi_insert ON return_home_interviews FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND updated_by = hw_user_id()
                AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY rhi_update ON return_home_interviews;
CREATE POLICY rhi_update ON return_home_interviews FOR UPDATE TO homeward_app
    USING ((hw_is_operational() AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
           OR (hw_role() = 'partner' AND provider_agency_id = hw_agency_id()
               AND hw_shared_with_caller('episode', episode_id, 'return_interview')))
    WITH CHECK (updated_by = hw_user_id()
                AND (hw_is_operational() OR provider_agency_id = hw_agency_id()));

-- The provider's partner records an interview's progress; the episode's version moves
-- on with it (partners cannot otherwise change episodes), so ETags stay honest.
CREATE FUNCTION hw_episode_touch_by_provider(p_episode uuid, p_version integer)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v integer;
BEGIN
    IF NOT (coalesce(hw_role() = 'partner', false)
            AND hw_shared_with_caller('episode', p_episode, 'return_interview')
            AND EXISTS (SELECT 1 FROM return_home_interviews r
                         WHERE r.episode_id = p_episode AND r.provider_agency_id = hw_agency_id())) THEN
        RAISE EXCEPTION 'not permitted: only the interview provider''s partners, with the interview shared' USING ERRCODE = '42501';
    END IF;
    UPDATE episodes SET version = version + 1, updated_at = now()
     WHERE id = p_episode AND version = p_version
    RETURNING version INTO v;
    RETURN v;
END $$;
REVOKE ALL ON FUNCTION hw_episode_touch_by_provider(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_episode_touch_by_provider(uuid, integer) TO homeward_app;

GRANT SELECT ON trigger_rules, trigger_rule_versions, triggers TO homeward_app;
GRANT INSERT, UPDATE ON trigger_rules TO homeward_app;
GRANT UPDATE (status, acknowledged_at, acknowledged_by, closed_at, closed_by, closure_note, assigned_to,
              version, updated_at) ON triggers TO homeward_app;
GRANT SELECT, INSERT, UPDATE ON trigger_plans, referrals, intervention_plans, actions, shares TO homeward_app;
GRANT SELECT, INSERT ON triage_meetings TO homeward_app;

RESET ROLE;
