-- Person merges: moving a duplicate's records, across districts.

-- Moves (or, undoing, moves back) every record of a merge. SECURITY DEFINER because a
-- person is force-wide but their episodes are district-scoped: a merge must move the
-- episodes the merging user cannot see, or it would lose them. It acts only on a merge
-- the caller recorded (or is undoing) in this transaction.
CREATE OR REPLACE FUNCTION hw_person_merge_apply(p_merge uuid, p_undo boolean)
RETURNS TABLE (record_type text, record_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    m person_merges;
BEGIN
    IF NOT coalesce(hw_role() IN ('mfhc', 'supervisor'), false) THEN
        RAISE EXCEPTION 'only MFHCs and supervisors merge person records' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO m FROM person_merges WHERE id = p_merge FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such merge' USING ERRCODE = '42501';
    END IF;
    IF NOT p_undo THEN
        IF m.merged_by <> hw_user_id() OR m.undone_at IS NOT NULL
           OR EXISTS (SELECT 1 FROM person_merge_moves mv WHERE mv.merge_id = p_merge) THEN
            RAISE EXCEPTION 'merge % is not being recorded by this user', p_merge USING ERRCODE = '42501';
        END IF;
        RETURN QUERY
        WITH e AS (UPDATE episodes SET person_id = m.survivor_id, version = version + 1, updated_at = now()
                    WHERE person_id = m.duplicate_id RETURNING 'episode'::text AS t, id),
             k AS (UPDATE person_markers SET person_id = m.survivor_id, version = version + 1, updated_at = now()
                    WHERE person_id = m.duplicate_id RETURNING 'marker'::text AS t, id),
             p AS (UPDATE placements SET person_id = m.survivor_id, version = version + 1, updated_at = now()
                    WHERE person_id = m.duplicate_id RETURNING 'placement'::text AS t, id),
             -- A protocol the survivor already has stays with the duplicate's record.
             f AS (UPDATE protocol_profiles pp SET person_id = m.survivor_id, version = pp.version + 1, updated_at = now()
                    WHERE pp.person_id = m.duplicate_id
                      AND NOT EXISTS (SELECT 1 FROM protocol_profiles s
                                       WHERE s.person_id = m.survivor_id AND s.protocol = pp.protocol)
                    RETURNING 'protocol_profile'::text AS t, pp.id),
             moved AS (SELECT * FROM e UNION ALL SELECT * FROM k UNION ALL SELECT * FROM p UNION ALL SELECT * FROM f),
             ins AS (INSERT INTO person_merge_moves (merge_id, record_type, record_id)
                     SELECT p_merge, moved.t, moved.id FROM moved
                     RETURNING person_merge_moves.record_type, person_merge_moves.record_id)
        SELECT ins.record_type, ins.record_id FROM ins;
    ELSE
        IF m.undone_by IS DISTINCT FROM hw_user_id() THEN
            RAISE EXCEPTION 'merge % is not being undone by this user', p_merge USING ERRCODE = '42501';
        END IF;
        -- Only what is still with the survivor goes back.
        RETURN QUERY
        WITH mv AS (SELECT x.record_type AS t, x.record_id AS rid FROM person_merge_moves x WHERE x.merge_id = p_merge),
             e AS (UPDATE episodes SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'episode' AND episodes.id = mv.rid AND episodes.person_id = m.survivor_id
                    RETURNING 'episode'::text AS t, episodes.id),
             k AS (UPDATE person_markers SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'marker' AND person_markers.id = mv.rid AND person_markers.person_id = m.survivor_id
                    RETURNING 'marker'::text AS t, person_markers.id),
             p AS (UPDATE placements SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'placement' AND placements.id = mv.rid AND placements.person_id = m.survivor_id
                    RETURNING 'placement'::text AS t, placements.id),
             f AS (UPDATE protocol_profiles SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'protocol_profile' AND protocol_profiles.id = mv.rid
                      AND protocol_profiles.person_id = m.survivor_id
                    RETURNING 'protocol_profile'::text AS t, protocol_profiles.id)
        SELECT * FROM e UNION ALL SELECT * FROM k UNION ALL SELECT * FROM p UNION ALL SELECT * FROM f;
    END IF;
END $$;

REVOKE ALL ON FUNCTION hw_person_merge_apply(p_merge uuid, p_undo boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_person_merge_apply(p_merge uuid, p_undo boolean) TO homeward_app;

-- A person and every record merged into them, however long the chain of merges (a
-- duplicate may itself have absorbed others before it was merged): the ids subject
-- access, restriction, rectification and disposal act on. Empty for no such person.
-- For the definer functions that use it, never the runtime role.
CREATE OR REPLACE FUNCTION hw_person_and_merged(p_person uuid) RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH RECURSIVE family (id) AS (
        SELECT p.id FROM persons p WHERE p.id = p_person
        UNION
        SELECT p.id FROM persons p JOIN family f ON p.merged_into = f.id
    )
    SELECT coalesce(array_agg(f.id ORDER BY f.id), '{}') FROM family f
$$;

REVOKE ALL ON FUNCTION hw_person_and_merged(p_person uuid) FROM PUBLIC;

-- The records hanging off persons p_ids (as hw_person_and_merged gives them): their
-- episodes, triggers and referrals, the actions on any of those, and the shares of them.
-- One home for what "a person's records" means to subject access, rectification and
-- disposal. For the definer functions that use it, never the runtime role.
CREATE OR REPLACE FUNCTION hw_records_of(p_ids uuid[], OUT eps uuid[], OUT trgs uuid[],
                                         OUT refs uuid[], OUT acts uuid[], OUT shs uuid[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    SELECT coalesce(array_agg(e.id), '{}') INTO eps FROM episodes e WHERE e.person_id = ANY (p_ids);
    SELECT coalesce(array_agg(t.id), '{}') INTO trgs FROM triggers t WHERE t.person_id = ANY (p_ids);
    SELECT coalesce(array_agg(r.id), '{}') INTO refs FROM referrals r WHERE r.person_id = ANY (p_ids);
    SELECT coalesce(array_agg(a.id), '{}') INTO acts FROM actions a
     WHERE a.episode_id = ANY (eps) OR a.trigger_id = ANY (trgs) OR a.referral_id = ANY (refs);
    SELECT coalesce(array_agg(s.id), '{}') INTO shs FROM shares s
     WHERE s.record_id = ANY (eps || trgs || refs);
END $$;

REVOKE ALL ON FUNCTION hw_records_of(p_ids uuid[]) FROM PUBLIC;
