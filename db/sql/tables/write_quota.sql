-- write_quota: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE write_quota ENABLE ROW LEVEL SECURITY;
ALTER TABLE write_quota FORCE ROW LEVEL SECURITY;

-- Only auth_write_quota reads or charges it.
CREATE POLICY write_quota_owner ON write_quota TO homeward_owner USING (true) WITH CHECK (true);
