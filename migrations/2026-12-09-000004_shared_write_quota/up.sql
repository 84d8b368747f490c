SET LOCAL ROLE homeward_owner;

-- Issue 21: the per-account write quota, kept in the database so that every instance
-- charges the same one (GCRA: the theoretical arrival time of the account's next write).
CREATE TABLE write_quota (
    user_id uuid PRIMARY KEY REFERENCES users (id),
    tat     timestamptz NOT NULL
);

RESET ROLE;
