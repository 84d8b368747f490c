-- hw_rules_applied: which version of db/sql the database has. Only its owner (the
-- migrations and db::rules, over the administrative connection) reads or writes it.

ALTER TABLE hw_rules_applied ENABLE ROW LEVEL SECURITY;
ALTER TABLE hw_rules_applied FORCE ROW LEVEL SECURITY;

CREATE POLICY hw_rules_applied_owner ON hw_rules_applied TO homeward_owner USING (true) WITH CHECK (true);
