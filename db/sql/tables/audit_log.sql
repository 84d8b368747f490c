-- audit_log: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;

CREATE POLICY audit_log_admin_read ON audit_log FOR SELECT TO homeward_app USING (hw_is_admin());
CREATE POLICY audit_log_owner_read ON audit_log FOR SELECT TO homeward_owner USING (true);
CREATE POLICY audit_log_sealer ON audit_log FOR INSERT TO homeward_owner WITH CHECK (true);

GRANT SELECT ON audit_log TO homeward_app;
-- Disposal (hw_dispose_person) erases purposes written about the person; the chain covers
-- their digests, which stay. Nothing else in a row may change (hw_audit_redact_only).
CREATE POLICY audit_log_redact ON audit_log FOR UPDATE TO homeward_owner
    USING (purpose_digest IS NOT NULL)
    WITH CHECK (purpose IS NULL AND purpose_salt IS NULL AND purpose_digest IS NOT NULL);
CREATE TRIGGER audit_log_redact_only BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION hw_audit_redact_only();
