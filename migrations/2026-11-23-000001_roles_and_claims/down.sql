DROP FUNCTION IF EXISTS hw_is_authenticated();
DROP FUNCTION IF EXISTS hw_is_admin();
DROP FUNCTION IF EXISTS hw_agency_id();
DROP FUNCTION IF EXISTS hw_district_id();
DROP FUNCTION IF EXISTS hw_role();
DROP FUNCTION IF EXISTS hw_user_id();
-- The roles are cluster-wide and may serve other databases; they are left in place.
