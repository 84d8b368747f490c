DROP TABLE IF EXISTS episode_reference_counters, risk_gradings, episodes, persons;
DROP FUNCTION IF EXISTS hw_covers_district(uuid);
DROP FUNCTION IF EXISTS hw_is_operational();
