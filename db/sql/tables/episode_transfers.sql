-- episode_transfers: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE episode_transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE episode_transfers FORCE ROW LEVEL SECURITY;

CREATE POLICY episode_transfers_insert ON episode_transfers FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND transferred_by = hw_user_id() AND hw_covers_district(from_district_id));
CREATE POLICY episode_transfers_owner ON episode_transfers TO homeward_owner USING (true) WITH CHECK (true);
-- Not defined through `episodes`, so the episodes policy below can use this table
-- without the two policies recursing into each other.
CREATE POLICY episode_transfers_read ON episode_transfers FOR SELECT TO homeward_app
    USING (hw_is_operational() AND (hw_covers_district(from_district_id) OR hw_covers_district(to_district_id)));

GRANT SELECT,INSERT ON episode_transfers TO homeward_app;

CREATE TRIGGER measure_transfers_insert AFTER INSERT ON episode_transfers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_transfers_changed();

CREATE TRIGGER measure_transfers_delete AFTER DELETE ON episode_transfers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_transfers_changed();

-- A restricted person's records are read-only (issue 19; hw_refuse_restricted_write).
CREATE TRIGGER episode_transfers_restricted BEFORE INSERT OR UPDATE OR DELETE ON episode_transfers
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('episode_id', 'episodes');

CREATE TRIGGER episode_transfers_former_districts AFTER INSERT OR DELETE ON episode_transfers
    FOR EACH ROW EXECUTE FUNCTION hw_episode_transfers_changed();
