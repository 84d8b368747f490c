-- Sharing: whether a record part is shared with the caller's agency, in force.

CREATE OR REPLACE FUNCTION hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text)
RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    RETURN coalesce(hw_role() = 'partner', false) AND EXISTS (
        SELECT 1 FROM shares s JOIN agencies a ON a.id = s.agency_id
         WHERE s.record_type = p_record_type AND s.record_id = p_record_id
           AND s.agency_id = hw_agency_id() AND a.active
           AND p_part = ANY (s.parts) AND s.revoked_at IS NULL
           AND (s.expires_at IS NULL OR s.expires_at > now()))
       -- A restricted record is read only with a stated reason (77_restriction.sql).
       AND (hw_access_reason() IS NOT NULL
            OR NOT hw_record_restricted(CASE p_record_type WHEN 'episode' THEN 'episodes'
                                                           WHEN 'trigger' THEN 'triggers'
                                                           ELSE 'referrals' END, p_record_id));
END
$$;

REVOKE ALL ON FUNCTION hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text) TO homeward_app;

CREATE OR REPLACE FUNCTION hw_person_shared_with_caller(p_person uuid, p_part text)
RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    RETURN coalesce(hw_role() = 'partner', false) AND EXISTS (
        SELECT 1 FROM shares s JOIN agencies a ON a.id = s.agency_id
         WHERE s.agency_id = hw_agency_id() AND a.active
           AND p_part = ANY (s.parts) AND s.revoked_at IS NULL
           AND (s.expires_at IS NULL OR s.expires_at > now())
           AND CASE s.record_type
                 WHEN 'episode' THEN EXISTS (SELECT 1 FROM episodes e WHERE e.id = s.record_id AND e.person_id = p_person)
                 WHEN 'trigger' THEN EXISTS (SELECT 1 FROM triggers t WHERE t.id = s.record_id AND t.person_id = p_person)
                 ELSE EXISTS (SELECT 1 FROM referrals r WHERE r.id = s.record_id AND r.person_id = p_person)
               END)
       AND (hw_access_reason() IS NOT NULL OR NOT hw_record_restricted('persons', p_person));
END
$$;

REVOKE ALL ON FUNCTION hw_person_shared_with_caller(p_person uuid, p_part text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_person_shared_with_caller(p_person uuid, p_part text) TO homeward_app;

-- Whether `user` is an active user of `agency` (the users table is admin-only).
CREATE OR REPLACE FUNCTION hw_user_in_agency(p_user uuid, p_agency uuid)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT (hw_is_case_worker() OR (hw_role() = 'partner' AND p_agency = hw_agency_id())) AND EXISTS (
        SELECT 1 FROM users u WHERE u.id = p_user AND u.agency_id = p_agency AND u.active)
$$;

REVOKE ALL ON FUNCTION hw_user_in_agency(p_user uuid, p_agency uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_user_in_agency(p_user uuid, p_agency uuid) TO homeward_app;
