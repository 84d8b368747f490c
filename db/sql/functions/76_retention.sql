-- MoPI review and retention: when each person's record is next due for review.

-- One row a person (not merged away): their last activity (an episode closed or
-- cancelled, a referral closed, declined or redirected, a trigger closed or withdrawn, an
-- action done; their record's creation at the least), whether anything is still open (no
-- review while it is), whether a public-protection marker (CSE, CCE) was ever recorded,
-- and the next review: the latest retain decision's date, unless there has been activity
-- since it; else the last activity plus p_years (p_pp_years with such a marker). For data
-- protection officers; p_person limits it to one person. A person disposed of is no longer
-- reviewed.
CREATE OR REPLACE FUNCTION hw_retention_reviews(
    p_due_before date, p_years integer, p_pp_years integer, p_person uuid, p_after uuid,
    p_limit integer)
RETURNS TABLE (person_id uuid, given_name text, family_name text, date_of_birth date,
               last_activity_on date, active boolean, public_protection boolean,
               next_review_on date, last_decision text, last_decided_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
#variable_conflict use_column
BEGIN
    IF NOT hw_is_dpo() THEN
        RAISE EXCEPTION 'retention review is for data protection officers' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH people AS (
        SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.created_at
          FROM persons p
         WHERE p.merged_into IS NULL AND p.disposed_at IS NULL
           AND (p_person IS NULL OR p.id = p_person)
           AND (p_after IS NULL OR p.id > p_after)
    ), actions_of AS (
        SELECT coalesce(e.person_id, t.person_id, r.person_id) AS person_id, a.status, a.completed_at
          FROM actions a
          LEFT JOIN episodes e ON e.id = a.episode_id
          LEFT JOIN triggers t ON t.id = a.trigger_id
          LEFT JOIN referrals r ON r.id = a.referral_id
    ), activity AS (
        SELECT pe.id,
               greatest(pe.created_at,
                        (SELECT max(coalesce(e.closed_at, e.updated_at)) FROM episodes e
                          WHERE e.person_id = pe.id AND e.status IN ('closed', 'cancelled')),
                        (SELECT max(coalesce(r.closed_at, r.updated_at)) FROM referrals r
                          WHERE r.person_id = pe.id
                            AND r.status IN ('closed', 'declined', 'redirected')),
                        (SELECT max(coalesce(t.closed_at, t.withdrawn_at)) FROM triggers t
                          WHERE t.person_id = pe.id),
                        (SELECT max(x.completed_at) FROM actions_of x WHERE x.person_id = pe.id)
               ) AS last_at,
               EXISTS (SELECT 1 FROM episodes e WHERE e.person_id = pe.id
                          AND e.status NOT IN ('closed', 'cancelled'))
               OR EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = pe.id
                             AND r.status NOT IN ('closed', 'declined', 'redirected'))
               OR EXISTS (SELECT 1 FROM triggers t WHERE t.person_id = pe.id
                             AND t.closed_at IS NULL AND t.withdrawn_at IS NULL)
               OR EXISTS (SELECT 1 FROM actions_of x WHERE x.person_id = pe.id
                             AND x.status IN ('open', 'in_progress')) AS active,
               EXISTS (SELECT 1 FROM person_markers m WHERE m.person_id = pe.id
                          AND m.kind IN ('cse_risk', 'cce_risk')) AS pp
          FROM people pe
    ), decided AS (
        SELECT DISTINCT ON (d.person_id) d.person_id, d.decision, d.decided_at, d.next_review_on
          FROM retention_decisions d
         WHERE d.person_id IN (SELECT id FROM people)
         ORDER BY d.person_id, d.decided_at DESC
    ), reviewed AS (
        -- The last decision's date, unless there has been activity since it: then the
        -- policy's date from that activity.
        SELECT pe.id, a.last_at, a.active, a.pp, d.decision, d.decided_at,
               CASE WHEN a.active THEN NULL
                    WHEN d.decided_at IS NOT NULL AND a.last_at <= d.decided_at THEN d.next_review_on
                    ELSE (hw_local_date(a.last_at)
                          + make_interval(years => CASE WHEN a.pp THEN p_pp_years
                                                        ELSE p_years END))::date
               END AS next_on
          FROM people pe
          JOIN activity a ON a.id = pe.id
          LEFT JOIN decided d ON d.person_id = pe.id
    )
    SELECT pe.id, pe.given_name, pe.family_name, pe.date_of_birth,
           hw_local_date(r.last_at), r.active, r.pp, r.next_on, r.decision, r.decided_at
      FROM people pe
      JOIN reviewed r ON r.id = pe.id
     WHERE p_person IS NOT NULL OR (NOT r.active AND r.next_on < p_due_before)
     ORDER BY pe.id
     LIMIT p_limit;
END
$$;

REVOKE ALL ON FUNCTION hw_retention_reviews(p_due_before date, p_years integer, p_pp_years integer, p_person uuid, p_after uuid, p_limit integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_retention_reviews(p_due_before date, p_years integer, p_pp_years integer, p_person uuid, p_after uuid, p_limit integer) TO homeward_app;
