-- measure_definitions: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE measure_definitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE measure_definitions FORCE ROW LEVEL SECURITY;

CREATE POLICY measure_definitions_admin ON measure_definitions FOR INSERT TO homeward_app
    WITH CHECK (hw_is_admin() AND created_by = hw_user_id());
CREATE POLICY measure_definitions_owner ON measure_definitions TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY measure_definitions_read ON measure_definitions FOR SELECT TO homeward_app USING (hw_reads_measures());

GRANT SELECT,INSERT ON measure_definitions TO homeward_app;

CREATE TRIGGER measure_definitions_insert AFTER INSERT ON measure_definitions
    FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_definition_changed();
