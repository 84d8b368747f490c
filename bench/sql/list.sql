-- GET /api/v1/episodes?limit=50: the statements the service sends (RLS keeps it to Leeds);
-- the audit row names 50 episode ids, as the service's does. BEGIN, the session check, the
-- setting, the list and the COMMIT are sent together, one round trip, as the service sends
-- them (the audit insert stands in for the service's group, recorded after).
\startpipeline
BEGIN;
SELECT p.role, p.district_id, p.agency_id, p.must_change_password, set_config('homeward.user_id', :user_id::text, true) AS c1, set_config('homeward.role', p.role, true) AS c2, set_config('homeward.district_id', coalesce(p.district_id::text, ''), true) AS c3, set_config('homeward.agency_id', coalesce(p.agency_id::text, ''), true) AS c4 FROM auth_principal(:user_id, :session_id, :token_version) p;
SET LOCAL plan_cache_mode = force_generic_plan;
SELECT "episodes"."id", "episodes"."reference", "episodes"."person_id", "episodes"."district_id", "episodes"."status", "episodes"."reported_at", "episodes"."reported_by", "episodes"."reporter_details", "episodes"."last_seen_at", "episodes"."last_seen_location", "episodes"."missing_from", "episodes"."circumstances", "episodes"."risk_level", "episodes"."cancelled_reason", "episodes"."closed_at", "episodes"."closed_by", "episodes"."no_interview_reason", "episodes"."next_review_due", "episodes"."placement_id", "episodes"."looked_after", "episodes"."version", "episodes"."created_at", "episodes"."updated_at" FROM "episodes" ORDER BY "episodes"."reported_at" DESC, "episodes"."id" DESC LIMIT 50;
INSERT INTO "audit_queue" ("actor_id", "actor_role", "operation", "record_type", "record_ids", "purpose", "recipients", "request_id") VALUES (:user_id, 'mfhc', 'consultation', 'episode', :page_ids, DEFAULT, '{}', 'pgbench');
COMMIT;
\endpipeline
