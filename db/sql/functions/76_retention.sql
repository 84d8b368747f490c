-- MoPI review and retention: when each person's record is next due for review.

-- One row a person (not merged away, not disposed of), counting what the records merged
-- into theirs did too: their last activity (an episode closed or
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
    WITH RECURSIVE people AS (
        SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.created_at
          FROM persons p
         WHERE p.merged_into IS NULL AND p.disposed_at IS NULL
           AND (p_person IS NULL OR p.id = p_person)
           AND (p_after IS NULL OR p.id > p_after)
    ), family (root, id) AS (
        -- Each person with every record merged into theirs, however deep: what the
        -- duplicates did (and still have open) is the person's.
        SELECT pe.id, pe.id FROM people pe
        UNION ALL
        SELECT f.root, p.id FROM family f JOIN persons p ON p.merged_into = f.id
    ), eps AS (
        SELECT f.root, e.id,
               CASE WHEN e.status IN ('closed', 'cancelled') THEN coalesce(e.closed_at, e.updated_at) END AS done_at,
               e.status NOT IN ('closed', 'cancelled') AS open
          FROM family f JOIN episodes e ON e.person_id = f.id
    ), refs AS (
        SELECT f.root, r.id,
               CASE WHEN r.status IN ('closed', 'declined', 'redirected') THEN coalesce(r.closed_at, r.updated_at) END AS done_at,
               r.status NOT IN ('closed', 'declined', 'redirected') AS open
          FROM family f JOIN referrals r ON r.person_id = f.id
    ), trgs AS (
        SELECT f.root, t.id, coalesce(t.closed_at, t.withdrawn_at) AS done_at,
               t.closed_at IS NULL AND t.withdrawn_at IS NULL AS open
          FROM family f JOIN triggers t ON t.person_id = f.id
    ), acts AS (
        SELECT x.root, a.completed_at AS done_at, a.status IN ('open', 'in_progress') AS open
          FROM eps x JOIN actions a ON a.episode_id = x.id
        UNION ALL
        SELECT x.root, a.completed_at, a.status IN ('open', 'in_progress')
          FROM trgs x JOIN actions a ON a.trigger_id = x.id
        UNION ALL
        SELECT x.root, a.completed_at, a.status IN ('open', 'in_progress')
          FROM refs x JOIN actions a ON a.referral_id = x.id
    ), done AS (
        SELECT u.root, max(u.done_at) AS last_at, bool_or(u.open) AS open
          FROM (SELECT root, done_at, open FROM eps
                UNION ALL SELECT root, done_at, open FROM refs
                UNION ALL SELECT root, done_at, open FROM trgs
                UNION ALL SELECT root, done_at, open FROM acts) u
         GROUP BY u.root
    ), marked AS (
        SELECT DISTINCT f.root FROM family f JOIN person_markers m ON m.person_id = f.id
         WHERE m.kind IN ('cse_risk', 'cce_risk')
    ), activity AS (
        SELECT pe.id, greatest(pe.created_at, d.last_at) AS last_at,
               coalesce(d.open, false) AS active, mk.root IS NOT NULL AS pp
          FROM people pe
          LEFT JOIN done d ON d.root = pe.id
          LEFT JOIN marked mk ON mk.root = pe.id
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
