SET LOCAL ROLE homeward_owner;
DROP FUNCTION hw_children_by_month(timestamptz, timestamptz);
DROP FUNCTION hw_quarterly_breakdown(timestamptz, timestamptz);
DROP FUNCTION hw_hospital_summary(timestamptz);
DROP FUNCTION hw_looked_after_summary(timestamptz);
DROP FUNCTION hw_first_time_children_summary(timestamptz, timestamptz);
DROP FUNCTION hw_first_time_children(timestamptz, timestamptz);
DROP FUNCTION hw_first_time_children_in(timestamptz, timestamptz);
-- IF EXISTS: databases migrated before the helper was added do not have it.
DROP FUNCTION IF EXISTS hw_require_measures_reader();
DROP FUNCTION hw_first_transfers();
DROP FUNCTION hw_child_at(date, timestamptz);
DROP INDEX persons_dob_id_idx;
DROP INDEX episodes_counted_reported_idx;
DROP INDEX episodes_person_counted_idx;
RESET ROLE;
