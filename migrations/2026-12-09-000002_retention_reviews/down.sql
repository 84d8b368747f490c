SET LOCAL ROLE homeward_owner;
DROP TABLE IF EXISTS retention_decisions;
RESET ROLE;
