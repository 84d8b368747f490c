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


-- The domains take their checks after the columns have moved to them: a column's type
-- changing to a domain that has constraints rewrites the table and rebuilds its indexes
-- (ACCESS EXCLUSIVE for the time it takes); to one without, it is a relabelling, and the
-- validation below only reads each table once, as the old checks had already held.
CREATE DOMAIN hw_episode_status AS text;
CREATE DOMAIN hw_risk_level AS text;
CREATE DOMAIN hw_missing_from AS text;
CREATE DOMAIN hw_reported_by AS text;
CREATE DOMAIN hw_grader_role AS text;
CREATE DOMAIN hw_audit_operation AS text;
CREATE DOMAIN hw_episode_reference AS text;
CREATE DOMAIN hw_text_max_100 AS text;
CREATE DOMAIN hw_text_max_500 AS text;
CREATE DOMAIN hw_text_max_2000 AS text;
CREATE DOMAIN hw_text_max_10000 AS text;
CREATE DOMAIN hw_text_1_to_60 AS text;
CREATE DOMAIN hw_text_1_to_100 AS text;
CREATE DOMAIN hw_text_1_to_500 AS text;
CREATE DOMAIN hw_text_1_to_5000 AS text;

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

ALTER DOMAIN hw_episode_status ADD CONSTRAINT hw_episode_status_check CHECK (VALUE IN ('reported', 'active', 'returned', 'closed', 'cancelled')) NOT VALID;
ALTER DOMAIN hw_episode_status VALIDATE CONSTRAINT hw_episode_status_check;
ALTER DOMAIN hw_risk_level ADD CONSTRAINT hw_risk_level_check CHECK (VALUE IN ('very_low', 'low', 'medium', 'high')) NOT VALID;
ALTER DOMAIN hw_risk_level VALIDATE CONSTRAINT hw_risk_level_check;
ALTER DOMAIN hw_missing_from ADD CONSTRAINT hw_missing_from_check CHECK (VALUE IN ('home', 'care_placement', 'hospital_or_medical', 'other')) NOT VALID;
ALTER DOMAIN hw_missing_from VALIDATE CONSTRAINT hw_missing_from_check;
ALTER DOMAIN hw_reported_by ADD CONSTRAINT hw_reported_by_check CHECK (VALUE IN ('parent', 'carer', 'childrens_home', 'hospital', 'school', 'police', 'self', 'other')) NOT VALID;
ALTER DOMAIN hw_reported_by VALIDATE CONSTRAINT hw_reported_by_check;
ALTER DOMAIN hw_grader_role ADD CONSTRAINT hw_grader_role_check CHECK (VALUE IN ('officer', 'supervisor', 'mfhc')) NOT VALID;
ALTER DOMAIN hw_grader_role VALIDATE CONSTRAINT hw_grader_role_check;
ALTER DOMAIN hw_audit_operation ADD CONSTRAINT hw_audit_operation_check CHECK (VALUE IN ('collection', 'alteration', 'consultation', 'disclosure', 'combination', 'erasure')) NOT VALID;
ALTER DOMAIN hw_audit_operation VALIDATE CONSTRAINT hw_audit_operation_check;
ALTER DOMAIN hw_episode_reference ADD CONSTRAINT hw_episode_reference_check CHECK (VALUE ~ '^[A-Z]{3}-[0-9]{4}-[0-9]{6}$') NOT VALID;
ALTER DOMAIN hw_episode_reference VALIDATE CONSTRAINT hw_episode_reference_check;
ALTER DOMAIN hw_text_max_100 ADD CONSTRAINT hw_text_max_100_check CHECK (length(VALUE) <= 100) NOT VALID;
ALTER DOMAIN hw_text_max_100 VALIDATE CONSTRAINT hw_text_max_100_check;
ALTER DOMAIN hw_text_max_500 ADD CONSTRAINT hw_text_max_500_check CHECK (length(VALUE) <= 500) NOT VALID;
ALTER DOMAIN hw_text_max_500 VALIDATE CONSTRAINT hw_text_max_500_check;
ALTER DOMAIN hw_text_max_2000 ADD CONSTRAINT hw_text_max_2000_check CHECK (length(VALUE) <= 2000) NOT VALID;
ALTER DOMAIN hw_text_max_2000 VALIDATE CONSTRAINT hw_text_max_2000_check;
ALTER DOMAIN hw_text_max_10000 ADD CONSTRAINT hw_text_max_10000_check CHECK (length(VALUE) <= 10000) NOT VALID;
ALTER DOMAIN hw_text_max_10000 VALIDATE CONSTRAINT hw_text_max_10000_check;
ALTER DOMAIN hw_text_1_to_60 ADD CONSTRAINT hw_text_1_to_60_check CHECK (length(VALUE) BETWEEN 1 AND 60) NOT VALID;
ALTER DOMAIN hw_text_1_to_60 VALIDATE CONSTRAINT hw_text_1_to_60_check;
ALTER DOMAIN hw_text_1_to_100 ADD CONSTRAINT hw_text_1_to_100_check CHECK (length(VALUE) BETWEEN 1 AND 100) NOT VALID;
ALTER DOMAIN hw_text_1_to_100 VALIDATE CONSTRAINT hw_text_1_to_100_check;
ALTER DOMAIN hw_text_1_to_500 ADD CONSTRAINT hw_text_1_to_500_check CHECK (length(VALUE) BETWEEN 1 AND 500) NOT VALID;
ALTER DOMAIN hw_text_1_to_500 VALIDATE CONSTRAINT hw_text_1_to_500_check;
ALTER DOMAIN hw_text_1_to_5000 ADD CONSTRAINT hw_text_1_to_5000_check CHECK (length(VALUE) BETWEEN 1 AND 5000) NOT VALID;
ALTER DOMAIN hw_text_1_to_5000 VALIDATE CONSTRAINT hw_text_1_to_5000_check;

RESET ROLE;
