SET LOCAL ROLE homeward_owner;
DROP POLICY persons_early_action_lock ON persons;
RESET ROLE;
