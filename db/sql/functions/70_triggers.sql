-- Repeat-missing triggers: evaluation inputs, firing, withdrawal, escalation, rule versions.

CREATE OR REPLACE FUNCTION hw_trigger_escalate_due()
RETURNS TABLE (id uuid, district_id uuid) LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    UPDATE triggers t SET escalated_at = now(), updated_at = now()
     WHERE t.status = 'open' AND t.escalated_at IS NULL AND t.escalation_due_at <= now()
    RETURNING t.id, t.district_id
$$;

REVOKE ALL ON FUNCTION hw_trigger_escalate_due() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_trigger_escalate_due() TO homeward_app;

-- Fires a trigger, unless a live one for the rule and anchor exists (then false). The
-- basis must be the person's counted episodes; it is assigned to the district's MFHC.
CREATE OR REPLACE FUNCTION hw_trigger_fire(p_id uuid, p_person uuid, p_rule uuid, p_anchor uuid, p_basis uuid[],
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

REVOKE ALL ON FUNCTION hw_trigger_fire(p_id uuid, p_person uuid, p_rule uuid, p_anchor uuid, p_basis uuid[], p_window_start timestamp with time zone, p_window_end timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_trigger_fire(p_id uuid, p_person uuid, p_rule uuid, p_anchor uuid, p_basis uuid[], p_window_start timestamp with time zone, p_window_end timestamp with time zone) TO homeward_app;

-- The counted (not cancelled) episodes of a person, locking the person so evaluations
-- of one person run one at a time.
CREATE OR REPLACE FUNCTION hw_trigger_inputs(p_person uuid)
RETURNS TABLE (episode_id uuid, district_id uuid, reported_at timestamptz, date_of_birth date,
               out_of_area boolean, ever_high boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT hw_is_operational() THEN
        RAISE EXCEPTION 'not permitted: only operational roles evaluate triggers' USING ERRCODE = '42501';
    END IF;
    PERFORM 1 FROM persons p WHERE p.id = p_person FOR UPDATE;
    RETURN QUERY
    -- A person has few episodes: each one's gradings are probed through their index
    -- (LIMIT 1 keeps the planner from hashing every high grading there is instead).
    SELECT e.id, e.district_id, e.reported_at, p.date_of_birth,
           coalesce((SELECT pl.out_of_area FROM placements pl WHERE pl.id = e.placement_id), false),
           e.risk_level = 'high' OR h.high IS NOT NULL
      FROM episodes e JOIN persons p ON p.id = e.person_id
      LEFT JOIN LATERAL (SELECT true AS high FROM risk_gradings g
                          WHERE g.episode_id = e.id AND g.to_level = 'high' LIMIT 1) h ON true
     WHERE e.person_id = p_person AND e.status <> 'cancelled'
     ORDER BY e.reported_at, e.id;
END $$;

REVOKE ALL ON FUNCTION hw_trigger_inputs(p_person uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_trigger_inputs(p_person uuid) TO homeward_app;

-- The person's triggers that are not withdrawn.
CREATE OR REPLACE FUNCTION hw_trigger_live(p_person uuid)
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

REVOKE ALL ON FUNCTION hw_trigger_live(p_person uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_trigger_live(p_person uuid) TO homeward_app;

CREATE OR REPLACE FUNCTION hw_trigger_rule_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO trigger_rule_versions (rule_id, version, content, changed_by)
    VALUES (NEW.id, NEW.version, to_jsonb(NEW) - 'created_at' - 'updated_at', hw_user_id());
    RETURN NULL;
END $$;

-- Withdraws a live, unclosed trigger whose basis has gone: an episode cancelled or
-- moved to another person, (first-time) an earlier episode now recorded or a corrected
-- date of birth, (out of area) a corrected placement.
CREATE OR REPLACE FUNCTION hw_trigger_withdraw(p_id uuid, p_reason text)
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
                       AND hw_child_at(p.date_of_birth, e.reported_at)))
            -- the placement is no longer out of area
            OR (t.kind = 'out_of_area_placement' AND NOT EXISTS (
                    SELECT 1 FROM episodes e JOIN placements pl ON pl.id = e.placement_id
                     WHERE e.id = t.anchor_episode_id AND pl.out_of_area)));
    RETURN FOUND;
END $$;

REVOKE ALL ON FUNCTION hw_trigger_withdraw(p_id uuid, p_reason text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_trigger_withdraw(p_id uuid, p_reason text) TO homeward_app;
