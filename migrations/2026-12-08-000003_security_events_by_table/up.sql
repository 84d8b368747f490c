SET LOCAL ROLE homeward_owner;

-- A refusal's record is now looked for in the table its route names (db/sql defines the
-- new functions); the first versions looked in every table.
DROP FUNCTION IF EXISTS hw_security_event(text, uuid, text, text, text, text, uuid, text, integer, integer, interval);
DROP FUNCTION IF EXISTS hw_record_exists(uuid);

RESET ROLE;
