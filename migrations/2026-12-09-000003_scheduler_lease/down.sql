SET LOCAL ROLE homeward_owner;
DROP TABLE IF EXISTS notification_gaps;
DROP TABLE IF EXISTS scheduler_lease;
RESET ROLE;
