DROP TABLE IF EXISTS return_home_interviews;
