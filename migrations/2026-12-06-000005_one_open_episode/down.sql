SET LOCAL ROLE homeward_owner;
DROP TRIGGER episodes_one_open_move ON episodes;
DROP TRIGGER episodes_one_open_insert ON episodes;
DROP FUNCTION hw_episodes_one_open();
DROP FUNCTION hw_person_episode_spans(uuid);
RESET ROLE;
