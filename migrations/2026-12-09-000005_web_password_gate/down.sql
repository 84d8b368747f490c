SET LOCAL ROLE homeward_owner;
DROP FUNCTION IF EXISTS auth_web_session(bytea, interval);
RESET ROLE;
