-- MoPI review and retention: when each person's record is next due for review.

-- One row a person (not merged away): their last activity (an episode closed or
-- cancelled, a referral closed, an action done; their record's creation at the least),
-- whether anything is still open (no review while it is), whether a public-protection
-- marker (CSE, CCE) was ever recorded, and the next review: the latest retain decision's
-- date, else the last activity plus p_years (p_pp_years with such a marker). For data
-- protection officers; p_person limits it to one person.
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
         WHERE p.merged_into IS NULL
           AND (p_person IS NULL OR p.id = p_person)
           AND (p_after IS NULL OR p.id > p_after)
    ), activity AS (
        SELECT pe.id,
               greatest(pe.created_at,
                        (SELECT max(coalesce(e.closed_at, e.updated_at)) FROM episodes e
                          WHERE e.person_id = pe.id AND e.status IN ('closed', 'cancelled')),
                        (SELECT max(r.closed_at) FROM referrals r WHERE r.person_id = pe.id),
                        (SELECT max(a.completed_at) FROM actions a
                           JOIN episodes e ON e.id = a.episode_id WHERE e.person_id = pe.id),
                        (SELECT max(a.completed_at) FROM actions a
                           JOIN referrals r ON r.id = a.referral_id WHERE r.person_id = pe.id)
               ) AS last_at,
               EXISTS (SELECT 1 FROM episodes e WHERE e.person_id = pe.id
                          AND e.status NOT IN ('closed', 'cancelled'))
               OR EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = pe.id
                             AND r.status <> 'closed' AND r.status <> 'declined'
                             AND r.status <> 'redirected') AS active,
               EXISTS (SELECT 1 FROM person_markers m WHERE m.person_id = pe.id
                          AND m.kind IN ('cse_risk', 'cce_risk')) AS pp
          FROM people pe
    ), decided AS (
        SELECT DISTINCT ON (d.person_id) d.person_id, d.decision, d.decided_at, d.next_review_on
          FROM retention_decisions d
         WHERE d.person_id IN (SELECT id FROM people)
         ORDER BY d.person_id, d.decided_at DESC
    )
    SELECT pe.id, pe.given_name, pe.family_name, pe.date_of_birth,
           hw_local_date(a.last_at), a.active, a.pp,
           CASE WHEN a.active THEN NULL
                ELSE coalesce(d.next_review_on,
                              (hw_local_date(a.last_at)
                               + make_interval(years => CASE WHEN a.pp THEN p_pp_years ELSE p_years END))::date)
           END,
           d.decision, d.decided_at
      FROM people pe
      JOIN activity a ON a.id = pe.id
      LEFT JOIN decided d ON d.person_id = pe.id
     WHERE p_person IS NOT NULL
        OR (NOT a.active AND coalesce(d.next_review_on,
              (hw_local_date(a.last_at)
               + make_interval(years => CASE WHEN a.pp THEN p_pp_years ELSE p_years END))::date)
            < p_due_before)
     ORDER BY pe.id
     LIMIT p_limit;
END
$$;

REVOKE ALL ON FUNCTION hw_retention_reviews(p_due_before date, p_years integer, p_pp_years integer, p_person uuid, p_after uuid, p_limit integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_retention_reviews(p_due_before date, p_years integer, p_pp_years integer, p_person uuid, p_after uuid, p_limit integer) TO homeward_app;
