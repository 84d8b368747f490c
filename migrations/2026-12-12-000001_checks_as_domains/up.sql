SET LOCAL ROLE homeward_owner;

-- Issue 21: a report's single-column checks as domains. Postgres reads a table's CHECK
-- constraints back from their stored text (and plans them) in every statement that
-- writes the table; a domain's constraints are kept per connection, and an UPDATE checks
-- only the columns it sets. A report writes an episode twice (the insert, then its
-- reference), a grading and an audit row: 48 checks read back a report before, 14 now.
-- The checks that compare columns stay on their tables.

-- Every policy and trigger is dropped first (a column's type cannot change under one
-- that names it, on its own table or another's); the rules in db/sql put them all back
-- after the migrations, as they do whenever they change. Until then the runtime role
-- reads and writes nothing (row-level security is forced and no policy lets it).
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

CREATE DOMAIN hw_episode_status AS text
    CHECK (VALUE IN ('reported', 'active', 'returned', 'closed', 'cancelled'));
CREATE DOMAIN hw_risk_level AS text CHECK (VALUE IN ('very_low', 'low', 'medium', 'high'));
CREATE DOMAIN hw_missing_from AS text
    CHECK (VALUE IN ('home', 'care_placement', 'hospital_or_medical', 'other'));
CREATE DOMAIN hw_reported_by AS text
    CHECK (VALUE IN ('parent', 'carer', 'childrens_home', 'hospital', 'school', 'police', 'self', 'other'));
CREATE DOMAIN hw_grader_role AS text CHECK (VALUE IN ('officer', 'supervisor', 'mfhc'));
CREATE DOMAIN hw_audit_operation AS text
    CHECK (VALUE IN ('collection', 'alteration', 'consultation', 'disclosure', 'combination', 'erasure'));
CREATE DOMAIN hw_episode_reference AS text CHECK (VALUE ~ '^[A-Z]{3}-[0-9]{4}-[0-9]{6}$');
CREATE DOMAIN hw_text_max_100 AS text CHECK (length(VALUE) <= 100);
CREATE DOMAIN hw_text_max_500 AS text CHECK (length(VALUE) <= 500);
CREATE DOMAIN hw_text_max_2000 AS text CHECK (length(VALUE) <= 2000);
CREATE DOMAIN hw_text_max_10000 AS text CHECK (length(VALUE) <= 10000);
CREATE DOMAIN hw_text_1_to_60 AS text CHECK (length(VALUE) BETWEEN 1 AND 60);
CREATE DOMAIN hw_text_1_to_100 AS text CHECK (length(VALUE) BETWEEN 1 AND 100);
CREATE DOMAIN hw_text_1_to_500 AS text CHECK (length(VALUE) BETWEEN 1 AND 500);
CREATE DOMAIN hw_text_1_to_5000 AS text CHECK (length(VALUE) BETWEEN 1 AND 5000);

ALTER TABLE episodes
    DROP CONSTRAINT episodes_status_check,
    DROP CONSTRAINT episodes_risk_level_check,
    DROP CONSTRAINT episodes_missing_from_check,
    DROP CONSTRAINT episodes_reported_by_check,
    DROP CONSTRAINT episodes_reference_check,
    DROP CONSTRAINT episodes_reporter_details_check,
    DROP CONSTRAINT episodes_cancelled_reason_check,
    DROP CONSTRAINT episodes_no_interview_reason_check,
    DROP CONSTRAINT episodes_circumstances_check,
    DROP CONSTRAINT episodes_last_seen_location_check,
    DROP CONSTRAINT episodes_pnc_reference_check,
    DROP CONSTRAINT episodes_ukmpu_reference_check,
    ALTER COLUMN status TYPE hw_episode_status,
    ALTER COLUMN risk_level TYPE hw_risk_level,
    ALTER COLUMN missing_from TYPE hw_missing_from,
    ALTER COLUMN reported_by TYPE hw_reported_by,
    ALTER COLUMN reference TYPE hw_episode_reference,
    ALTER COLUMN reporter_details TYPE hw_text_max_500,
    ALTER COLUMN cancelled_reason TYPE hw_text_max_2000,
    ALTER COLUMN no_interview_reason TYPE hw_text_max_2000,
    ALTER COLUMN circumstances TYPE hw_text_max_10000,
    ALTER COLUMN last_seen_location TYPE hw_text_1_to_500,
    ALTER COLUMN pnc_reference TYPE hw_text_1_to_100,
    ALTER COLUMN ukmpu_reference TYPE hw_text_1_to_100;

ALTER TABLE risk_gradings
    DROP CONSTRAINT risk_gradings_from_level_check,
    DROP CONSTRAINT risk_gradings_to_level_check,
    DROP CONSTRAINT risk_gradings_grader_role_check,
    DROP CONSTRAINT risk_gradings_rationale_check,
    DROP CONSTRAINT risk_gradings_information_check,
    ALTER COLUMN from_level TYPE hw_risk_level,
    ALTER COLUMN to_level TYPE hw_risk_level,
    ALTER COLUMN grader_role TYPE hw_grader_role,
    ALTER COLUMN rationale TYPE hw_text_1_to_5000,
    ALTER COLUMN information TYPE hw_text_1_to_5000;

ALTER TABLE audit_queue
    DROP CONSTRAINT audit_queue_operation_check,
    DROP CONSTRAINT audit_queue_record_type_check,
    DROP CONSTRAINT audit_queue_purpose_check,
    DROP CONSTRAINT audit_queue_request_id_check,
    DROP CONSTRAINT audit_queue_lawful_basis_check,
    ALTER COLUMN operation TYPE hw_audit_operation,
    ALTER COLUMN record_type TYPE hw_text_1_to_60,
    ALTER COLUMN purpose TYPE hw_text_max_500,
    ALTER COLUMN request_id TYPE hw_text_max_100,
    ALTER COLUMN lawful_basis TYPE hw_text_max_500;

RESET ROLE;
