-- POST /api/v1/episodes for a Leeds person never reported before: the statements the service sends
-- (from the server log) for a report that raises no new trigger. A report that does
-- raise one also inserts the trigger and its alerts (HTTP only). The first SELECT picks
-- the person and is pgbench's own; ids the service makes in Rust come from
-- gen_random_uuid() here. The statements are sent in the pipelines the service sends
-- them in (db::pipelined): BEGIN and the session check with the person's lock and their
-- spans (Tx::begin_reading); the episode, its grading and the trigger evaluation's three
-- reads; the audit row, the reference and the COMMIT, as for a report that alerts no one,
-- then the wait for the commit's flush (Tx::commit_with: the COMMIT releases the
-- district's counter once its record is written, before the flush).
SELECT id AS pid, gen_random_uuid() AS id FROM bench_fresh WHERE n = (SELECT nextval('bench_fresh_next')) \gset
-- The write quota, charged before each write (shared by every instance; lifted here).
SELECT auth_write_quota(:user_id, :session_id, :token_version, interval '60 microseconds', 250000);
\startpipeline
BEGIN;
SELECT p.role, p.district_id, p.agency_id, p.must_change_password, set_config('homeward.user_id', :user_id::text, true) AS c1, set_config('homeward.role', p.role, true) AS c2, set_config('homeward.district_id', coalesce(p.district_id::text, ''), true) AS c3, set_config('homeward.agency_id', coalesce(p.agency_id::text, ''), true) AS c4 FROM auth_principal(:user_id, :session_id, :token_version) p;
SELECT "persons"."id", "persons"."given_name", "persons"."family_name", "persons"."aliases", "persons"."date_of_birth", "persons"."sex", "persons"."ethnicity", "persons"."home_district_id", "persons"."local_authority", "persons"."looked_after", "persons"."merged_into", "persons"."version", "persons"."created_at", "persons"."updated_at" FROM "persons" WHERE (("persons"."id" = :pid) AND hw_is_operational()) LIMIT 1 FOR UPDATE;
SELECT id, reference, district_id, status, last_seen_at, returned_at FROM hw_person_episode_spans(:pid);
\endpipeline
\startpipeline
INSERT INTO "episodes" ("id", "person_id", "district_id", "status", "reported_at", "reported_by", "reporter_details", "last_seen_at", "last_seen_location", "missing_from", "circumstances", "risk_level", "next_review_due", "placement_id", "looked_after", "created_by") VALUES (:id, :pid, :district_id, 'reported', now() - interval '1 hour', 'parent', 'Mother, by phone', now() - interval '3 hours', 'Roundhay Park', 'home', 'Did not come home from school.', 'medium', now() + interval '5 hours', DEFAULT, false, :user_id) RETURNING "episodes"."id";
INSERT INTO "risk_gradings" ("id", "episode_id", "graded_at", "graded_by", "from_level", "to_level", "rationale", "information", "grader_role") VALUES (gen_random_uuid(), :id, now(), :user_id, DEFAULT, 'medium', 'Age and time of day.', 'Call from mother.', 'mfhc');
SELECT * FROM hw_trigger_inputs(:pid);
SELECT "trigger_rules"."id", "trigger_rules"."name", "trigger_rules"."kind", "trigger_rules"."min_episodes", "trigger_rules"."within_days", "trigger_rules"."district_id", "trigger_rules"."enabled", "trigger_rules"."escalate_after_hours", "trigger_rules"."version", "trigger_rules"."created_by", "trigger_rules"."created_at", "trigger_rules"."updated_at" FROM "trigger_rules" ORDER BY "trigger_rules"."name", "trigger_rules"."id";
SELECT * FROM hw_trigger_live(:pid);
\endpipeline
\startpipeline
SET LOCAL synchronous_commit = off;
INSERT INTO "audit_queue" ("actor_id", "actor_role", "operation", "record_type", "record_ids", "purpose", "recipients", "request_id") VALUES (:user_id, 'mfhc', 'collection', 'episode', ARRAY[:id::uuid, :pid::uuid], DEFAULT, '{}', 'pgbench');
UPDATE "episodes" SET "reference" = hw_episode_take_reference("episodes"."district_id", extract(year FROM now())::int) WHERE ("episodes"."id" = :id) RETURNING "episodes"."id", "episodes"."reference", "episodes"."person_id", "episodes"."district_id", "episodes"."status", "episodes"."reported_at", "episodes"."reported_by", "episodes"."reporter_details", "episodes"."last_seen_at", "episodes"."last_seen_location", "episodes"."missing_from", "episodes"."circumstances", "episodes"."risk_level", "episodes"."cancelled_reason", "episodes"."closed_at", "episodes"."closed_by", "episodes"."no_interview_reason", "episodes"."next_review_due", "episodes"."placement_id", "episodes"."looked_after", "episodes"."version", "episodes"."created_at", "episodes"."updated_at";
COMMIT;
SELECT pg_logical_emit_message(true, 'homeward.flush', '');
\endpipeline
