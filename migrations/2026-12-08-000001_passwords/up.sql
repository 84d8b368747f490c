SET LOCAL ROLE homeward_owner;

-- Passwords (issue 20): after an administrator's forced reset the account holds a
-- temporary password, which must be changed before the account can do anything else.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- auth_principal now also says whether the password must be changed; a function's result
-- type cannot be replaced in place, so it is dropped here and db/sql defines it again.
DROP FUNCTION IF EXISTS auth_principal(uuid, uuid, integer);

RESET ROLE;
