SET LOCAL ROLE homeward_owner;

-- Issue 19: restriction (DPA 2018 s.46), rectification notes (s.47) and disposal (MoPI).
--
-- A restricted person's records carry `restricted`, kept by the data protection officer's
-- functions on every table a policy or a write check reads it from, so policies compare a
-- column of the row itself (no subquery). A disposed person and their episodes carry
-- `disposed_at`: the anonymous skeleton the measures count stays, hidden from everyone.
ALTER TABLE persons ADD COLUMN restricted boolean NOT NULL DEFAULT false,
                    ADD COLUMN disposed_at timestamptz;
ALTER TABLE episodes ADD COLUMN restricted boolean NOT NULL DEFAULT false,
                     ADD COLUMN disposed_at timestamptz;
ALTER TABLE referrals ADD COLUMN restricted boolean NOT NULL DEFAULT false;
ALTER TABLE triggers ADD COLUMN restricted boolean NOT NULL DEFAULT false;
ALTER TABLE actions ADD COLUMN restricted boolean NOT NULL DEFAULT false;
ALTER TABLE person_markers ADD COLUMN restricted boolean NOT NULL DEFAULT false;
ALTER TABLE placements ADD COLUMN restricted boolean NOT NULL DEFAULT false;
ALTER TABLE protocol_profiles ADD COLUMN restricted boolean NOT NULL DEFAULT false;

-- Each restriction placed on a person's records, and its lifting.
CREATE TABLE restrictions (
    id          uuid PRIMARY KEY,
    person_id   uuid NOT NULL REFERENCES persons (id),
    -- Why (e.g. the accuracy is contested, and by whom).
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    placed_by   uuid NOT NULL REFERENCES users (id),
    placed_at   timestamptz NOT NULL DEFAULT now(),
    lifted_by   uuid REFERENCES users (id),
    lifted_at   timestamptz,
    lift_reason text CHECK (length(lift_reason) BETWEEN 1 AND 2000),
    CHECK ((lifted_at IS NULL) = (lifted_by IS NULL) AND (lifted_at IS NULL) = (lift_reason IS NULL))
);
-- At most one restriction in force a person.
CREATE UNIQUE INDEX restrictions_one_in_force ON restrictions (person_id) WHERE lifted_at IS NULL;

-- A rectification request and the changes (audit log entries) made for it.
CREATE TABLE rectification_notes (
    id          uuid PRIMARY KEY,
    person_id   uuid NOT NULL REFERENCES persons (id),
    -- Who asked, when and what they said was wrong.
    request     text NOT NULL CHECK (length(request) BETWEEN 1 AND 2000),
    -- What was done (or why nothing was).
    outcome     text NOT NULL CHECK (length(outcome) BETWEEN 1 AND 2000),
    audit_seqs  bigint[] NOT NULL CHECK (array_position(audit_seqs, NULL) IS NULL),
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rectification_notes_person_idx ON rectification_notes (person_id, recorded_at);

-- A purpose on the audit log is hashed into the chain through a salted digest (rows sealed
-- from now on), so disposal can erase a purpose written about the person (it may name
-- them) with its salt, and the chain still verifies: the digest stays, and proves a
-- purpose was there, without letting anyone confirm a guess at it.
ALTER TABLE audit_log ADD COLUMN purpose_digest bytea, ADD COLUMN purpose_salt bytea;
-- The digest becomes an argument of the chain's hash (40_audit.sql defines the new one).
DROP FUNCTION IF EXISTS hw_audit_digest(bytea, bigint, timestamptz, uuid, text, text, text, uuid[], text, text[], text, text);

RESET ROLE;
