SET LOCAL ROLE homeward_owner;

DROP FUNCTION IF EXISTS hw_security_event(text, uuid, text, text, text, text, text, uuid, text, integer, integer, interval);
DROP FUNCTION IF EXISTS hw_record_exists(text, uuid);

RESET ROLE;
