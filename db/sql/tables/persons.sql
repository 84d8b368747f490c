-- persons: row-level security, its policies, its grants and its triggers. Applied after the
-- migrations, each time this file changes: its policies, triggers and grants are dropped
-- first, so this file is all there is (db::rules).

ALTER TABLE persons ENABLE ROW LEVEL SECURITY;
ALTER TABLE persons FORCE ROW LEVEL SECURITY;

CREATE POLICY persons_operational_insert ON persons FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND created_by = hw_user_id());
-- Read policies take the claims in scalar subqueries, once per statement
-- (hw_covers_every_district says why).
CREATE POLICY persons_operational_read ON persons FOR SELECT TO homeward_app
    USING ((SELECT hw_is_operational()));
CREATE POLICY persons_operational_update ON persons FOR UPDATE TO homeward_app
    USING (hw_is_operational()) WITH CHECK (hw_is_operational());
CREATE POLICY persons_owner ON persons TO homeward_owner USING (true) WITH CHECK (true);
CREATE POLICY persons_early_action_insert ON persons FOR INSERT TO homeward_app
    WITH CHECK (hw_role() = 'early_action' AND created_by = hw_user_id());
-- Early Action finds and records the young people it works with (force-wide, as the
-- operational roles do); it sees no episodes.
CREATE POLICY persons_early_action_read ON persons FOR SELECT TO homeward_app
    USING ((SELECT hw_role() = 'early_action'));
-- Partners: the person behind a shared record, and only the shared parts of an episode.
CREATE POLICY persons_partner_read ON persons FOR SELECT TO homeward_app
    USING ((SELECT hw_role() = 'partner') AND hw_person_shared_with_caller(id, 'summary'));
-- A referral locks its person (so a merge cannot move the person away under it), and
-- Postgres lets a row be locked only by a role an UPDATE policy admits. Early Action had
-- none on persons, so its lock found no row and every referral it made was refused as
-- "no such person". It may now lock a person it can see, and still may not change one:
-- the check refuses any row it would write.
CREATE POLICY persons_early_action_lock ON persons FOR UPDATE TO homeward_app
    USING (hw_role() = 'early_action') WITH CHECK (false);

GRANT SELECT,INSERT,UPDATE ON persons TO homeward_app;

CREATE TRIGGER measure_persons_update AFTER UPDATE ON persons
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hw_measure_persons_changed();

-- Restriction and disposal (issue 19): a restricted record is read only with a stated
-- reason (set for one-record reads, never for lists), a disposed one by no one.
CREATE POLICY persons_in_view ON persons AS RESTRICTIVE FOR SELECT TO homeward_app
    USING (disposed_at IS NULL AND (NOT restricted OR (SELECT hw_access_reason() IS NOT NULL)));
CREATE POLICY persons_not_disposed ON persons AS RESTRICTIVE FOR UPDATE TO homeward_app
    USING (disposed_at IS NULL) WITH CHECK (disposed_at IS NULL);
-- A restricted person's records are read-only (hw_refuse_restricted_write says why).
-- A row's own flag says whether its person is restricted (hw_set_restricted keeps them
-- all, and a write under a parent waits for a restriction being placed), so an
-- unrestricted row's change costs nothing here unless it moves to another parent.
CREATE TRIGGER persons_restricted BEFORE UPDATE ON persons
    FOR EACH ROW WHEN (OLD.restricted OR NEW.restricted)
    EXECUTE FUNCTION hw_refuse_restricted_write();
-- Nor is a row written already restricted, or (a person, an episode) already disposed of.
CREATE POLICY persons_written_in_view ON persons AS RESTRICTIVE FOR INSERT TO homeward_app
    WITH CHECK (NOT restricted AND disposed_at IS NULL);
CREATE TRIGGER persons_restricted_delete BEFORE DELETE ON persons
    FOR EACH ROW WHEN (OLD.restricted) EXECUTE FUNCTION hw_refuse_restricted_write();
