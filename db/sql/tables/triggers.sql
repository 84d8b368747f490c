-- triggers: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE triggers ENABLE ROW LEVEL SECURITY;
ALTER TABLE triggers FORCE ROW LEVEL SECURITY;

CREATE POLICY triggers_owner ON triggers TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY triggers_read ON triggers FOR SELECT TO homeward_app
    USING ((hw_is_case_worker() AND hw_covers_district(district_id))
           OR (hw_role() = 'partner' AND hw_shared_with_caller('trigger', id, 'summary')));
CREATE POLICY triggers_update ON triggers FOR UPDATE TO homeward_app
    USING (hw_role() = 'mfhc' AND hw_covers_district(district_id))
    WITH CHECK (hw_role() = 'mfhc' AND hw_covers_district(district_id) AND status <> 'withdrawn');

GRANT SELECT ON triggers TO homeward_app;
GRANT UPDATE(status) ON triggers TO homeward_app;
GRANT UPDATE(assigned_to) ON triggers TO homeward_app;
GRANT UPDATE(acknowledged_at) ON triggers TO homeward_app;
GRANT UPDATE(acknowledged_by) ON triggers TO homeward_app;
GRANT UPDATE(closed_at) ON triggers TO homeward_app;
GRANT UPDATE(closed_by) ON triggers TO homeward_app;
GRANT UPDATE(closure_note) ON triggers TO homeward_app;
GRANT UPDATE(version) ON triggers TO homeward_app;
GRANT UPDATE(updated_at) ON triggers TO homeward_app;
