SET LOCAL ROLE homeward_owner;

DROP FUNCTION IF EXISTS auth_principal(uuid, uuid, integer);
DROP FUNCTION IF EXISTS auth_change_own_password(uuid, text);
ALTER TABLE users DROP COLUMN IF EXISTS must_change_password;

RESET ROLE;
