SET LOCAL ROLE homeward_owner;

DROP INDEX episodes_reported_idx;
CREATE INDEX episodes_reported_idx ON episodes (reported_at)
    INCLUDE (person_id, district_id, status, missing_from);

RESET ROLE;
