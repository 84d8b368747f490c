SET LOCAL ROLE homeward_owner;
DROP TRIGGER episodes_reference_required ON episodes;
DROP FUNCTION hw_episode_reference_required();
ALTER TABLE episodes ALTER COLUMN reference SET NOT NULL;
RESET ROLE;
