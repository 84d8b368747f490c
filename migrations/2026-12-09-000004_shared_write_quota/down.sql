SET LOCAL ROLE homeward_owner;
DROP FUNCTION IF EXISTS auth_write_quota(uuid, uuid, integer, interval, integer);
DROP TABLE IF EXISTS write_quota;
RESET ROLE;
