SET LOCAL ROLE homeward_owner;
ALTER TABLE episodes DROP COLUMN IF EXISTS former_district_ids;
RESET ROLE;
