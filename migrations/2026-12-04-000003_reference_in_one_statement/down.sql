SET LOCAL ROLE homeward_owner;
DROP FUNCTION hw_episode_take_reference(uuid, integer);
DROP FUNCTION hw_episode_reference(text, integer, integer);
RESET ROLE;
