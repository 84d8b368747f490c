SET LOCAL ROLE homeward_owner;

DROP POLICY persons_partner_read ON persons;
DROP POLICY persons_early_action_read ON persons;
DROP POLICY persons_early_action_insert ON persons;
DROP POLICY person_markers_partner_read ON person_markers;
DROP POLICY risk_gradings_read ON risk_gradings;
CREATE POLICY risk_gradings_read ON risk_gradings FOR SELECT TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY supervisor_reviews_read ON supervisor_reviews;
CREATE POLICY supervisor_reviews_read ON supervisor_reviews FOR SELECT TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY episode_returns_read ON episode_returns;
CREATE POLICY episode_returns_read ON episode_returns FOR SELECT TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY prevention_interviews_read ON prevention_interviews;
CREATE POLICY prevention_interviews_read ON prevention_interviews FOR SELECT TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY rhi_read ON return_home_interviews;
CREATE POLICY rhi_read ON return_home_interviews FOR SELECT TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));

DROP TABLE shares, actions, intervention_plans, triage_meetings, referrals, trigger_plans, triggers,
           trigger_rule_versions, trigger_rules;
DROP FUNCTION hw_episode_touch_by_provider(uuid, integer);
DROP POLICY risk_gradings_insert ON risk_gradings;
CREATE POLICY risk_gradings_insert ON risk_gradings FOR INSERT TO homeward_app
    WITH CHECK (graded_by = hw_user_id() AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY episode_returns_insert ON episode_returns;
CREATE POLICY episode_returns_insert ON episode_returns FOR INSERT TO homeward_app
    WITH CHECK (recorded_by = hw_user_id() AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY prevention_interviews_insert ON prevention_interviews;
CREATE POLICY prevention_interviews_insert ON prevention_interviews FOR INSERT TO homeward_app
    WITH CHECK (recorded_by = hw_user_id() AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY rhi_insert ON return_home_interviews;
CREATE POLICY rhi_insert ON return_home_interviews FOR INSERT TO homeward_app
    WITH CHECK (updated_by = hw_user_id() AND EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id));
DROP POLICY rhi_update ON return_home_interviews;
CREATE POLICY rhi_update ON return_home_interviews FOR UPDATE TO homeward_app
    USING (EXISTS (SELECT 1 FROM episodes e WHERE e.id = episode_id))
    WITH CHECK (updated_by = hw_user_id());
DROP FUNCTION hw_user_in_agency(uuid, uuid);
DROP FUNCTION hw_trigger_escalate_due();
DROP FUNCTION hw_trigger_withdraw(uuid, text);
DROP FUNCTION hw_trigger_fire(uuid, uuid, uuid, uuid, uuid[], timestamptz, timestamptz);
DROP FUNCTION hw_trigger_live(uuid);
DROP FUNCTION hw_trigger_inputs(uuid);
DROP FUNCTION hw_is_case_worker();
DROP FUNCTION hw_person_shared_with_caller(uuid, text);
DROP FUNCTION hw_trigger_rule_version();
CREATE OR REPLACE FUNCTION hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text)
RETURNS boolean LANGUAGE sql STABLE SECURITY INVOKER AS $$ SELECT false $$;

RESET ROLE;
