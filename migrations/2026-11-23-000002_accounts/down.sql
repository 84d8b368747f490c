DROP FUNCTION IF EXISTS auth_throttle_known(bytea);
DROP FUNCTION IF EXISTS auth_throttle_success(bytea[], bytea[], bytea);
DROP FUNCTION IF EXISTS auth_throttle_attempt(bytea[], integer[], interval);
DROP FUNCTION IF EXISTS auth_rotate_refresh(bytea, bytea, timestamptz);
DROP FUNCTION IF EXISTS auth_principal(uuid, uuid, integer);
DROP FUNCTION IF EXISTS auth_login_lookup(text);
DROP TABLE IF EXISTS login_throttle, refresh_tokens, sessions, users, agency_districts,
    agencies, agency_types, districts;
