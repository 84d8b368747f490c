SET LOCAL ROLE homeward_owner;

-- A referral locks its person (so a merge cannot move the person away under it), and
-- Postgres lets a row be locked only by a role an UPDATE policy admits. Early Action had
-- none on persons, so its lock found no row and every referral it made was refused as
-- "no such person". It may now lock a person it can see, and still may not change one:
-- the check refuses any row it would write.
CREATE POLICY persons_early_action_lock ON persons FOR UPDATE TO homeward_app
    USING (hw_role() = 'early_action') WITH CHECK (false);

RESET ROLE;
