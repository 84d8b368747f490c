-- Subject access (DPA 2018 s.45): everything Homeward holds about a person, for a data
-- protection officer, through one function (the dpo reads no case table directly).

-- Persons with every word of p_words (folded as search_names is) among the words of their
-- names or aliases, born on p_dob: the candidates a request describes. Whole words only
-- (`jo` does not find `major`); at most 21, so a caller can tell there were too many.
CREATE OR REPLACE FUNCTION hw_subject_access_candidates(p_words text[], p_dob date)
RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'subject access is for data protection officers' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT p.id FROM persons p
     WHERE p.date_of_birth = p_dob AND p.merged_into IS NULL AND p.disposed_at IS NULL
       AND p_words <@ regexp_split_to_array(p.search_names, '[[:space:]|]+')
     ORDER BY p.id
     LIMIT 21;
END
$$;

REVOKE ALL ON FUNCTION hw_subject_access_candidates(p_words text[], p_dob date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_subject_access_candidates(p_words text[], p_dob date) TO homeward_app;

-- Everything held about p_persons (and the duplicates merged into them, however deep), one array of
-- rows a table, with the disclosures made of it: shares, emails and the audit log's
-- disclosure entries. Rows are whole (to_jsonb), so a column added later is included.
-- Unknown ids are `missing`.
CREATE OR REPLACE FUNCTION hw_subject_access_bundle(p_persons uuid[])
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    ids uuid[];
    eps uuid[];
    trgs uuid[];
    refs uuid[];
    acts uuid[];
    shs uuid[];
    records uuid[];
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'subject access is for data protection officers' USING ERRCODE = '42501';
    END IF;
    SELECT coalesce(array_agg(DISTINCT x.id ORDER BY x.id), '{}') INTO ids
      FROM unnest(p_persons) AS q (id), unnest(hw_person_and_merged(q.id)) AS x (id);
    SELECT r.eps, r.trgs, r.refs, r.acts, r.shs INTO eps, trgs, refs, acts, shs
      FROM hw_records_of(ids) r;
    records := ids || eps || trgs || refs || acts || shs;
    RETURN jsonb_build_object(
        'missing', (SELECT coalesce(jsonb_agg(m), '[]') FROM unnest(p_persons) m WHERE m <> ALL (ids)),
        'persons', (SELECT coalesce(jsonb_agg(to_jsonb(x) - 'search_names' ORDER BY x.created_at), '[]')
                      FROM persons x WHERE x.id = ANY (ids)),
        'person_merges', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.merged_at), '[]')
                            FROM person_merges x WHERE x.survivor_id = ANY (ids) OR x.duplicate_id = ANY (ids)),
        'markers', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.recorded_at), '[]')
                      FROM person_markers x WHERE x.person_id = ANY (ids)),
        'placements', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.starts_on), '[]')
                         FROM placements x WHERE x.person_id = ANY (ids)),
        'protocol_profiles', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.recorded_at), '[]')
                                FROM protocol_profiles x WHERE x.person_id = ANY (ids)),
        'episodes', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.reported_at), '[]')
                       FROM episodes x WHERE x.id = ANY (eps)),
        'risk_gradings', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.graded_at), '[]')
                            FROM risk_gradings x WHERE x.episode_id = ANY (eps)),
        'supervisor_reviews', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.reviewed_at), '[]')
                                 FROM supervisor_reviews x WHERE x.episode_id = ANY (eps)),
        'episode_transfers', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.transferred_at), '[]')
                                FROM episode_transfers x WHERE x.episode_id = ANY (eps)),
        'returns', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.returned_at), '[]')
                      FROM episode_returns x WHERE x.episode_id = ANY (eps)),
        'prevention_interviews', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.conducted_at), '[]')
                                    FROM prevention_interviews x WHERE x.episode_id = ANY (eps)),
        'return_home_interviews', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.due_at), '[]')
                                     FROM return_home_interviews x WHERE x.episode_id = ANY (eps)),
        'triggers', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.fired_at), '[]')
                       FROM triggers x WHERE x.id = ANY (trgs)),
        'trigger_plans', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]')
                            FROM trigger_plans x WHERE x.trigger_id = ANY (trgs)),
        'referrals', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.created_at), '[]')
                        FROM referrals x WHERE x.id = ANY (refs)),
        'triage_meetings', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.held_on), '[]')
                              FROM triage_meetings x WHERE x.referral_id = ANY (refs)),
        'intervention_plans', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]')
                                 FROM intervention_plans x WHERE x.referral_id = ANY (refs)),
        'actions', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.created_at), '[]')
                      FROM actions x WHERE x.id = ANY (acts)),
        'national_alerts', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.alerted_at), '[]')
                              FROM episode_alerts x WHERE x.episode_id = ANY (eps)),
        'merge_moves', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]')
                          FROM person_merge_moves x JOIN person_merges m ON m.id = x.merge_id
                         WHERE m.survivor_id = ANY (ids) OR m.duplicate_id = ANY (ids)),
        'retention_decisions', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.decided_at), '[]')
                                  FROM retention_decisions x WHERE x.person_id = ANY (ids)),
        'restrictions', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.placed_at), '[]')
                           FROM restrictions x WHERE x.person_id = ANY (ids)),
        'rectification_notes', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.recorded_at), '[]')
                                  FROM rectification_notes x WHERE x.person_id = ANY (ids)),
        -- Earlier requests about them (what was asked and decided, not their content).
        'subject_access_requests', (SELECT coalesce(jsonb_agg(to_jsonb(x) - 'bundle' ORDER BY x.created_at), '[]')
                                      FROM subject_access_requests x WHERE x.person_ids && ids),
        'shares', (SELECT coalesce(jsonb_agg(to_jsonb(x) || jsonb_build_object('agency', g.name)
                                             ORDER BY x.shared_at), '[]')
                     FROM shares x JOIN agencies g ON g.id = x.agency_id WHERE x.id = ANY (shs)),
        -- Emails about these records: to whom, what, when (the bodies carry no names).
        'emails', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                              'id', o.id, 'event', o.event, 'recipient', o.recipient,
                              'recipient_kind', o.recipient_kind, 'subject', o.subject,
                              'record_type', o.record_type, 'record_id', o.record_id,
                              'status', o.status, 'created_at', o.created_at, 'sent_at', o.sent_at)
                              ORDER BY o.created_at), '[]')
                     FROM outbox o WHERE o.record_id = ANY (records)),
        -- Every disclosure the audit log holds of these records: who received what, when,
        -- why and on which basis.
        'disclosures', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                   'seq', l.seq, 'occurred_at', l.occurred_at, 'actor_id', l.actor_id,
                                   'actor_role', l.actor_role, 'record_type', l.record_type,
                                   'record_ids', l.record_ids, 'recipients', l.recipients,
                                   'purpose', l.purpose, 'lawful_basis', l.lawful_basis)
                                   ORDER BY l.seq), '[]')
                          FROM audit_log l
                         WHERE l.operation = 'disclosure' AND l.record_ids && records)
    );
