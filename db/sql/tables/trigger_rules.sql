-- trigger_rules: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE trigger_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE trigger_rules FORCE ROW LEVEL SECURITY;

CREATE POLICY trigger_rules_insert ON trigger_rules FOR INSERT TO homeward_app
    WITH CHECK (created_by = hw_user_id() AND (hw_is_admin() OR (hw_role() = 'mfhc'
                AND (hw_district_id() IS NULL OR district_id = hw_district_id()))));
CREATE POLICY trigger_rules_owner ON trigger_rules TO homeward_owner USING (true) WITH CHECK (true);
-- Rules hold no personal data: every signed-in user may read them. Admins manage all;
-- MFHCs manage the rules their district covers (force-wide MFHCs: all).
CREATE POLICY trigger_rules_read ON trigger_rules FOR SELECT TO homeward_app USING (hw_is_authenticated());
CREATE POLICY trigger_rules_update ON trigger_rules FOR UPDATE TO homeward_app
    USING (hw_is_admin() OR (hw_role() = 'mfhc' AND (hw_district_id() IS NULL OR district_id = hw_district_id())))
    WITH CHECK (hw_is_admin() OR (hw_role() = 'mfhc' AND (hw_district_id() IS NULL OR district_id = hw_district_id())));

GRANT SELECT,INSERT,UPDATE ON trigger_rules TO homeward_app;

CREATE TRIGGER trigger_rules_versions AFTER INSERT OR UPDATE ON trigger_rules
    FOR EACH ROW EXECUTE FUNCTION hw_trigger_rule_version();
