SET LOCAL ROLE homeward_owner;

-- A browser's session now also says whether its password must be changed (db/sql defines
-- the function again with the new result; a result type cannot be replaced in place).
DROP FUNCTION IF EXISTS auth_web_session(bytea, interval);

RESET ROLE;
