SET LOCAL ROLE homeward_owner;

DELETE FROM hw_rules_applied;
DO $drop$ DECLARE r record; BEGIN
  FOR r IN SELECT p.policyname, p.tablename FROM pg_policies p WHERE p.schemaname = 'public' LOOP
    EXECUTE format('DROP POLICY %I ON public.%I', r.policyname, r.tablename);
  END LOOP;
  FOR r IN SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND NOT t.tgisinternal LOOP
    EXECUTE format('DROP TRIGGER %I ON public.%I', r.tgname, r.relname);
  END LOOP;
END $drop$;

ALTER TABLE episodes
    ALTER COLUMN status TYPE text,
    ALTER COLUMN risk_level TYPE text,
    ALTER COLUMN missing_from TYPE text,
    ALTER COLUMN reported_by TYPE text,
    ALTER COLUMN reference TYPE text,
    ALTER COLUMN reporter_details TYPE text,
    ALTER COLUMN cancelled_reason TYPE text,
    ALTER COLUMN no_interview_reason TYPE text,
    ALTER COLUMN circumstances TYPE text,
    ALTER COLUMN last_seen_location TYPE text,
    ALTER COLUMN pnc_reference TYPE text,
    ALTER COLUMN ukmpu_reference TYPE text,
    ADD CONSTRAINT episodes_status_check CHECK (status IN ('reported', 'active', 'returned', 'closed', 'cancelled')),
    ADD CONSTRAINT episodes_risk_level_check CHECK (risk_level IN ('very_low', 'low', 'medium', 'high')),
    ADD CONSTRAINT episodes_missing_from_check CHECK (missing_from IN ('home', 'care_placement', 'hospital_or_medical', 'other')),
    ADD CONSTRAINT episodes_reported_by_check CHECK (reported_by IN ('parent', 'carer', 'childrens_home', 'hospital', 'school', 'police', 'self', 'other')),
    ADD CONSTRAINT episodes_reference_check CHECK (reference ~ '^[A-Z]{3}-[0-9]{4}-[0-9]{6}$'),
    ADD CONSTRAINT episodes_reporter_details_check CHECK (length(reporter_details) <= 500),
    ADD CONSTRAINT episodes_cancelled_reason_check CHECK (length(cancelled_reason) <= 2000),
    ADD CONSTRAINT episodes_no_interview_reason_check CHECK (length(no_interview_reason) <= 2000),
    ADD CONSTRAINT episodes_circumstances_check CHECK (length(circumstances) <= 10000),
    ADD CONSTRAINT episodes_last_seen_location_check CHECK (length(last_seen_location) BETWEEN 1 AND 500),
    ADD CONSTRAINT episodes_pnc_reference_check CHECK (length(pnc_reference) BETWEEN 1 AND 100),
    ADD CONSTRAINT episodes_ukmpu_reference_check CHECK (length(ukmpu_reference) BETWEEN 1 AND 100);

ALTER TABLE risk_gradings
    ALTER COLUMN from_level TYPE text,
    ALTER COLUMN to_level TYPE text,
    ALTER COLUMN grader_role TYPE text,
    ALTER COLUMN rationale TYPE text,
    ALTER COLUMN information TYPE text,
    ADD CONSTRAINT risk_gradings_from_level_check CHECK (from_level IN ('very_low', 'low', 'medium', 'high')),
    ADD CONSTRAINT risk_gradings_to_level_check CHECK (to_level IN ('very_low', 'low', 'medium', 'high')),
    ADD CONSTRAINT risk_gradings_grader_role_check CHECK (grader_role IN ('officer', 'supervisor', 'mfhc')),
    ADD CONSTRAINT risk_gradings_rationale_check CHECK (length(rationale) BETWEEN 1 AND 5000),
    ADD CONSTRAINT risk_gradings_information_check CHECK (length(information) BETWEEN 1 AND 5000);

ALTER TABLE audit_queue
    ALTER COLUMN operation TYPE text,
    ALTER COLUMN record_type TYPE text,
    ALTER COLUMN purpose TYPE text,
    ALTER COLUMN request_id TYPE text,
    ALTER COLUMN lawful_basis TYPE text,
    ADD CONSTRAINT audit_queue_operation_check CHECK (operation IN ('collection', 'alteration', 'consultation', 'disclosure', 'combination', 'erasure')),
    ADD CONSTRAINT audit_queue_record_type_check CHECK (length(record_type) BETWEEN 1 AND 60),
    ADD CONSTRAINT audit_queue_purpose_check CHECK (length(purpose) <= 500),
    ADD CONSTRAINT audit_queue_request_id_check CHECK (length(request_id) <= 100),
    ADD CONSTRAINT audit_queue_lawful_basis_check CHECK (length(lawful_basis) <= 500);

DROP DOMAIN hw_episode_status, hw_risk_level, hw_missing_from, hw_reported_by, hw_grader_role,
    hw_audit_operation, hw_episode_reference, hw_text_max_100, hw_text_max_500, hw_text_max_2000,
    hw_text_max_10000, hw_text_1_to_60, hw_text_1_to_100, hw_text_1_to_500, hw_text_1_to_5000;

RESET ROLE;
