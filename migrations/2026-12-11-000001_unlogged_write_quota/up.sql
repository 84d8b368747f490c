SET LOCAL ROLE homeward_owner;

-- Issue 21: the write quota is a rate, not a record. Unlogged, charging it writes nothing
-- to the WAL, so its commit does not wait for a flush to disk, and an account's writes no
-- longer queue one flush at a time behind its quota row. A crash empties it: every
-- account then starts with its full burst, as after a quiet minute.
ALTER TABLE write_quota SET UNLOGGED;

RESET ROLE;
