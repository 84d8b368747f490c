-- GET /api/v1/episodes/{id}: the statements the service sends (from the server log; the
-- episode, its six parts and the COMMIT pipelined together; the service records the
-- consultation after, with a group of others, where pgbench inserts it in the pipeline),
-- with the ids drawn as the wrk script draws them. The first SELECT picks the id and
-- is pgbench's own.
\set n random(1, :episodes)
SELECT id AS eid FROM bench_episodes WHERE n = :n \gset
\startpipeline
BEGIN;
SELECT p.role, p.district_id, p.agency_id, set_config('homeward.user_id', :user_id::text, true) AS c1, set_config('homeward.role', p.role, true) AS c2, set_config('homeward.district_id', coalesce(p.district_id::text, ''), true) AS c3, set_config('homeward.agency_id', coalesce(p.agency_id::text, ''), true) AS c4 FROM auth_principal(:user_id, :session_id, :token_version) p;
\endpipeline
\startpipeline
SELECT "episodes"."id", "episodes"."reference", "episodes"."person_id", "episodes"."district_id", "episodes"."status", "episodes"."reported_at", "episodes"."reported_by", "episodes"."reporter_details", "episodes"."last_seen_at", "episodes"."last_seen_location", "episodes"."missing_from", "episodes"."circumstances", "episodes"."risk_level", "episodes"."cancelled_reason", "episodes"."closed_at", "episodes"."closed_by", "episodes"."no_interview_reason", "episodes"."next_review_due", "episodes"."placement_id", "episodes"."looked_after", "episodes"."version", "episodes"."created_at", "episodes"."updated_at" FROM "episodes" WHERE ("episodes"."id" = :eid) LIMIT 1;
SELECT "risk_gradings"."id", "risk_gradings"."episode_id", "risk_gradings"."graded_at", "risk_gradings"."graded_by", "risk_gradings"."from_level", "risk_gradings"."to_level", "risk_gradings"."rationale", "risk_gradings"."information" FROM "risk_gradings" WHERE ("risk_gradings"."episode_id" = :eid) ORDER BY "risk_gradings"."graded_at", "risk_gradings"."id";
SELECT "episode_returns"."episode_id", "episode_returns"."returned_at", "episode_returns"."location", "episode_returns"."how", "episode_returns"."found_by", "episode_returns"."harm_suffered", "episode_returns"."harm_details", "episode_returns"."markers_seen", "episode_returns"."recorded_by" FROM "episode_returns" WHERE ("episode_returns"."episode_id" = :eid) LIMIT 1;
SELECT "prevention_interviews"."episode_id", "prevention_interviews"."conducted_at", "prevention_interviews"."conducted_by", "prevention_interviews"."mode", "prevention_interviews"."disclosures", "prevention_interviews"."referrals_made", "prevention_interviews"."recorded_by" FROM "prevention_interviews" WHERE ("prevention_interviews"."episode_id" = :eid) LIMIT 1;
SELECT "supervisor_reviews"."id", "supervisor_reviews"."episode_id", "supervisor_reviews"."reviewed_at", "supervisor_reviews"."reviewed_by", "supervisor_reviews"."risk_level", "supervisor_reviews"."outcome", "supervisor_reviews"."next_due_at" FROM "supervisor_reviews" WHERE ("supervisor_reviews"."episode_id" = :eid) ORDER BY "supervisor_reviews"."reviewed_at", "supervisor_reviews"."id";
SELECT "return_home_interviews"."episode_id", "return_home_interviews"."due_at", "return_home_interviews"."provider_agency_id", "return_home_interviews"."status", "return_home_interviews"."status_reason", "return_home_interviews"."completed_at", "return_home_interviews"."updated_by" FROM "return_home_interviews" WHERE ("return_home_interviews"."episode_id" = :eid) LIMIT 1;
SELECT "episode_transfers"."id", "episode_transfers"."episode_id", "episode_transfers"."from_district_id", "episode_transfers"."to_district_id", "episode_transfers"."reason", "episode_transfers"."transferred_by", "episode_transfers"."transferred_at" FROM "episode_transfers" WHERE ("episode_transfers"."episode_id" = :eid) ORDER BY "episode_transfers"."transferred_at", "episode_transfers"."id";
INSERT INTO "audit_queue" ("actor_id", "actor_role", "operation", "record_type", "record_ids", "purpose", "recipients", "request_id") VALUES (:user_id, 'mfhc', 'consultation', 'episode', ARRAY[:eid::uuid], DEFAULT, '{}', 'pgbench');
COMMIT;
\endpipeline
