-- episodes: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE episodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE episodes FORCE ROW LEVEL SECURITY;

CREATE POLICY episodes_district_insert ON episodes FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND hw_covers_district(district_id) AND created_by = hw_user_id());
CREATE POLICY episodes_owner ON episodes TO homeward_owner USING (true) WITH CHECK (true);
-- The district's episodes and those transferred away from it: a comparison on the row
-- itself (former_district_ids, kept from episode_transfers), no lookup per row. The
-- claims are read once per statement, in scalar subqueries (hw_covers_every_district).
CREATE POLICY episodes_district_read ON episodes FOR SELECT TO homeward_app
    USING ((SELECT hw_is_operational())
           AND (district_id = (SELECT hw_district_id()) OR (SELECT hw_covers_every_district())
                OR (SELECT hw_district_id()) = ANY (former_district_ids)));
CREATE POLICY episodes_district_update ON episodes FOR UPDATE TO homeward_app
    USING (hw_is_operational() AND hw_covers_district(district_id))
    WITH CHECK (hw_is_operational()
                AND (status <> 'closed' OR hw_role() = 'supervisor')
                AND (hw_covers_district(district_id)
                     OR EXISTS (SELECT 1 FROM episode_transfers t
                                 WHERE t.episode_id = episodes.id AND t.to_district_id = episodes.district_id
                                   AND t.transferred_by = hw_user_id()
                                   AND hw_covers_district(t.from_district_id))));
CREATE POLICY episodes_partner_read ON episodes FOR SELECT TO homeward_app
    USING ((SELECT hw_role() = 'partner') AND hw_shared_with_caller('episode', id, 'summary'));

GRANT SELECT,INSERT,UPDATE ON episodes TO homeward_app;

CREATE TRIGGER measure_episodes_insert AFTER INSERT ON episodes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_episodes_changed();

CREATE TRIGGER measure_episodes_delete AFTER DELETE ON episodes
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_episodes_changed();

-- Checked at commit, while the report holds its district's counter row, for each row
-- written without a reference (a report's insert), not again for the update that gives
-- it one.
CREATE CONSTRAINT TRIGGER episodes_reference_required
    AFTER INSERT OR UPDATE OF reference ON episodes
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.reference IS NULL) EXECUTE FUNCTION hw_episode_reference_required();

CREATE TRIGGER episodes_one_open_insert AFTER INSERT ON episodes
    FOR EACH ROW WHEN (NEW.status IN ('reported', 'active'))
    EXECUTE FUNCTION hw_episodes_one_open();

CREATE TRIGGER episodes_one_open_move AFTER UPDATE OF person_id ON episodes
    FOR EACH ROW WHEN (NEW.status IN ('reported', 'active') AND OLD.person_id <> NEW.person_id)
    EXECUTE FUNCTION hw_episodes_one_open();

-- Only an update that sets one of the counted columns considers it (a report's reference
-- is not one: Postgres reads a trigger's WHEN back from its text in each statement).
CREATE TRIGGER measure_episodes_update
    AFTER UPDATE OF person_id, reported_at, last_seen_at, status, missing_from, district_id
    ON episodes FOR EACH ROW
    WHEN (OLD.person_id <> NEW.person_id OR OLD.reported_at <> NEW.reported_at
          OR OLD.last_seen_at <> NEW.last_seen_at
          OR (OLD.status = 'cancelled') <> (NEW.status = 'cancelled')
          OR OLD.missing_from <> NEW.missing_from OR OLD.district_id <> NEW.district_id)
    EXECUTE FUNCTION hw_measure_episode_updated();

-- Restriction and disposal (issue 19): a restricted record is read only with a stated
-- reason (set for one-record reads, never for lists), a disposed one by no one.
CREATE POLICY episodes_in_view ON episodes AS RESTRICTIVE FOR SELECT TO homeward_app
    USING (disposed_at IS NULL AND (NOT restricted OR (SELECT hw_access_reason() IS NOT NULL)));
CREATE POLICY episodes_not_disposed ON episodes AS RESTRICTIVE FOR UPDATE TO homeward_app
    USING (disposed_at IS NULL) WITH CHECK (disposed_at IS NULL);
-- A restricted person's records are read-only (hw_refuse_restricted_write says why).
CREATE TRIGGER episodes_restricted_insert BEFORE INSERT ON episodes
    FOR EACH ROW EXECUTE FUNCTION hw_refuse_restricted_write('person_id', 'persons');
-- A row's own flag says whether its person is restricted (hw_set_restricted keeps them
-- all, and a write under a parent waits for a restriction being placed), so an
-- unrestricted row's change costs nothing here unless it moves to another parent.
CREATE TRIGGER episodes_restricted BEFORE UPDATE ON episodes
    FOR EACH ROW WHEN (OLD.restricted OR NEW.restricted
                  OR OLD.person_id IS DISTINCT FROM NEW.person_id)
    EXECUTE FUNCTION hw_refuse_restricted_write('person_id', 'persons');
-- Nor is a row written already restricted, or (a person, an episode) already disposed of.
CREATE POLICY episodes_written_in_view ON episodes AS RESTRICTIVE FOR INSERT TO homeward_app
    WITH CHECK (NOT restricted AND disposed_at IS NULL);
CREATE TRIGGER episodes_restricted_delete BEFORE DELETE ON episodes
    FOR EACH ROW WHEN (OLD.restricted) EXECUTE FUNCTION hw_refuse_restricted_write();

-- Who may read an episode depends on former_district_ids: only the transfers' trigger
-- (hw_episode_transfers_changed) writes it, never a request directly.
CREATE TRIGGER episodes_former_districts_kept BEFORE UPDATE OF former_district_ids ON episodes
    FOR EACH ROW WHEN (OLD.former_district_ids IS DISTINCT FROM NEW.former_district_ids)
    EXECUTE FUNCTION hw_episode_former_districts_guard();
CREATE TRIGGER episodes_former_districts_new BEFORE INSERT ON episodes
    FOR EACH ROW WHEN (NEW.former_district_ids <> '{}')
    EXECUTE FUNCTION hw_episode_former_districts_guard();