END
$$;

REVOKE ALL ON FUNCTION hw_subject_access_bundle(p_persons uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_subject_access_bundle(p_persons uuid[]) TO homeward_app;

-- Open requests whose deadline is within p_days (kind 'due') or has passed ('overdue'),
-- each marked alerted in the same statement, so it is returned once per kind. Background.
CREATE OR REPLACE FUNCTION hw_subject_access_alerts(p_days integer)
RETURNS TABLE (id uuid, kind text, due_on date)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    PERFORM hw_require_background();
    RETURN QUERY
    WITH overdue AS (
        UPDATE subject_access_requests s SET overdue_alerted_at = now()
         WHERE s.status = 'open' AND s.overdue_alerted_at IS NULL
           AND s.due_on < hw_local_date(now())
        RETURNING s.id, 'overdue'::text AS kind, s.due_on
    ), due AS (
        UPDATE subject_access_requests s SET due_alerted_at = now()
         WHERE s.status = 'open' AND s.due_alerted_at IS NULL
           AND s.due_on >= hw_local_date(now()) AND s.due_on <= hw_local_date(now()) + p_days
        RETURNING s.id, 'due'::text AS kind, s.due_on
    )
    SELECT * FROM overdue UNION ALL SELECT * FROM due;
END
$$;

REVOKE ALL ON FUNCTION hw_subject_access_alerts(p_days integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_subject_access_alerts(p_days integer) TO homeward_app;

-- Active data protection officers' addresses (background work: the deadline alerts).
CREATE OR REPLACE FUNCTION hw_dpo_emails()
RETURNS TABLE (user_id uuid, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT hw_require_background();
    SELECT u.id, u.email FROM users u WHERE u.active AND u.role = 'dpo' ORDER BY u.email
$$;

REVOKE ALL ON FUNCTION hw_dpo_emails() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_dpo_emails() TO homeward_app;
