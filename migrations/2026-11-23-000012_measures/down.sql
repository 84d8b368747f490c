SET LOCAL ROLE homeward_owner;
DROP FUNCTION hw_missing_persons_summary(timestamptz);
DROP TABLE baselines, measure_definitions;
DROP INDEX episodes_reported_idx;
DROP FUNCTION hw_repeat_missing(timestamptz, timestamptz, integer, boolean);
DROP FUNCTION hw_reads_measures();
RESET ROLE;
