-- scheduler_lease: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE scheduler_lease ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler_lease FORCE ROW LEVEL SECURITY;

-- Only hw_scheduler_claim takes the lease.
CREATE POLICY scheduler_lease_owner ON scheduler_lease TO homeward_owner USING (true) WITH CHECK (true);
