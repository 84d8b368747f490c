SET LOCAL ROLE homeward_owner;

-- Issue 21: several instances share one database; each scheduler tick is done by one of
-- them (the one that takes the lease for the interval), not by all.
CREATE TABLE scheduler_lease (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_tick_at timestamptz NOT NULL DEFAULT '-infinity',
    holder       text NOT NULL DEFAULT '' CHECK (length(holder) <= 200),
    ticks        bigint NOT NULL DEFAULT 0
);
INSERT INTO scheduler_lease DEFAULT VALUES;

-- Notifications that found nobody to go to (no active MFHC in a district, an agency
-- without a mailbox): kept once per event, so the log says so once, not every minute.
CREATE TABLE notification_gaps (
    event_key     text PRIMARY KEY CHECK (length(event_key) BETWEEN 1 AND 300),
    event         text NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    times         integer NOT NULL DEFAULT 1
);

RESET ROLE;
