-- Disposal (MoPI): a person's personal data erased everywhere Homeward keeps it, leaving
-- only what the measures and datasets count, in anonymous form, so every published figure
-- and baseline stays exactly as it was.

-- A date of birth that is not the person's but gives each of their episodes the same age
-- group (child or adult, at the episode's report and at its last sighting, as every
-- measure definition may take it): chosen at random within a year of the real one. NULL
-- when the person has no episodes (nothing counts their age). When every other date in
-- that year would move an episode across the 18th birthday, the record's own dates pin it,
-- and the real one is kept (the episodes' timeline then says as much without it).
CREATE OR REPLACE FUNCTION hw_anonymous_birth_date(p_persons uuid[], p_dob date) RETURNS date
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    WITH moments AS (
        SELECT t.at FROM episodes e, LATERAL (VALUES (e.reported_at), (e.last_seen_at)) AS t (at)
         WHERE e.person_id = ANY (p_persons)
    )
    SELECT CASE
        WHEN p_dob IS NULL OR NOT EXISTS (SELECT 1 FROM moments) THEN NULL
        ELSE coalesce(
            (SELECT p_dob + k FROM generate_series(-366, 366) AS k
              WHERE k <> 0 AND p_dob + k > date '1900-01-01'
                AND NOT EXISTS (SELECT 1 FROM moments m
                                 WHERE hw_child_at(p_dob, m.at) <> hw_child_at(p_dob + k, m.at))
              ORDER BY random() LIMIT 1),
            p_dob)
    END
$$;

REVOKE ALL ON FUNCTION hw_anonymous_birth_date(p_persons uuid[], p_dob date) FROM PUBLIC;

-- Erases a person (and the duplicates merged into them, however deep): names, aliases, the search index,
-- the date of birth (replaced as above), home and authority; every free-text field of their
-- episodes, returns, transfers, markers and placements; and every record no measure or
-- dataset counts (gradings, reviews, interviews, return home interviews, national alerts,
-- triggers and their plans, referrals with their triage and plans, actions, shares,
-- protocol profiles, merges). Emails about their records keep who was sent what kind of
-- message and when, and lose their subject and body (unsent ones are not sent). Decided
-- subject access requests about them keep their dates and outcome and lose the requester,
-- the reasons and the bundle (one that also named others keeps them and loses this
-- person). Refused while anything of theirs is open, a subject access request about them
-- among it, or while they are restricted. Purposes on the audit log entries about their records are erased
-- (the chain keeps their digests). The episodes' dates, districts, settings and age groups stay,
-- hidden from everyone (disposed_at), for the measures. Returns the ids of every record
-- erased or deleted, for the audit log (which keeps ids, never content). For data
-- protection officers; the caller has checked the review (nothing open, the record due).
CREATE OR REPLACE FUNCTION hw_dispose_person(p_person uuid) RETURNS uuid[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    target persons%ROWTYPE;
    ids uuid[];
    eps uuid[];
    trgs uuid[];
    refs uuid[];
    acts uuid[];
    shs uuid[];
    others uuid[];
    records uuid[];
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'not permitted: disposal is for data protection officers' USING ERRCODE = '42501';
    END IF;
    -- Locked first: a report, referral, merge or restriction waits for this, and what is
    -- checked below stays true until it commits.
    SELECT * INTO target FROM persons WHERE id = p_person FOR UPDATE;
    IF NOT FOUND OR target.merged_into IS NOT NULL THEN
        RAISE EXCEPTION 'not found: no such person' USING ERRCODE = 'P0002';
    END IF;
    IF target.disposed_at IS NOT NULL THEN
        RAISE EXCEPTION 'disposed: the person''s record was disposed of on %', target.disposed_at::date
            USING ERRCODE = '55000';
    END IF;
    IF target.restricted THEN
        RAISE EXCEPTION 'conflict: the person''s records are restricted; lift the restriction before disposal'
            USING ERRCODE = '55000';
    END IF;
    ids := hw_person_and_merged(p_person);
    -- Their episodes, triggers and referrals locked too: a write under one of them (an
    -- action, a share) share-locks it (hw_parent_state), so one in flight finishes first
    -- and is erased with the rest, and one after finds its parent gone or disposed of.
    PERFORM 1 FROM persons WHERE id = ANY (ids) ORDER BY id FOR UPDATE;
    PERFORM 1 FROM episodes WHERE person_id = ANY (ids) ORDER BY id FOR UPDATE;
    PERFORM 1 FROM triggers WHERE person_id = ANY (ids) ORDER BY id FOR UPDATE;
    PERFORM 1 FROM referrals WHERE person_id = ANY (ids) ORDER BY id FOR UPDATE;
    SELECT r.eps, r.trgs, r.refs, r.acts, r.shs INTO eps, trgs, refs, acts, shs
      FROM hw_records_of(ids) r;
    -- Nothing of theirs (or of a record merged into theirs) may still be in use.
    IF EXISTS (SELECT 1 FROM episodes WHERE id = ANY (eps) AND status NOT IN ('closed', 'cancelled'))
       OR EXISTS (SELECT 1 FROM referrals WHERE id = ANY (refs) AND status NOT IN ('closed', 'declined', 'redirected'))
       OR EXISTS (SELECT 1 FROM triggers WHERE id = ANY (trgs) AND closed_at IS NULL AND withdrawn_at IS NULL)
       OR EXISTS (SELECT 1 FROM actions WHERE id = ANY (acts) AND status IN ('open', 'in_progress')) THEN
        RAISE EXCEPTION 'conflict: the person has an episode, referral, trigger or action still open: the record is in use, not under review'
            USING ERRCODE = '55000';
    END IF;
    IF EXISTS (SELECT 1 FROM subject_access_requests WHERE person_ids && ids AND status = 'open') THEN
        RAISE EXCEPTION 'conflict: a subject access request about the person is still open: decide it before disposal'
            USING ERRCODE = '55000';
    END IF;
    SELECT coalesce(array_agg(x.id), '{}') INTO others FROM (
        SELECT id FROM person_markers WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM placements WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM protocol_profiles WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM person_merges WHERE survivor_id = ANY (ids) OR duplicate_id = ANY (ids)
        UNION ALL SELECT id FROM risk_gradings WHERE episode_id = ANY (eps)
        UNION ALL SELECT id FROM supervisor_reviews WHERE episode_id = ANY (eps)
        UNION ALL SELECT id FROM episode_transfers WHERE episode_id = ANY (eps)
        UNION ALL SELECT id FROM triage_meetings WHERE referral_id = ANY (refs)
        UNION ALL SELECT id FROM subject_access_requests WHERE person_ids && ids
        UNION ALL SELECT id FROM restrictions WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM rectification_notes WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM retention_decisions WHERE person_id = ANY (ids)
        UNION ALL SELECT id FROM outbox WHERE record_id = ANY (ids || eps || trgs || refs || acts || shs)
    ) x;
    records := ids || eps || trgs || refs || acts || shs || others;

    -- What no measure or dataset counts: deleted, children first.
    DELETE FROM actions WHERE id = ANY (acts);
    DELETE FROM shares WHERE id = ANY (shs);
    DELETE FROM triage_meetings WHERE referral_id = ANY (refs);
    DELETE FROM intervention_plans WHERE referral_id = ANY (refs);
    DELETE FROM referrals WHERE id = ANY (refs);
    DELETE FROM trigger_plans WHERE trigger_id = ANY (trgs);
    DELETE FROM triggers WHERE id = ANY (trgs);
    DELETE FROM risk_gradings WHERE episode_id = ANY (eps);
    DELETE FROM supervisor_reviews WHERE episode_id = ANY (eps);
    DELETE FROM prevention_interviews WHERE episode_id = ANY (eps);
    DELETE FROM return_home_interviews WHERE episode_id = ANY (eps);
    DELETE FROM episode_alerts WHERE episode_id = ANY (eps);
    DELETE FROM protocol_profiles WHERE person_id = ANY (ids);
    DELETE FROM person_merge_moves WHERE merge_id IN
        (SELECT id FROM person_merges WHERE survivor_id = ANY (ids) OR duplicate_id = ANY (ids));
    DELETE FROM person_merges WHERE survivor_id = ANY (ids) OR duplicate_id = ANY (ids);

    -- What the measures and datasets count: kept, with nothing that says who or what.
    UPDATE episodes
       SET reporter_details = '', last_seen_location = '[erased]', circumstances = '',
           cancelled_reason = CASE WHEN cancelled_reason IS NULL THEN NULL ELSE '[erased]' END,
           no_interview_reason = NULL,
           ukmpu_reference = CASE WHEN ukmpu_reference IS NULL THEN NULL ELSE '[erased]' END,
           pnc_reference = CASE WHEN pnc_reference IS NULL THEN NULL ELSE '[erased]' END,
           next_review_due = NULL, disposed_at = now(), updated_at = now()
     WHERE id = ANY (eps);
    UPDATE episode_returns
       SET location = '[erased]', found_by = '', harm_details = ''
     WHERE episode_id = ANY (eps);
    UPDATE episode_transfers SET reason = '[erased]' WHERE episode_id = ANY (eps);
    UPDATE person_markers
       SET source = '[erased]', details = '',
           ended_reason = CASE WHEN ended_reason IS NULL THEN NULL ELSE '[erased]' END
     WHERE person_id = ANY (ids);
    -- The authorities are councils' codes (out_of_area is derived from them), not about
    -- the person; the provider may name a family or carer.
    UPDATE placements SET provider = '' WHERE person_id = ANY (ids);
    UPDATE persons
       SET given_name = '[erased]', family_name = '[erased]', aliases = '{}', search_names = '',
           date_of_birth = hw_anonymous_birth_date(ids, date_of_birth),
           home_district_id = NULL, local_authority = NULL,
           disposed_at = now(), updated_at = now(), version = version + 1
     WHERE id = ANY (ids);

    -- Records about them, kept as what was done and when.
    UPDATE retention_decisions
       SET note = CASE WHEN reason = 'other' THEN '[erased]' ELSE NULL END
     WHERE person_id = ANY (ids);
    UPDATE restrictions
       SET reason = '[erased]', lift_reason = CASE WHEN lift_reason IS NULL THEN NULL ELSE '[erased]' END
     WHERE person_id = ANY (ids);
    UPDATE rectification_notes SET request = '[erased]', outcome = '[erased]' WHERE person_id = ANY (ids);
    -- A decided request about them alone keeps its dates and outcome; one that also named
    -- others keeps those others and loses them (its bundle, a copy of what was released,
    -- goes: the release itself stays on the audit log).
    UPDATE subject_access_requests
       SET requester = '[erased]', reason = '[erased]', bundle = '{}'::jsonb,
           extension_reason = CASE WHEN extension_reason IS NULL THEN NULL ELSE '[erased]' END,
           decision_note = CASE WHEN decision_note IS NULL THEN NULL ELSE '[erased]' END
     WHERE person_ids <@ ids;
    UPDATE subject_access_requests s
       SET person_ids = (SELECT array_agg(x ORDER BY x) FROM unnest(s.person_ids) x WHERE x <> ALL (ids)),
           bundle = '{}'::jsonb
     WHERE s.person_ids && ids AND NOT s.person_ids <@ ids;
    UPDATE outbox
       SET subject = '[erased]', body_text = '', body_html = '',
           status = CASE WHEN status IN ('pending', 'sending') THEN 'dead' ELSE status END,
           dead_at = CASE WHEN status IN ('pending', 'sending') THEN now() ELSE dead_at END,
           locked_by = CASE WHEN status IN ('pending', 'sending') THEN NULL ELSE locked_by END,
           locked_until = CASE WHEN status IN ('pending', 'sending') THEN NULL ELSE locked_until END,
           last_error = CASE WHEN status IN ('pending', 'sending') THEN 'not sent: the record was disposed of'
                             ELSE last_error END
     WHERE record_id = ANY (ids || eps || trgs || refs || acts || shs);
    -- Purposes written about them (a share's, a request's X-Purpose) may name them: erased
    -- from the audit log, whose chain covers their digests (the caller sealed the queue).
    UPDATE audit_log SET purpose = NULL, purpose_salt = NULL
     WHERE record_ids && records AND purpose IS NOT NULL AND purpose_digest IS NOT NULL;
    RETURN records;
END $$;

REVOKE ALL ON FUNCTION hw_dispose_person(p_person uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_dispose_person(p_person uuid) TO homeward_app;

-- When a person was disposed of, for those who may know (the roles that read persons
-- force-wide, and data protection officers); NULL otherwise, and for anyone else.
CREATE OR REPLACE FUNCTION hw_person_disposed_at(p_person uuid) RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT p.disposed_at FROM persons p
     WHERE p.id = p_person
       AND coalesce(hw_role() IN ('officer', 'supervisor', 'mfhc', 'early_action', 'dpo'), false)
$$;

REVOKE ALL ON FUNCTION hw_person_disposed_at(p_person uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_person_disposed_at(p_person uuid) TO homeward_app;
